import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiPackageSummary, moveResultSchema } from "~/services/api/openapi-packages";
import { moveLoan } from "~/services/packages/drafts.server";
import { moveLoanSchema } from "~/services/packages/package-schemas";

/**
 * POST /api/v1/packages/{id}/move `{ "loan_number": "…", "to_package_id": "…" }`: one loan of this
 * draft into another draft, both re-assessed (packages:manage; audit-logged).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:manage");
  const body = await postedJson(request, user);
  const result = await moveLoan(auditContextFor(request, user), user, params.id ?? "", moveLoanSchema.parse(body));
  return apiJson(moveResultSchema.parse({ from: apiPackageSummary(result.from), to: apiPackageSummary(result.to) }));
});

/** Moving is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
