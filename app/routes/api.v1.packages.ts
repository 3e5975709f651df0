import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiPackageSummary, packagePageSchema, packagesCreatedSchema } from "~/services/api/openapi-packages";
import { saveDraftPackages } from "~/services/packages/drafts.server";
import { listPackages } from "~/services/packages/package-queries.server";
import { packageListQuerySchema, saveDraftsSchema } from "~/services/packages/package-schemas";

/** GET /api/v1/packages?status=&bundle=&page=: packages, newest first (packages:view). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:view");
  const query = packageListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const result = await listPackages(user, query);
  return apiJson(packagePageSchema.parse({ items: result.packages.map(apiPackageSummary), page: result.page, total: result.total, pages: result.pages }));
});

/** POST /api/v1/packages: save the packages of a bundle as drafts → 201 `{ bundle_id, packages }` (packages:manage). */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:manage");
  const body = await postedJson(request, user, "GET, POST");
  const saved = await saveDraftPackages(auditContextFor(request, user), user, saveDraftsSchema.parse(body));
  const created = await listPackages(user, { bundle: saved.bundleId }, saved.packageIds.length);
  return apiJson(packagesCreatedSchema.parse({ bundle_id: saved.bundleId, packages: created.packages.map(apiPackageSummary) }), { status: 201 });
});
