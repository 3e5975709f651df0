import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiPackageSummary, packageSummarySchema } from "~/services/api/openapi-packages";
import { rejectPackage } from "~/services/packages/approval.server";
import { rejectSchema } from "~/services/packages/package-schemas";

/**
 * POST /api/v1/packages/{id}/reject `{ "comment": "…" }` (packages:approve; not the submitter: 403
 * packages.fourEyes). The package returns to draft without a number; audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:approve");
  const body = await postedJson(request, user);
  const input = rejectSchema.parse(body);
  const summary = await rejectPackage(auditContextFor(request, user), user, params.id ?? "", input);
  return apiJson(packageSummarySchema.parse(apiPackageSummary(summary)));
});

/** Rejecting is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
