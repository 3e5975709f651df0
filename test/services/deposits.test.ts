// Bid deposits (issue 6, item 3; R3, R10): offline declared + confirmed by finance with a voucher;
// Stripe confirmed only by a verified webhook through the route, once per event id, amount and
// currency checked; every confirmation one balanced journal entry into the bidder's deposit account.
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createPublishedTender, registerAndPay } from "../fixtures/tenders";
import { resetDatabase } from "../support/reset-db";
import { eventPayload, type FakeEvent, installStripeFake, signWebhook } from "../support/stripe-fake";
import { asUser, refusal } from "../support/users";
// eslint-disable-next-line no-restricted-imports -- the webhook tests call the route's action with a Request
import { action as stripeWebhook } from "~/routes/webhooks.stripe";
import { systemContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { balance } from "~/infra/ledger.server";
import {
  confirmOfflineDeposit,
  declareOfflineDeposit,
  depositAccountOwner,
  isQualified,
  registerForTender,
  startStripeDeposit,
} from "~/services/tenders/registration.server";

const ctx = systemContext("test");
const stripe = installStripeFake();

beforeEach(async () => {
  resetDatabase();
  stripe.fake.reset();
  await seed();
});

/** POSTs an event to the route as Stripe would: the raw body and its Stripe-Signature. */
async function deliver(event: FakeEvent | string, options: { signature?: string; body?: string } = {}) {
  const body = typeof event === "string" ? event : eventPayload(event);
  const request = new Request("http://localhost/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": options.signature ?? signWebhook(body, stripe.fake.webhookSecret) },
    body: options.body ?? body,
  });
  const response = await stripeWebhook({ request });
  return { status: response.status, body: (await response.json()) as { outcome?: string; error?: string } };
}

/** R10: every entry balanced, so all debits equal all credits. */
async function ledgerTotals() {
  const lines = await prisma.journalLine.findMany();
  const sum = (side: string) => lines.filter((l) => l.side === side).reduce((s, l) => s + l.amount, 0n);
  return { debits: sum("DEBIT"), credits: sum("CREDIT") };
}

async function depositAccountBalance(bidderKey: string): Promise<bigint> {
  const owner = depositAccountOwner(bidderKey);
  const account = await prisma.ledgerAccount.findFirst({ where: { type: "DEPOSIT_HELD", ownerUserId: owner.ownerUserId ?? null, ownerOrganizationId: owner.ownerOrganizationId ?? null } });
  return account ? balance(account.id) : 0n;
}

describe("offline deposits", () => {
  it("is declared by the bidder and confirmed by finance with a voucher: CONFIRMED, who confirmed, ledger entry, audit, bidder told", async () => {
    const { tenderId } = await createPublishedTender();
    const bidder = await asUser("bidder@bank.example");
    await expect(declareOfflineDeposit(ctx, bidder, tenderId, { method: "PAYROLL" })).rejects.toMatchObject({ key: "auction.deposit.notRegistered" });
    const { registration } = await registerForTender(ctx, bidder, tenderId);
    const declared = await declareOfflineDeposit(ctx, bidder, tenderId, { method: "PAYROLL" });
    expect(declared).toMatchObject({ status: "DECLARED", method: "PAYROLL", amount: 500_000n, currency: "cny", providerRef: `offline:${registration.id}-1` });
    // Declaring again returns it; another method while it waits is refused.
    expect((await declareOfflineDeposit(ctx, bidder, tenderId, { method: "PAYROLL" })).id).toBe(declared.id);
    expect(await refusal(declareOfflineDeposit(ctx, bidder, tenderId, { method: "BANK_TRANSFER" }))).toMatchObject({ key: "auction.deposit.pending", options: { params: { method: "PAYROLL" } } });
    expect(await isQualified(tenderId, registration.bidderKey)).toBe(false);

    // Only finance confirms; a voucher number is required.
    expect(await refusal(confirmOfflineDeposit(ctx, bidder, declared.id, { voucher_number: "V1" }))).toMatchObject({ key: "auction.deposit.notFinance", status: 403 });
    const finance = await asUser("finance@bank.example");
    expect(await refusal(confirmOfflineDeposit(ctx, finance, declared.id, { voucher_number: "  " }))).toMatchObject({ key: "auction.deposit.voucherRequired" });
    const confirmed = await confirmOfflineDeposit(ctx, finance, declared.id, { voucher_number: "PZ-2026-0815" });
    expect(confirmed).toMatchObject({ status: "CONFIRMED", voucherNumber: "PZ-2026-0815", confirmedById: finance.id });
    expect(confirmed.receiptEntryId).toBeTruthy();
    expect(await isQualified(tenderId, registration.bidderKey)).toBe(true);

    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: confirmed.receiptEntryId! }, include: { lines: { include: { account: true } } } });
    expect(entry).toMatchObject({ sourceType: "bid-deposit", sourceId: declared.id });
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([
      ["CLEARING_PAYROLL", "DEBIT", 500_000n],
      ["DEPOSIT_HELD", "CREDIT", 500_000n],
    ]);
    expect(await depositAccountBalance(registration.bidderKey)).toBe(500_000n);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "deposit.confirm", entityId: declared.id } });
    expect(JSON.parse(audit.after!)).toMatchObject({ status: "CONFIRMED", voucherNumber: "PZ-2026-0815", confirmedById: finance.id });
    expect(await prisma.outboxEmail.count({ where: { template: "depositConfirmed", to: "bidder@bank.example" } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "auction.notify.depositConfirmed" } })).toBe(1);

    // Confirmed once: again is refused, and so is a new deposit.
    expect(await refusal(confirmOfflineDeposit(ctx, finance, declared.id, { voucher_number: "PZ-2" }))).toMatchObject({ key: "auction.deposit.alreadyConfirmed", status: 409 });
    expect(await refusal(declareOfflineDeposit(ctx, bidder, tenderId, { method: "BANK_TRANSFER" }))).toMatchObject({ key: "auction.deposit.alreadyConfirmed" });
    expect(await refusal(startStripeDeposit(ctx, bidder, tenderId))).toMatchObject({ key: "auction.deposit.alreadyConfirmed" });
    expect(await prisma.journalEntry.count({ where: { sourceType: "bid-deposit" } })).toBe(1);
  });

  it("refuses finance a deposit in another state, and deposits once bidding has ended", async () => {
    const now = new Date();
    const { tenderId } = await createPublishedTender({ now });
    const bidder = await asUser("bidder@bank.example");
    await registerForTender(ctx, bidder, tenderId, now);
    const declared = await declareOfflineDeposit(ctx, bidder, tenderId, { method: "BANK_TRANSFER" }, now);
    await prisma.bidDeposit.update({ where: { id: declared.id }, data: { status: "FAILED" } });
    const finance = await asUser("finance@bank.example");
    expect(await refusal(confirmOfflineDeposit(ctx, finance, declared.id, { voucher_number: "V" }))).toMatchObject({ key: "auction.deposit.wrongState", options: { params: { status: "FAILED" } } });
    expect(await refusal(confirmOfflineDeposit(ctx, finance, "nope", { voucher_number: "V" }))).toMatchObject({ key: "auction.deposit.notFound", status: 404 });
    const later = new Date(now.getTime() + 3 * 24 * 3_600_000);
    expect(await refusal(declareOfflineDeposit(ctx, bidder, tenderId, { method: "PAYROLL" }, later))).toMatchObject({ key: "auction.deposit.tenderClosed" });
  });

  it("pays an agency's deposit into the agency's account; the fixture registers and pays", async () => {
    const { tenderId } = await createPublishedTender();
    const paid = await registerAndPay("member@huaxin.example", tenderId);
    expect(paid.bidderKey).toMatch(/^org:/);
    expect(await isQualified(tenderId, paid.bidderKey)).toBe(true);
    expect(await depositAccountBalance(paid.bidderKey)).toBe(500_000n);
    // Every agency user is told.
    expect((await prisma.outboxEmail.findMany({ where: { template: "depositConfirmed" }, orderBy: { to: "asc" } })).map((e) => e.to)).toEqual(["admin@huaxin.example", "member@huaxin.example"]);
  });
});

describe("Stripe deposits and the webhook", () => {
  async function stripeDeposit(email = "bidder@bank.example") {
    const { tenderId } = await createPublishedTender();
    const user = await asUser(email);
    const { registration } = await registerForTender(ctx, user, tenderId);
    const deposit = await startStripeDeposit(ctx, user, tenderId, { methods: ["card", "alipay"] });
    return { tenderId, user, registration, deposit };
  }

  it("creates a PaymentIntent for the tender's deposit; asking again returns it; finance cannot confirm it by hand", async () => {
    const { tenderId, user, deposit } = await stripeDeposit();
    expect(deposit).toMatchObject({ status: "AWAITING_PAYMENT", method: "STRIPE", amount: 500_000n, currency: "cny" });
    expect(deposit.clientSecret).toMatch(/_secret_/);
    const intent = stripe.fake.paymentIntents.get(deposit.providerRef!)!;
    expect(intent).toMatchObject({ amount: 500_000, currency: "cny", allowed_payment_method_types: ["card", "alipay"] });
    expect((await startStripeDeposit(ctx, user, tenderId)).id).toBe(deposit.id);
    expect(stripe.fake.paymentIntents.size).toBe(1);
    expect(await refusal(declareOfflineDeposit(ctx, user, tenderId, { method: "BANK_TRANSFER" }))).toMatchObject({ key: "auction.deposit.pending" });
    const finance = await asUser("finance@bank.example");
    expect(await refusal(confirmOfflineDeposit(ctx, finance, deposit.id, { voucher_number: "V" }))).toMatchObject({ key: "auction.deposit.stripeByWebhookOnly" });
  });

  it("confirms only on a verified webhook, once per event id, with a balanced entry", async () => {
    const { tenderId, registration, deposit } = await stripeDeposit();
    const event = stripe.fake.succeed(deposit.providerRef!);

    // Bad signature (wrong secret), tampered body, no header: 400 and nothing changes.
    expect((await deliver(event, { signature: signWebhook(eventPayload(event), "whsec_wrong") })).status).toBe(400);
    expect((await deliver(event, { body: eventPayload(event).replace("500000", "1") })).status).toBe(400);
    expect((await deliver(event, { signature: "" })).status).toBe(400);
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("AWAITING_PAYMENT");
    expect(await prisma.processedWebhookEvent.count()).toBe(0);
    expect(await prisma.journalEntry.count()).toBe(0);

    const first = await deliver(event);
    expect(first).toEqual({ status: 200, body: { received: true, outcome: "confirmed" } });
    const duplicate = await deliver(event);
    expect(duplicate).toEqual({ status: 200, body: { received: true, outcome: "duplicate" } });

    const confirmed = await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } });
    expect(confirmed).toMatchObject({ status: "CONFIRMED", confirmedById: null });
    expect(await prisma.processedWebhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ provider: "stripe", type: "payment.succeeded", outcome: `deposit-confirmed:${deposit.id}` });
    const entries = await prisma.journalEntry.findMany({ where: { sourceType: "bid-deposit", sourceId: deposit.id }, include: { lines: { include: { account: true } } } });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.lines.map((l) => [l.account.type, l.side]).sort()).toEqual([["CLEARING_STRIPE", "DEBIT"], ["DEPOSIT_HELD", "CREDIT"]]);
    expect(await prisma.auditEntry.count({ where: { action: "deposit.confirm", entityId: deposit.id } })).toBe(1);
    expect(await isQualified(tenderId, registration.bidderKey)).toBe(true);

    // A second bidder pays offline: the ledger stays balanced and each deposit account holds its confirmed deposit.
    const other = await registerAndPay("bidder2@bank.example", tenderId);
    const totals = await ledgerTotals();
    expect(totals.debits).toBe(totals.credits);
    expect(totals.debits).toBe(1_000_000n);
    expect(await depositAccountBalance(registration.bidderKey)).toBe(500_000n);
    expect(await depositAccountBalance(other.bidderKey)).toBe(500_000n);
    const confirmedSum = (await prisma.bidDeposit.findMany({ where: { status: "CONFIRMED" } })).reduce((s, d) => s + d.amount, 0n);
    const held = await prisma.ledgerAccount.findMany({ where: { type: "DEPOSIT_HELD" } });
    let heldTotal = 0n;
    for (const a of held) heldTotal += await balance(a.id);
    expect(heldTotal).toBe(confirmedSum);
  });

  it("processes the same event delivered in parallel once", async () => {
    const { deposit } = await stripeDeposit();
    const event = stripe.fake.succeed(deposit.providerRef!);
    const answers = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual(["confirmed", "duplicate", "duplicate"]);
    expect(await prisma.journalEntry.count({ where: { sourceId: deposit.id } })).toBe(1);
    expect(await prisma.processedWebhookEvent.count()).toBe(1);
  });

  it("refuses a payment whose amount or currency differs and records the mismatch", async () => {
    const { deposit } = await stripeDeposit();
    const intent = stripe.fake.paymentIntents.get(deposit.providerRef!)!;
    const short = stripe.fake.event("payment_intent.succeeded", { ...intent, status: "succeeded", amount_received: 100_000 });
    expect(await deliver(short)).toEqual({ status: 200, body: { received: true, outcome: "mismatch" } });
    const usd = stripe.fake.event("payment_intent.succeeded", { ...intent, status: "succeeded", amount_received: 500_000, currency: "usd" });
    expect((await deliver(usd)).body.outcome).toBe("mismatch");
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("AWAITING_PAYMENT");
    expect(await prisma.journalEntry.count()).toBe(0);
    expect(await prisma.auditEntry.count({ where: { action: "deposit.mismatch", entityId: deposit.id } })).toBe(2);
    expect(await prisma.processedWebhookEvent.findUniqueOrThrow({ where: { id: short.id } })).toMatchObject({ outcome: `amount-mismatch:${deposit.id}` });
    // The right event still confirms it afterwards.
    expect((await deliver(stripe.fake.succeed(deposit.providerRef!))).body.outcome).toBe("confirmed");
  });

  it("marks a failed payment FAILED; the bidder starts again with a new PaymentIntent; unknown payments are ignored with 200", async () => {
    const { tenderId, user, deposit } = await stripeDeposit();
    expect((await deliver(stripe.fake.fail(deposit.providerRef!))).body.outcome).toBe("failed");
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("FAILED");
    const retry = await startStripeDeposit(ctx, user, tenderId);
    expect(retry.id).not.toBe(deposit.id);
    expect(retry.providerRef).not.toBe(deposit.providerRef);
    expect((await deliver(stripe.fake.succeed(retry.providerRef!))).body.outcome).toBe("confirmed");

    const stranger = stripe.fake.event("payment_intent.succeeded", { ...stripe.fake.paymentIntents.get(retry.providerRef!)!, id: "pi_not_ours" });
    expect(await deliver(stranger)).toEqual({ status: 200, body: { received: true, outcome: "ignored" } });
    // An event type the product does not act on.
    const created = stripe.fake.events.find((e) => e.type === "payment_intent.created")!;
    expect(await deliver(created)).toEqual({ status: 200, body: { received: true, outcome: "ignored" } });
  });

  it("refunds money the bidder does not need: a declined payment paid later after a bank transfer was confirmed", async () => {
    const { tenderId, user, registration, deposit } = await stripeDeposit();
    expect((await deliver(stripe.fake.fail(deposit.providerRef!))).body.outcome).toBe("failed");
    // The bidder pays by bank transfer instead; finance confirms it.
    const transfer = await declareOfflineDeposit(ctx, user, tenderId, { method: "BANK_TRANSFER" });
    await confirmOfflineDeposit(ctx, await asUser("finance@bank.example"), transfer.id, { voucher_number: "PZ-1" });
    // Then the customer retries the declined PaymentIntent at Stripe, and it succeeds.
    const late = await deliver(stripe.fake.succeed(deposit.providerRef!));
    expect(late.body.outcome).toBe("duplicate_payment");
    const surplus = await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } });
    expect(surplus).toMatchObject({ status: "REFUND_PENDING", refundRef: expect.stringMatching(/^re_/) });
    expect(await prisma.auditEntry.count({ where: { action: "deposit.surplus", entityId: deposit.id } })).toBe(1);
    // Stripe was asked for exactly this refund; its webhook settles it with the refund entry.
    const refunds = [...stripe.fake.refunds.values()];
    expect(refunds.map((r) => [r.payment_intent, r.amount])).toEqual([[deposit.providerRef, 500_000]]);
    expect((await deliver(stripe.fake.events.findLast((e) => e.type === "refund.created")!)).status).toBe(200);
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("REFUNDED");
    // The bank transfer is the one deposit held; the ledger balances.
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: transfer.id } })).status).toBe("CONFIRMED");
    expect(await depositAccountBalance(registration.bidderKey)).toBe(500_000n);
    const totals = await ledgerTotals();
    expect(totals.debits).toBe(totals.credits);
  });
});
