import crypto from "node:crypto";
import { can } from "~/domain/access";
import { clearingAccountType } from "~/domain/award";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { matchRemittance, type Allocation, type OpenRecovery } from "~/domain/late-interest";
import type { Line } from "~/domain/ledger";
import { toYuanString, type Fen } from "~/domain/money";
import { recoveryStanding } from "~/domain/remittance-position";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { paymentProvider, PaymentProviderError, STRIPE_MAX_AMOUNT_FEN, type PaymentEvent, type StripeMethod } from "~/infra/payments/index.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { custodianKeyOf, isCustodianOf } from "~/services/custody/access.server";
import { custodianNames } from "~/services/custody/contract-views.server";
import { notify } from "~/services/tenders/notifications.server";
import { contractAccount } from "./accounts.server";
import { tellCustodian } from "~/services/custody/custodian-notice.server";
import { nextSettlementNumber } from "./numbers.server";
import { lateInterestSettingsFor, recoveryPositions } from "./positions.server";
import {
  dayInput, isCustodianViewer, isOpenForSettlement, openRecoveryStatuses, reasonMax, referenceMax, remittancesLink, requiredText, usersWith,
  type SettlementActor,
} from "./recoveries.server";

/**
 * Remittances (交账, README step 11, R7, R10): the custodian hands collected money to the bank.
 * - Bank transfer: the custodian declares it (DECLARED, with its transfer reference); the branch
 *   (recoveries:register) confirms it with the voucher number and the day the bank received it
 *   (remittedOn) — or rejects it with a reason.
 * - Stripe: a PaymentIntent (metadata kind "remittance", remittanceId) and the remittance
 *   AWAITING_PAYMENT; only the verified webhook's payment.succeeded confirms it (remittedOn = the China
 *   day of the event), payment.failed makes it FAILED. Idempotent per event (the webhook records each
 *   event id) and per remittance (a confirmed one is final: a DB trigger).
 * Confirmation allocates the amount to the contract's open recoveries as of remittedOn — first in
 * first out, or only the recoveries the remitter named (matchRemittance) — and posts one balanced entry
 * DEBIT CLEARING_BANK_TRANSFER | CLEARING_STRIPE / CREDIT REMITTANCE_RECEIVABLE(contract).
 *
 * Decisions:
 * - Declared amount ≤ what the contract still owes less what other pending remittances (DECLARED,
 *   AWAITING_PAYMENT) already cover; with named recoveries also ≤ their outstanding. A second
 *   declaration for money already declared is refused with the amount still open.
 * - The branch's confirmation is refused when the money cannot all be applied as of remittedOn
 *   (`settlement.recoveries.remittance.unapplied`), or when remittedOn is before the collection of the money it
 *   settles (`settlement.recoveries.remittance.remittedBeforeCollected`). Nothing changes then.
 * - A Stripe payment cannot be refused: when, by the time it succeeds, part of it no longer has an open
 *   recovery (say a forced deduction settled it), what can be applied is allocated, the full amount is
 *   booked (the receivable shows the custodian's credit), and the branch is alerted (audit
 *   `settlement.remittance.unapplied`) to refund the rest. Named recoveries no longer open fall back
 *   to first in first out.
 * - A Stripe success after the remittance was marked FAILED (a retried card on the same PaymentIntent)
 *   is confirmed as a new remittance of the same contract (the FAILED row is final).
 */

export type RemittanceRow = Awaited<ReturnType<typeof prisma.remittance.findUniqueOrThrow>>;
type AuditFn = (e: { action: string; entityType: string; entityId: string; before?: unknown; after?: unknown }) => Promise<void>;

export type RemittanceMethodInput = "bank_transfer" | "stripe";
const methodColumn: Record<RemittanceMethodInput, "BANK_TRANSFER" | "STRIPE"> = { bank_transfer: "BANK_TRANSFER", stripe: "STRIPE" };
export const pendingRemittanceStatuses = ["DECLARED", "AWAITING_PAYMENT"] as const;

export interface DeclareRemittanceInput {
  contractId: string;
  amount: Fen;
  method: string;
  recoveryIds?: readonly string[] | null;
  payerReference?: string | null;
  /** Stripe only: payment method types offered (default card). */
  stripeMethods?: StripeMethod[];
}

export interface OpenPosition {
  id: string;
  number: string;
  loanNumber: string;
  status: string;
  collectedOn: string;
  amount: Fen;
  outstanding: Fen;
}

/** The contract's recoveries money is still owed on (open statuses), with what is outstanding (every allocation counted). */
export async function openPositionsOf(db: Tx, contractId: string): Promise<OpenPosition[]> {
  const rows = await db.recovery.findMany({
    where: { contractId, status: { in: [...openRecoveryStatuses] } },
    select: { id: true, number: true, loanNumber: true, status: true, collectedOn: true, amount: true },
    orderBy: [{ collectedOn: "asc" }, { reportedAt: "asc" }, { id: "asc" }],
  });
  if (rows.length === 0) return [];
  const sums = await db.remittanceAllocation.groupBy({ by: ["recoveryId"], where: { recoveryId: { in: rows.map((r) => r.id) } }, _sum: { amount: true } });
  const remitted = new Map(sums.map((s) => [s.recoveryId, s._sum.amount ?? 0n]));
  return rows.map((r) => ({ ...r, outstanding: r.amount - (remitted.get(r.id) ?? 0n) })).filter((r) => r.outstanding > 0n);
}

async function pendingTotal(db: Tx, contractId: string, except?: string): Promise<Fen> {
  const pending = await db.remittance.findMany({ where: { contractId, status: { in: [...pendingRemittanceStatuses] }, ...(except ? { id: { not: except } } : {}) }, select: { amount: true } });
  return pending.reduce((s, r) => s + r.amount, 0n);
}

const sum = (xs: readonly { outstanding: Fen }[]) => xs.reduce((s, x) => s + x.outstanding, 0n);

/**
 * The custodian (custody:work) declares a remittance on one of its contracts. Refusals change nothing:
 * 404 for a contract that is not the caller's; 409 for a contract closed out or not in custody; 400 on
 * the field for a bad amount or method, recoveries that are not the contract's open ones, an amount
 * above what is open; 413/502 from Stripe (too large, provider down).
 */
export async function declareRemittance(ctx: AuditContext, actor: SettlementActor, input: DeclareRemittanceInput, now = new Date()): Promise<{ remittance: RemittanceRow; clientSecret: string | null }> {
  if (!can(actor.roles, "custody:work")) throw new UserError("settlement.recoveries.notCustodian", { status: 403 });
  const contract = await prisma.custodyContract.findUnique({ where: { id: input.contractId ?? "" } });
  if (!contract || !isCustodianOf(actor, contract)) throw new UserError("settlement.recoveries.remittance.contractNotFound", { status: 404, field: "contract_id" });
  if (!(await isOpenForSettlement(prisma, contract))) throw new UserError("settlement.recoveries.remittance.contractClosed", { status: 409, field: "contract_id", params: { contract: contract.number } });
  if (input.method !== "bank_transfer" && input.method !== "stripe") throw new UserError("settlement.recoveries.remittance.invalidMethod", { field: "method" });
  const method = methodColumn[input.method];
  if (input.amount <= 0n) throw new UserError("settlement.recoveries.amountNotPositive", { field: "amount" });
  const payerReference = (input.payerReference ?? "").trim() || null;
  if (method === "BANK_TRANSFER" && !payerReference) throw new UserError("settlement.recoveries.remittance.payerReferenceRequired", { field: "payer_reference" });
  if (payerReference && payerReference.length > referenceMax) throw new UserError("settlement.recoveries.textTooLong", { field: "payer_reference", params: { max: referenceMax } });
  const named = [...new Set((input.recoveryIds ?? []).map((id) => id.trim()).filter(Boolean))];

  const open = await openPositionsOf(prisma, contract.id);
  const available = sum(open) - (await pendingTotal(prisma, contract.id));
  if (named.length > 0) {
    const rows = await prisma.recovery.findMany({ where: { id: { in: named } }, select: { id: true, number: true, contractId: true } });
    for (const id of named) {
      const row = rows.find((r) => r.id === id);
      if (!row || row.contractId !== contract.id) throw new UserError("settlement.recoveries.remittance.recoveryNotOfContract", { field: "recovery_ids", params: { recovery: row?.number ?? id, contract: contract.number } });
      if (!open.some((o) => o.id === id)) throw new UserError("settlement.recoveries.remittance.recoveryNotOpen", { field: "recovery_ids", params: { recovery: row.number } });
    }
    const namedOpen = sum(open.filter((o) => named.includes(o.id)));
    if (input.amount > namedOpen) throw new UserError("settlement.recoveries.remittance.amountAboveNamed", { field: "amount", params: { amount: toYuanString(input.amount), open: toYuanString(namedOpen) } });
  }
  if (input.amount > available) {
    throw new UserError("settlement.recoveries.remittance.amountAboveOutstanding", { field: "amount", params: { amount: toYuanString(input.amount), open: toYuanString(available < 0n ? 0n : available) } });
  }

  const id = crypto.randomUUID();
  let providerRef: string | null = null;
  let clientSecret: string | null = null;
  if (method === "STRIPE") {
    if (input.amount > STRIPE_MAX_AMOUNT_FEN) throw new UserError("settlement.recoveries.remittance.tooLargeForStripe", { status: 422, field: "amount", params: { amount: toYuanString(input.amount) } });
    try {
      const payment = await paymentProvider("stripe").createDepositPayment({
        amount: input.amount, currency: "cny", reference: id,
        metadata: { kind: "remittance", remittanceId: id, contractId: contract.id, contractNumber: contract.number, custodianKey: contract.custodianKey },
        methods: input.stripeMethods && input.stripeMethods.length > 0 ? [...input.stripeMethods] : ["card"],
        idempotencyKey: `remittance:${id}`,
      });
      providerRef = payment.providerRef;
      clientSecret = payment.clientSecret ?? null;
    } catch (error) {
      if (error instanceof PaymentProviderError) {
        console.error("remittances: Stripe refused the PaymentIntent", { contractId: contract.id, details: error.details, message: error.message });
        throw new UserError("settlement.recoveries.remittance.providerUnavailable", { status: 502 });
      }
      throw error;
    }
  }

  const remittance = await audited(ctx, async (tx, audit) => {
    // Again inside the writing transaction: two declarations at once cannot both take the same money.
    const left = sum(await openPositionsOf(tx, contract.id)) - (await pendingTotal(tx, contract.id));
    if (input.amount > left) throw new UserError("settlement.recoveries.remittance.amountAboveOutstanding", { field: "amount", params: { amount: toYuanString(input.amount), open: toYuanString(left < 0n ? 0n : left) } });
    const number = await nextSettlementNumber(tx, "RMT", Number(todayInChina(now).slice(0, 4)));
    const row = await tx.remittance.create({
      data: {
        id, number, contractId: contract.id, custodianKey: contract.custodianKey, method, amount: input.amount,
        namedRecoveryIds: named.length > 0 ? JSON.stringify(named) : null,
        status: method === "STRIPE" ? "AWAITING_PAYMENT" : "DECLARED", declaredById: actor.id, declaredAt: now, payerReference, providerRef,
      },
    });
    await audit({
      action: "settlement.remittance.declare", entityType: "Remittance", entityId: row.id,
      after: { number, contractId: contract.id, contract: contract.number, method, amount: toYuanString(input.amount), named, payerReference, providerRef, status: row.status },
    });
    if (method === "BANK_TRANSFER") {
      const clerks = await usersWith(tx, "recoveries:register");
      await notify(tx, clerks.map((u) => u.id), "settlement.recoveries.remittance.notice.declared", { number, contract: contract.number, amount: toYuanString(input.amount) }, remittancesLink);
    }
    return row;
  });
  return { remittance, clientSecret };
}

// ---- confirmation ---------------------------------------------------------------------------------

interface Match {
  allocations: Allocation[];
  unapplied: Fen;
}

/** Matches the remittance to the contract's open recoveries collected on or before remittedOn. */
async function matchAsOf(tx: Tx, row: RemittanceRow, remittedOn: string, strict: boolean): Promise<{ match: Match; byId: Map<string, OpenPosition> }> {
  const all = await openPositionsOf(tx, row.contractId);
  const open = all.filter((p) => p.collectedOn <= remittedOn);
  const byId = new Map(open.map((p) => [p.id, p]));
  let named: string[] = row.namedRecoveryIds ? (JSON.parse(row.namedRecoveryIds) as string[]) : [];
  if (named.length > 0) {
    const missing = named.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      if (strict) {
        const late = all.find((p) => missing.includes(p.id));
        if (late) throw new UserError("settlement.recoveries.remittance.remittedBeforeCollected", { field: "remitted_on", params: { day: remittedOn, collectedOn: late.collectedOn, recovery: late.number } });
        const gone = await tx.recovery.findMany({ where: { id: { in: missing } }, select: { number: true } });
        throw new UserError("settlement.recoveries.remittance.recoveryNotOpen", { status: 409, params: { recovery: gone.map((g) => g.number).join(", ") } });
      }
      named = named.filter((id) => byId.has(id));
      if (named.length === 0) named = [];
    }
  }
  const positions: OpenRecovery[] = open.map((p) => ({ id: p.id, collectedOn: p.collectedOn, outstanding: p.outstanding }));
  const match = matchRemittance(positions, { amount: row.amount, named });
  if (strict && match.unapplied > 0n) {
    const later = named.length === 0 ? all.find((p) => p.collectedOn > remittedOn) : undefined;
    if (later && sum(all) >= row.amount) {
      throw new UserError("settlement.recoveries.remittance.remittedBeforeCollected", { field: "remitted_on", params: { day: remittedOn, collectedOn: later.collectedOn, recovery: later.number } });
    }
    throw new UserError("settlement.recoveries.remittance.unapplied", { status: 409, params: { unapplied: toYuanString(match.unapplied), amount: toYuanString(row.amount), open: toYuanString(row.amount - match.unapplied) } });
  }
  return { match, byId };
}

async function confirmIn(
  tx: Tx,
  audit: AuditFn,
  ctx: AuditContext,
  row: RemittanceRow,
  remittedOn: string,
  strict: boolean,
  data: { confirmedById: string | null; confirmedAt: Date; voucherNumber?: string | null },
  auditAfter: Record<string, unknown>,
  outboxIds: string[],
): Promise<RemittanceRow> {
  const contract = await tx.custodyContract.findUniqueOrThrow({ where: { id: row.contractId } });
  const { match, byId } = await matchAsOf(tx, row, remittedOn, strict);
  const clearing = await ensureAccount(tx, { type: clearingAccountType(row.method === "STRIPE" ? "stripe" : "bank_transfer") });
  const receivable = await contractAccount(tx, "REMITTANCE_RECEIVABLE", contract);
  const lines: Line[] = [
    { accountId: clearing.id, side: "DEBIT", amount: row.amount },
    { accountId: receivable.id, side: "CREDIT", amount: row.amount },
  ];
  const entry = await postEntryIn(tx, ctx, {
    description: `交账到账 Remittance received ${row.number} (${contract.number}, ${row.method})`, sourceType: "remittance", sourceId: row.id, lines,
  });
  if (match.allocations.length > 0) {
    await tx.remittanceAllocation.createMany({
      data: match.allocations.map((a) => ({ remittanceId: row.id, recoveryId: a.recoveryId, contractId: row.contractId, amount: a.amount, remittedOn })),
    });
  }
  const updated = await tx.remittance.updateMany({
    where: { id: row.id, status: row.status },
    data: { status: "CONFIRMED", remittedOn, confirmedById: data.confirmedById, confirmedAt: data.confirmedAt, voucherNumber: data.voucherNumber ?? null, entryId: entry.id },
  });
  if (updated.count !== 1) throw new UserError("settlement.recoveries.remittance.wrongState", { status: 409, params: { number: row.number, status: row.status } });
  const allocations = match.allocations.map((a) => ({ recovery: byId.get(a.recoveryId)?.number ?? a.recoveryId, amount: toYuanString(a.amount) }));
  await audit({
    action: "settlement.remittance.confirm", entityType: "Remittance", entityId: row.id,
    before: { status: row.status }, after: { status: "CONFIRMED", number: row.number, amount: toYuanString(row.amount), remittedOn, entryId: entry.id, allocations, ...auditAfter },
  });
  if (match.unapplied > 0n) {
    await audit({
      action: "settlement.remittance.unapplied", entityType: "Remittance", entityId: row.id,
      after: { number: row.number, unapplied: toYuanString(match.unapplied), contract: contract.number },
    });
    const clerks = await usersWith(tx, "recoveries:register");
    await notify(tx, clerks.map((u) => u.id), "settlement.recoveries.remittance.notice.unapplied", { number: row.number, contract: contract.number, unapplied: toYuanString(match.unapplied) }, remittancesLink);
  }
  const params = { number: row.number, contract: contract.number, amount: toYuanString(row.amount), remittedOn };
  outboxIds.push(
    ...(await tellCustodian(tx, contract, { key: "settlement.recoveries.remittance.notice.confirmed", params, link: remittancesLink }, {
      template: "settlementRemittanceConfirmed", params: { ...params, method: row.method, allocations, link: remittancesLink },
    })),
  );
  return tx.remittance.findUniqueOrThrow({ where: { id: row.id } });
}

/**
 * The branch (recoveries:register) confirms a DECLARED bank transfer with the voucher number (required,
 * ≤ 64 characters) and the day the bank received the money (not after today, not before the collection
 * of what it settles): allocations, the receipt entry, CONFIRMED; the custodian is told (bell + email).
 */
export async function confirmRemittance(ctx: AuditContext, actor: SettlementActor, id: string, input: { voucherNumber: string; remittedOn: string }, now = new Date()): Promise<RemittanceRow> {
  if (!can(actor.roles, "recoveries:register")) throw new UserError("settlement.recoveries.notBranch", { status: 403 });
  const voucher = requiredText(input.voucherNumber, "voucher_number", "settlement.recoveries.remittance.voucherRequired", referenceMax);
  const remittedOn = dayInput(input.remittedOn, "remitted_on");
  const today = todayInChina(now);
  if (remittedOn > today) throw new UserError("settlement.recoveries.remittance.remittedInFuture", { field: "remitted_on", params: { day: remittedOn, today } });
  const outboxIds: string[] = [];
  const result = await audited(ctx, async (tx, audit) => {
    const row = await tx.remittance.findUnique({ where: { id } });
    if (!row) throw new UserError("settlement.recoveries.remittance.notFound", { status: 404 });
    if (row.method === "STRIPE") throw new UserError("settlement.recoveries.remittance.stripeByWebhookOnly", { status: 409 });
    if (row.status !== "DECLARED") throw new UserError("settlement.recoveries.remittance.wrongState", { status: 409, params: { number: row.number, status: row.status } });
    if (row.declaredById === actor.id) throw new UserError("settlement.recoveries.fourEyes", { status: 403 });
    return confirmIn(tx, audit, ctx, row, remittedOn, true, { confirmedById: actor.id, confirmedAt: now, voucherNumber: voucher }, { voucherNumber: voucher, confirmedById: actor.id }, outboxIds);
  });
  await sendQueuedEmails(outboxIds);
  return result;
}

/** The branch rejects a DECLARED remittance (the money did not arrive) with a reason; the custodian is told (bell + email). */
export async function rejectRemittance(ctx: AuditContext, actor: SettlementActor, id: string, input: { reason: string }, now = new Date()): Promise<RemittanceRow> {
  if (!can(actor.roles, "recoveries:register")) throw new UserError("settlement.recoveries.notBranch", { status: 403 });
  const reason = requiredText(input.reason, "reason", "settlement.recoveries.reasonRequired", reasonMax);
  const outboxIds: string[] = [];
  const result = await audited(ctx, async (tx, audit) => {
    const row = await tx.remittance.findUnique({ where: { id } });
    if (!row) throw new UserError("settlement.recoveries.remittance.notFound", { status: 404 });
    if (row.status !== "DECLARED") throw new UserError("settlement.recoveries.remittance.wrongState", { status: 409, params: { number: row.number, status: row.status } });
    const updated = await tx.remittance.updateMany({ where: { id, status: "DECLARED" }, data: { status: "REJECTED", rejectedById: actor.id, rejectedAt: now, rejectionReason: reason } });
    if (updated.count !== 1) throw new UserError("settlement.recoveries.remittance.wrongState", { status: 409, params: { number: row.number, status: row.status } });
    await audit({ action: "settlement.remittance.reject", entityType: "Remittance", entityId: id, before: { status: row.status }, after: { status: "REJECTED", number: row.number, reason } });
    const contract = await tx.custodyContract.findUniqueOrThrow({ where: { id: row.contractId } });
    const params = { number: row.number, contract: contract.number, amount: toYuanString(row.amount), reason };
    outboxIds.push(
      ...(await tellCustodian(tx, contract, { key: "settlement.recoveries.remittance.notice.rejected", params, link: remittancesLink }, {
        template: "settlementRemittanceRejected", params: { ...params, link: remittancesLink },
      })),
    );
    return tx.remittance.findUniqueOrThrow({ where: { id } });
  });
  await sendQueuedEmails(outboxIds);
  return result;
}

export interface RemittanceEventOutcome {
  outcome: "confirmed" | "failed" | "mismatch" | "ignored";
  remittanceId?: string;
  reason?: string;
}

/**
 * A verified payment event about a remittance, in the webhook's transaction (the caller records the
 * event id once). Null when the event is not about a remittance (the caller goes on).
 * - payment.succeeded with the amount and currency asked: CONFIRMED on the China day of the event;
 *   another amount or currency confirms nothing (audit `settlement.remittance.mismatch`);
 * - payment.failed: an awaiting remittance becomes FAILED.
 */
export async function applyRemittanceEvent(tx: Tx, ctx: AuditContext, event: PaymentEvent, audit: AuditFn, now: Date, outboxIds: string[]): Promise<RemittanceEventOutcome | null> {
  if (event.type !== "payment.succeeded" && event.type !== "payment.failed") return null;
  const row = await tx.remittance.findUnique({ where: { providerRef: event.providerRef } });
  if (!row) {
    if (event.metadata?.kind !== "remittance") return null;
    return { outcome: "ignored", reason: "unknown-remittance" };
  }
  if (event.type === "payment.failed") {
    if (row.status !== "AWAITING_PAYMENT") return { outcome: "ignored", remittanceId: row.id, reason: `status-${row.status}` };
    const updated = await tx.remittance.updateMany({ where: { id: row.id, status: "AWAITING_PAYMENT" }, data: { status: "FAILED" } });
    if (updated.count !== 1) throw new UserError("settlement.recoveries.remittance.wrongState", { status: 409, params: { number: row.number, status: row.status } });
    await audit({ action: "settlement.remittance.fail", entityType: "Remittance", entityId: row.id, before: { status: row.status }, after: { status: "FAILED", event: event.id, reason: event.failureReason ?? null } });
    return { outcome: "failed", remittanceId: row.id };
  }
  if (event.amount !== row.amount || event.currency.toLowerCase() !== "cny") {
    await audit({
      action: "settlement.remittance.mismatch", entityType: "Remittance", entityId: row.id,
      before: { status: row.status, amount: toYuanString(row.amount), currency: "cny" },
      after: { event: event.id, amount: toYuanString(event.amount), currency: event.currency, confirmed: false },
    });
    console.error("remittances: payment event amount/currency differs from the remittance; not confirmed", { event: event.id, remittanceId: row.id });
    return { outcome: "mismatch", remittanceId: row.id };
  }
  const remittedOn = todayInChina(event.occurredAt);
  if (row.status === "AWAITING_PAYMENT") {
    await confirmIn(tx, audit, ctx, row, remittedOn, false, { confirmedById: null, confirmedAt: now }, { event: event.id, providerRef: event.providerRef }, outboxIds);
    return { outcome: "confirmed", remittanceId: row.id };
  }
  if (row.status === "FAILED") {
    // The FAILED row is final: the late success is a new remittance of the same contract.
    const number = await nextSettlementNumber(tx, "RMT", Number(remittedOn.slice(0, 4)));
    const retry = await tx.remittance.create({
      data: {
        number, contractId: row.contractId, custodianKey: row.custodianKey, method: "STRIPE", amount: row.amount, namedRecoveryIds: row.namedRecoveryIds,
        status: "AWAITING_PAYMENT", declaredById: row.declaredById, declaredAt: now, payerReference: event.providerRef,
      },
    });
    await audit({ action: "settlement.remittance.declare", entityType: "Remittance", entityId: retry.id, after: { number, retries: row.number, providerRef: event.providerRef, amount: toYuanString(row.amount) } });
    await confirmIn(tx, audit, ctx, retry, remittedOn, false, { confirmedById: null, confirmedAt: now }, { event: event.id, providerRef: event.providerRef, retries: row.id }, outboxIds);
    return { outcome: "confirmed", remittanceId: retry.id };
  }
  return { outcome: "ignored", remittanceId: row.id, reason: `status-${row.status}` };
}

// ---- views ---------------------------------------------------------------------------------------

export interface RemittanceView {
  id: string;
  number: string;
  contractId: string;
  contractNumber: string;
  custodian: string;
  method: string;
  amount: Fen;
  status: string;
  named: { id: string; number: string }[];
  payerReference: string | null;
  declaredAt: Date;
  remittedOn: string | null;
  voucherNumber: string | null;
  confirmedAt: Date | null;
  rejectionReason: string | null;
  allocations: { recoveryId: string; recoveryNumber: string; amount: Fen; remittedOn: string }[];
}

function scopeOf(viewer: SettlementActor): { custodianKey?: string } {
  if (!can(viewer.roles, "settlement:view")) throw new UserError("settlement.recoveries.forbidden", { status: 403 });
  return isCustodianViewer(viewer) ? { custodianKey: custodianKeyOf(viewer) } : {};
}

/** Remittances the viewer may see (a custodian its own; the bank every one), newest first, at most 500. */
export async function listRemittances(viewer: SettlementActor, filter: { status?: string; contractId?: string; ids?: string[] } = {}): Promise<RemittanceView[]> {
  const rows = await prisma.remittance.findMany({
    where: { ...scopeOf(viewer), ...(filter.status ? { status: filter.status } : {}), ...(filter.contractId ? { contractId: filter.contractId } : {}), ...(filter.ids ? { id: { in: filter.ids } } : {}) },
    include: { allocations: { orderBy: { createdAt: "asc" } } },
    orderBy: [{ declaredAt: "desc" }, { number: "desc" }],
    take: 500,
  });
  if (rows.length === 0) return [];
  const contracts = await prisma.custodyContract.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.contractId))] } }, select: { id: true, number: true } });
  const recoveryIds = new Set<string>();
  for (const r of rows) {
    for (const a of r.allocations) recoveryIds.add(a.recoveryId);
    for (const id of r.namedRecoveryIds ? (JSON.parse(r.namedRecoveryIds) as string[]) : []) recoveryIds.add(id);
  }
  const recoveries = await prisma.recovery.findMany({ where: { id: { in: [...recoveryIds] } }, select: { id: true, number: true } });
  const numberOf = (id: string) => recoveries.find((r) => r.id === id)?.number ?? id;
  const names = await custodianNames([...new Set(rows.map((r) => r.custodianKey))]);
  return rows.map((r) => ({
    id: r.id, number: r.number, contractId: r.contractId, contractNumber: contracts.find((c) => c.id === r.contractId)?.number ?? "—",
    custodian: names[r.custodianKey] ?? r.custodianKey, method: r.method, amount: r.amount, status: r.status,
    named: (r.namedRecoveryIds ? (JSON.parse(r.namedRecoveryIds) as string[]) : []).map((id) => ({ id, number: numberOf(id) })),
    payerReference: r.payerReference, declaredAt: r.declaredAt, remittedOn: r.remittedOn, voucherNumber: r.voucherNumber, confirmedAt: r.confirmedAt,
    rejectionReason: r.rejectionReason,
    allocations: r.allocations.map((a) => ({ recoveryId: a.recoveryId, recoveryNumber: numberOf(a.recoveryId), amount: a.amount, remittedOn: a.remittedOn })),
  }));
}

/** One remittance the viewer may see; another custodian's is the 404 of an unknown id. */
export async function getRemittance(viewer: SettlementActor, id: string): Promise<RemittanceView> {
  const [view] = await listRemittances(viewer, { ids: [id] });
  if (!view) throw new UserError("settlement.recoveries.remittance.notFound", { status: 404 });
  return view;
}

export interface AccruingRecovery extends OpenPosition {
  /** days the oldest unremitted part has waited as of today */
  delay: number;
  /** the delay reaches the contract's lateInterestFromDays (late interest runs) */
  late: boolean;
  /** late interest of the recovery as of today (remitted parts and the open part, each charge rounded once) */
  lateInterest: Fen;
}

export interface ContractOpenMoney {
  contractId: string;
  contractNumber: string;
  custodian: string;
  outstanding: Fen;
  /** pending (declared or awaiting payment) remittances */
  pending: Fen;
  recoveries: AccruingRecovery[];
}

/**
 * What the viewer's contracts still owe (R7), as of `today`: per contract open for settlement, its
 * recoveries with money outstanding, how long it has waited and the late interest it costs so far
 * (recoveryStanding with the contract's frozen terms and the loan rate of each collection day).
 * A custodian sees its own contracts; the bank every contract with money outstanding.
 */
export async function openMoney(viewer: SettlementActor, today: string): Promise<ContractOpenMoney[]> {
  const scope = scopeOf(viewer);
  const contracts = await prisma.custodyContract.findMany({
    where: { ...scope, status: { in: ["ACTIVE", "ENDED"] }, ...(scope.custodianKey ? {} : { id: { in: (await prisma.recovery.findMany({ where: { status: { in: [...openRecoveryStatuses] } }, select: { contractId: true }, distinct: ["contractId"] })).map((r) => r.contractId) } }) },
    orderBy: { number: "asc" },
    take: 200,
  });
  const closed = new Set((await prisma.contractCloseOut.findMany({ where: { contractId: { in: contracts.map((c) => c.id) } }, select: { contractId: true } })).map((c) => c.contractId));
  const live = contracts.filter((c) => !closed.has(c.id));
  if (live.length === 0) return [];
  const positions = await recoveryPositions(prisma, live.map((c) => c.id));
  const settingsOf = await lateInterestSettingsFor(prisma);
  const names = await custodianNames([...new Set(live.map((c) => c.custodianKey))]);
  const result: ContractOpenMoney[] = [];
  for (const c of live) {
    const open = await openPositionsOf(prisma, c.id);
    if (open.length === 0 && !scope.custodianKey) continue;
    const settingsFor = settingsOf(c.terms);
    const byId = new Map((positions.get(c.id) ?? []).map((p) => [p.id, p]));
    const recoveries = open.map((o) => {
      const position = byId.get(o.id);
      const standing = position ? recoveryStanding(position, today, settingsFor) : { delay: 0, interest: 0n };
      // Late from the contract's own lateInterestFromDays (its frozen terms), for the page to flag.
      return { ...o, delay: standing.delay, late: standing.delay >= settingsFor(o.collectedOn).lateInterestFromDays, lateInterest: standing.interest };
    });
    result.push({ contractId: c.id, contractNumber: c.number, custodian: names[c.custodianKey] ?? c.custodianKey, outstanding: sum(open), pending: await pendingTotal(prisma, c.id), recoveries });
  }
  return result;
}
