import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiDeposit, depositSchema } from "~/services/api/openapi-tenders";
import { confirmOfflineRefundSchema } from "~/services/tenders/award-schemas";
import { confirmOfflineRefund } from "~/services/tenders/refunds.server";

/**
 * POST /api/v1/deposits/{id}/refund-confirm `{ "voucher": "…" }` (settlement:finance): an offline
 * refund finance paid, REFUND_PENDING → REFUNDED with its ledger entry; the bidder is told.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:finance");
  const body = await postedJson(request, user);
  const { voucher } = confirmOfflineRefundSchema.parse(body);
  const deposit = await confirmOfflineRefund(auditContextFor(request, user), user, params.id ?? "", voucher);
  return apiJson(depositSchema.parse(apiDeposit(deposit)));
});

/** Confirming is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
