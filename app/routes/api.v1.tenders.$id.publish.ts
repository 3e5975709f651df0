import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { publishResultSchema } from "~/services/api/openapi-tenders";
import { publishTender } from "~/services/tenders/tenders.server";

/**
 * POST /api/v1/tenders/{id}/publish (tenders:manage): numbered TND-YYYY-NNN, packages IN_TENDER,
 * eligible bidders told, lot closes scheduled; audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "tenders:manage");
  if (request.method !== "POST") {
    return methodNotAllowed(user.locale);
  }
  const published = await publishTender(auditContextFor(request, user), user, params.id ?? "");
  return apiJson(publishResultSchema.parse({ id: published.id, number: published.number, status: "PUBLISHED", notified: published.notified }));
});

/** Publishing is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
