import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiPackageSummary, packageSummarySchema } from "~/services/api/openapi-packages";
import { submitPackage } from "~/services/packages/approval.server";

/** POST /api/v1/packages/{id}/submit: a draft goes to approval (packages:manage; audit-logged). */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:manage");
  if (request.method !== "POST") {
    return methodNotAllowed(user.locale);
  }
  const summary = await submitPackage(auditContextFor(request, user), user, params.id ?? "");
  return apiJson(packageSummarySchema.parse(apiPackageSummary(summary)));
});

/** Submitting is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
