import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRetenderResult, retenderResultSchema } from "~/services/api/openapi-tenders";
import { retenderReserves, retenderSchema } from "~/services/tenders/award-schemas";
import { createRetender } from "~/services/tenders/retender.server";

/**
 * POST /api/v1/tenders/{id}/retender `{ "lot_ids": [...], "reserves"?: { "<lotId>": "300000.00" } }`
 * (tenders:manage): unsold or returned lots in a new DRAFT tender → 201; a lower reserve waits for an approver.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "tenders:manage");
  const input = retenderSchema.parse(await postedJson(request, user));
  const result = await createRetender(auditContextFor(request, user), user, params.id ?? "", input.lot_ids, { reserves: retenderReserves(input) });
  return apiJson(retenderResultSchema.parse(apiRetenderResult(result)), { status: 201 });
});

/** Re-tendering is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
