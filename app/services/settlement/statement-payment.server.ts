import { z } from "zod";
import { UserError } from "~/domain/errors";
import type { Line } from "~/domain/ledger";
import { formatYuan, toYuanString, type Fen } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { parseOrRefuse } from "~/infra/forms";
import { postEntryIn } from "~/infra/ledger.server";
import { createStripeTransfer, STRIPE_MAX_AMOUNT_FEN } from "~/infra/payments/stripe.server";
import { PaymentConfigError, PaymentProviderError } from "~/infra/payments/types";
import { custodianUsers } from "~/services/custody/access.server";
import { claimAccountOf, performanceDepositAccount, performanceDepositHeld } from "~/services/custody/accounts.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import { notify } from "~/services/tenders/notifications.server";
import { bankAccount, contractAccount } from "./accounts.server";
import { checkStep, type WorkflowActor } from "./statement-workflow.server";
import { loadViewableStatement } from "./statement-views.server";

/**
 * The last step of R9: finance records the payment of a reviewed statement (internal) or one whose
 * invoice is recorded (agency), four-eyes like every step, and posts ONE balanced journal entry
 * (source `settlement-statement`, R10). With P = payable to the custodian, L = the late-interest
 * lines, X = the penalties, net = P − L − X:
 *   DEBIT COMMISSION_EXPENSE P; CREDIT LATE_INTEREST_RECEIVABLE(contract) L; CREDIT BANK_INCOME X;
 *   net > 0 (to_custodian): CREDIT CLEARING_STRIPE (agency with a Stripe account: a transfer to it,
 *     reference tr_…) | CLEARING_BANK_TRANSFER (voucher) | CLEARING_PAYROLL (staff) net;
 *   net < 0 (to_bank): DEBIT CLEARING_BANK_TRANSFER |net| (the custodian paid in, voucher) or
 *     DEPOSIT_NETTING: DEBIT PERFORMANCE_DEPOSIT what it holds up to |net| + DEBIT CLAIM_RECEIVABLE the rest;
 *   net = 0: method NONE (no clearing line; no entry at all when P = L + X = 0).
 * The Stripe transfer is made before the transaction with the idempotency key `statement:<id>`, so a
 * retry after a failure never pays twice. Once paid the statement is immutable (service + trigger).
 */

export const paymentMethods = ["STRIPE_TRANSFER", "BANK_TRANSFER", "PAYROLL", "DEPOSIT_NETTING", "NONE"] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

export const payStatementSchema = z.object({
  method: z.enum(paymentMethods, { error: "settlement.statements.pay.invalidMethod" }),
  reference: z.string().trim().max(64, { error: "settlement.statements.pay.referenceTooLong" }).optional().default(""),
});
export type PayStatementInput = z.input<typeof payStatementSchema>;

type Direction = "to_custodian" | "to_bank" | "nil";

/** The methods allowed for a statement's direction and custodian. */
export function allowedMethods(direction: Direction, custodianKind: string, stripeAccountId: string | null): PaymentMethod[] {
  if (direction === "nil") return ["NONE"];
  if (direction === "to_bank") return ["BANK_TRANSFER", "DEPOSIT_NETTING"];
  if (custodianKind === "AGENCY") return stripeAccountId ? ["STRIPE_TRANSFER", "BANK_TRANSFER"] : ["BANK_TRANSFER"];
  return ["PAYROLL", "BANK_TRANSFER"];
}

const needsReference: ReadonlySet<PaymentMethod> = new Set(["BANK_TRANSFER", "PAYROLL"]);

async function sums(db: Tx | typeof prisma, statementId: string) {
  const lines = await db.settlementStatementLine.groupBy({ by: ["kind"], where: { statementId }, _sum: { amount: true } });
  const of = (kind: string) => lines.find((l) => l.kind === kind)?._sum.amount ?? 0n;
  return { lateInterest: of("late_interest"), penalty: of("penalty") };
}

/** Checks everything the payment needs, without writing: the step (four-eyes), the method, the reference, the Stripe account. */
async function preparePayment(db: Tx | typeof prisma, actor: WorkflowActor, statementId: string, method: PaymentMethod, reference: string) {
  const s = await loadViewableStatement(actor, statementId, db);
  const step = checkStep(s, actor, "pay");
  const direction: Direction = s.netPayable > 0n ? "to_custodian" : s.netPayable < 0n ? "to_bank" : "nil";
  const org = s.custodianKind === "AGENCY" ? await db.organization.findUnique({ where: { id: s.custodianKey.slice(4) }, select: { stripeAccountId: true } }) : null;
  const stripeAccountId = org?.stripeAccountId ?? null;
  const allowed = allowedMethods(direction, s.custodianKind, stripeAccountId);
  if (!allowed.includes(method)) {
    throw new UserError("settlement.statements.pay.methodNotAllowed", { status: 422, field: "method", params: { method, allowed: allowed.join(", "), direction } });
  }
  if (needsReference.has(method) && reference === "") throw new UserError("settlement.statements.pay.referenceRequired", { status: 400, field: "reference" });
  if (method === "STRIPE_TRANSFER" && s.netPayable > STRIPE_MAX_AMOUNT_FEN) {
    throw new UserError("settlement.statements.pay.stripeTooLarge", { status: 422, field: "method", params: { amount: formatYuan(s.netPayable) } });
  }
  return { s, step, direction, stripeAccountId };
}

/** Finance records the payment (the last step). Returns the paid statement's id, method, reference and entry. */
export async function payStatement(ctx: AuditContext, actor: WorkflowActor, statementId: string, input: PayStatementInput, now: Date = new Date()) {
  const parsed = parseOrRefuse(payStatementSchema, input);
  const first = await preparePayment(prisma, actor, statementId, parsed.method, parsed.reference);
  let reference = parsed.reference || null;
  if (parsed.method === "STRIPE_TRANSFER") {
    try {
      const transfer = await createStripeTransfer({
        amount: first.s.netPayable, destination: first.stripeAccountId!, idempotencyKey: `statement:${first.s.id}`,
        metadata: { kind: "settlement-statement", statementId: first.s.id, number: first.s.number }, description: `Settlement statement ${first.s.number}`,
      });
      reference = transfer.transferRef;
    } catch (error) {
      if (error instanceof PaymentProviderError || error instanceof PaymentConfigError) {
        throw new UserError("settlement.statements.pay.transferFailed", { status: 502, params: { message: error.message } });
      }
      throw error;
    }
  }
  const result = await audited(ctx, async (tx, audit) => {
    // Checked again inside the transaction: nothing may have moved meanwhile.
    const { s, step } = await preparePayment(tx, actor, statementId, parsed.method, parsed.method === "STRIPE_TRANSFER" ? "" : parsed.reference);
    const contract = await tx.custodyContract.findUniqueOrThrow({ where: { id: s.contractId }, select: { id: true, number: true, custodianKey: true } });
    const { lateInterest: L, penalty: X } = await sums(tx, s.id);
    const P = s.payableToCustodian;
    const net = P - L - X;
    if (net !== s.netPayable) throw new Error(`statement ${s.number}: lines add up to ${net}, stored net ${s.netPayable}`);
    const lines: Line[] = [];
    const add = (accountId: string, side: Line["side"], amount: Fen) => {
      if (amount > 0n) lines.push({ accountId, side, amount });
    };
    add((await bankAccount(tx, "COMMISSION_EXPENSE")).id, "DEBIT", P);
    if (L > 0n) add((await contractAccount(tx, "LATE_INTEREST_RECEIVABLE", contract)).id, "CREDIT", L);
    if (X > 0n) add((await bankAccount(tx, "BANK_INCOME")).id, "CREDIT", X);
    let fromDeposit = 0n;
    let claim = 0n;
    if (net > 0n) {
      const clearing = parsed.method === "STRIPE_TRANSFER" ? "CLEARING_STRIPE" : parsed.method === "PAYROLL" ? "CLEARING_PAYROLL" : "CLEARING_BANK_TRANSFER";
      add((await bankAccount(tx, clearing)).id, "CREDIT", net);
    } else if (net < 0n) {
      const owed = -net;
      if (parsed.method === "BANK_TRANSFER") add((await bankAccount(tx, "CLEARING_BANK_TRANSFER")).id, "DEBIT", owed);
      else {
        const held = await performanceDepositHeld(tx, contract);
        fromDeposit = held < owed ? (held > 0n ? held : 0n) : owed;
        claim = owed - fromDeposit;
        if (fromDeposit > 0n) add((await performanceDepositAccount(tx, contract)).id, "DEBIT", fromDeposit);
        if (claim > 0n) add((await claimAccountOf(tx, contract.custodianKey)).id, "DEBIT", claim);
      }
    }
    const entry = lines.length
      ? await postEntryIn(tx, ctx, { description: `Settlement statement ${s.number} paid (${parsed.method})`, sourceType: "settlement-statement", sourceId: s.id, lines })
      : null;
    const updated = await tx.settlementStatement.updateMany({
      where: { id: s.id, state: s.state },
      data: { state: step.state, paidById: actor.id, paidAt: now, paymentMethod: parsed.method, paymentReference: reference, entryId: entry?.id ?? null },
    });
    if (updated.count !== 1) throw new UserError("settlement.statements.concurrentChange", { status: 409 });
    await audit({
      action: "statement.pay", entityType: "SettlementStatement", entityId: s.id, before: { state: s.state },
      after: {
        number: s.number, state: step.state, method: parsed.method, reference, entryId: entry?.id ?? null,
        payable: toYuanString(P), lateInterest: toYuanString(L), penalty: toYuanString(X), net: toYuanString(net), fromDeposit: toYuanString(fromDeposit), claim: toYuanString(claim),
      },
    });
    const params = { number: s.number, contract: contract.number, amount: formatYuan(net < 0n ? -net : net) };
    const users = await custodianUsers(tx, contract);
    await notify(tx, users.map((u) => u.id), net >= 0n ? "settlement.statements.notice.paid" : "settlement.statements.notice.settledByCustodian", params, `/settlement/statements/${s.id}`);
    const outbox: string[] = [];
    for (const user of users) {
      outbox.push((await queueEmailIn(tx, user, "settlementStatementPaid", {
        number: s.number, contract: contract.number, net, method: parsed.method, reference, fromDeposit, claim, link: `/settlement/statements/${s.id}`,
      })).id);
    }
    return { id: s.id, number: s.number, state: step.state, method: parsed.method, reference, entryId: entry?.id ?? null, fromDeposit, claim, outbox };
  });
  await sendQueuedEmails(result.outbox);
  const { outbox: _sent, ...paid } = result;
  void _sent;
  return paid;
}
