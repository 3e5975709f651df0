import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { bundleResultSchema } from "~/services/api/openapi-packages";
import { previewBundle } from "~/services/packages/bundling.server";
import { bundleInputSchema } from "~/services/packages/package-schemas";
import { bundleResultToApi } from "~/services/packages/quality-json";

/**
 * POST /api/v1/bundles `{ "loan_numbers"?: [...], "filter"?: {...}, "target_amount": "400000.00", "mode": "by-region", "seed"?: 1 }`
 * → the packages, the quality report and the loans left out (packages:manage). A preview: nothing is written.
 */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:manage");
  const body = await postedJson(request, user);
  const preview = await previewBundle(user, bundleInputSchema.parse(body));
  return apiJson(bundleResultSchema.parse(bundleResultToApi(preview.result)));
});

/** A bundle is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
