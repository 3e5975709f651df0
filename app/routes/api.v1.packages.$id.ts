import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { apiPackageDetail, packageDetailSchema } from "~/services/api/openapi-packages";
import { getPackage } from "~/services/packages/package-queries.server";

/** GET /api/v1/packages/{id}: one package with its masked loans, history and documents (packages:view). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:view");
  const detail = await getPackage(user, params.id ?? "");
  return apiJson(packageDetailSchema.parse(apiPackageDetail(detail)));
});
