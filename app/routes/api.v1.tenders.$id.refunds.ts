import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRefundRun, refundRunSchema } from "~/services/api/openapi-tenders";
import { refundTenderDeposits } from "~/services/tenders/refunds.server";

/**
 * POST /api/v1/tenders/{id}/refunds (settlement:finance): refunds the losers' deposits of a tender
 * whose every lot is decided (409 auction.refund.notDecided before). Idempotent.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:finance");
  if (request.method !== "POST") {
    return methodNotAllowed(user.locale);
  }
  const run = await refundTenderDeposits(auditContextFor(request, user), params.id ?? "");
  return apiJson(refundRunSchema.parse(apiRefundRun(run)));
});

/** Refunding is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
