import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiFullTimeApplication, fullTimeApplicationSchema } from "~/services/api/openapi-custody-liability";
import { decideFullTime, fullTimeApplicationFor } from "~/services/custody/full-time.server";
import { decideFullTimeSchema } from "~/services/custody/liability-schemas";

/**
 * POST /api/v1/custody/full-time-applications/{id}/decision (custody:manage, not the applicant):
 * `{ "decision": "approve" | "reject", "note"? }` (a note is required to reject). Audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:manage");
  const body = decideFullTimeSchema.parse(await postedJson(request, user));
  const decided = await decideFullTime(auditContextFor(request, user), user, params.id ?? "", body);
  return apiJson(fullTimeApplicationSchema.parse(apiFullTimeApplication(await fullTimeApplicationFor(user, decided.id))));
});

/** Deciding is a POST (the applications are in GET /custody/full-time-applications). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
