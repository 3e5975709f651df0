// Remittances (交账, R7, R10): the custodian declares a bank transfer that the branch confirms with a
// voucher and the day received, or pays through Stripe and the verified webhook confirms it. Confirmed
// money is allocated first-in first-out (or to the recoveries named) and booked as one balanced entry.
// Worked numbers at the default rate 4.35 %, day basis 360, late from 5 days:
//   A ¥10,000 collected 2 Nov, remitted 9 Nov (7 days): 1,000,000 × 0.0435 × 7 / 360 = 845.83 → ¥8.46
//   B ¥5,000 collected 5 Nov: ¥2,000 remitted 9 Nov (4 days) → 0; ¥3,000 still open on 22 Nov (17 days):
//     300,000 × 0.0435 × 17 / 360 = 616.25 → ¥6.16
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { eventPayload, installStripeFake, signWebhook, type FakeEvent } from "../support/stripe-fake";
import { asUser, refusal } from "../support/users";
import { todayInChina } from "~/domain/calendar";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { balanceIn, ensureAccount } from "~/infra/ledger.server";
import { contractBalance } from "~/services/settlement/accounts.server";
import { registerRecovery, rejectRecovery, reportRecovery } from "~/services/settlement/recoveries.server";
import {
  confirmRemittance, declareRemittance, getRemittance, listRemittances, openMoney, rejectRemittance, type DeclareRemittanceInput,
} from "~/services/settlement/remittances.server";
// eslint-disable-next-line no-restricted-imports -- the webhook route, as Stripe calls it
import { action as stripeWebhook } from "~/routes/webhooks.stripe";

const ctx = systemContext("test");
installRecordingQueue();
const now = new Date("2026-11-22T04:00:00Z");
const pdf = () => ({ bytes: new TextEncoder().encode("%PDF-1.4\n% receipt\n%%EOF\n"), originalName: "r.pdf" });
const stripe = installStripeFake();

let agency: AuthUser;
let other: AuthUser;
let clerk: AuthUser;
let officer: AuthUser;
let c: CustodyFixture;
let a: { id: string; number: string };
let b: { id: string; number: string };

async function post(e: FakeEvent) {
  const body = eventPayload(e);
  const request = new Request("http://localhost/webhooks/stripe", {
    method: "POST", headers: { "content-type": "application/json", "stripe-signature": signWebhook(body, stripe.fake.webhookSecret) }, body,
  });
  const response = await stripeWebhook({ request });
  return { status: response.status, body: (await response.json()) as { outcome?: string } };
}

const declare = (extra: Partial<DeclareRemittanceInput> = {}) =>
  declareRemittance(ctx, agency, { contractId: c.contract.id, amount: 1_200_000n, method: "bank_transfer", payerReference: "LS-20261109-1", ...extra }, now);

const receivable = () => prisma.$transaction((tx) => contractBalance(tx, "REMITTANCE_RECEIVABLE", c.contract));

beforeEach(async () => {
  resetDatabase();
  await seed();
  stripe.fake.reset();
  agency = await asUser("admin@huaxin.example");
  other = await asUser("admin@anda.example");
  clerk = await asUser("clerk@bank.example");
  officer = await asUser("officer@bank.example");
  c = await custodyContract({ custodian: agency, loans: 2, startsAt: new Date("2026-10-01T00:00:00Z"), termMonths: 12 });
  a = await reportRecovery(ctx, agency, { loanNumber: c.loans[0]!.loanNumber, collectedOn: "2026-11-02", principal: 1_000_000n, interest: 0n, payer: "甲", evidence: pdf() }, now);
  b = await reportRecovery(ctx, agency, { loanNumber: c.loans[1]!.loanNumber, collectedOn: "2026-11-05", principal: 400_000n, interest: 100_000n, payer: "乙", evidence: pdf() }, now);
  for (const r of [a, b]) await registerRecovery(ctx, clerk, r.id, { registerReference: `DJ-${r.number}` }, now);
});

describe("bank transfer", () => {
  it("¥12,000 declared, confirmed received 9 Nov: A ¥10,000 and B ¥2,000 first-in first-out, one balanced entry, the custodian told; late interest as of 22 Nov", async () => {
    const { remittance, clientSecret } = await declare();
    expect(clientSecret).toBeNull();
    expect(remittance).toMatchObject({ number: "RMT-2026-000001", status: "DECLARED", method: "BANK_TRANSFER", amount: 1_200_000n, payerReference: "LS-20261109-1" });
    expect(await prisma.notification.count({ where: { userId: clerk.id, messageKey: "settlement.recoveries.remittance.notice.declared" } })).toBe(1);
    expect(await receivable()).toBe(1_500_000n);

    const confirmed = await confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ-88", remittedOn: "2026-11-09" }, now);
    expect(confirmed).toMatchObject({ status: "CONFIRMED", remittedOn: "2026-11-09", voucherNumber: "PZ-88", confirmedById: clerk.id });
    const allocations = await prisma.remittanceAllocation.findMany({ where: { remittanceId: remittance.id }, orderBy: { amount: "desc" } });
    expect(allocations.map((x) => [x.recoveryId, x.amount, x.remittedOn])).toEqual([[a.id, 1_000_000n, "2026-11-09"], [b.id, 200_000n, "2026-11-09"]]);
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: confirmed.entryId! }, include: { lines: { include: { account: true } } } });
    expect(entry.sourceType).toBe("remittance");
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([["CLEARING_BANK_TRANSFER", "DEBIT", 1_200_000n], ["REMITTANCE_RECEIVABLE", "CREDIT", 1_200_000n]]);
    expect(await receivable()).toBe(300_000n);
    expect(await prisma.notification.count({ where: { userId: agency.id, messageKey: "settlement.recoveries.remittance.notice.confirmed" } })).toBe(1);
    const email = await prisma.outboxEmail.findFirstOrThrow({ where: { to: agency.email, template: "settlementRemittanceConfirmed" } });
    expect(email.text).toContain(`${a.number} 10000.00 元`);

    const [open] = await openMoney(agency, "2026-11-22");
    expect(open).toMatchObject({ contractId: c.contract.id, outstanding: 300_000n, pending: 0n });
    expect(open!.recoveries).toEqual([expect.objectContaining({ id: b.id, outstanding: 300_000n, delay: 17, lateInterest: 616n })]);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("named recoveries are settled first and only them", async () => {
    const { remittance } = await declare({ amount: 300_000n, recoveryIds: [b.id] });
    await confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ-1", remittedOn: "2026-11-06" }, now);
    const allocations = await prisma.remittanceAllocation.findMany({ where: { remittanceId: remittance.id } });
    expect(allocations.map((x) => [x.recoveryId, x.amount])).toEqual([[b.id, 300_000n]]);
    expect((await getRemittance(agency, remittance.id)).named).toEqual([{ id: b.id, number: b.number }]);
  });

  it("the custodian's refusals say why and change nothing", async () => {
    const otherContract = await custodyContract({ custodian: agency, loans: 1, startsAt: new Date("2026-10-01T00:00:00Z"), termMonths: 12 });
    const foreign = await reportRecovery(ctx, agency, { loanNumber: otherContract.loans[0]!.loanNumber, collectedOn: "2026-11-03", principal: 100_000n, interest: 0n, payer: "丙", evidence: pdf() }, now);
    const before = { remittances: await prisma.remittance.count(), audit: await prisma.auditEntry.count() };
    expect(await refusal(declare({ amount: 1_500_001n }))).toMatchObject({ key: "settlement.recoveries.remittance.amountAboveOutstanding", options: { field: "amount", params: { open: "15000.00" } } });
    expect(await refusal(declare({ amount: 0n }))).toMatchObject({ key: "settlement.recoveries.amountNotPositive", options: { field: "amount" } });
    expect(await refusal(declare({ method: "cash" }))).toMatchObject({ key: "settlement.recoveries.remittance.invalidMethod", options: { field: "method" } });
    expect(await refusal(declare({ payerReference: "" }))).toMatchObject({ key: "settlement.recoveries.remittance.payerReferenceRequired" });
    expect(await refusal(declare({ recoveryIds: [foreign.id] }))).toMatchObject({ key: "settlement.recoveries.remittance.recoveryNotOfContract", options: { params: { recovery: foreign.number } } });
    expect(await refusal(declare({ amount: 500_001n, recoveryIds: [b.id] }))).toMatchObject({ key: "settlement.recoveries.remittance.amountAboveNamed", options: { params: { open: "5000.00" } } });
    expect(await refusal(declareRemittance(ctx, other, { contractId: c.contract.id, amount: 100n, method: "bank_transfer", payerReference: "x" }, now))).toMatchObject({ status: 404 });
    expect(await refusal(declareRemittance(ctx, clerk, { contractId: c.contract.id, amount: 100n, method: "bank_transfer", payerReference: "x" }, now))).toMatchObject({ status: 403 });
    expect({ remittances: await prisma.remittance.count(), audit: await prisma.auditEntry.count() }).toEqual(before);
    // Money already declared is not declared twice.
    await declare({ amount: 1_000_000n });
    expect(await refusal(declare({ amount: 500_001n }))).toMatchObject({ key: "settlement.recoveries.remittance.amountAboveOutstanding", options: { params: { open: "5000.00" } } });
  });

  it("the branch's refusals: voucher, future day, before the collection, money with nothing left to settle — nothing changes", async () => {
    const { remittance } = await declare({ amount: 1_500_000n });
    const before = { entries: await prisma.journalEntry.count(), allocations: await prisma.remittanceAllocation.count() };
    expect(await refusal(confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "", remittedOn: "2026-11-09" }, now))).toMatchObject({ key: "settlement.recoveries.remittance.voucherRequired", options: { field: "voucher_number" } });
    expect(await refusal(confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ", remittedOn: "2026-11-23" }, now))).toMatchObject({ key: "settlement.recoveries.remittance.remittedInFuture", options: { field: "remitted_on" } });
    expect(await refusal(confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ", remittedOn: "2026-11-03" }, now))).toMatchObject({
      key: "settlement.recoveries.remittance.remittedBeforeCollected", options: { params: { day: "2026-11-03", collectedOn: "2026-11-05", recovery: b.number } },
    });
    expect(await refusal(confirmRemittance(ctx, agency, remittance.id, { voucherNumber: "PZ", remittedOn: "2026-11-09" }, now))).toMatchObject({ status: 403 });
    // Audit rejects B meanwhile (nothing remitted on it yet): ¥5,000 of the ¥15,000 has nothing to settle.
    await rejectRecovery(ctx, await asUser("auditor@bank.example"), b.id, { reason: "重复" }, now);
    const afterReject = { entries: await prisma.journalEntry.count(), allocations: await prisma.remittanceAllocation.count() };
    expect(afterReject.entries).toBe(before.entries + 1); // the reversal of B's registration
    expect(await refusal(confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ", remittedOn: "2026-11-09" }, now))).toMatchObject({
      key: "settlement.recoveries.remittance.unapplied", status: 409, options: { params: { unapplied: "5000.00", amount: "15000.00" } },
    });
    expect({ entries: await prisma.journalEntry.count(), allocations: await prisma.remittanceAllocation.count() }).toEqual(afterReject);
    expect((await prisma.remittance.findUniqueOrThrow({ where: { id: remittance.id } })).status).toBe("DECLARED");
    // The branch rejects it; the custodian is told why.
    expect(await refusal(rejectRemittance(ctx, clerk, remittance.id, { reason: " " }, now))).toMatchObject({ key: "settlement.recoveries.reasonRequired" });
    const rejected = await rejectRemittance(ctx, clerk, remittance.id, { reason: "未收到款项" }, now);
    expect(rejected).toMatchObject({ status: "REJECTED", rejectionReason: "未收到款项" });
    expect(await prisma.outboxEmail.count({ where: { to: agency.email, template: "settlementRemittanceRejected" } })).toBe(1);
    expect(await refusal(confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ", remittedOn: "2026-11-09" }, now))).toMatchObject({ key: "settlement.recoveries.remittance.wrongState", status: 409 });
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("Stripe", () => {
  it("a PaymentIntent marked as a remittance; only the verified webhook confirms it, once, on the China day of the event", async () => {
    const { remittance, clientSecret } = await declare({ method: "stripe", amount: 1_000_000n, payerReference: null });
    expect(remittance).toMatchObject({ status: "AWAITING_PAYMENT", method: "STRIPE" });
    expect(clientSecret).toMatch(/_secret_/);
    const intent = stripe.fake.paymentIntents.get(remittance.providerRef!)!;
    expect(intent).toMatchObject({ amount: 1_000_000, currency: "cny" });
    expect(intent.metadata).toMatchObject({ kind: "remittance", remittanceId: remittance.id, contractId: c.contract.id });
    expect(await refusal(confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ", remittedOn: "2026-11-09" }, now))).toMatchObject({ key: "settlement.recoveries.remittance.stripeByWebhookOnly" });

    const succeeded = stripe.fake.succeed(remittance.providerRef!);
    const first = await post(succeeded);
    expect(first).toEqual({ status: 200, body: expect.objectContaining({ outcome: "remittance" }) });
    const confirmed = await prisma.remittance.findUniqueOrThrow({ where: { id: remittance.id } });
    expect(confirmed).toMatchObject({ status: "CONFIRMED", remittedOn: todayInChina(new Date(succeeded.created * 1000)) });
    expect(await prisma.remittanceAllocation.findMany({ where: { remittanceId: remittance.id }, select: { recoveryId: true, amount: true } })).toEqual([{ recoveryId: a.id, amount: 1_000_000n }]);
    await post(succeeded); // delivered again: nothing more
    expect(await prisma.journalEntry.count({ where: { sourceType: "remittance", sourceId: remittance.id } })).toBe(1);
    expect(await prisma.processedWebhookEvent.findUniqueOrThrow({ where: { id: succeeded.id } })).toMatchObject({ outcome: `remittance-confirmed:${remittance.id}` });
    expect(await prisma.$transaction(async (tx) => balanceIn(tx, (await ensureAccount(tx, { type: "CLEARING_STRIPE" })).id))).toBe(1_000_000n);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("a failed payment makes it FAILED and frees the money for another remittance", async () => {
    const { remittance } = await declare({ method: "stripe", amount: 1_500_000n, payerReference: null });
    expect(await refusal(declare({ amount: 1n }))).toMatchObject({ key: "settlement.recoveries.remittance.amountAboveOutstanding" });
    await post(stripe.fake.fail(remittance.providerRef!));
    expect((await prisma.remittance.findUniqueOrThrow({ where: { id: remittance.id } })).status).toBe("FAILED");
    expect((await declare({ amount: 1_500_000n })).remittance.status).toBe("DECLARED");
  });
});

describe("Stripe edge cases (a payment is never refused)", () => {
  it("a success after the money it was meant for went away: what can be applied is, the full amount is booked, the branch is alerted", async () => {
    const { remittance } = await declare({ method: "stripe", amount: 1_000_000n, recoveryIds: [a.id], payerReference: null });
    await rejectRecovery(ctx, await asUser("auditor@bank.example"), a.id, { reason: "重复" }, now); // A no longer owed
    await post(stripe.fake.succeed(remittance.providerRef!));
    const confirmed = await prisma.remittance.findUniqueOrThrow({ where: { id: remittance.id } });
    expect(confirmed.status).toBe("CONFIRMED");
    // Named A is gone: first-in first-out over what is open, B's ¥5,000; ¥5,000 unapplied.
    expect(await prisma.remittanceAllocation.findMany({ where: { remittanceId: remittance.id }, select: { recoveryId: true, amount: true } })).toEqual([{ recoveryId: b.id, amount: 500_000n }]);
    const alert = await prisma.auditEntry.findFirstOrThrow({ where: { action: "settlement.remittance.unapplied", entityId: remittance.id } });
    expect(JSON.parse(alert.after!)).toMatchObject({ unapplied: "5000.00" });
    expect(await prisma.notification.count({ where: { userId: clerk.id, messageKey: "settlement.recoveries.remittance.notice.unapplied" } })).toBe(1);
    expect(await receivable()).toBe(-500_000n); // B's ¥5,000 settled, and ¥5,000 the custodian is owed back
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("a success after a failure on the same PaymentIntent is confirmed as a new remittance (the FAILED one stays final)", async () => {
    const { remittance } = await declare({ method: "stripe", amount: 1_000_000n, payerReference: null });
    await post(stripe.fake.fail(remittance.providerRef!));
    const result = await post(stripe.fake.succeed(remittance.providerRef!));
    expect(result.body.outcome).toBe("remittance");
    expect((await prisma.remittance.findUniqueOrThrow({ where: { id: remittance.id } })).status).toBe("FAILED");
    const retry = await prisma.remittance.findFirstOrThrow({ where: { id: { not: remittance.id } } });
    expect(retry).toMatchObject({ status: "CONFIRMED", amount: 1_000_000n, method: "STRIPE", payerReference: remittance.providerRef, number: "RMT-2026-000002" });
    expect(await prisma.remittanceAllocation.findMany({ where: { remittanceId: retry.id }, select: { recoveryId: true, amount: true } })).toEqual([{ recoveryId: a.id, amount: 1_000_000n }]);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("an amount that differs from the remittance confirms nothing (audited)", async () => {
    const { remittance } = await declare({ method: "stripe", amount: 1_000_000n, payerReference: null });
    const event = stripe.fake.succeed(remittance.providerRef!);
    (event.data.object as { amount_received: number; amount: number }).amount_received = 999_999;
    (event.data.object as { amount_received: number; amount: number }).amount = 999_999;
    await post(event);
    expect((await prisma.remittance.findUniqueOrThrow({ where: { id: remittance.id } })).status).toBe("AWAITING_PAYMENT");
    expect(await prisma.auditEntry.count({ where: { action: "settlement.remittance.mismatch", entityId: remittance.id } })).toBe(1);
  });
});

describe("who sees what", () => {
  it("an agency lists only its own remittances and gets 404 for another's; the bank sees them all", async () => {
    const { remittance } = await declare();
    const theirs = await custodyContract({ custodian: other, loans: 1, startsAt: new Date("2026-10-01T00:00:00Z"), termMonths: 12 });
    await reportRecovery(ctx, other, { loanNumber: theirs.loans[0]!.loanNumber, collectedOn: "2026-11-03", principal: 100_000n, interest: 0n, payer: "丁", evidence: pdf() }, now);
    const mine = await declareRemittance(ctx, other, { contractId: theirs.contract.id, amount: 100_000n, method: "bank_transfer", payerReference: "T" }, now);
    expect((await listRemittances(agency)).map((r) => r.id)).toEqual([remittance.id]);
    expect(await refusal(getRemittance(other, remittance.id))).toMatchObject({ key: "settlement.recoveries.remittance.notFound", status: 404 });
    expect((await listRemittances(clerk, { status: "DECLARED" })).map((r) => r.id).sort()).toEqual([remittance.id, mine.remittance.id].sort());
    expect((await openMoney(officer, "2026-11-22")).map((x) => x.contractId).sort()).toEqual([c.contract.id, theirs.contract.id].sort());
    expect((await openMoney(other, "2026-11-22")).map((x) => x.contractId)).toEqual([theirs.contract.id]);
  });
});
