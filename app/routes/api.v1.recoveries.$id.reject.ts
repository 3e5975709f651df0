import type { ActionFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRecovery, recoverySchema, rejectRequestSchema } from "~/services/api/openapi-settlement-recoveries";
import { getRecovery, rejectRecovery } from "~/services/settlement/recoveries.server";

/** POST /api/v1/recoveries/{id}/reject (branch at REPORTED, audit at REGISTERED): REJECTED with the reason. */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const body = rejectRequestSchema.parse(await postedJson(request, user));
  const row = await rejectRecovery(auditContextFor(request, user), user, params.id ?? "", { reason: body.reason });
  return apiJson(recoverySchema.parse(apiRecovery(await getRecovery(user, row.id))));
});

export const loader = apiHandler(async ({ request }: ActionFunctionArgs) => methodNotAllowed((await requireApiUser(request)).locale));
