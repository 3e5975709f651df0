import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { apiContractDetail, contractDetailSchema } from "~/services/api/openapi-custody-contracts";
import { contractRecord } from "~/services/custody/contract-views.server";

/**
 * GET /api/v1/contracts/{id} (custody:view; the custodian or the bank's departments, else 404): terms
 * with their settings version, status, signatures, deposit held and owed, loans, top-ups.
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:view");
  return apiJson(contractDetailSchema.parse(apiContractDetail(await contractRecord(user, params.id ?? ""))));
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
