// The performance deposit top-up (R4): Stripe confirmed only by a verified payment event (applyTopUpEvent,
// as the webhook calls it), with the amount and currency asked; offline by finance with a voucher.
import { beforeEach, describe, expect, it } from "vitest";
import { everyEntryBalanced, generatedContract } from "../fixtures/custody-contracts";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { eventPayload, type FakeEvent, installStripeFake, signWebhook } from "../support/stripe-fake";
import { refusal } from "../support/users";
import { audited, systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { balanceIn, ensureAccount } from "~/infra/ledger.server";
import type { PaymentEvent } from "~/infra/payments/index.server";
import { performanceDepositHeld } from "~/services/custody/accounts.server";
import { countersignContract, signContract } from "~/services/custody/contracts.server";
import { applyTopUpEvent, confirmOfflineTopUp, declaredTopUps, declareOfflineTopUp, listTopUps, startStripeTopUp } from "~/services/custody/deposit-topup.server";
// eslint-disable-next-line no-restricted-imports -- the webhook route, as Stripe calls it
import { action as stripeWebhook } from "~/routes/webhooks.stripe";

const ctx = systemContext("test");
const at = new Date("2026-11-24T03:00:00Z");
const signAt = new Date("2026-11-25T02:00:00Z");
const countersignAt = new Date("2026-11-25T06:00:00Z");
const paidAt = new Date("2026-11-26T01:30:00Z");
const sig = { ip: "203.0.113.7", userAgent: "test" };

const stripe = installStripeFake();
const { calls } = installRecordingQueue();

let officer: AuthUser;
let finance: AuthUser;
let bidder: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ officer, finance, bidder, agency } = await freshTenderCast());
  stripe.fake.reset();
  calls.length = 0;
});

let eventSerial = 0;
function event(type: PaymentEvent["type"], providerRef: string, amount: bigint, currency = "cny"): PaymentEvent {
  return { id: `evt_test_${++eventSerial}`, type, providerRef, amount, currency, metadata: {}, occurredAt: paidAt, livemode: false };
}

/** Applies a verified event in one audited transaction, as the webhook's handleEvent does. */
function deliver(e: PaymentEvent) {
  const outboxIds: string[] = [];
  return audited(ctx, (tx, audit) => applyTopUpEvent(tx, ctx, e, audit, paidAt, outboxIds));
}

/** POSTs a signed Stripe event to the webhook route, as Stripe would. */
async function post(e: FakeEvent) {
  const body = eventPayload(e);
  const request = new Request("http://localhost/webhooks/stripe", {
    method: "POST", headers: { "content-type": "application/json", "stripe-signature": signWebhook(body, stripe.fake.webhookSecret) }, body,
  });
  const response = await stripeWebhook({ request });
  return { status: response.status, body: (await response.json()) as { outcome?: string } };
}

/** Staff at ¥300,000, signed: ¥15,000 owed, ¥5,000 credited → ¥10,000 to top up. */
async function signedStaffContract() {
  const c = (await generatedContract({ winner: bidder, lots: [{ price: 30_000_000n }], at })).contracts[0]!;
  await signContract(ctx, bidder, c.id, sig, signAt);
  return c;
}

describe("Stripe top-up", () => {
  it("only after signing; a PaymentIntent for the ¥10,000 owed (metadata contract and kind); asking again returns it; another method meanwhile is refused", async () => {
    const c = (await generatedContract({ winner: bidder, lots: [{ price: 30_000_000n }], at })).contracts[0]!;
    expect(await refusal(startStripeTopUp(ctx, bidder, c.id, { methods: ["card"] }, at))).toMatchObject({ key: "custody.topup.wrongState", status: 409 });
    await signContract(ctx, bidder, c.id, sig, signAt);
    expect(await refusal(startStripeTopUp(ctx, agency, c.id, { methods: ["card"] }, signAt))).toMatchObject({ status: 404 });
    const payment = await startStripeTopUp(ctx, bidder, c.id, { methods: ["card", "alipay"] }, signAt);
    expect(payment).toMatchObject({ method: "STRIPE", amount: 1_000_000n, currency: "cny", status: "AWAITING_PAYMENT" });
    expect(payment.clientSecret).toMatch(/_secret_/);
    const intent = stripe.fake.paymentIntents.get(payment.providerRef!)!;
    expect(intent).toMatchObject({ amount: 1_000_000, currency: "cny", allowed_payment_method_types: ["card", "alipay"] });
    expect(intent.metadata).toMatchObject({ contractId: c.id, kind: "performance-deposit", reference: `${c.id}-1` });
    expect((await startStripeTopUp(ctx, bidder, c.id, { methods: ["card"] }, signAt)).id).toBe(payment.id);
    expect(stripe.fake.paymentIntents.size).toBe(1);
    expect(await refusal(declareOfflineTopUp(ctx, bidder, c.id, { method: "BANK_TRANSFER" }, signAt))).toMatchObject({ key: "custody.topup.pending", status: 409 });
    expect(await refusal(confirmOfflineTopUp(ctx, finance, payment.id, { voucher_number: "V" }, signAt))).toMatchObject({ key: "custody.topup.stripeByWebhookOnly" });
    expect((await listTopUps(officer, c.id)).map((p) => p.id)).toEqual([payment.id]);
  });

  it("confirmed only by a payment event with the amount and currency asked; a failure lets the custodian start again; custody starts once countersigned", async () => {
    const c = await signedStaffContract();
    await countersignContract(ctx, officer, c.id, sig, countersignAt);
    const first = await startStripeTopUp(ctx, bidder, c.id, { methods: ["card"] }, countersignAt);

    expect(await deliver(event("payment.succeeded", first.providerRef!, 999_999n))).toEqual({ outcome: "mismatch", paymentId: first.id });
    expect(await deliver(event("payment.succeeded", first.providerRef!, 1_000_000n, "usd"))).toEqual({ outcome: "mismatch", paymentId: first.id });
    expect((await prisma.performanceDepositPayment.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("AWAITING_PAYMENT");
    expect(await prisma.auditEntry.count({ where: { action: "topup.mismatch", entityId: first.id } })).toBe(2);

    expect(await deliver(event("payment.failed", first.providerRef!, 1_000_000n))).toEqual({ outcome: "failed", paymentId: first.id });
    const retry = await startStripeTopUp(ctx, bidder, c.id, { methods: ["wechat_pay"] }, paidAt);
    expect(retry.id).not.toBe(first.id);
    expect(stripe.fake.paymentIntents.get(retry.providerRef!)!.metadata).toMatchObject({ reference: `${c.id}-2` });
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("AWAITING_DEPOSIT");

    expect(await deliver(event("payment.succeeded", retry.providerRef!, 1_000_000n))).toEqual({ outcome: "confirmed", paymentId: retry.id });
    expect((await prisma.performanceDepositPayment.findUniqueOrThrow({ where: { id: retry.id } })).status).toBe("CONFIRMED");
    const active = await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } });
    expect([active.status, active.custodyStartsAt, active.custodyEndsAt]).toEqual(["ACTIVE", paidAt, new Date("2028-11-26T01:30:00Z")]);
    expect(await prisma.custodyLoan.count({ where: { contractId: c.id, status: "IN_CUSTODY" } })).toBe(2);
    const held = await prisma.$transaction(async (tx) => ({
      deposit: await performanceDepositHeld(tx, c),
      stripe: await balanceIn(tx, (await ensureAccount(tx, { type: "CLEARING_STRIPE" })).id),
    }));
    expect(held.deposit).toBe(1_500_000n);
    expect(held.stripe).toBe(1_000_000n); // debited to the Stripe clearing account: the ¥10,000 Stripe owes the bank
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "custody.notify.topUpConfirmed" } })).toBe(1);
    // The same success again (another event id) confirms nothing more.
    expect(await deliver(event("payment.succeeded", retry.providerRef!, 1_000_000n))).toMatchObject({ outcome: "ignored", reason: "status-CONFIRMED" });
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("is not about a top-up: null (a bid deposit's PaymentIntent, a refund event), for the caller to go on", async () => {
    expect(await deliver(event("payment.succeeded", "pi_someone_else", 500_000n))).toBeNull();
    const c = await signedStaffContract();
    const p = await startStripeTopUp(ctx, bidder, c.id, { methods: ["card"] }, signAt);
    expect(await deliver({ ...event("refund.succeeded", p.providerRef!, 1_000_000n), refundRef: "re_1" })).toBeNull();
  });
});

describe("through the Stripe webhook route", () => {
  it("a verified payment_intent.succeeded confirms the top-up once per event id and starts custody; a tampered signature changes nothing", async () => {
    const c = await signedStaffContract();
    await countersignContract(ctx, officer, c.id, sig, countersignAt);
    const payment = await startStripeTopUp(ctx, bidder, c.id, { methods: ["card"] });
    const succeeded = stripe.fake.succeed(payment.providerRef!);
    const body = eventPayload(succeeded);
    const forged = await stripeWebhook({
      request: new Request("http://localhost/webhooks/stripe", { method: "POST", headers: { "content-type": "application/json", "stripe-signature": signWebhook(body, "whsec_wrong") }, body }),
    });
    expect(forged.status).toBe(400);
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("AWAITING_DEPOSIT");
    const first = await post(succeeded);
    expect(first.status).toBe(200);
    expect((await prisma.performanceDepositPayment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe("CONFIRMED");
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("ACTIVE");
    expect(await prisma.processedWebhookEvent.count({ where: { id: succeeded.id } })).toBe(1);
    await post(succeeded); // the same event again: nothing more
    expect(await prisma.journalEntry.count({ where: { sourceType: "performance-deposit", sourceId: payment.id } })).toBe(1);
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("offline top-up", () => {
  it("agency: bank transfer of the ¥195,000 owed, finance confirms with a voucher; still AWAITING_COUNTERSIGNATURE until the department countersigns, then ACTIVE", async () => {
    const c = (await generatedContract({ winner: agency, lots: [{ price: 30_000_000n }], at })).contracts[0]!;
    await signContract(ctx, agency, c.id, sig, signAt);
    const declared = await declareOfflineTopUp(ctx, agency, c.id, { method: "BANK_TRANSFER" }, signAt);
    expect(declared).toMatchObject({ amount: 19_500_000n, status: "DECLARED", declaredById: agency.id });
    expect((await declareOfflineTopUp(ctx, agency, c.id, { method: "BANK_TRANSFER" }, signAt)).id).toBe(declared.id);
    // Finance's desk lists it until it is confirmed; nobody else may read the desk.
    expect(await declaredTopUps(finance)).toEqual([expect.objectContaining({ id: declared.id, contractNumber: c.number, custodian: "华信资产清收有限公司", amount: 19_500_000n, method: "BANK_TRANSFER" })]);
    expect(await refusal(declaredTopUps(agency))).toMatchObject({ key: "custody.topup.notFinance", status: 403 });
    await confirmOfflineTopUp(ctx, finance, declared.id, { voucher_number: " BT-2026-0042 " }, paidAt);
    const row = await prisma.performanceDepositPayment.findUniqueOrThrow({ where: { id: declared.id } });
    expect([row.status, row.voucherNumber, row.confirmedById]).toEqual(["CONFIRMED", "BT-2026-0042", finance.id]);
    expect(await declaredTopUps(finance)).toEqual([]);
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("AWAITING_COUNTERSIGNATURE");
    expect(await refusal(startStripeTopUp(ctx, agency, c.id, { methods: ["card"] }, paidAt))).toMatchObject({ key: "custody.topup.nothingOwed" });
    const active = await countersignContract(ctx, officer, c.id, sig, countersignAt);
    expect([active.status, active.custodyStartsAt]).toEqual(["ACTIVE", countersignAt]);
    expect(await refusal(declareOfflineTopUp(ctx, agency, c.id, { method: "BANK_TRANSFER" }, paidAt))).toMatchObject({ key: "custody.topup.wrongState" });
    const entry = await prisma.journalEntry.findFirstOrThrow({ where: { sourceType: "performance-deposit", sourceId: declared.id }, include: { lines: true } });
    expect(entry.lines.map((l) => [l.side, l.amount])).toEqual([["DEBIT", 19_500_000n], ["CREDIT", 19_500_000n]]);
    expect(await everyEntryBalanced()).toBe(true);
  });
});
