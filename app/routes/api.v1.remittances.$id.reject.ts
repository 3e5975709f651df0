import type { ActionFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRemittance, rejectRequestSchema, remittanceSchema } from "~/services/api/openapi-settlement-recoveries";
import { getRemittance, rejectRemittance } from "~/services/settlement/remittances.server";

/** POST /api/v1/remittances/{id}/reject (recoveries:register): a DECLARED remittance rejected with the reason. */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "recoveries:register");
  const body = rejectRequestSchema.parse(await postedJson(request, user));
  const row = await rejectRemittance(auditContextFor(request, user), user, params.id ?? "", { reason: body.reason });
  return apiJson(remittanceSchema.parse(apiRemittance(await getRemittance(user, row.id))));
});

export const loader = apiHandler(async ({ request }: ActionFunctionArgs) => methodNotAllowed((await requireApiUser(request)).locale));
