import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiLiabilityEvent, liabilityEventSchema } from "~/services/api/openapi-custody-liability";
import { decideLiabilitySchema } from "~/services/custody/liability-schemas";
import { decideLiability, liabilityEventFor } from "~/services/custody/liability.server";

/**
 * POST /api/v1/custody/liability-events/{id}/decision (custody:manage): `{ "decision": "confirm" | "dismiss", "note"? }`
 * (a note is required to dismiss). Confirmation books one balanced journal entry. Audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:manage");
  const body = decideLiabilitySchema.parse(await postedJson(request, user));
  const decided = await decideLiability(auditContextFor(request, user), user, params.id ?? "", body);
  return apiJson(liabilityEventSchema.parse(apiLiabilityEvent(await liabilityEventFor(user, decided.eventId))));
});

/** Deciding is a POST (the events are in GET /custody/liability-events). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
