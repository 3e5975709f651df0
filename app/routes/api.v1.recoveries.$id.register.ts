import type { ActionFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRecovery, recoverySchema, registerRecoveryRequestSchema } from "~/services/api/openapi-settlement-recoveries";
import { getRecovery, registerRecovery } from "~/services/settlement/recoveries.server";

/** POST /api/v1/recoveries/{id}/register (recoveries:register): REPORTED → REGISTERED with the register reference, and the registration entry. */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "recoveries:register");
  const body = registerRecoveryRequestSchema.parse(await postedJson(request, user));
  const row = await registerRecovery(auditContextFor(request, user), user, params.id ?? "", { registerReference: body.register_reference });
  return apiJson(recoverySchema.parse(apiRecovery(await getRecovery(user, row.id))));
});

export const loader = apiHandler(async ({ request }: ActionFunctionArgs) => methodNotAllowed((await requireApiUser(request)).locale));
