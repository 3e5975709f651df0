import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { apiContractSummary, contractListSchema } from "~/services/api/openapi-custody-contracts";
import { visibleContracts } from "~/services/custody/contract-views.server";

/** GET /api/v1/contracts (custody:view): a custodian's own contracts; the bank's departments every contract. Newest first. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:view");
  const contracts = await visibleContracts(user);
  return apiJson(contractListSchema.parse({ items: contracts.map((c) => apiContractSummary(c)) }));
});

/** Contracts are generated from accepted awards, not posted. */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
