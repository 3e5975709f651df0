import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { apiRecovery, recoverySchema } from "~/services/api/openapi-settlement-recoveries";
import { getRecovery } from "~/services/settlement/recoveries.server";

/** GET /api/v1/recoveries/{id} (settlement:view): its custodian or the bank; anyone else 404. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  return apiJson(recoverySchema.parse(apiRecovery(await getRecovery(user, params.id ?? ""))));
});
