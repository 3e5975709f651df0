import { can } from "~/domain/access";
import { clearingAccountType, depositReceivedEntry, type PaymentMethod } from "~/domain/award";
import { topUpOwed } from "~/domain/contract";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { paymentProvider, PaymentProviderError, STRIPE_MAX_AMOUNT_FEN, type PaymentEvent } from "~/infra/payments/index.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import { notify } from "~/services/tenders/notifications.server";
import { custodianUsers, isCustodianOf, mayViewContract } from "./access.server";
import { performanceDepositAccount, performanceDepositHeld } from "./accounts.server";
import type { DeclareOfflineTopUpInput, StartStripeTopUpInput } from "./contract-schemas";
import { custodianNames } from "./contract-views.server";
import { startCustodyIfReadyIn, type AuditFn, type ContractActor, type ContractRow } from "./contracts.server";

/**
 * The performance deposit top-up (R4: what the credited bid deposit does not cover), paid before
 * custody starts — modelled on the bid deposit (tenders/registration.server.ts): Stripe, confirmed
 * ONLY by a verified webhook event (applyTopUpEvent, from the payment webhook's handleEvent), or
 * offline (bank transfer; payroll deduction for staff contractors only), declared by the custodian
 * and confirmed by finance with a voucher number. Confirmed money is a journal entry clearing → the
 * contract's PERFORMANCE_DEPOSIT account, posted with the status change and its audit entry; then
 * custody starts if the contract is countersigned and fully paid (startCustodyIfReadyIn).
 *
 * Decisions:
 * - A top-up may be paid once the custodian has signed (the credit of the bid deposit is known then):
 *   in AWAITING_COUNTERSIGNATURE, so the custodian can pay while the department countersigns, and in
 *   AWAITING_DEPOSIT; and on an ACTIVE contract after a forced deduction (R7: the deposit is topped up
 *   again within topUpDays). Otherwise it is refused (custody.topup.wrongState).
 * - Amount = topUpOwed(performance deposit, held now); refused when nothing is owed.
 * - One open top-up at a time: asking again for the same method returns the pending one; another
 *   method while one is pending is refused (custody.topup.pending).
 * - Money above what is owed (a second payment confirmed after the first) is kept in the contract's
 *   deposit account and refunded with the deposit balance at close-out.
 */

export type TopUpRow = Prisma.PerformanceDepositPaymentGetPayload<object>;

const methodOf: Record<string, PaymentMethod> = { STRIPE: "stripe", BANK_TRANSFER: "bank_transfer", PAYROLL: "payroll" };
const contractLink = (id: string) => `/contracts/${id}`;

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";

/** The custodian's contract in a state that takes a top-up, with what is owed now. */
async function payableContract(user: ContractActor, contractId: string): Promise<{ contract: ContractRow; owed: bigint; payments: TopUpRow[] }> {
  if (!can(user.roles, "custody:work")) throw new UserError("custody.forbidden", { status: 403 });
  const contract = await prisma.custodyContract.findUnique({ where: { id: contractId } });
  if (!contract || !mayViewContract(user, contract)) throw new UserError("custody.contract.notFound", { status: 404 });
  if (!isCustodianOf(user, contract)) throw new UserError("custody.contract.notYours", { status: 403 });
  // R7: after a forced deduction the custodian tops the deposit up again while custody runs (same flows).
  const afterDeduction = contract.status === "ACTIVE" && (await prisma.forcedDeduction.count({ where: { contractId } })) > 0;
  if (contract.status !== "AWAITING_COUNTERSIGNATURE" && contract.status !== "AWAITING_DEPOSIT" && !afterDeduction) {
    throw new UserError("custody.topup.wrongState", { status: 409, params: { status: contract.status } });
  }
  const held = await prisma.$transaction((tx) => performanceDepositHeld(tx, contract));
  const payments = await prisma.performanceDepositPayment.findMany({ where: { contractId }, orderBy: { createdAt: "asc" } });
  return { contract, owed: topUpOwed(contract.performanceDeposit, held), payments };
}

/** A pending top-up the caller may take back (same method), or a refusal for another pending one. */
function pendingTopUp(payments: TopUpRow[], reuse: (p: TopUpRow) => boolean): TopUpRow | null {
  const pending = payments.find((p) => p.status === "AWAITING_PAYMENT" || p.status === "DECLARED");
  if (!pending) return null;
  if (reuse(pending)) return pending;
  throw new UserError("custody.topup.pending", { status: 409, params: { method: pending.method } });
}

/**
 * Starts a Stripe top-up for what is owed: a PaymentIntent (metadata contractId, kind
 * "performance-deposit"; idempotency key topup:<contractId>-<attempt>), the payment AWAITING_PAYMENT
 * with the client secret for the browser. Asking again while it awaits payment returns it.
 */
export async function startStripeTopUp(ctx: AuditContext, user: ContractActor, contractId: string, input: StartStripeTopUpInput = { methods: ["card"] }, now = new Date()): Promise<TopUpRow> {
  const { contract, owed, payments } = await payableContract(user, contractId);
  const awaiting = pendingTopUp(payments, (p) => p.method === "STRIPE" && p.status === "AWAITING_PAYMENT" && p.amount === owed);
  if (awaiting) return awaiting;
  if (owed === 0n) throw new UserError("custody.topup.nothingOwed", { status: 409 });
  if (owed > STRIPE_MAX_AMOUNT_FEN) throw new UserError("custody.topup.tooLargeForStripe", { status: 422, params: { amount: toYuanString(owed) } });
  const attempt = payments.filter((p) => p.method === "STRIPE").length + 1;
  const reference = `${contract.id}-${attempt}`;
  let payment;
  try {
    payment = await paymentProvider("stripe").createDepositPayment({
      amount: owed, currency: "cny", reference,
      metadata: { contractId: contract.id, contractNumber: contract.number, kind: "performance-deposit", custodianKey: contract.custodianKey },
      methods: [...input.methods],
      idempotencyKey: `topup:${reference}`,
    });
  } catch (error) {
    if (error instanceof PaymentProviderError) {
      console.error("top-ups: Stripe refused the PaymentIntent", { contractId, details: error.details, message: error.message });
      throw new UserError("custody.topup.providerUnavailable", { status: 502 });
    }
    throw error;
  }
  try {
    return await audited(ctx, async (tx, audit) => {
      const row = await tx.performanceDepositPayment.create({
        data: {
          contractId, method: "STRIPE", amount: owed, currency: "cny", status: "AWAITING_PAYMENT",
          providerRef: payment.providerRef, clientSecret: payment.clientSecret ?? null, createdAt: now,
        },
      });
      await audit({
        action: "topup.start", entityType: "PerformanceDepositPayment", entityId: row.id,
        after: { contractId, number: contract.number, method: "STRIPE", amount: toYuanString(owed), providerRef: payment.providerRef, methods: input.methods },
      });
      return row;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return prisma.performanceDepositPayment.findUniqueOrThrow({ where: { providerRef: payment.providerRef } });
  }
}

/**
 * The custodian declares an offline top-up of what is owed: DECLARED, for finance to confirm with a
 * voucher. Payroll deduction only for a staff contractor (custody.topup.payrollStaffOnly). Declaring
 * the same method again returns it.
 */
export async function declareOfflineTopUp(ctx: AuditContext, user: ContractActor, contractId: string, input: DeclareOfflineTopUpInput, now = new Date()): Promise<TopUpRow> {
  const { contract, owed, payments } = await payableContract(user, contractId);
  if (input.method === "PAYROLL" && contract.custodianKind !== "STAFF") throw new UserError("custody.topup.payrollStaffOnly", { status: 422, field: "method" });
  const declared = pendingTopUp(payments, (p) => p.method === input.method && p.status === "DECLARED" && p.amount === owed);
  if (declared) return declared;
  if (owed === 0n) throw new UserError("custody.topup.nothingOwed", { status: 409 });
  const reference = `topup-${contract.id}-${payments.length + 1}`;
  const payment = await paymentProvider(input.method === "BANK_TRANSFER" ? "bank_transfer" : "payroll").createDepositPayment({ amount: owed, currency: "cny", reference, methods: [] });
  try {
    return await audited(ctx, async (tx, audit) => {
      const row = await tx.performanceDepositPayment.create({
        data: { contractId, method: input.method, amount: owed, currency: "cny", status: "DECLARED", providerRef: payment.providerRef, declaredAt: now, declaredById: user.id, createdAt: now },
      });
      await audit({
        action: "topup.declare", entityType: "PerformanceDepositPayment", entityId: row.id,
        after: { contractId, number: contract.number, method: input.method, amount: toYuanString(owed), declaredById: user.id },
      });
      return row;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return prisma.performanceDepositPayment.findUniqueOrThrow({ where: { providerRef: payment.providerRef } });
  }
}

/** Posts the receipt (clearing of the method → the contract's PERFORMANCE_DEPOSIT), CONFIRMED under its version, audit, custodian told, custody started if ready. */
async function confirmTopUpIn(
  tx: Tx,
  audit: AuditFn,
  ctx: AuditContext,
  payment: TopUpRow,
  contract: ContractRow,
  data: { confirmedAt: Date; confirmedById: string | null; voucherNumber?: string },
  auditAfter: Record<string, unknown>,
  outboxIds: string[],
): Promise<TopUpRow> {
  const clearing = await ensureAccount(tx, { type: clearingAccountType(methodOf[payment.method]!) });
  const account = await performanceDepositAccount(tx, contract);
  const entry = await postEntryIn(tx, ctx, {
    description: `履约保证金补缴到账 Performance deposit top-up received (${contract.number}, ${payment.method})`,
    sourceType: "performance-deposit",
    sourceId: payment.id,
    lines: depositReceivedEntry({ clearingAccountId: clearing.id, depositAccountId: account.id, amount: payment.amount }),
  });
  const updated = await tx.performanceDepositPayment.updateMany({
    where: { id: payment.id, status: payment.status, version: payment.version },
    data: { status: "CONFIRMED", ...data, receiptEntryId: entry.id, version: { increment: 1 } },
  });
  if (updated.count !== 1) throw new UserError("custody.topup.concurrentChange", { status: 409 });
  await audit({
    action: "topup.confirm", entityType: "PerformanceDepositPayment", entityId: payment.id,
    before: { status: payment.status, method: payment.method, amount: toYuanString(payment.amount) },
    after: { status: "CONFIRMED", contractId: contract.id, number: contract.number, receiptEntryId: entry.id, ...auditAfter },
  });
  const users = await custodianUsers(tx, contract);
  for (const u of users) {
    outboxIds.push((await queueEmailIn(tx, u, "topUpConfirmed", { number: contract.number, amount: toYuanString(payment.amount), method: payment.method, link: contractLink(contract.id) })).id);
  }
  await notify(tx, users.map((u) => u.id), "custody.notify.topUpConfirmed", { number: contract.number, amount: toYuanString(payment.amount) }, contractLink(contract.id));
  await startCustodyIfReadyIn(tx, audit, ctx, contract.id, data.confirmedAt, outboxIds);
  return tx.performanceDepositPayment.findUniqueOrThrow({ where: { id: payment.id } });
}

/**
 * Finance (settlement:finance) confirms a declared offline top-up with the voucher number (required,
 * at most 64 characters): the receipt entry, CONFIRMED, and custody starts when the contract is
 * countersigned and now fully paid. Stripe top-ups are confirmed by the webhook only.
 */
export async function confirmOfflineTopUp(ctx: AuditContext, user: ContractActor, paymentId: string, input: { voucher_number: string }, now = new Date()): Promise<TopUpRow> {
  if (!can(user.roles, "settlement:finance")) throw new UserError("custody.topup.notFinance", { status: 403 });
  const voucher = (input.voucher_number ?? "").trim();
  if (!voucher) throw new UserError("custody.topup.voucherRequired", { field: "voucher_number" });
  if (voucher.length > 64) throw new UserError("custody.topup.voucherTooLong", { field: "voucher_number" });
  const outboxIds: string[] = [];
  const result = await audited(ctx, async (tx, audit) => {
    const payment = await tx.performanceDepositPayment.findUnique({ where: { id: paymentId }, include: { contract: true } });
    if (!payment) throw new UserError("custody.topup.notFound", { status: 404 });
    const { contract, ...row } = payment;
    if (row.status === "CONFIRMED") throw new UserError("custody.topup.alreadyConfirmed", { status: 409, params: { status: row.status, voucher: row.voucherNumber ?? "" } });
    if (row.method === "STRIPE") throw new UserError("custody.topup.stripeByWebhookOnly", { status: 409 });
    if (row.status !== "DECLARED") throw new UserError("custody.topup.wrongState", { status: 409, params: { status: row.status } });
    return confirmTopUpIn(tx, audit, ctx, row, contract, { confirmedAt: now, confirmedById: user.id, voucherNumber: voucher }, { voucherNumber: voucher, confirmedById: user.id }, outboxIds);
  });
  await sendQueuedEmails(outboxIds);
  return result;
}

export interface TopUpEventOutcome {
  outcome: "confirmed" | "failed" | "mismatch" | "ignored";
  paymentId?: string;
  reason?: string;
}

/**
 * A verified payment event about a top-up, in the webhook's transaction (processed once per event id
 * by the caller). Returns null when the event is not about a PerformanceDepositPayment (a refund event,
 * or another payment: the caller goes on with bid deposits).
 * - payment.succeeded with the payment's amount and currency: CONFIRMED with the receipt entry, then
 *   custody starts if ready; a different amount or currency confirms nothing (audit `topup.mismatch`);
 * - payment.failed: an awaiting top-up becomes FAILED (the custodian may start again).
 */
export async function applyTopUpEvent(tx: Tx, ctx: AuditContext, event: PaymentEvent, audit: AuditFn, now: Date, outboxIds: string[]): Promise<TopUpEventOutcome | null> {
  if (event.type !== "payment.succeeded" && event.type !== "payment.failed") return null;
  const payment = await tx.performanceDepositPayment.findUnique({ where: { providerRef: event.providerRef }, include: { contract: true } });
  if (!payment) return null;
  const { contract, ...row } = payment;
  if (event.type === "payment.failed") {
    if (row.status !== "AWAITING_PAYMENT") return { outcome: "ignored", paymentId: row.id, reason: `status-${row.status}` };
    const updated = await tx.performanceDepositPayment.updateMany({ where: { id: row.id, status: row.status, version: row.version }, data: { status: "FAILED", version: { increment: 1 } } });
    if (updated.count !== 1) throw new UserError("custody.topup.concurrentChange", { status: 409 });
    await audit({
      action: "topup.fail", entityType: "PerformanceDepositPayment", entityId: row.id,
      before: { status: row.status }, after: { status: "FAILED", event: event.id, reason: event.failureReason ?? null, contractId: contract.id },
    });
    return { outcome: "failed", paymentId: row.id };
  }
  if (event.amount !== row.amount || event.currency.toLowerCase() !== row.currency.toLowerCase()) {
    await audit({
      action: "topup.mismatch", entityType: "PerformanceDepositPayment", entityId: row.id,
      before: { status: row.status, amount: toYuanString(row.amount), currency: row.currency },
      after: { event: event.id, amount: toYuanString(event.amount), currency: event.currency, confirmed: false },
    });
    console.error("top-ups: payment event amount/currency differs from the top-up; not confirmed", { event: event.id, paymentId: row.id });
    return { outcome: "mismatch", paymentId: row.id };
  }
  if (row.status !== "AWAITING_PAYMENT" && row.status !== "FAILED") return { outcome: "ignored", paymentId: row.id, reason: `status-${row.status}` };
  await confirmTopUpIn(tx, audit, ctx, row, contract, { confirmedAt: now, confirmedById: null }, { event: event.id, providerRef: event.providerRef }, outboxIds);
  return { outcome: "confirmed", paymentId: row.id };
}

/** The top-ups of a contract, for anyone who may see the contract (oldest first). */
export async function listTopUps(user: ContractActor, contractId: string): Promise<TopUpRow[]> {
  const contract = await prisma.custodyContract.findUnique({ where: { id: contractId } });
  if (!contract || !mayViewContract(user, contract)) throw new UserError("custody.contract.notFound", { status: 404 });
  return prisma.performanceDepositPayment.findMany({ where: { contractId }, orderBy: { createdAt: "asc" } });
}

export interface DeclaredTopUp {
  id: string;
  contractId: string;
  contractNumber: string;
  custodian: string;
  method: string;
  amount: bigint;
  declaredAt: Date | null;
}

/** Finance's desk: top-ups declared offline that wait for the voucher, oldest first (confirmed on the contract page). */
export async function declaredTopUps(user: Pick<ContractActor, "roles">): Promise<DeclaredTopUp[]> {
  if (!can(user.roles, "settlement:finance")) throw new UserError("custody.topup.notFinance", { status: 403 });
  const rows = await prisma.performanceDepositPayment.findMany({
    where: { status: "DECLARED" },
    include: { contract: { select: { id: true, number: true, custodianKey: true } } },
    orderBy: [{ declaredAt: "asc" }, { createdAt: "asc" }],
    take: 200,
  });
  const names = await custodianNames([...new Set(rows.map((r) => r.contract.custodianKey))]);
  return rows.map((r) => ({
    id: r.id, contractId: r.contract.id, contractNumber: r.contract.number, custodian: names[r.contract.custodianKey] ?? r.contract.custodianKey,
    method: r.method, amount: r.amount, declaredAt: r.declaredAt,
  }));
}
