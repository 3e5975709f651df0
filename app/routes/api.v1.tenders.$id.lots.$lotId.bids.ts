import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { bidRequestSchema, bidResultSchema } from "~/services/api/openapi-tenders";
import { placeBidSchema } from "~/services/tenders/bidding-schemas";
import { placeBid } from "~/services/tenders/bidding.server";
import { lotInTender } from "~/services/tenders/tender-page.server";

/**
 * POST /api/v1/tenders/{id}/lots/{lotId}/bids `{ "amount": "123000.00" }` with the header
 * `Idempotency-Key` (required: 400 without it) (tenders:bid): 201 accepted; the same key again → 200
 * with the first answer (`replayed`). Refusals are auction.refused.<reason> (409 / 403 / 422).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "tenders:bid");
  const idempotencyKey = request.headers.get("Idempotency-Key")?.trim() ?? "";
  if (request.method === "POST" && !idempotencyKey) {
    throw new UserError("auction.bid.idempotencyKeyRequired", { status: 400, field: "Idempotency-Key" });
  }
  const body = bidRequestSchema.parse(await postedJson(request, user));
  const input = placeBidSchema.parse({ amount: body.amount, idempotencyKey });
  // The lot must be one of this tender's; placeBid refuses drafts (404) and bidders the tender is not open to.
  const lotId = params.lotId ?? "";
  if (!(await lotInTender(lotId, params.id ?? ""))) throw new UserError("auction.bid.lotNotFound", { status: 404 });
  const result = await placeBid(auditContextFor(request, user), user, lotId, input);
  return apiJson(
    bidResultSchema.parse({
      status: result.status,
      bid: { id: result.bid.id, lot_id: result.bid.lotId, amount: toYuanString(result.bid.amount), placed_at: result.bid.placedAt.toISOString() },
      alias: result.alias,
      closes_at: result.closesAt.toISOString(),
      extended: result.extended,
      next_minimum: toYuanString(result.nextMinimum),
      bid_count: result.bidCount,
    }),
    { status: result.status === "accepted" ? 201 : 200 },
  );
});

/** Bidding is a POST (the bids are in GET /tenders/{id}). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
