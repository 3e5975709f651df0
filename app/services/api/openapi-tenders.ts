import { z } from "zod";
import { toYuanString } from "~/domain/money";
import { confirmOfflineRefundSchema, retenderSchema } from "~/services/tenders/award-schemas";
import { placeBidSchema } from "~/services/tenders/bidding-schemas";
import type { LotState } from "~/services/tenders/bidding.server";
import type { NotificationView } from "~/services/tenders/notifications.server";
import type { RefundRun } from "~/services/tenders/refunds.server";
import type { RetenderResult } from "~/services/tenders/retender.server";
import {
  confirmOfflineDepositSchema,
  createTenderSchema,
  markReadSchema,
  stripeMethods,
  tenderAudiences,
  tenderListQuerySchema,
  tenderStatuses,
} from "~/services/tenders/tender-schemas";
import type { getTender, listTenders } from "~/services/tenders/tenders.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * The auction operations of /api/v1 (issue 6, item 8): tenders (create, publish, read with the
 * state of every lot), registration and the bid deposit (Stripe or offline, finance confirms),
 * bids (with an Idempotency-Key header), award acceptance, refunds, re-tender and the bell's
 * notifications — the same services, permissions and refusals as the UI. Money is yuan strings
 * with two decimals; instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const instant = z.iso.datetime();

// ---- requests the shared schemas do not cover ---------------------------------------------------------

/** POST /tenders/{id}/deposit: Stripe (→ a client secret for the browser) or an offline declaration. */
export const depositRequestSchema = z
  .object({
    method: z.enum(["stripe", "bank_transfer", "payroll"], { error: "auction.deposit.invalidMethod" }).meta({
      description: "stripe: a PaymentIntent is created and its client_secret returned (confirmed only by the verified webhook); bank_transfer / payroll: declared, finance confirms with a voucher.",
    }),
    methods: z.array(z.enum(stripeMethods, { error: "form.invalidChoice" })).min(1).max(3).optional().meta({ description: "Stripe only: the payment method types to offer (default card)." }),
  })
  .meta({ id: "DepositRequest" });

/** POST /tenders/{id}/lots/{lotId}/bids: the amount; the idempotency key is the `Idempotency-Key` header. */
export const bidRequestSchema = placeBidSchema.pick({ amount: true }).meta({ id: "BidRequest" });

/** GET /notifications. */
export const notificationsQuerySchema = z.object({
  unread_only: z
    .enum(["true", "false"])
    .optional()
    .catch(undefined)
    .meta({ description: "true: only unread notifications." }),
  take: z.coerce.number().int().min(1).max(200).catch(50).default(50).meta({ description: "At most this many, newest first (1–200, default 50)." }),
});

// ---- responses ------------------------------------------------------------------------------------------

export const depositSchema = z
  .object({
    id: z.string(),
    registration_id: z.string(),
    method: z.string().meta({ description: "STRIPE, BANK_TRANSFER or PAYROLL." }),
    amount: yuan,
    currency: z.string(),
    status: z.string().meta({ description: "AWAITING_PAYMENT, DECLARED, CONFIRMED, FAILED, REFUND_PENDING, REFUNDED, FORFEITED or CREDITED." }),
    client_secret: z.string().nullable().meta({ description: "Stripe, while awaiting payment, to the bidder only: the PaymentIntent's client secret for Stripe.js." }),
    voucher_number: z.string().nullable(),
    declared_at: instant.nullable(),
    confirmed_at: instant.nullable(),
    refund_requested_at: instant.nullable(),
    refunded_at: instant.nullable(),
    refund_voucher: z.string().nullable(),
    forfeited_at: instant.nullable(),
    created_at: instant,
  })
  .meta({ id: "BidDeposit" });

export const registrationSchema = z
  .object({
    id: z.string(),
    tender_id: z.string(),
    bidder_key: z.string().meta({ description: "user:<id> for staff, org:<id> for an agency." }),
    bidder_kind: z.string().meta({ description: "STAFF or AGENCY." }),
    user_id: z.string(),
    organization_id: z.string(),
    registered_at: instant,
    qualified: z.boolean().meta({ description: "A deposit is confirmed: the bidder may bid." }),
    deposits: z.array(depositSchema),
  })
  .meta({ id: "TenderRegistration" });

export const tenderSummarySchema = z
  .object({
    id: z.string(),
    number: z.string().nullable().meta({ description: "TND-YYYY-NNN once published." }),
    title: z.string(),
    status: z.enum(tenderStatuses),
    audience: z.enum(tenderAudiences),
    registration_opens_at: instant,
    registration_closes_at: instant,
    auction_starts_at: instant,
    auction_ends_at: instant,
    bid_deposit: yuan,
    lot_count: z.number().int(),
    registration_count: z.number().int(),
  })
  .meta({ id: "TenderSummary" });

export const tenderPageSchema = z
  .object({ items: z.array(tenderSummarySchema), page: z.number().int(), total: z.number().int(), pages: z.number().int() })
  .meta({ id: "TenderPage", description: "Newest first, 50 a page. Bidders see published tenders whose audience admits them." });

const lotStateSchema = z
  .object({
    open: z.boolean().meta({ description: "Bids are taken now (server time)." }),
    high_bid_alias: z.string().nullable().meta({ description: "竞买人N of the high bidder." }),
    bidders: z.number().int(),
    next_minimum: yuan.meta({ description: "The lowest amount the next bid may be." }),
    increment: yuan,
    my_status: z.enum(["leading", "outbid", "none"]),
    my_alias: z.string().nullable(),
    closed_at: instant.nullable(),
    history: z.array(z.object({ alias: z.string(), amount: yuan, placed_at: instant, mine: z.boolean() })).meta({ description: "Newest first." }),
  })
  .meta({ id: "LotState" });

const lotSchema = z
  .object({
    id: z.string(),
    lot_number: z.number().int(),
    package_id: z.string(),
    package_number: z.string().nullable(),
    loan_count: z.number().int(),
    region: z.string().nullable(),
    reserve: yuan.meta({ description: "底价." }),
    status: z.string().meta({ description: "OPEN, AWAITING_SIGNATURE, OFFERED_TO_NEXT, ACCEPTED, UNSOLD, RETURNED or WITHDRAWN." }),
    starts_at: instant,
    closes_at: instant.meta({ description: "Moves later on an anti-sniping extension." }),
    high_bid: yuan.nullable(),
    bid_count: z.number().int(),
    winning_price: yuan.nullable(),
    state: lotStateSchema.nullable().meta({ description: "The live state (bidders and officers; null for other staff)." }),
  })
  .meta({ id: "TenderLot" });

export const tenderDetailSchema = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    title: z.string(),
    description: z.string(),
    status: z.enum(tenderStatuses),
    audience: z.enum(tenderAudiences),
    excluded_positions: z.array(z.string()),
    registration_opens_at: instant,
    registration_closes_at: instant,
    auction_starts_at: instant,
    auction_ends_at: instant,
    registration_open: z.boolean(),
    bid_deposit: yuan,
    currency: z.string(),
    increment_minimum: yuan,
    increment_rate: z.string(),
    increment_round_up_to: yuan,
    anti_sniping_minutes: z.number().int(),
    contract_term_months: z.number().int(),
    settings_version: z.number().int(),
    retender_of_id: z.string().nullable(),
    published_at: instant.nullable(),
    closed_at: instant.nullable(),
    server_time: instant,
    lots: z.array(lotSchema),
    bidder: z
      .object({
        bidder_key: z.string(),
        bidder_kind: z.enum(["STAFF", "AGENCY"]),
        eligible: z.boolean(),
        reasons: z.array(z.string()),
        reasons_text: z.string().meta({ description: "Why not, in the token user's language (empty when eligible)." }),
        term_end: instant.meta({ description: "The date the licence must cover: auction end + contract term." }),
        licence_valid_until: instant.nullable(),
        banned_until: instant.nullable(),
        qualified: z.boolean(),
        registration: registrationSchema.nullable(),
      })
      .nullable()
      .meta({ description: "For a bidder (tenders:bid): their eligibility, registration and deposits." }),
    registrations: z
      .array(registrationSchema.extend({ conflict_loans: z.array(z.string()).meta({ description: "R3 conflict of interest: loans of the tender whose officer this bidder is." }) }))
      .nullable()
      .meta({ description: "For bank staff: every registration with its deposits." }),
  })
  .meta({ id: "TenderDetail" });

export const publishResultSchema = z
  .object({ id: z.string(), number: z.string(), status: z.literal("PUBLISHED"), notified: z.number().int().meta({ description: "Eligible bidders told by email and in the app." }) })
  .meta({ id: "PublishResult" });

export const bidResultSchema = z
  .object({
    status: z.enum(["accepted", "replayed"]).meta({ description: "replayed: the same Idempotency-Key again, the first answer (nothing written)." }),
    bid: z.object({ id: z.string(), lot_id: z.string(), amount: yuan, placed_at: instant }),
    alias: z.string().meta({ description: "Your 竞买人N on this lot." }),
    closes_at: instant,
    extended: z.boolean().meta({ description: "The bid moved the close (anti-sniping)." }),
    next_minimum: yuan,
    bid_count: z.number().int(),
  })
  .meta({ id: "BidResult" });

export const acceptedAwardSchema = z
  .object({
    award_id: z.string(),
    lot_id: z.string(),
    tender_id: z.string(),
    status: z.literal("ACCEPTED"),
    price: yuan,
    bidder_key: z.string(),
    tender_decided: z.boolean().meta({ description: "Every lot of the tender is decided: the deposits' refund is queued." }),
  })
  .meta({ id: "AcceptedAward" });

export const refundRunSchema = z
  .object({
    requested: z.array(z.object({ deposit_id: z.string(), bidder_key: z.string(), method: z.string(), amount: yuan })).meta({ description: "Moved to REFUND_PENDING in this run." }),
    provider_refunds: z.array(z.object({ deposit_id: z.string(), refund_ref: z.string() })),
    provider_errors: z.array(z.object({ deposit_id: z.string(), message: z.string() })).meta({ description: "Stripe refunds not accepted: asked again on the next run." }),
    kept: z.array(z.object({ bidder_key: z.string(), deposit_id: z.string() })).meta({ description: "Winners keep one deposit each." }),
    forfeited: z.array(z.object({ bidder_key: z.string(), amount: yuan })),
  })
  .meta({ id: "RefundRun" });

export const retenderResultSchema = z
  .object({
    tender_id: z.string().meta({ description: "The new DRAFT tender." }),
    lots: z.array(
      z.object({
        lot_id: z.string(),
        from_lot_id: z.string(),
        package_id: z.string(),
        reserve: yuan,
        requested_reserve: yuan.nullable().meta({ description: "A lower reserve waiting for an approver (the tender cannot be published before)." }),
      }),
    ),
  })
  .meta({ id: "RetenderResult" });

export const lotReserveSchema = z
  .object({ id: z.string(), tender_id: z.string(), lot_number: z.number().int(), package_id: z.string(), reserve: yuan, status: z.string() })
  .meta({ id: "LotReserve" });

export const notificationSchema = z
  .object({
    id: z.string(),
    message_key: z.string(),
    params: z.record(z.string(), z.unknown()),
    text: z.string().meta({ description: "In the token user's language." }),
    link: z.string().nullable(),
    created_at: instant,
    read_at: instant.nullable(),
  })
  .meta({ id: "Notification" });

export const notificationListSchema = z
  .object({ items: z.array(notificationSchema), unread: z.number().int() })
  .meta({ id: "NotificationList", description: "Newest first." });

export const markReadResultSchema = z.object({ updated: z.number().int() }).meta({ id: "MarkReadResult" });

// ---- shaping ------------------------------------------------------------------------------------------

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const yuanOrNull = (fen: bigint | null) => (fen === null ? null : toYuanString(fen));

interface DepositLike {
  id: string; registrationId: string; method: string; amount: bigint; currency: string; status: string; clientSecret: string | null;
  voucherNumber: string | null; declaredAt: Date | null; confirmedAt: Date | null; refundRequestedAt: Date | null; refundedAt: Date | null;
  refundVoucher: string | null; forfeitedAt: Date | null; createdAt: Date;
}

/** A deposit; the client secret only to its bidder while the payment is awaited. */
export function apiDeposit(d: DepositLike, options: { withSecret?: boolean } = {}) {
  return {
    id: d.id, registration_id: d.registrationId, method: d.method, amount: toYuanString(d.amount), currency: d.currency, status: d.status,
    client_secret: options.withSecret && d.status === "AWAITING_PAYMENT" ? d.clientSecret : null,
    voucher_number: d.voucherNumber, declared_at: iso(d.declaredAt), confirmed_at: iso(d.confirmedAt), refund_requested_at: iso(d.refundRequestedAt),
    refunded_at: iso(d.refundedAt), refund_voucher: d.refundVoucher, forfeited_at: iso(d.forfeitedAt), created_at: d.createdAt.toISOString(),
  };
}

interface RegistrationLike {
  id: string; tenderId: string; bidderKey: string; bidderKind: string; userId: string; organizationId: string; registeredAt: Date; deposits: DepositLike[];
}

export function apiRegistration(r: RegistrationLike, options: { withSecret?: boolean } = {}) {
  return {
    id: r.id, tender_id: r.tenderId, bidder_key: r.bidderKey, bidder_kind: r.bidderKind, user_id: r.userId, organization_id: r.organizationId,
    registered_at: r.registeredAt.toISOString(), qualified: r.deposits.some((d) => d.status === "CONFIRMED"),
    deposits: r.deposits.map((d) => apiDeposit(d, options)),
  };
}

type TenderPage = Awaited<ReturnType<typeof listTenders>>;

export function apiTenderPage(page: TenderPage) {
  return {
    items: page.tenders.map((t) => ({
      id: t.id, number: t.number, title: t.title, status: t.status, audience: t.audience,
      registration_opens_at: t.registrationOpensAt.toISOString(), registration_closes_at: t.registrationClosesAt.toISOString(),
      auction_starts_at: t.auctionStartsAt.toISOString(), auction_ends_at: t.auctionEndsAt.toISOString(), bid_deposit: toYuanString(t.bidDeposit),
      lot_count: t.lotCount, registration_count: t.registrationCount,
    })),
    page: page.page, total: page.total, pages: Math.max(1, Math.ceil(page.total / page.pageSize)),
  };
}

function apiLotState(s: LotState) {
  return {
    open: s.open, high_bid_alias: s.highBidAlias, bidders: s.bidders, next_minimum: toYuanString(s.nextMinimum), increment: toYuanString(s.increment),
    my_status: s.myStatus, my_alias: s.myAlias, closed_at: iso(s.closedAt),
    history: s.history.map((h) => ({ alias: h.alias, amount: toYuanString(h.amount), placed_at: h.placedAt.toISOString(), mine: h.mine })),
  };
}

type TenderView = Awaited<ReturnType<typeof getTender>>;

/** The tender as the user sees it; `states` (lotStates) adds the live state of each lot. */
export function apiTenderDetail(view: TenderView, states: LotState[] | null) {
  const t = view.tender;
  const stateOf = new Map((states ?? []).map((s) => [s.lotId, s]));
  const bidder = view.bidder;
  return {
    id: t.id, number: t.number, title: t.title, description: t.description, status: t.status, audience: t.audience, excluded_positions: t.excludedPositions,
    registration_opens_at: t.registrationOpensAt.toISOString(), registration_closes_at: t.registrationClosesAt.toISOString(),
    auction_starts_at: t.auctionStartsAt.toISOString(), auction_ends_at: t.auctionEndsAt.toISOString(), registration_open: t.registrationOpen,
    bid_deposit: toYuanString(t.bidDeposit), currency: t.currency, increment_minimum: toYuanString(t.incrementMinimum), increment_rate: t.incrementRate,
    increment_round_up_to: toYuanString(t.incrementRoundUpTo), anti_sniping_minutes: t.antiSnipingMinutes, contract_term_months: t.contractTermMonths,
    settings_version: t.settingsVersion, retender_of_id: t.retenderOfId, published_at: iso(t.publishedAt), closed_at: iso(t.closedAt),
    server_time: view.serverTime.toISOString(),
    lots: view.lots.map((l) => {
      const state = stateOf.get(l.id);
      return {
        id: l.id, lot_number: l.lotNumber, package_id: l.packageId, package_number: l.packageNumber, loan_count: l.loanCount, region: l.region,
        reserve: toYuanString(state?.reserve ?? l.reserve), status: state?.status ?? l.status, starts_at: l.startsAt.toISOString(),
        closes_at: (state?.closesAt ?? l.closesAt).toISOString(), high_bid: yuanOrNull(state ? state.highBid : l.highBid),
        bid_count: state?.bidCount ?? l.bidCount, winning_price: yuanOrNull(l.winningPrice), state: state ? apiLotState(state) : null,
      };
    }),
    bidder: bidder
      ? {
          bidder_key: bidder.eligibility.bidderKey, bidder_kind: bidder.eligibility.bidderKind, eligible: bidder.eligibility.eligible,
          reasons: [...bidder.eligibility.reasons], reasons_text: bidder.eligibility.reasonsText, term_end: bidder.eligibility.termEnd.toISOString(),
          licence_valid_until: iso(bidder.eligibility.licenceValidUntil), banned_until: iso(bidder.eligibility.bannedUntil), qualified: bidder.qualified,
          registration: bidder.registration ? apiRegistration(bidder.registration, { withSecret: true }) : null,
        }
      : null,
    registrations: view.registrations ? view.registrations.map((r) => ({ ...apiRegistration(r), conflict_loans: r.conflictLoans })) : null,
  };
}

export function apiRefundRun(run: RefundRun) {
  return {
    requested: run.requested.map((r) => ({ deposit_id: r.depositId, bidder_key: r.bidderKey, method: r.method, amount: toYuanString(r.amount) })),
    provider_refunds: run.providerRefunds.map((r) => ({ deposit_id: r.depositId, refund_ref: r.refundRef })),
    provider_errors: run.providerErrors.map((r) => ({ deposit_id: r.depositId, message: r.message })),
    kept: run.kept.map((k) => ({ bidder_key: k.bidderKey, deposit_id: k.depositId })),
    forfeited: run.forfeited.map((f) => ({ bidder_key: f.bidderKey, amount: toYuanString(f.amount) })),
  };
}

export function apiRetenderResult(result: RetenderResult) {
  return {
    tender_id: result.tenderId,
    lots: result.lots.map((l) => ({ lot_id: l.lotId, from_lot_id: l.fromLotId, package_id: l.packageId, reserve: toYuanString(l.reserve), requested_reserve: yuanOrNull(l.requestedReserve) })),
  };
}

export function apiNotification(n: NotificationView) {
  return { id: n.id, message_key: n.messageKey, params: n.params, text: n.text, link: n.link, created_at: n.createdAt.toISOString(), read_at: iso(n.readAt) };
}

// ---- the document -----------------------------------------------------------------------------------

const pathId = (name: string, description: string) => ({ name, in: "path", required: true, schema: { type: "string" }, description });
const tenderId = pathId("id", "The tender's id.");

export const tendersApi: OpenApiArea = {
  schemas: {
    CreateTenderRequest: createTenderSchema,
    TenderSummary: tenderSummarySchema,
    TenderPage: tenderPageSchema,
    TenderDetail: tenderDetailSchema,
    TenderLot: lotSchema,
    LotState: lotStateSchema,
    PublishResult: publishResultSchema,
    TenderRegistration: registrationSchema,
    BidDeposit: depositSchema,
    DepositRequest: depositRequestSchema,
    ConfirmDepositRequest: confirmOfflineDepositSchema,
    BidRequest: bidRequestSchema,
    BidResult: bidResultSchema,
    AcceptedAward: acceptedAwardSchema,
    RefundRun: refundRunSchema,
    ConfirmRefundRequest: confirmOfflineRefundSchema,
    RetenderRequest: retenderSchema,
    RetenderResult: retenderResultSchema,
    LotReserve: lotReserveSchema,
    Notification: notificationSchema,
    NotificationList: notificationListSchema,
    MarkReadRequest: markReadSchema,
    MarkReadResult: markReadResultSchema,
  },
  paths: ({ ref, json, errors, queryParameters }) => ({
    "/tenders": {
      get: {
        operationId: "listTenders",
        summary: "Tenders, newest first (staff: all; bidders: published ones whose audience admits them)",
        parameters: queryParameters(tenderListQuerySchema),
        responses: { "200": json(ref("TenderPage"), "One page of tenders"), ...errors(401, 403, 429) },
      },
      post: {
        operationId: "createTender",
        summary: "A draft tender from approved packages, each a lot (tenders:manage)",
        description:
          "Each package becomes a lot (lot 1..n in the order given, reserve = the package price); the terms of the settings in force (bid deposit, increment, " +
          "anti-sniping, contract term) are copied in. Instants are ISO 8601 (without an offset: China time). Audit-logged (`tender.create`).",
        requestBody: { required: true, content: { "application/json": { schema: ref("CreateTenderRequest") } } },
        responses: { "201": json(ref("TenderDetail"), "The draft tender"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/tenders/{id}": {
      get: {
        operationId: "getTender",
        summary: "A tender with the state of every lot (high bid, 竞买人N aliases, next minimum, close)",
        description: "Bidders also get their eligibility, registration and deposits; bank staff every registration. A tender the user may not see is a 404.",
        parameters: [tenderId],
        responses: { "200": json(ref("TenderDetail"), "The tender"), ...errors(401, 403, 404, 429) },
      },
    },
    "/tenders/{id}/publish": {
      post: {
        operationId: "publishTender",
        summary: "Publish a draft tender (tenders:manage)",
        description:
          "The tender gets its number TND-YYYY-NNN, its packages become IN_TENDER and every eligible bidder is told by email and in the app; " +
          "the lots' closes are scheduled. Refused (409) after the registration window or while a lower reserve awaits approval. Audit-logged (`tender.publish`).",
        parameters: [tenderId],
        responses: { "200": json(ref("PublishResult"), "The published tender"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/tenders/{id}/registration": {
      post: {
        operationId: "registerForTender",
        summary: "Register your bidder (yourself, or your agency) for a published tender (tenders:bid)",
        description: "Eligible bidders only (403 `auction.refused.not_eligible` with the reasons), within the registration window. Registering again returns the registration (200).",
        parameters: [tenderId],
        responses: { "201": json(ref("TenderRegistration"), "Registered"), "200": json(ref("TenderRegistration"), "Already registered"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/tenders/{id}/deposit": {
      post: {
        operationId: "startDeposit",
        summary: "Pay the bid deposit: start a Stripe payment or declare an offline one (tenders:bid, registered)",
        description:
          "`stripe`: a PaymentIntent for the tender's deposit; the answer carries `client_secret` for Stripe.js, and only the verified webhook confirms the money. " +
          "`bank_transfer` / `payroll`: the deposit is DECLARED and finance confirms it with a voucher number. Asking again while one is pending returns it.",
        parameters: [tenderId],
        requestBody: { required: true, content: { "application/json": { schema: ref("DepositRequest") } } },
        responses: { "200": json(ref("BidDeposit"), "The deposit"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/deposits/{id}/confirm": {
      post: {
        operationId: "confirmDeposit",
        summary: "Confirm a declared offline deposit with the voucher number (settlement:finance)",
        description: "CONFIRMED with the receipt journal entry (clearing → the bidder's deposit account); the bidder is told. Stripe deposits are confirmed by the webhook only (409).",
        parameters: [pathId("id", "The deposit's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("ConfirmDepositRequest") } } },
        responses: { "200": json(ref("BidDeposit"), "The confirmed deposit"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/tenders/{id}/lots/{lotId}/bids": {
      post: {
        operationId: "placeBid",
        summary: "Bid on a lot (tenders:bid, eligible, deposit confirmed)",
        description:
          "The `Idempotency-Key` header is required (400 without it): the same key again answers the first bid (200, `replayed`, nothing written); " +
          "the same key with another amount is refused (409 `auction.bid.idempotencyConflict`). Refusals carry `auction.refused.<reason>`: " +
          "below_minimum and own_high_bid (409, the minimum in the message), not_open / closed (409), not_eligible and not_qualified (403), invalid_amount (422). " +
          "A bid in the last minutes extends the close (anti-sniping).",
        parameters: [
          tenderId,
          pathId("lotId", "The lot's id."),
          { name: "Idempotency-Key", in: "header", required: true, schema: { type: "string", maxLength: 200 }, description: "A key of your choosing per bid (visible ASCII)." },
        ],
        requestBody: { required: true, content: { "application/json": { schema: ref("BidRequest") } } },
        responses: {
          "201": json(ref("BidResult"), "Accepted"),
          "200": json(ref("BidResult"), "A replay of the bid with this Idempotency-Key"),
          "422": json(ref("Error"), "The amount is not a yuan amount"),
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
    },
    "/awards/{id}/accept": {
      post: {
        operationId: "acceptAward",
        summary: "Accept your award before its signing deadline (tenders:bid, the award's bidder)",
        description: "The award and its lot become ACCEPTED at the award's price. When every lot of the tender is decided, the refund of the deposits is queued. Audit-logged (`award.accept`).",
        parameters: [pathId("id", "The award's id.")],
        responses: { "200": json(ref("AcceptedAward"), "Accepted"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/tenders/{id}/refunds": {
      post: {
        operationId: "refundTenderDeposits",
        summary: "Refund the losers' deposits of a decided tender (settlement:finance)",
        description: "Only when every lot is decided (409 `auction.refund.notDecided` before). Stripe deposits are refunded through Stripe; offline ones wait for finance's voucher. Idempotent.",
        parameters: [tenderId],
        responses: { "200": json(ref("RefundRun"), "What this run did"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/deposits/{id}/refund-confirm": {
      post: {
        operationId: "confirmRefund",
        summary: "Confirm an offline refund with the voucher number (settlement:finance)",
        description: "REFUND_PENDING → REFUNDED with the ledger entry; the bidder is told. A second confirmation is refused (409).",
        parameters: [pathId("id", "The deposit's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("ConfirmRefundRequest") } } },
        responses: { "200": json(ref("BidDeposit"), "The refunded deposit"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/tenders/{id}/retender": {
      post: {
        operationId: "retender",
        summary: "Offer unsold or returned lots again in a new draft tender (tenders:manage)",
        description: "The packages go back to APPROVED; a reserve lower than the package price waits for an approver (POST /lots/{id}/reserve-approval) before the new tender can be published.",
        parameters: [tenderId],
        requestBody: { required: true, content: { "application/json": { schema: ref("RetenderRequest") } } },
        responses: { "201": json(ref("RetenderResult"), "The new draft tender"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/lots/{id}/reserve-approval": {
      post: {
        operationId: "approveLowerReserve",
        summary: "Approve a re-tender lot's lower reserve (packages:approve; not the person who asked)",
        parameters: [pathId("id", "The lot's id (in the new draft tender).")],
        responses: { "200": json(ref("LotReserve"), "The lot with its approved reserve"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/notifications": {
      get: {
        operationId: "listNotifications",
        summary: "Your notifications, newest first, in your language",
        parameters: queryParameters(notificationsQuerySchema),
        responses: { "200": json(ref("NotificationList"), "The notifications and the unread count"), ...errors(401, 429) },
      },
    },
    "/notifications/read": {
      post: {
        operationId: "markNotificationsRead",
        summary: "Mark some (`ids`) or all (`all: true`) of your notifications read",
        requestBody: { required: true, content: { "application/json": { schema: ref("MarkReadRequest") } } },
        responses: { "200": json(ref("MarkReadResult"), "How many were marked"), ...errors(400, 401, 429) },
      },
    },
  }),
};
