import { can } from "~/domain/access";
import { clearingAccountType, depositReceivedEntry, type PaymentMethod } from "~/domain/award";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { appendAudit, audited, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { formatDateTime, isLocale, defaultLocale } from "~/infra/i18n";
import { ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { paymentProvider, PaymentProviderError, STRIPE_MAX_AMOUNT_FEN, type PaymentEvent } from "~/infra/payments/index.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import { applyRefundEvent, requestStripeRefunds } from "./refunds.server";
import { notify, usersOfBidder } from "./notifications.server";
import type { DeclareOfflineDepositInput, StartStripeDepositInput } from "./tender-schemas";
import { notEligible, registrationOpenAt, tenderEligibility, type TenderActor } from "./tenders.server";
import { applyTopUpEvent } from "~/services/custody/deposit-topup.server";
import { applyRemittanceEvent } from "~/services/settlement/remittances.server";

/**
 * Registration and the bid deposit (issue 6, item 3; R3, R10). A bidder (a staff member, or an
 * agency through its users) registers for a published tender within its registration window and pays
 * one deposit: by Stripe — confirmed ONLY by a verified webhook, each event processed once — or
 * offline (bank transfer, payroll deduction), declared by the bidder and confirmed by finance with a
 * voucher number. Confirmed money is a journal entry clearing → the bidder's DEPOSIT_HELD account,
 * posted in the same transaction as the status change and its audit entry; only then may they bid.
 */

export type DepositRow = Prisma.BidDepositGetPayload<object>;
export type RegistrationRow = Prisma.TenderRegistrationGetPayload<{ include: { deposits: true } }>;

const methodOf: Record<string, PaymentMethod> = { STRIPE: "stripe", BANK_TRANSFER: "bank_transfer", PAYROLL: "payroll" };

/** The deposit account of a bidder key: staff own theirs, an agency's is the organization's. */
export function depositAccountOwner(bidderKey: string): { type: "DEPOSIT_HELD"; ownerUserId?: string; ownerOrganizationId?: string } {
  const [kind, id] = [bidderKey.slice(0, bidderKey.indexOf(":")), bidderKey.slice(bidderKey.indexOf(":") + 1)];
  if (kind === "user") return { type: "DEPOSIT_HELD", ownerUserId: id };
  if (kind === "org") return { type: "DEPOSIT_HELD", ownerOrganizationId: id };
  throw new RangeError(`not a bidder key: ${bidderKey}`);
}

function requireBidder(user: Pick<AuthUser, "roles">): void {
  if (!can(user.roles, "tenders:bid")) throw new UserError("auction.deposit.notBidder", { status: 403 });
}

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";

/** Posts the receipt of a deposit (clearing of its method → the bidder's deposit account) and marks it CONFIRMED under its version. */
async function confirmDepositIn(
  tx: Tx,
  ctx: AuditContext,
  deposit: DepositRow,
  bidderKey: string,
  data: { confirmedAt: Date; confirmedById: string | null; voucherNumber?: string },
  auditAfter: Record<string, unknown>,
): Promise<DepositRow> {
  const clearing = await ensureAccount(tx, { type: clearingAccountType(methodOf[deposit.method]!) });
  const account = await ensureAccount(tx, depositAccountOwner(bidderKey));
  const entry = await postEntryIn(tx, ctx, {
    description: `竞标定金到账 Bid deposit received (${deposit.method})`,
    sourceType: "bid-deposit",
    sourceId: deposit.id,
    lines: depositReceivedEntry({ clearingAccountId: clearing.id, depositAccountId: account.id, amount: deposit.amount }),
  });
  const updated = await tx.bidDeposit.updateMany({
    where: { id: deposit.id, status: deposit.status, version: deposit.version },
    data: { status: "CONFIRMED", ...data, receiptEntryId: entry.id, version: { increment: 1 } },
  });
  if (updated.count !== 1) throw new UserError("auction.deposit.concurrentChange", { status: 409 });
  await appendDepositAudit(tx, ctx, deposit, { status: "CONFIRMED", receiptEntryId: entry.id, ...auditAfter });
  return tx.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } });
}

async function appendDepositAudit(tx: Tx, ctx: AuditContext, deposit: DepositRow, after: Record<string, unknown>, action = "deposit.confirm") {
  await appendAudit(tx, ctx, {
    action, entityType: "BidDeposit", entityId: deposit.id,
    before: { status: deposit.status, method: deposit.method, amount: toYuanString(deposit.amount) },
    after,
  });
}

/**
 * Tells the bidder's users (email + notification) that their deposit is confirmed and they may bid.
 * The emails' outbox ids go into `outboxIds`, for the caller to send after its commit.
 */
async function tellDepositConfirmed(tx: Tx, bidderKey: string, tender: { id: string; number: string | null; title: string }, deposit: DepositRow, outboxIds: string[]) {
  const users = await usersOfBidder(tx, bidderKey);
  const link = `/tenders/${tender.id}`;
  for (const u of users) {
    const locale = isLocale(u.locale) ? u.locale : defaultLocale;
    const email = await queueEmailIn(tx, { email: u.email, locale }, "depositConfirmed", {
      number: tender.number ?? "", title: tender.title, amount: toYuanString(deposit.amount), method: deposit.method, link,
    });
    outboxIds.push(email.id);
  }
  await notify(tx, users.map((u) => u.id), "auction.notify.depositConfirmed", { number: tender.number ?? "", amount: toYuanString(deposit.amount) }, link);
}

/**
 * Money received that the bidder does not need — a second deposit for the same tender (a declined
 * Stripe payment retried after a bank transfer was confirmed, say), or one arriving after the tender
 * closed — is kept on the books (the receipt entry stands) and at once set to be refunded:
 * REFUND_PENDING, an offline refund instruction for finance or a Stripe refund asked after the commit.
 */
async function refundIfSurplusIn(
  tx: Tx,
  ctx: AuditContext,
  deposit: DepositRow,
  registration: { id: string; tenderId: string; bidderKey: string; tender: { status: string } },
  now: Date,
): Promise<boolean> {
  const held = await tx.bidDeposit.findFirst({
    where: { registrationId: registration.id, id: { not: deposit.id }, status: { notIn: ["AWAITING_PAYMENT", "DECLARED", "FAILED"] } },
  });
  const late = registration.tender.status !== "PUBLISHED";
  if (!held && !late) return false;
  const offline = deposit.method !== "STRIPE";
  const updated = await tx.bidDeposit.updateMany({
    where: { id: deposit.id, status: "CONFIRMED", version: deposit.version },
    data: { status: "REFUND_PENDING", refundRequestedAt: now, refundRef: offline ? `offline-refund:refund:${deposit.id}` : null, version: { increment: 1 } },
  });
  if (updated.count !== 1) throw new UserError("auction.deposit.concurrentChange", { status: 409 });
  await appendDepositAudit(tx, ctx, deposit, {
    status: "REFUND_PENDING", reason: held ? "duplicate" : "tender-closed", heldDepositId: held?.id ?? null,
    bidderKey: registration.bidderKey, tenderId: registration.tenderId,
  }, "deposit.surplus");
  return true;
}

// ---- registration -------------------------------------------------------------------------------

/**
 * Registers the user's bidder (themselves, or their agency) for a published tender within its
 * registration window, when eligible (else auction.refused.not_eligible with the reasons in their
 * language). Registering again returns the existing registration.
 */
export async function registerForTender(ctx: AuditContext, user: TenderActor, tenderId: string, now = new Date()): Promise<{ registration: RegistrationRow; created: boolean }> {
  requireBidder(user);
  const tender = await prisma.tender.findUnique({ where: { id: tenderId } });
  if (!tender || tender.status === "DRAFT") throw new UserError("auction.tender.notFound", { status: 404 });
  const eligibility = await tenderEligibility(user, tender, now);
  const existing = await prisma.tenderRegistration.findUnique({
    where: { tenderId_bidderKey: { tenderId, bidderKey: eligibility.bidderKey } },
    include: { deposits: { orderBy: { createdAt: "asc" } } },
  });
  if (existing) return { registration: existing, created: false };
  if (tender.status !== "PUBLISHED") throw new UserError("auction.tender.notPublished", { status: 409, params: { status: tender.status } });
  if (now.getTime() < tender.registrationOpensAt.getTime()) {
    throw new UserError("auction.tender.registrationNotOpen", { status: 409, params: { opensAt: formatDateTime(user.locale, tender.registrationOpensAt) } });
  }
  if (!registrationOpenAt(tender, now)) {
    throw new UserError("auction.tender.registrationClosed", { status: 409, params: { closedAt: formatDateTime(user.locale, tender.registrationClosesAt) } });
  }
  if (!eligibility.eligible) throw notEligible(user.locale, eligibility);
  try {
    return await audited(ctx, async (tx, audit) => {
      const registration = await tx.tenderRegistration.create({
        data: {
          tenderId, bidderKey: eligibility.bidderKey, bidderKind: eligibility.bidderKind, userId: user.id,
          organizationId: eligibility.organizationId, conflictLoans: JSON.stringify(eligibility.conflictLoans), registeredAt: now,
        },
        include: { deposits: true },
      });
      await audit({
        action: "tender.register", entityType: "TenderRegistration", entityId: registration.id,
        after: { tenderId, bidderKey: registration.bidderKey, bidderKind: registration.bidderKind, conflictLoans: eligibility.conflictLoans },
      });
      return { registration, created: true };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Registered meanwhile (another request, or a colleague of the same agency): that registration.
    const registration = await prisma.tenderRegistration.findUniqueOrThrow({
      where: { tenderId_bidderKey: { tenderId, bidderKey: eligibility.bidderKey } },
      include: { deposits: { orderBy: { createdAt: "asc" } } },
    });
    return { registration, created: false };
  }
}

/** The user's bidder's registration for a tender, with its tender (auction.deposit.notRegistered when none). */
async function myRegistration(user: TenderActor, tenderId: string) {
  const tender = await prisma.tender.findUnique({ where: { id: tenderId } });
  if (!tender || tender.status === "DRAFT") throw new UserError("auction.tender.notFound", { status: 404 });
  const bidderKey = user.organizationKind === "AGENCY" ? `org:${user.organizationId}` : `user:${user.id}`;
  const registration = await prisma.tenderRegistration.findUnique({
    where: { tenderId_bidderKey: { tenderId, bidderKey } },
    include: { deposits: { orderBy: { createdAt: "asc" } } },
  });
  if (!registration) throw new UserError("auction.deposit.notRegistered", { status: 409 });
  return { tender, registration };
}

/** Refuses a new deposit when one is confirmed (or settled) or another is still pending. */
function requireNoOpenDeposit(registration: RegistrationRow, allowPending?: (d: DepositRow) => boolean): DepositRow | null {
  const settled = registration.deposits.find((d) => !["AWAITING_PAYMENT", "DECLARED", "FAILED"].includes(d.status));
  if (settled) {
    throw new UserError(settled.status === "CONFIRMED" ? "auction.deposit.alreadyConfirmed" : "auction.deposit.wrongState", { status: 409, params: { status: settled.status } });
  }
  const pending = registration.deposits.find((d) => d.status === "AWAITING_PAYMENT" || d.status === "DECLARED");
  if (!pending) return null;
  if (allowPending?.(pending)) return pending;
  throw new UserError("auction.deposit.pending", { status: 409, params: { method: pending.method } });
}

function requireOpenForDeposits(tender: { status: string; auctionEndsAt: Date }, now: Date): void {
  if (tender.status !== "PUBLISHED" || now.getTime() >= tender.auctionEndsAt.getTime()) {
    throw new UserError("auction.deposit.tenderClosed", { status: 409, params: { status: tender.status } });
  }
}

/**
 * Starts a Stripe deposit: a PaymentIntent for the tender's deposit in its currency, the deposit
 * AWAITING_PAYMENT with the client secret for the browser. Asking again while one awaits payment
 * returns it. Nothing here confirms money: only a verified webhook does (processPaymentEvent).
 */
export async function startStripeDeposit(ctx: AuditContext, user: TenderActor, tenderId: string, input: StartStripeDepositInput = { methods: ["card"] }, now = new Date()): Promise<DepositRow> {
  requireBidder(user);
  const { tender, registration } = await myRegistration(user, tenderId);
  requireOpenForDeposits(tender, now);
  const awaiting = requireNoOpenDeposit(registration, (d) => d.method === "STRIPE" && d.status === "AWAITING_PAYMENT");
  if (awaiting) return awaiting;
  if (tender.bidDeposit > STRIPE_MAX_AMOUNT_FEN) {
    throw new UserError("auction.deposit.tooLargeForStripe", { status: 422, params: { amount: toYuanString(tender.bidDeposit) } });
  }
  const attempt = registration.deposits.filter((d) => d.method === "STRIPE").length + 1;
  const reference = `${registration.id}-${attempt}`;
  let payment;
  try {
    payment = await paymentProvider("stripe").createDepositPayment({
      amount: tender.bidDeposit,
      currency: "cny",
      reference,
      metadata: { tenderId: tender.id, registrationId: registration.id, bidderKey: registration.bidderKey },
      methods: [...input.methods],
      idempotencyKey: `deposit:${reference}`,
    });
  } catch (error) {
    if (error instanceof PaymentProviderError) {
      console.error("deposits: Stripe refused the PaymentIntent", { tenderId, registrationId: registration.id, details: error.details, message: error.message });
      throw new UserError("auction.deposit.providerUnavailable", { status: 502 });
    }
    throw error;
  }
  try {
    return await audited(ctx, async (tx, audit) => {
      const deposit = await tx.bidDeposit.create({
        data: {
          registrationId: registration.id, method: "STRIPE", amount: tender.bidDeposit, currency: tender.currency,
          status: "AWAITING_PAYMENT", providerRef: payment.providerRef, clientSecret: payment.clientSecret ?? null, createdAt: now,
        },
      });
      await audit({
        action: "deposit.start", entityType: "BidDeposit", entityId: deposit.id,
        after: { tenderId, bidderKey: registration.bidderKey, method: "STRIPE", amount: toYuanString(deposit.amount), providerRef: payment.providerRef, methods: input.methods },
      });
      return deposit;
    });
  } catch (error) {
    // The same request twice: the same idempotency key gave the same PaymentIntent, already recorded.
    if (!isUniqueViolation(error)) throw error;
    return prisma.bidDeposit.findUniqueOrThrow({ where: { providerRef: payment.providerRef } });
  }
}

/**
 * The bidder declares an offline deposit (bank transfer or payroll deduction): DECLARED, waiting for
 * finance to confirm it with a voucher number. Declaring the same method again returns it.
 */
export async function declareOfflineDeposit(ctx: AuditContext, user: TenderActor, tenderId: string, input: DeclareOfflineDepositInput, now = new Date()): Promise<DepositRow> {
  requireBidder(user);
  const { tender, registration } = await myRegistration(user, tenderId);
  requireOpenForDeposits(tender, now);
  const declared = requireNoOpenDeposit(registration, (d) => d.method === input.method && d.status === "DECLARED");
  if (declared) return declared;
  const attempt = registration.deposits.length + 1;
  const payment = await paymentProvider(input.method === "BANK_TRANSFER" ? "bank_transfer" : "payroll").createDepositPayment({
    amount: tender.bidDeposit, currency: "cny", reference: `${registration.id}-${attempt}`, methods: [],
  });
  try {
    return await audited(ctx, async (tx, audit) => {
      const deposit = await tx.bidDeposit.create({
        data: {
          registrationId: registration.id, method: input.method, amount: tender.bidDeposit, currency: tender.currency,
          status: "DECLARED", providerRef: payment.providerRef, declaredAt: now, createdAt: now,
        },
      });
      await audit({
        action: "deposit.declare", entityType: "BidDeposit", entityId: deposit.id,
        after: { tenderId, bidderKey: registration.bidderKey, method: input.method, amount: toYuanString(deposit.amount), declaredById: user.id },
      });
      return deposit;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return prisma.bidDeposit.findUniqueOrThrow({ where: { providerRef: payment.providerRef } });
  }
}

/**
 * Finance confirms a declared offline deposit with the voucher number (凭证号): CONFIRMED, who
 * confirmed and when, and the receipt journal entry (clearing → deposit account), in one
 * transaction with the audit entries; the bidder is told.
 */
export async function confirmOfflineDeposit(ctx: AuditContext, user: TenderActor, depositId: string, input: { voucher_number: string }, now = new Date()): Promise<DepositRow> {
  if (!can(user.roles, "settlement:finance")) throw new UserError("auction.deposit.notFinance", { status: 403 });
  const voucher = input.voucher_number.trim();
  if (!voucher) throw new UserError("auction.deposit.voucherRequired", { field: "voucher_number" });
  if (voucher.length > 64) throw new UserError("auction.deposit.voucherTooLong", { field: "voucher_number" });
  const outboxIds: string[] = [];
  const result = await audited(ctx, async (tx) => {
    const deposit = await tx.bidDeposit.findUnique({ where: { id: depositId }, include: { registration: { include: { tender: true } } } });
    if (!deposit) throw new UserError("auction.deposit.notFound", { status: 404 });
    if (deposit.status === "CONFIRMED") {
      throw new UserError("auction.deposit.alreadyConfirmed", { status: 409, params: { status: deposit.status, voucher: deposit.voucherNumber ?? "" } });
    }
    if (deposit.method === "STRIPE") throw new UserError("auction.deposit.stripeByWebhookOnly", { status: 409 });
    if (deposit.status !== "DECLARED") throw new UserError("auction.deposit.wrongState", { status: 409, params: { status: deposit.status } });
    const { registration, ...row } = deposit;
    const confirmed = await confirmDepositIn(tx, ctx, row, registration.bidderKey, { confirmedAt: now, confirmedById: user.id, voucherNumber: voucher }, {
      voucherNumber: voucher, confirmedById: user.id, bidderKey: registration.bidderKey, tenderId: registration.tenderId,
    });
    if (await refundIfSurplusIn(tx, ctx, confirmed, registration, now)) return tx.bidDeposit.findUniqueOrThrow({ where: { id: confirmed.id } });
    await tellDepositConfirmed(tx, registration.bidderKey, registration.tender, confirmed, outboxIds);
    return confirmed;
  });
  await sendQueuedEmails(outboxIds);
  return result;
}

// ---- webhook events -----------------------------------------------------------------------------

export type PaymentEventOutcome =
  | { outcome: "duplicate"; recorded: string }
  | { outcome: "confirmed"; depositId: string }
  | { outcome: "duplicate_payment"; depositId: string; tenderId: string }
  | { outcome: "failed"; depositId: string }
  | { outcome: "mismatch"; depositId: string }
  | { outcome: "refund"; detail: string }
  | { outcome: "topup"; detail: string }
  | { outcome: "remittance"; detail: string }
  | { outcome: "ignored"; reason: string };

function outcomeText(result: PaymentEventOutcome): string {
  switch (result.outcome) {
    case "confirmed":
      return `deposit-confirmed:${result.depositId}`;
    case "duplicate_payment":
      return `duplicate-payment-refunded:${result.depositId}`;
    case "failed":
      return `deposit-failed:${result.depositId}`;
    case "mismatch":
      return `amount-mismatch:${result.depositId}`;
    case "refund":
      return `refund:${result.detail}`;
    case "topup":
      return `performance-deposit-${result.detail}`;
    case "remittance":
      return `remittance-${result.detail}`;
    case "ignored":
      return `ignored:${result.reason}`;
    case "duplicate":
      return result.recorded;
  }
}

/**
 * A verified payment event, processed once per event id (ProcessedWebhookEvent, written in the
 * same transaction as what it does; a duplicate delivery changes nothing):
 * - payment.succeeded: the deposit (by PaymentIntent) becomes CONFIRMED with its receipt entry —
 *   only when the event's amount and currency equal the deposit's; otherwise nothing is confirmed
 *   and the mismatch is recorded (audit `deposit.mismatch`);
 * - payment.failed: an awaiting deposit becomes FAILED (the bidder may start again);
 * - refund.*: handed to applyRefundEvent (refunds.server).
 */
export async function processPaymentEvent(ctx: AuditContext, event: PaymentEvent, provider = "stripe", now = new Date()): Promise<PaymentEventOutcome> {
  try {
    const outboxIds: string[] = [];
    const result = await audited(ctx, async (tx, audit): Promise<PaymentEventOutcome> => {
      const seen = await tx.processedWebhookEvent.findUnique({ where: { id: event.id } });
      if (seen) return { outcome: "duplicate", recorded: seen.outcome };
      const handled = await handleEvent(tx, ctx, event, audit, now, outboxIds);
      await tx.processedWebhookEvent.create({ data: { id: event.id, provider, type: event.type, receivedAt: now, outcome: outcomeText(handled) } });
      return handled;
    });
    await sendQueuedEmails(outboxIds);
    if (result.outcome === "duplicate_payment") await requestStripeRefunds(result.tenderId);
    return result;
  } catch (error) {
    // The same event delivered twice at once: the other delivery recorded it first.
    if (!isUniqueViolation(error)) throw error;
    const seen = await prisma.processedWebhookEvent.findUnique({ where: { id: event.id } });
    if (!seen) throw error;
    return { outcome: "duplicate", recorded: seen.outcome };
  }
}

async function handleEvent(
  tx: Tx,
  ctx: AuditContext,
  event: PaymentEvent,
  audit: (e: { action: string; entityType: string; entityId: string; before?: unknown; after?: unknown }) => Promise<void>,
  now: Date,
  outboxIds: string[],
): Promise<PaymentEventOutcome> {
  if (event.type === "refund.succeeded" || event.type === "refund.failed") {
    return { outcome: "refund", detail: await applyRefundEvent(tx, ctx, event, outboxIds) };
  }
  const topUp = await applyTopUpEvent(tx, ctx, event, audit, now, outboxIds);
  if (topUp) return { outcome: "topup", detail: `${topUp.outcome}:${topUp.paymentId ?? topUp.reason ?? ""}` };
  const remittance = await applyRemittanceEvent(tx, ctx, event, audit, now, outboxIds);
  if (remittance) return { outcome: "remittance", detail: `${remittance.outcome}:${remittance.remittanceId ?? remittance.reason ?? ""}` };
  const deposit = await tx.bidDeposit.findUnique({ where: { providerRef: event.providerRef }, include: { registration: { include: { tender: true } } } });
  if (!deposit) return { outcome: "ignored", reason: "unknown-payment" };
  const { registration, ...row } = deposit;
  if (event.type === "payment.failed") {
    if (row.status !== "AWAITING_PAYMENT") return { outcome: "ignored", reason: `status-${row.status}` };
    const updated = await tx.bidDeposit.updateMany({ where: { id: row.id, status: row.status, version: row.version }, data: { status: "FAILED", version: { increment: 1 } } });
    if (updated.count !== 1) throw new UserError("auction.deposit.concurrentChange", { status: 409 });
    await audit({
      action: "deposit.fail", entityType: "BidDeposit", entityId: row.id,
      before: { status: row.status }, after: { status: "FAILED", event: event.id, reason: event.failureReason ?? null },
    });
    return { outcome: "failed", depositId: row.id };
  }
  // payment.succeeded
  if (event.amount !== row.amount || event.currency.toLowerCase() !== row.currency.toLowerCase()) {
    await audit({
      action: "deposit.mismatch", entityType: "BidDeposit", entityId: row.id,
      before: { status: row.status, amount: toYuanString(row.amount), currency: row.currency },
      after: { event: event.id, amount: toYuanString(event.amount), currency: event.currency, confirmed: false },
    });
    console.error("deposits: payment event amount/currency differs from the deposit; not confirmed", { event: event.id, depositId: row.id });
    return { outcome: "mismatch", depositId: row.id };
  }
  if (row.status !== "AWAITING_PAYMENT" && row.status !== "FAILED") return { outcome: "ignored", reason: `status-${row.status}` };
  const confirmed = await confirmDepositIn(tx, ctx, row, registration.bidderKey, { confirmedAt: now, confirmedById: null }, {
    event: event.id, providerRef: event.providerRef, bidderKey: registration.bidderKey, tenderId: registration.tenderId,
  });
  if (await refundIfSurplusIn(tx, ctx, confirmed, registration, now)) return { outcome: "duplicate_payment", depositId: row.id, tenderId: registration.tenderId };
  await tellDepositConfirmed(tx, registration.bidderKey, registration.tender, confirmed, outboxIds);
  return { outcome: "confirmed", depositId: row.id };
}

// ---- qualification ------------------------------------------------------------------------------

/** R3: a bidder may bid in a tender only with a confirmed bid deposit. */
export async function isQualified(tenderId: string, bidderKey: string, db: Tx = prisma): Promise<boolean> {
  const confirmed = await db.bidDeposit.count({ where: { status: "CONFIRMED", registration: { tenderId, bidderKey } } });
  return confirmed > 0;
}
