import { clearingAccountType, refundableDeposits, refundEntry, type LotDecisionState, type PaymentMethod, type RegistrationForRefund } from "~/domain/award";
import { UserError } from "~/domain/errors";
import { toYuanString, type Fen } from "~/domain/money";
import { appendAudit, audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { paymentProvider, type PaymentEvent } from "~/infra/payments/index.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { depositAccountOf, emailBidder, forfeitDepositIn, notifyBidder, type AwardActor } from "./awards.server";
import { requirePermission } from "~/services/packages/bundling.server";

/**
 * R4 refunds of bid deposits (issue 6, item 6). Nothing is refunded until every lot of the tender is
 * decided (refundableDeposits). Then every CONFIRMED deposit of a bidder who neither won nor reneged
 * is refunded; a winner's one deposit stays CONFIRMED (credited on signing, [CUSTODY]); a reneging
 * bidder's is forfeited, never refunded.
 *
 * - Stripe: CONFIRMED → REFUND_PENDING (in a transaction, guarded by the status), then the provider's
 *   refund with idempotency key `refund:<depositId>`; REFUNDED and the ledger entry (deposit →
 *   clearing) only when the verified refund.succeeded event arrives (applyRefundEvent), once even
 *   when the event comes twice. refund.failed puts the deposit back to CONFIRMED (the next run asks
 *   again, with a new key `refund:<depositId>:<n>`).
 * - Offline (bank transfer, payroll): CONFIRMED → REFUND_PENDING, an instruction to finance, who pays
 *   and confirms with a voucher (confirmOfflineRefund) → REFUNDED with the ledger entry.
 * A deposit is refunded at most once: every step changes the status only from the status it read.
 */

const methodOf = (method: string): PaymentMethod => (method === "STRIPE" ? "stripe" : method === "PAYROLL" ? "payroll" : "bank_transfer");

const lotState: Record<string, LotDecisionState> = {
  OPEN: "open", AWAITING_SIGNATURE: "awaiting_signature", OFFERED_TO_NEXT: "offered_to_next",
  ACCEPTED: "accepted", UNSOLD: "unsold", RETURNED: "returned", WITHDRAWN: "unsold",
};

const registrationState = (statuses: string[]): RegistrationForRefund["status"] =>
  statuses.includes("CONFIRMED") ? "confirmed"
    : statuses.some((s) => s === "REFUND_PENDING" || s === "REFUNDED") ? "refunded"
      : statuses.includes("FORFEITED") ? "forfeited"
        : statuses.includes("CREDITED") ? "credited" : "pending";

export interface RefundRun {
  /** Deposits moved to REFUND_PENDING in this run (Stripe: refund asked; offline: waiting for finance). */
  requested: { depositId: string; bidderKey: string; method: string; amount: Fen }[];
  /** Stripe refunds asked of the provider in this run (new or retried), with the provider's refund id. */
  providerRefunds: { depositId: string; refundRef: string }[];
  /** Stripe refunds the provider refused or could not be reached for: retried on the next run. */
  providerErrors: { depositId: string; message: string }[];
  /** Winners keep one deposit each. */
  kept: { bidderKey: string; depositId: string }[];
  forfeited: { bidderKey: string; amount: Fen }[];
}

/**
 * Refunds the losers' deposits of a tender whose every lot is decided; refused with
 * auction.refund.notDecided (409, the undecided lots) before. Idempotent: a second run requests
 * nothing new, and only re-asks Stripe for refunds whose provider call failed.
 */
export async function refundTenderDeposits(ctx: AuditContext, tenderId: string, now = new Date()): Promise<RefundRun> {
  const run: RefundRun = { requested: [], providerRefunds: [], providerErrors: [], kept: [], forfeited: [] };
  await audited(ctx, async (tx, audit) => {
    const tender = await tx.tender.findUnique({
      where: { id: tenderId },
      include: { lots: { include: { awards: true }, orderBy: { lotNumber: "asc" } }, registrations: { include: { deposits: true } } },
    });
    if (!tender) throw new UserError("auction.refund.tenderNotFound", { status: 404 });
    const plan = refundableDeposits({
      lots: tender.lots.map((l) => ({
        lotId: l.id, state: lotState[l.status] ?? "open", winnerId: l.winnerKey,
        renegedBidderIds: l.awards.filter((a) => a.status === "RENEGED").map((a) => a.bidderKey),
      })),
      registrations: tender.registrations.map((r) => ({
        bidderId: r.bidderKey,
        deposit: r.deposits.find((d) => d.status === "CONFIRMED")?.amount ?? 0n,
        status: registrationState(r.deposits.map((d) => d.status)),
      })),
    });
    if (!plan.ready) {
      const numbers = tender.lots.filter((l) => plan.undecidedLots.includes(l.id)).map((l) => l.lotNumber);
      throw new UserError("auction.refund.notDecided", { status: 409, params: { lots: numbers.join(", ") } });
    }
    const byBidder = new Map(tender.registrations.map((r) => [r.bidderKey, r]));
    for (const f of plan.forfeit) {
      const amount = await forfeitDepositIn(tx, audit, ctx, { registrationId: byBidder.get(f.bidderId)!.id, reason: "reneged (found at refund time)", lotId: null }, now);
      if (amount > 0n) run.forfeited.push({ bidderKey: f.bidderId, amount });
    }
    for (const k of plan.keep) {
      const deposit = byBidder.get(k.bidderId)!.deposits.find((d) => d.status === "CONFIRMED")!;
      run.kept.push({ bidderKey: k.bidderId, depositId: deposit.id });
    }
    for (const r of plan.refund) {
      const deposit = byBidder.get(r.bidderId)!.deposits.find((d) => d.status === "CONFIRMED")!;
      const offline = deposit.method !== "STRIPE";
      const updated = await tx.bidDeposit.updateMany({
        where: { id: deposit.id, status: "CONFIRMED" },
        data: {
          status: "REFUND_PENDING", refundRequestedAt: now, version: { increment: 1 },
          refundRef: offline ? `offline-refund:refund:${deposit.id}` : null,
        },
      });
      if (updated.count !== 1) continue; // another run took it
      await audit({
        action: "deposit.refundRequest", entityType: "BidDeposit", entityId: deposit.id,
        before: { status: "CONFIRMED" },
        after: { status: "REFUND_PENDING", method: deposit.method, amount: toYuanString(deposit.amount), bidderKey: r.bidderId, tenderId },
      });
      run.requested.push({ depositId: deposit.id, bidderKey: r.bidderId, method: deposit.method, amount: deposit.amount });
    }
    if (run.requested.length || run.forfeited.length) {
      await audit({
        action: "tender.refunds", entityType: "Tender", entityId: tenderId,
        after: { requested: run.requested.length, kept: run.kept.map((k) => k.bidderKey), forfeited: run.forfeited.map((f) => f.bidderKey) },
      });
    }
  });

  await requestStripeRefunds(tenderId, run);
  return run;
}

/**
 * After a commit: asks Stripe for every refund of the tender that is pending and not yet asked (new,
 * a duplicate payment, or one whose call failed before). The refund settles by its webhook.
 */
export async function requestStripeRefunds(tenderId: string, run: Pick<RefundRun, "providerRefunds" | "providerErrors"> = { providerRefunds: [], providerErrors: [] }) {
  const pending = await prisma.bidDeposit.findMany({
    where: { status: "REFUND_PENDING", method: "STRIPE", refundRef: null, registration: { tenderId } },
    orderBy: { id: "asc" },
  });
  for (const deposit of pending) {
    if (!deposit.providerRef) {
      run.providerErrors.push({ depositId: deposit.id, message: "no provider reference" });
      continue;
    }
    try {
      const result = await paymentProvider("stripe").refund({
        providerRef: deposit.providerRef, amount: deposit.amount,
        idempotencyKey: await refundKey(deposit.id),
        metadata: { depositId: deposit.id, tenderId },
      });
      await prisma.bidDeposit.updateMany({ where: { id: deposit.id, status: "REFUND_PENDING", refundRef: null }, data: { refundRef: result.refundRef } });
      run.providerRefunds.push({ depositId: deposit.id, refundRef: result.refundRef });
    } catch (error) {
      run.providerErrors.push({ depositId: deposit.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return run;
}

/** `refund:<depositId>`; after n failed refunds `refund:<depositId>:<n+1>` (Stripe would replay the failed one). */
async function refundKey(depositId: string): Promise<string> {
  const failures = await prisma.auditEntry.count({ where: { entityType: "BidDeposit", entityId: depositId, action: "deposit.refundFail" } });
  return failures === 0 ? `refund:${depositId}` : `refund:${depositId}:${failures + 1}`;
}

async function postRefundIn(tx: Tx, ctx: AuditContext, deposit: { id: string; amount: Fen; method: string; registration: { bidderKey: string } }) {
  const depositAccount = await depositAccountOf(tx, deposit.registration.bidderKey);
  const clearing = await ensureAccount(tx, { type: clearingAccountType(methodOf(deposit.method)) });
  return postEntryIn(tx, ctx, {
    description: "bid deposit refunded",
    sourceType: "bid-deposit",
    sourceId: deposit.id,
    lines: refundEntry({ depositAccountId: depositAccount.id, clearingAccountId: clearing.id, amount: deposit.amount }),
  });
}

/**
 * A verified refund event (called by the webhook processing inside its transaction, once per event
 * id). refund.succeeded: REFUND_PENDING → REFUNDED with the ledger entry; a deposit already REFUNDED
 * is left alone (a second event for the same refund). refund.failed: REFUND_PENDING → CONFIRMED, the
 * reason in the audit entry. Returns the outcome to record with the event. The depositRefunded
 * emails are written into the outbox in the same transaction; their ids are pushed onto `outboxIds`
 * for the caller to send after its commit (sendQueuedEmails from ./awards.server).
 */
export async function applyRefundEvent(tx: Tx, ctx: AuditContext, event: PaymentEvent, outboxIds?: string[]): Promise<string> {
  if (event.type !== "refund.succeeded" && event.type !== "refund.failed") return "ignored";
  const deposit = await tx.bidDeposit.findUnique({ where: { providerRef: event.providerRef }, include: { registration: true } });
  if (!deposit) return "ignored:unknown-payment";
  if (event.type === "refund.succeeded") {
    if (deposit.status === "REFUNDED") return `refund-duplicate:${deposit.id}`;
    if (deposit.status !== "REFUND_PENDING") return `ignored:${deposit.status.toLowerCase()}:${deposit.id}`;
    if (event.amount !== deposit.amount) return `ignored:amount-mismatch:${deposit.id}`;
    const entry = await postRefundIn(tx, ctx, deposit);
    const now = new Date();
    const updated = await tx.bidDeposit.updateMany({
      where: { id: deposit.id, status: "REFUND_PENDING" },
      data: { status: "REFUNDED", refundedAt: now, refundEntryId: entry.id, refundRef: event.refundRef ?? deposit.refundRef, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw new UserError("auction.refund.concurrentChange", { status: 409 });
    await appendRefundAudit(tx, ctx, deposit, { refundRef: event.refundRef ?? null, eventId: event.id, entryId: entry.id });
    await notifyBidder(tx, deposit.registration.bidderKey, "auction.refund.doneNotice", { amount: toYuanString(deposit.amount) }, `/tenders/${deposit.registration.tenderId}`);
    // Written in the caller's transaction: the caller sends them after its commit (sendQueuedEmails(outboxIds)).
    outboxIds?.push(...(await emailRefunded(tx, deposit)));
    return `deposit-refunded:${deposit.id}`;
  }
  if (deposit.status !== "REFUND_PENDING") return `ignored:${deposit.status.toLowerCase()}:${deposit.id}`;
  await tx.bidDeposit.updateMany({
    where: { id: deposit.id, status: "REFUND_PENDING" },
    data: { status: "CONFIRMED", refundRef: null, refundRequestedAt: null, version: { increment: 1 } },
  });
  await appendAudit(tx, ctx, {
    action: "deposit.refundFail", entityType: "BidDeposit", entityId: deposit.id,
    before: { status: "REFUND_PENDING", refundRef: deposit.refundRef },
    after: { status: "CONFIRMED", reason: event.failureReason ?? null, refundRef: event.refundRef ?? null, eventId: event.id },
  });
  return `refund-failed:${deposit.id}`;
}

async function appendRefundAudit(tx: Tx, ctx: AuditContext, deposit: { id: string; amount: Fen; method: string; registration: { bidderKey: string; tenderId: string } }, extra: Record<string, unknown>) {
  await appendAudit(tx, ctx, {
    action: "deposit.refund", entityType: "BidDeposit", entityId: deposit.id,
    before: { status: "REFUND_PENDING" },
    after: { status: "REFUNDED", method: deposit.method, amount: toYuanString(deposit.amount), bidderKey: deposit.registration.bidderKey, tenderId: deposit.registration.tenderId, ...extra },
  });
}

/**
 * Finance confirms an offline refund it paid (bank transfer or payroll) with the voucher number:
 * REFUND_PENDING → REFUNDED with the ledger entry. settlement:finance. A second confirmation is refused.
 */
export async function confirmOfflineRefund(ctx: AuditContext, financeUser: AwardActor, depositId: string, voucher: string, now = new Date()) {
  requirePermission(financeUser, "settlement:finance");
  const number = voucher.trim();
  if (!number) throw new UserError("auction.refund.voucherRequired", { field: "voucher" });
  if (number.length > 64) throw new UserError("auction.refund.voucherTooLong", { field: "voucher" });
  const outboxIds: string[] = [];
  const refunded = await audited(ctx, async (tx) => {
    const deposit = await tx.bidDeposit.findUnique({ where: { id: depositId }, include: { registration: true } });
    if (!deposit) throw new UserError("auction.refund.depositNotFound", { status: 404 });
    if (deposit.method === "STRIPE") throw new UserError("auction.refund.notOffline", { status: 409 });
    if (deposit.status === "REFUNDED") throw new UserError("auction.refund.alreadyRefunded", { status: 409 });
    if (deposit.status !== "REFUND_PENDING") throw new UserError("auction.refund.notPending", { status: 409, params: { status: deposit.status } });
    const entry = await postRefundIn(tx, ctx, deposit);
    const updated = await tx.bidDeposit.updateMany({
      where: { id: deposit.id, status: "REFUND_PENDING" },
      data: { status: "REFUNDED", refundedAt: now, refundVoucher: number, refundEntryId: entry.id, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw new UserError("auction.refund.alreadyRefunded", { status: 409 });
    await appendRefundAudit(tx, ctx, deposit, { voucher: number, confirmedById: financeUser.id, entryId: entry.id });
    await notifyBidder(tx, deposit.registration.bidderKey, "auction.refund.doneNotice", { amount: toYuanString(deposit.amount) }, `/tenders/${deposit.registration.tenderId}`);
    outboxIds.push(...(await emailRefunded(tx, deposit)));
    return tx.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } });
  });
  await sendQueuedEmails(outboxIds);
  return refunded;
}

/** The depositRefunded email to every user of the deposit's bidder (outbox, in the caller's transaction). */
async function emailRefunded(tx: Tx, deposit: { amount: Fen; method: string; registration: { bidderKey: string; tenderId: string } }): Promise<string[]> {
  const tender = await tx.tender.findUniqueOrThrow({ where: { id: deposit.registration.tenderId }, select: { number: true, title: true } });
  return emailBidder(tx, deposit.registration.bidderKey, "depositRefunded", { number: tender.number ?? tender.title, amount: deposit.amount, method: deposit.method });
}

