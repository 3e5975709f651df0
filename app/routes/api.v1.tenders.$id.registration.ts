import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRegistration, registrationSchema } from "~/services/api/openapi-tenders";
import { registerForTender } from "~/services/tenders/registration.server";

/**
 * POST /api/v1/tenders/{id}/registration (tenders:bid): registers the user's bidder (themselves, or
 * their agency) → 201; already registered → 200 with the registration. Not eligible: 403
 * auction.refused.not_eligible with the reasons.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "tenders:bid");
  if (request.method !== "POST") {
    return methodNotAllowed(user.locale);
  }
  const { registration, created } = await registerForTender(auditContextFor(request, user), user, params.id ?? "");
  return apiJson(registrationSchema.parse(apiRegistration(registration, { withSecret: true })), { status: created ? 201 : 200 });
});

/** Registering is a POST (the registration is in GET /tenders/{id}). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
