import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { endContract, lateInterestAccrual, verifiedRecovery, yuan } from "../fixtures/settlement-statements";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { callLoader, postForm } from "../support/routes";
import { installStripeFake } from "../support/stripe-fake";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { balanceIn, ensureAccount } from "~/infra/ledger.server";
import { claimAccountOf } from "~/services/custody/accounts.server";
import { payStatement } from "~/services/settlement/statement-payment.server";
import { takeStatementStep, verifyLine } from "~/services/settlement/statement-workflow.server";
import { generateDueStatements } from "~/services/settlement/statements.server";
/* eslint-disable no-restricted-imports -- the pages' loaders and actions are called directly, with a session cookie */
import { action as orgAction, loader as orgLoader } from "~/routes/admin.orgs.$orgId";
import { action as statementAction, loader as statementLoader } from "~/routes/settlement.statements.$statementId";
import { action as listAction, loader as listLoader } from "~/routes/settlement.statements._index";
/* eslint-enable no-restricted-imports */

/**
 * R9 four-eyes workflow: each step by its role and by someone else than the previous step, the
 * department verifying line by line, finance paying through the method that fits (Stripe transfer,
 * bank transfer, payroll, deposit netting) with one balanced journal entry; paid = immutable.
 */

installRecordingQueue();
const stripe = installStripeFake();
const ctx = systemContext("test");

let officer: AuthUser;
let officer2: AuthUser;
let finance: AuthUser;
let finance2: AuthUser;
let clerk: AuthUser;
let bidder: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ officer, finance, bidder, agency } = await freshTenderCast());
  officer2 = await asUser("officer2@bank.example");
  finance2 = await asUser("finance2@bank.example");
  clerk = await asUser("clerk@bank.example");
  stripe.fake.reset();
});

const startsJune = new Date("2026-06-01T00:00:00Z");

async function balanceOfType(type: "COMMISSION_EXPENSE" | "BANK_INCOME" | "CLEARING_STRIPE" | "CLEARING_BANK_TRANSFER" | "CLEARING_PAYROLL") {
  return prisma.$transaction(async (tx) => balanceIn(tx, (await ensureAccount(tx, { type })).id));
}

/** One Q2 statement of a new contract with these recoveries (and late interest booked at the quarter end). */
async function q2Statement(custodian: AuthUser, spec: { recovered: bigint; lateInterest?: bigint; performanceDeposit?: bigint; final?: boolean }) {
  const c = await custodyContract({ custodian, startsAt: startsJune, termMonths: spec.final ? 1 : 6, price: yuan(1_000_000), ...(spec.performanceDeposit !== undefined ? { performanceDeposit: spec.performanceDeposit } : {}) });
  if (spec.recovered > 0n) await verifiedRecovery(c, { collectedOn: "2026-06-10", principal: spec.recovered });
  // one month from 2026-06-01: the term's last day is 2026-07-01, the FINAL period 2026-07-01..2026-07-01
  if (spec.lateInterest) await lateInterestAccrual(c.contract, spec.final ? "2026-07-01" : "2026-06-30", spec.lateInterest);
  if (spec.final) await endContract(c.contract.id);
  await generateDueStatements("2026-07-05");
  const statement = await prisma.settlementStatement.findFirstOrThrow({ where: { contractId: c.contract.id, kind: spec.final ? "FINAL" : "QUARTERLY" }, include: { lines: { orderBy: { position: "asc" } } } });
  return { c, statement };
}

/** Walks a statement to `until` with the right people. */
async function walk(id: string, until: "submitted" | "verified" | "reviewed" | "invoice_recorded") {
  await takeStatementStep(ctx, clerk, id, "submit");
  if (until === "submitted") return;
  const lines = await prisma.settlementStatementLine.findMany({ where: { statementId: id } });
  for (const l of lines) await verifyLine(ctx, officer, id, l.position);
  await takeStatementStep(ctx, officer, id, "verify");
  if (until === "verified") return;
  await takeStatementStep(ctx, finance, id, "review");
  if (until === "reviewed") return;
  await takeStatementStep(ctx, finance2, id, "record_invoice", { invoiceNumber: "FP-0001" });
}

/** The message of the database trigger that refused a write. */
async function triggerMessage(write: Promise<unknown>): Promise<string> {
  try {
    await write;
  } catch (error) {
    const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalMessage?: string } } } }).meta?.driverAdapterError?.cause?.originalMessage;
    return cause ?? String(error);
  }
  throw new Error("expected the database to refuse the write");
}

const code = async (p: Promise<unknown>) => {
  const e = await refusal(p);
  return [e.key, e.status];
};

describe("four eyes, step by step (R9)", () => {
  it("agency: the wrong role and the same person as the previous step are refused at every step; lines verified one by one", async () => {
    const { statement } = await q2Statement(agency, { recovered: yuan(100_000) });
    const id = statement.id;
    expect(statement.lines.map((l) => [l.kind, l.amount])).toEqual([["recovery", yuan(100_000)], ["fee", yuan(12_000)], ["late_interest", 0n]]);

    expect(await code(takeStatementStep(ctx, finance, id, "submit"))).toEqual(["settlement.statements.refused.wrong_role", 403]);
    expect(await code(takeStatementStep(ctx, clerk, id, "verify"))).toEqual(["settlement.statements.refused.wrong_state", 409]);
    await takeStatementStep(ctx, clerk, id, "submit");
    expect(await prisma.notification.count({ where: { userId: officer.id, messageKey: "settlement.statements.notice.submitted" } })).toBe(1);

    // the department verifies line by line: no verify before every line is, and only the department verifies a line
    expect(await code(takeStatementStep(ctx, officer, id, "verify"))).toEqual(["settlement.statements.refused.lines_not_verified", 422]);
    expect(await code(verifyLine(ctx, clerk, id, 1))).toEqual(["settlement.statements.refused.wrong_role", 403]);
    expect(await code(verifyLine(ctx, finance, id, 1))).toEqual(["settlement.statements.refused.wrong_role", 403]);
    await verifyLine(ctx, officer, id, 1);
    expect(await code(verifyLine(ctx, officer2, id, 1))).toEqual(["settlement.statements.lineAlreadyVerified", 409]);
    expect(await code(verifyLine(ctx, officer, id, 9))).toEqual(["settlement.statements.lineNotFound", 404]);
    await verifyLine(ctx, officer2, id, 2);
    const partly = await refusal(takeStatementStep(ctx, officer, id, "verify"));
    expect(partly.options.params).toMatchObject({ verified: 2, count: 3 });
    await verifyLine(ctx, officer, id, 3);
    expect(await prisma.auditEntry.count({ where: { action: "statement.line.verify", entityId: id } })).toBe(3);
    expect(await code(takeStatementStep(ctx, finance, id, "verify"))).toEqual(["settlement.statements.refused.wrong_role", 403]);
    await takeStatementStep(ctx, officer, id, "verify");

    expect(await code(takeStatementStep(ctx, officer2, id, "review"))).toEqual(["settlement.statements.refused.wrong_role", 403]);
    await takeStatementStep(ctx, finance, id, "review");
    // the same finance officer may not record the invoice right after reviewing
    expect(await code(takeStatementStep(ctx, finance, id, "record_invoice", { invoiceNumber: "FP-1" }))).toEqual(["settlement.statements.refused.same_person", 403]);
    expect(await code(takeStatementStep(ctx, finance2, id, "record_invoice", { invoiceNumber: "  " }))).toEqual(["settlement.statements.refused.invoice_required", 400]);
    expect(await code(takeStatementStep(ctx, finance2, id, "record_invoice", { invoiceNumber: "F".repeat(65) }))).toEqual(["settlement.statements.refused.invoice_required", 400]);
    expect(await code(takeStatementStep(ctx, finance2, id, "pay" as never))).toEqual(["settlement.statements.unknownAction", 404]);
    await takeStatementStep(ctx, finance2, id, "record_invoice", { invoiceNumber: " FP-2026-001 " });
    expect(await code(payStatement(ctx, finance2, id, { method: "BANK_TRANSFER", reference: "FK-1" }))).toEqual(["settlement.statements.refused.same_person", 403]);
    expect(await code(payStatement(ctx, clerk, id, { method: "BANK_TRANSFER", reference: "FK-1" }))).toEqual(["settlement.statements.refused.wrong_role", 403]);

    const paid = await payStatement(ctx, finance, id, { method: "BANK_TRANSFER", reference: "FK-2026-001" });
    expect(paid).toMatchObject({ state: "paid", method: "BANK_TRANSFER", reference: "FK-2026-001" });
    const row = await prisma.settlementStatement.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "paid", invoiceNumber: "FP-2026-001", submittedById: clerk.id, verifiedById: officer.id, reviewedById: finance.id, invoiceRecordedById: finance2.id, paidById: finance.id });
    expect(await prisma.auditEntry.count({ where: { entityId: id, action: { in: ["statement.submit", "statement.verify", "statement.review", "statement.record_invoice", "statement.pay"] } } })).toBe(5);
    // the agency is told (bell + email)
    expect(await prisma.notification.count({ where: { userId: agency.id, messageKey: "settlement.statements.notice.paid" } })).toBe(1);
    expect(await prisma.outboxEmail.count({ where: { to: "admin@huaxin.example", template: "settlementStatementPaid" } })).toBe(1);
    // ledger: DEBIT COMMISSION_EXPENSE 12,000 / CREDIT CLEARING_BANK_TRANSFER 12,000
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: row.entryId! }, include: { lines: { include: { account: true } } } });
    expect(entry.sourceType).toBe("settlement-statement");
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([["CLEARING_BANK_TRANSFER", "CREDIT", yuan(12_000)], ["COMMISSION_EXPENSE", "DEBIT", yuan(12_000)]]);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("one person holding two roles may not take two consecutive steps (submit then verify, or verify a line of what they submitted)", async () => {
    await prisma.userRole.create({ data: { userId: officer2.id, role: "branch_clerk" } });
    const both = await asUser("officer2@bank.example");
    const { statement } = await q2Statement(bidder, { recovered: yuan(50_000) });
    await takeStatementStep(ctx, both, statement.id, "submit");
    expect(await code(verifyLine(ctx, both, statement.id, 1))).toEqual(["settlement.statements.refused.same_person", 403]);
    for (const l of statement.lines) await verifyLine(ctx, officer, statement.id, l.position);
    expect(await code(takeStatementStep(ctx, both, statement.id, "verify"))).toEqual(["settlement.statements.refused.same_person", 403]);
    await takeStatementStep(ctx, officer, statement.id, "verify");
    expect((await prisma.settlementStatement.findUniqueOrThrow({ where: { id: statement.id } })).state).toBe("verified");
  });
});

describe("payment (R10: one balanced entry)", () => {
  it("agency with a Stripe account: a transfer to it (tr_…, idempotent), CLEARING_STRIPE credited; then immutable (service and trigger)", async () => {
    await prisma.organization.update({ where: { id: agency.organizationId }, data: { stripeAccountId: "acct_huaxin001" } });
    const { statement } = await q2Statement(agency, { recovered: yuan(100_000), lateInterest: yuan(300) });
    const id = statement.id;
    expect(statement.netPayable).toBe(yuan(12_000) - yuan(300));
    await walk(id, "invoice_recorded");
    expect(await code(payStatement(ctx, finance, id, { method: "DEPOSIT_NETTING" }))).toEqual(["settlement.statements.pay.methodNotAllowed", 422]);
    const paid = await payStatement(ctx, finance, id, { method: "STRIPE_TRANSFER" });
    expect(paid.reference).toMatch(/^tr_/);
    const transfer = stripe.fake.transfers.get(paid.reference!)!;
    expect(transfer).toMatchObject({ amount: 1_170_000, currency: "cny", destination: "acct_huaxin001", metadata: { statementId: id, number: statement.number } });
    expect(stripe.fake.requests.find((r) => r.path === "/v1/transfers")?.idempotencyKey).toBe(`statement:${id}`);
    const entry = await prisma.journalEntry.findFirstOrThrow({ where: { sourceType: "settlement-statement", sourceId: id }, include: { lines: { include: { account: true } } } });
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([
      ["CLEARING_STRIPE", "CREDIT", yuan(11_700)],
      ["COMMISSION_EXPENSE", "DEBIT", yuan(12_000)],
      ["LATE_INTEREST_RECEIVABLE", "CREDIT", yuan(300)],
    ]);
    // paid: every step refused by the service…
    expect(await code(payStatement(ctx, finance2, id, { method: "STRIPE_TRANSFER" }))).toEqual(["settlement.statements.refused.immutable", 409]);
    expect(await code(takeStatementStep(ctx, clerk, id, "submit"))).toEqual(["settlement.statements.refused.immutable", 409]);
    expect(await code(verifyLine(ctx, officer, id, 1))).toEqual(["settlement.statements.refused.immutable", 409]);
    // …and by the database
    expect(await triggerMessage(prisma.settlementStatement.update({ where: { id }, data: { state: "draft" } }))).toBe("a paid statement is immutable");
    expect(await triggerMessage(prisma.settlementStatement.update({ where: { id }, data: { invoiceNumber: "X" } }))).toBe("a paid statement is immutable");
    expect(await triggerMessage(prisma.settlementStatementLine.update({ where: { statementId_position: { statementId: id, position: 1 } }, data: { amount: 1n } }))).toBe("a statement line is final once verified");
    expect(await triggerMessage(prisma.settlementStatement.delete({ where: { id } }))).toBe("statements are never deleted");
    expect((await prisma.settlementStatement.findUniqueOrThrow({ where: { id } })).state).toBe("paid");
    expect(stripe.fake.transfers.size).toBe(1);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("Stripe refuses the transfer: a clear error and nothing changes", async () => {
    await prisma.organization.update({ where: { id: agency.organizationId }, data: { stripeAccountId: "acct_insufficient" } });
    const { statement } = await q2Statement(agency, { recovered: yuan(10_000) });
    await walk(statement.id, "invoice_recorded");
    const before = { entries: await prisma.journalEntry.count(), audit: await prisma.auditEntry.count() };
    const error = await refusal(payStatement(ctx, finance, statement.id, { method: "STRIPE_TRANSFER" }));
    expect([error.key, error.status]).toEqual(["settlement.statements.pay.transferFailed", 502]);
    expect(String(error.options.params?.message)).toMatch(/insufficient/);
    expect((await prisma.settlementStatement.findUniqueOrThrow({ where: { id: statement.id } })).state).toBe("invoice_recorded");
    expect({ entries: await prisma.journalEntry.count(), audit: await prisma.auditEntry.count() }).toEqual(before);
  });

  it("staff: no invoice step; payroll with a voucher; bad input refused with nothing changed", async () => {
    const { statement } = await q2Statement(bidder, { recovered: yuan(500_000), lateInterest: yuan(1_000) });
    const id = statement.id;
    expect(statement.lines.find((l) => l.kind === "commission")!.amount).toBe(yuan(50_000));
    await walk(id, "reviewed");
    expect(await code(takeStatementStep(ctx, finance2, id, "record_invoice", { invoiceNumber: "FP" }))).toEqual(["settlement.statements.refused.wrong_state", 409]);
    const before = { entries: await prisma.journalEntry.count(), audit: await prisma.auditEntry.count(), state: "reviewed" };
    expect(await code(payStatement(ctx, finance2, id, { method: "PAYROLL", reference: "" }))).toEqual(["settlement.statements.pay.referenceRequired", 400]);
    expect(await code(payStatement(ctx, finance2, id, { method: "STRIPE_TRANSFER" }))).toEqual(["settlement.statements.pay.methodNotAllowed", 422]);
    expect(await code(payStatement(ctx, finance2, id, { method: "CASH" as never }))).toEqual(["settlement.statements.pay.invalidMethod", 400]);
    expect(await code(payStatement(ctx, finance2, id, { method: "PAYROLL", reference: "x".repeat(65) }))).toEqual(["settlement.statements.pay.referenceTooLong", 400]);
    expect({ entries: await prisma.journalEntry.count(), audit: await prisma.auditEntry.count(), state: (await prisma.settlementStatement.findUniqueOrThrow({ where: { id } })).state }).toEqual(before);
    const expenseBefore = await balanceOfType("COMMISSION_EXPENSE");
    await payStatement(ctx, finance2, id, { method: "PAYROLL", reference: "GZ-2026-07" });
    expect((await balanceOfType("COMMISSION_EXPENSE")) - expenseBefore).toBe(yuan(50_000));
    expect(await balanceOfType("CLEARING_PAYROLL")).toBe(-yuan(49_000));
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("the custodian owes the bank: deposit netting takes the deposit and books the rest as a claim; bank transfer takes it in", async () => {
    // FINAL of a one-month agency contract with nothing recovered: 2% × ¥1,000,000 = ¥20,000 penalty + ¥100 late interest
    const { c, statement } = await q2Statement(agency, { recovered: 0n, lateInterest: yuan(100), performanceDeposit: yuan(5_000), final: true });
    expect(statement.kind).toBe("FINAL");
    expect(statement.netPayable).toBe(-yuan(20_100));
    await walk(statement.id, "invoice_recorded");
    expect(await code(payStatement(ctx, finance, statement.id, { method: "PAYROLL", reference: "x" }))).toEqual(["settlement.statements.pay.methodNotAllowed", 422]);
    const incomeBefore = await balanceOfType("BANK_INCOME");
    const paid = await payStatement(ctx, finance, statement.id, { method: "DEPOSIT_NETTING" });
    expect(paid).toMatchObject({ fromDeposit: yuan(5_000), claim: yuan(15_100) });
    expect(await prisma.$transaction((tx) => balanceIn(tx, c.depositAccountId))).toBe(0n);
    expect(await prisma.$transaction(async (tx) => balanceIn(tx, (await claimAccountOf(tx, c.contract.custodianKey)).id))).toBe(yuan(15_100));
    expect((await balanceOfType("BANK_INCOME")) - incomeBefore).toBe(yuan(20_000));
    expect(await prisma.notification.count({ where: { userId: agency.id, messageKey: "settlement.statements.notice.settledByCustodian" } })).toBe(1);
    expect(await everyEntryBalanced()).toBe(true);

    const other = await q2Statement(bidder, { recovered: 0n, lateInterest: yuan(80) });
    expect(other.statement.netPayable).toBe(-yuan(80));
    await walk(other.statement.id, "reviewed");
    await payStatement(ctx, finance2, other.statement.id, { method: "BANK_TRANSFER", reference: "SK-0001" });
    const entry = await prisma.journalEntry.findFirstOrThrow({ where: { sourceId: other.statement.id }, include: { lines: { include: { account: true } } } });
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([["CLEARING_BANK_TRANSFER", "DEBIT", yuan(80)], ["LATE_INTEREST_RECEIVABLE", "CREDIT", yuan(80)]]);
  });

  it("nothing either way: method NONE, no entry", async () => {
    const { statement } = await q2Statement(bidder, { recovered: yuan(10_000) }); // below the 5% threshold: commission 0
    expect(statement.netPayable).toBe(0n);
    await walk(statement.id, "reviewed");
    expect(await code(payStatement(ctx, finance2, statement.id, { method: "BANK_TRANSFER", reference: "X" }))).toEqual(["settlement.statements.pay.methodNotAllowed", 422]);
    const paid = await payStatement(ctx, finance2, statement.id, { method: "NONE" });
    expect(paid).toMatchObject({ state: "paid", entryId: null, method: "NONE" });
    expect(await prisma.journalEntry.count({ where: { sourceType: "settlement-statement" } })).toBe(0);
  });
});

describe("the pages", () => {
  it("list, generate, and walk a statement through the page's forms; the agency sees its own read-only, another agency gets a 404", async () => {
    const c = await custodyContract({ custodian: agency, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000) });
    await verifiedRecovery(c, { collectedOn: "2026-06-10", principal: yuan(20_000), interest: yuan(5_000) });
    // generate (branch clerk) for a past quarter
    const generated = await postForm(listAction, "/settlement/statements", "clerk@bank.example", [["intent", "generate"], ["contract_id", c.contract.id], ["year", "2026"], ["quarter", "2"]]);
    expect(generated.status).toBe(302);
    const statement = await prisma.settlementStatement.findFirstOrThrow({ where: { contractId: c.contract.id } });
    expect(generated.location).toBe(`/settlement/statements/${statement.id}`);
    const bad = await postForm(listAction, "/settlement/statements", "clerk@bank.example", [["intent", "generate"], ["contract_id", c.contract.id], ["year", "2026"], ["quarter", "2"]]);
    expect(bad.status).toBe(409);
    expect(bad.data).toMatchObject({ formError: "settlement.statements.duplicate", intent: "generate" });
    const forbidden = await postForm(listAction, "/settlement/statements", "finance@bank.example", [["intent", "generate"], ["contract_id", c.contract.id], ["year", "2026"], ["quarter", "3"]]);
    expect(forbidden.status).toBe(403);

    const list = await callLoader(listLoader, "/settlement/statements", "admin@huaxin.example");
    expect(list.data!.statements.map((s: { number: string }) => s.number)).toEqual([statement.number]);
    expect(list.data!.generate).toBe(false);
    expect((await callLoader(listLoader, "/settlement/statements", "admin@anda.example")).data!.statements).toEqual([]);
    expect((await callLoader(listLoader, "/settlement/statements?state=paid", "officer@bank.example")).data!.statements).toEqual([]);

    const path = `/settlement/statements/${statement.id}`;
    const params = { statementId: statement.id };
    expect((await callLoader(statementLoader, path, "admin@anda.example", params)).status).toBe(404);
    const asAgency = await callLoader(statementLoader, path, "member@huaxin.example", params);
    expect(asAgency.data!.may).toEqual({ verifyLines: false, submit: false, verify: false, review: false, invoice: false, pay: false });

    const post = (email: string, fields: [string, string][]) => postForm(statementAction, path, email, fields, { params });
    expect((await post("clerk@bank.example", [["intent", "submit"]])).status).toBe(302);
    const page = await callLoader(statementLoader, path, "officer@bank.example", params);
    expect(page.data!.may).toMatchObject({ verifyLines: true, verify: true });
    expect(page.data!.statement.state).toBe("submitted");
    for (const l of page.data!.lines as { position: number }[]) expect((await post("officer@bank.example", [["intent", "verify-line"], ["position", String(l.position)]])).status).toBe(302);
    expect((await post("officer@bank.example", [["intent", "verify"]])).status).toBe(302);
    expect((await post("finance@bank.example", [["intent", "review"]])).status).toBe(302);
    const same = await post("finance@bank.example", [["intent", "invoice"], ["invoice_number", "FP-9"]]);
    expect([same.status, same.data?.formError]).toEqual([403, "settlement.statements.refused.same_person"]);
    const empty = await post("finance2@bank.example", [["intent", "invoice"], ["invoice_number", ""]]);
    expect([empty.status, empty.data?.fieldErrors?.invoice_number]).toEqual([400, ["settlement.statements.refused.invoice_required"]]);
    expect((await post("finance2@bank.example", [["intent", "invoice"], ["invoice_number", "FP-9"]])).status).toBe(302);
    const payPage = await callLoader(statementLoader, path, "finance@bank.example", params);
    expect(payPage.data!.methods).toEqual(["BANK_TRANSFER"]);
    const noVoucher = await post("finance@bank.example", [["intent", "pay"], ["method", "BANK_TRANSFER"], ["voucher_number", ""]]);
    expect([noVoucher.status, noVoucher.data?.fieldErrors?.voucher_number]).toEqual([400, ["settlement.statements.pay.referenceRequired"]]);
    expect((await post("finance@bank.example", [["intent", "pay"], ["method", "BANK_TRANSFER"], ["voucher_number", "FK-9"]])).status).toBe(302);
    const done = await callLoader(statementLoader, path, "admin@huaxin.example", params);
    expect(done.data!.statement).toMatchObject({ state: "paid", paymentMethod: "BANK_TRANSFER", paymentReference: "FK-9", netPayable: yuan(3_000) });
    expect(done.data!.steps.map((s: { step: string }) => s.step)).toEqual(["submitted", "verified", "reviewed", "invoice_recorded", "paid"]);
  });
});

describe("the agency's Stripe account on the admin organization page", () => {
  it("accepts acct_…, refuses anything else, keeps it when the field is absent, removes it when emptied", async () => {
    const orgId = agency.organizationId;
    const path = `/admin/orgs/${orgId}`;
    const org = (await callLoader(orgLoader, path, "admin@bank.example", { orgId })).data!.organization;
    const fields = (stripeAccountId?: string): [string, string][] => [
      ["intent", "save"], ["name", org.name], ["licenceNumber", org.licenceNumber ?? ""], ["legalRepresentative", org.legalRepresentative ?? ""],
      ...(stripeAccountId === undefined ? [] : [["stripeAccountId", stripeAccountId] as [string, string]]),
    ];
    const bad = await postForm(orgAction, path, "admin@bank.example", fields("acct-1; drop"), { params: { orgId } });
    expect([bad.status, bad.data?.fieldErrors?.stripeAccountId]).toEqual([400, ["settlement.statements.org.invalidStripeAccount"]]);
    expect((await prisma.organization.findUniqueOrThrow({ where: { id: orgId } })).stripeAccountId).toBeNull();
    expect((await postForm(orgAction, path, "admin@bank.example", fields(" acct_1Huaxin "), { params: { orgId } })).status).toBe(302);
    expect((await prisma.organization.findUniqueOrThrow({ where: { id: orgId } })).stripeAccountId).toBe("acct_1Huaxin");
    expect((await postForm(orgAction, path, "admin@bank.example", fields(), { params: { orgId } })).status).toBe(302);
    expect((await prisma.organization.findUniqueOrThrow({ where: { id: orgId } })).stripeAccountId).toBe("acct_1Huaxin");
    expect((await postForm(orgAction, path, "admin@bank.example", fields(""), { params: { orgId } })).status).toBe(302);
    expect((await prisma.organization.findUniqueOrThrow({ where: { id: orgId } })).stripeAccountId).toBeNull();
    expect(await prisma.auditEntry.count({ where: { action: "organization.update", entityId: orgId } })).toBe(3);
  });
});
