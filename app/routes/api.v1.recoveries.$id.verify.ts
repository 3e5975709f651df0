import type { ActionFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRecovery, recoverySchema } from "~/services/api/openapi-settlement-recoveries";
import { getRecovery, verifyRecovery } from "~/services/settlement/recoveries.server";

/** POST /api/v1/recoveries/{id}/verify (recoveries:verify): REGISTERED → VERIFIED, four eyes. No body. */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "recoveries:verify");
  if (request.method !== "POST") throw methodNotAllowed(user.locale);
  const row = await verifyRecovery(auditContextFor(request, user), user, params.id ?? "");
  return apiJson(recoverySchema.parse(apiRecovery(await getRecovery(user, row.id))));
});

export const loader = apiHandler(async ({ request }: ActionFunctionArgs) => methodNotAllowed((await requireApiUser(request)).locale));
