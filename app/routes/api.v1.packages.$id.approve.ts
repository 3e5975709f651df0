import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiPackageSummary, packageSummarySchema } from "~/services/api/openapi-packages";
import { approvePackage } from "~/services/packages/approval.server";
import { decisionSchema } from "~/services/packages/package-schemas";

/**
 * POST /api/v1/packages/{id}/approve `{ "comment"?: "…" }` (packages:approve; not the submitter: 403
 * packages.fourEyes). The package gets its number and its loans are locked; audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:approve");
  if (request.method !== "POST") {
    return methodNotAllowed(user.locale);
  }
  const text = await request.text();
  let body: unknown = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new UserError("packages.api.invalidJson");
    }
  }
  const input = decisionSchema.parse(body);
  const summary = await approvePackage(auditContextFor(request, user), user, params.id ?? "", input);
  return apiJson(packageSummarySchema.parse(apiPackageSummary(summary)));
});

/** Approving is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
