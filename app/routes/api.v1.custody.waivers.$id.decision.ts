import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiWaiverDecision, waiverDecisionResultSchema } from "~/services/api/openapi-custody-agreements";
import { waiverDecisionRequestSchema } from "~/services/custody/agreement-schemas";
import { decideWaiver } from "~/services/custody/waivers.server";

/**
 * POST /api/v1/custody/waivers/{id}/decision (custody:manage, not the requester):
 * `{ "decision": "approve" | "reject", "note"? }` (a note is required to reject).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:manage");
  const body = waiverDecisionRequestSchema.parse(await postedJson(request, user));
  const decided = await decideWaiver(auditContextFor(request, user), user, params.id ?? "", { decision: body.decision, note: body.note ?? null }, new Date());
  return apiJson(waiverDecisionResultSchema.parse(apiWaiverDecision(decided)));
});

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
