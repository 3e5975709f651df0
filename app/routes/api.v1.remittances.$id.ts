import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { apiRemittance, remittanceSchema } from "~/services/api/openapi-settlement-recoveries";
import { getRemittance } from "~/services/settlement/remittances.server";

/** GET /api/v1/remittances/{id} (settlement:view): its custodian or the bank; anyone else 404. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  return apiJson(remittanceSchema.parse(apiRemittance(await getRemittance(user, params.id ?? ""))));
});
