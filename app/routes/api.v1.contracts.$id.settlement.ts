import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { todayInChina } from "~/domain/calendar";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { apiContractSettlement, contractSettlementSchema } from "~/services/api/openapi-settlement-contracts";
import { contractSettlement } from "~/services/settlement/settlement-views.server";

/** GET /api/v1/contracts/{id}/settlement (settlement:view): one contract's settlement as of today; a custodian only its own (404 otherwise). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const view = await contractSettlement(user, params.id ?? "", todayInChina(new Date()));
  return apiJson(contractSettlementSchema.parse(apiContractSettlement(view)));
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
