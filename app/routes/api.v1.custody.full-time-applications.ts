import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiFullTimeApplication, fullTimeApplicationListSchema, fullTimeApplicationSchema, fullTimeListQuerySchema } from "~/services/api/openapi-custody-liability";
import { applyFullTime, fullTimeApplicationFor, listFullTimeApplications } from "~/services/custody/full-time.server";
import { fullTimeApplySchema } from "~/services/custody/liability-schemas";

/** GET /api/v1/custody/full-time-applications (custody:view): the department all, anyone else their own. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:view");
  const query = fullTimeListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = await listFullTimeApplications(user, { status: query.status });
  return apiJson(fullTimeApplicationListSchema.parse({ items: rows.map(apiFullTimeApplication) }));
});

/** POST /api/v1/custody/full-time-applications (a staff contractor): `{ "reason" }`. */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const body = fullTimeApplySchema.parse(await postedJson(request, user, "GET, POST"));
  const application = await applyFullTime(auditContextFor(request, user), user, body);
  return apiJson(fullTimeApplicationSchema.parse(apiFullTimeApplication(await fullTimeApplicationFor(user, application.id))), { status: 201 });
});
