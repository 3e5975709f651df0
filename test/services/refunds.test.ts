import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshTenderCast } from "../fixtures/tenders";
import { accountBalance, closedTender } from "../fixtures/tender-awards";
import { installRecordingQueue } from "../support/recording-queue";
import { eventPayload, signWebhook, startStripeFake, type StripeFake } from "../support/stripe-fake";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { paymentProvider, verifyStripeWebhook, type PaymentEvent } from "~/infra/payments/index.server";
import { confirmOfflineRefundSchema } from "~/services/tenders/award-schemas";
import { acceptAward, expireAwards } from "~/services/tenders/awards.server";
import { applyRefundEvent, confirmOfflineRefund, refundTenderDeposits } from "~/services/tenders/refunds.server";

const ctx = systemContext("test");
const closedAt = new Date("2026-11-24T02:00:00Z");
const inTime = new Date("2026-11-25T02:00:00Z");
const late = new Date("2026-11-29T16:00:00Z");
const deposit = 5_000_000n;

// email.send jobs are recorded, not run.
const { calls: queueCalls } = installRecordingQueue();
const sentEmails = () => queueCalls.filter((c) => c.name === "email.send").map((c) => c.payload);

let fake: StripeFake;
let bidder: AuthUser;
let bidder2: AuthUser;
let agency: AuthUser;
let finance: AuthUser;

const envKeys = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"] as const;
const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));

beforeAll(async () => {
  fake = await startStripeFake();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  fake.refundStatus = "succeeded";
  process.env.STRIPE_SECRET_KEY = fake.apiKey;
  process.env.STRIPE_WEBHOOK_SECRET = fake.webhookSecret;
  process.env.STRIPE_API_BASE = fake.url;
  ({ bidder, bidder2, agency, finance } = await freshTenderCast());
});
afterEach(() => {
  for (const k of envKeys) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

/** A PaymentIntent paid at the fake (what a confirmed Stripe deposit points at). */
async function paidIntent(reference: string): Promise<string> {
  const payment = await paymentProvider("stripe").createDepositPayment({ amount: deposit, currency: "cny", reference, methods: ["card"] });
  fake.succeed(payment.providerRef);
  return payment.providerRef;
}

/** The verified PaymentEvent of a fake event, exactly as the webhook route would get it. */
function verified(type: string, refundId: string): PaymentEvent {
  const event = fake.events.filter((e) => e.type === type && e.data.object.id === refundId).at(-1)!;
  const payload = eventPayload(event);
  return verifyStripeWebhook(payload, signWebhook(payload, fake.webhookSecret), fake.webhookSecret)!;
}

/** One lot: bidder (Stripe) wins over bidder2 (Stripe); the agency (bank transfer) registered and lost. */
async function stripeTender() {
  return closedTender({
    closedAt, deposit, bidders: [bidder, bidder2, agency],
    methods: { [bidder.email]: "STRIPE", [bidder2.email]: "STRIPE" },
    providerRefs: { [bidder.email]: await paidIntent("bidder"), [bidder2.email]: await paidIntent("bidder2") },
    lots: [{ price: 30_000_000n, bids: [[agency, 30_500_000n], [bidder2, 31_000_000n], [bidder, 32_000_000n]] }],
  });
}

const depositOf = (id: string) => prisma.bidDeposit.findUniqueOrThrow({ where: { id } });
const refundEntries = (depositId: string) => prisma.journalEntry.count({ where: { sourceId: depositId, description: "bid deposit refunded" } });

describe("refunds wait for every lot to be decided (R4)", () => {
  it("refuses while a lot awaits its signature, and changes nothing", async () => {
    const t = await stripeTender();
    const refused = await refusal(refundTenderDeposits(ctx, t.tenderId, inTime));
    expect([refused.key, refused.status, refused.options.params]).toEqual(["auction.refund.notDecided", 409, { lots: "1" }]);
    const statuses = await prisma.bidDeposit.findMany({ select: { status: true } });
    expect(statuses.every((d) => d.status === "CONFIRMED")).toBe(true);
    expect(fake.requests.filter((r) => r.path === "/v1/refunds")).toEqual([]);
  });
});

describe("Stripe refunds", () => {
  it("losers go REFUND_PENDING with key refund:<id>; refund.succeeded twice → REFUNDED with one ledger entry; the winner keeps the deposit", async () => {
    const t = await stripeTender();
    const winner = t.registrations[bidder.email]!;
    const loser = t.registrations[bidder2.email]!;
    const offline = t.registrations[agency.email]!;
    expect((await acceptAward(ctx, bidder, t.lots[0]!.awardId!, inTime)).tenderDecided).toBe(true);

    const run = await refundTenderDeposits(ctx, t.tenderId, inTime);
    expect(run.requested.map((r) => r.bidderKey).sort()).toEqual([loser.bidderKey, offline.bidderKey].sort());
    expect(run.kept).toEqual([{ bidderKey: winner.bidderKey, depositId: winner.depositId }]);
    expect(run.providerErrors).toEqual([]);
    const calls = fake.requests.filter((r) => r.method === "POST" && r.path === "/v1/refunds");
    expect(calls.map((c) => c.idempotencyKey)).toEqual([`refund:${loser.depositId}`]);
    const pending = await depositOf(loser.depositId);
    expect(pending.status).toBe("REFUND_PENDING");
    expect(pending.refundRef).toMatch(/^re_/);
    expect(await refundEntries(loser.depositId)).toBe(0); // money counts as refunded only on the event
    expect((await depositOf(winner.depositId)).status).toBe("CONFIRMED");
    expect(await depositOf(offline.depositId)).toMatchObject({ status: "REFUND_PENDING", refundRef: `offline-refund:refund:${offline.depositId}` });

    // A second run asks for nothing more.
    const again = await refundTenderDeposits(ctx, t.tenderId, inTime);
    expect(again.requested).toEqual([]);
    expect(fake.requests.filter((r) => r.path === "/v1/refunds")).toHaveLength(1);

    const event = verified("refund.created", pending.refundRef!);
    expect(event.type).toBe("refund.succeeded");
    await prisma.user.update({ where: { id: bidder2.id }, data: { locale: "en" } });
    const outboxIds: string[] = [];
    const outcomes = [
      await prisma.$transaction((tx) => applyRefundEvent(tx, ctx, event, outboxIds)),
      await prisma.$transaction((tx) => applyRefundEvent(tx, ctx, { ...event, id: "evt_duplicate_delivery" }, outboxIds)),
    ];
    expect(outcomes).toEqual([`deposit-refunded:${loser.depositId}`, `refund-duplicate:${loser.depositId}`]);
    // One depositRefunded email (not two), in the loser's language; its id handed to the caller to send after commit.
    const refundEmails = await prisma.outboxEmail.findMany({ where: { template: "depositRefunded" } });
    expect(refundEmails.map((e) => [e.to, e.template, e.locale])).toEqual([["bidder2@bank.example", "depositRefunded", "en"]]);
    expect(outboxIds).toEqual([refundEmails[0]!.id]);
    expect(refundEmails[0]!.text).toContain("Your bid deposit of ¥50,000.00 for tender");
    expect(refundEmails[0]!.text).toContain("back to the card or account you paid with");
    expect(await refundEntries(loser.depositId)).toBe(1);
    const refunded = await depositOf(loser.depositId);
    expect(refunded.status).toBe("REFUNDED");
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: refunded.refundEntryId! }, include: { lines: { include: { account: true } } } });
    expect(entry.lines.map((l) => [l.side, l.account.type, l.amount]).sort()).toEqual([
      ["CREDIT", "CLEARING_STRIPE", deposit],
      ["DEBIT", "DEPOSIT_HELD", deposit],
    ]);
    expect(await accountBalance({ bidderKey: loser.bidderKey })).toBe(0n);
    expect(await accountBalance({ bidderKey: winner.bidderKey })).toBe(deposit);
    expect(await accountBalance({ type: "CLEARING_STRIPE" })).toBe(deposit);
    expect(await prisma.notification.count({ where: { userId: bidder2.id, messageKey: "auction.refund.doneNotice" } })).toBe(1);
    expect(await prisma.auditEntry.count({ where: { action: "deposit.refund", entityId: loser.depositId } })).toBe(1);
  });

  it("a failed refund puts the deposit back to CONFIRMED; the next run asks again with a new key", async () => {
    const t = await stripeTender();
    const loser = t.registrations[bidder2.email]!;
    await acceptAward(ctx, bidder, t.lots[0]!.awardId!, inTime);
    fake.refundStatus = "pending";
    await refundTenderDeposits(ctx, t.tenderId, inTime);
    const refundId = (await depositOf(loser.depositId)).refundRef!;
    fake.refundFailed(refundId, "expired_or_canceled_card");
    const failed = verified("refund.failed", refundId);
    expect(await prisma.$transaction((tx) => applyRefundEvent(tx, ctx, failed))).toBe(`refund-failed:${loser.depositId}`);
    expect(await depositOf(loser.depositId)).toMatchObject({ status: "CONFIRMED", refundRef: null });
    expect(await refundEntries(loser.depositId)).toBe(0);

    fake.refundStatus = "succeeded";
    const retry = await refundTenderDeposits(ctx, t.tenderId, inTime);
    expect(retry.requested.map((r) => r.depositId)).toEqual([loser.depositId]);
    expect(fake.requests.filter((r) => r.path === "/v1/refunds").map((r) => r.idempotencyKey)).toEqual([`refund:${loser.depositId}`, `refund:${loser.depositId}:2`]);
    const second = (await depositOf(loser.depositId)).refundRef!;
    expect(second).not.toBe(refundId);
    await prisma.$transaction((tx) => applyRefundEvent(tx, ctx, verified("refund.created", second)));
    expect((await depositOf(loser.depositId)).status).toBe("REFUNDED");
    expect(await refundEntries(loser.depositId)).toBe(1);
  });
});

describe("offline refunds and who keeps what", () => {
  it("finance confirms an offline refund with a voucher, once; a reneger's deposit is forfeited, never refunded; winners keep one deposit", async () => {
    const retiree = await asUser("retiree@bank.example");
    const t = await closedTender({
      closedAt, deposit, bidders: [bidder, bidder2, agency, retiree],
      lots: [
        { price: 30_000_000n, bids: [[retiree, 30_100_000n], [bidder2, 31_000_000n], [bidder, 32_000_000n]] },
        { price: 20_000_000n, bids: [[agency, 21_000_000n]] },
        { price: 10_000_000n, bids: [[agency, 11_000_000n]] },
      ],
    });
    const reg = (u: AuthUser) => t.registrations[u.email]!;
    await acceptAward(ctx, agency, t.lots[1]!.awardId!, inTime);
    await acceptAward(ctx, agency, t.lots[2]!.awardId!, inTime);
    const expired = await expireAwards(late, ctx); // bidder reneges on lot 1: offered to bidder2
    const offer = expired.offered[0]!;
    expect((await refusal(refundTenderDeposits(ctx, t.tenderId, late))).key).toBe("auction.refund.notDecided");
    await acceptAward(ctx, bidder2, offer.awardId, late);

    const run = await refundTenderDeposits(ctx, t.tenderId, late);
    expect(run.requested.map((r) => r.bidderKey)).toEqual([reg(retiree).bidderKey]);
    expect(run.kept.map((k) => k.bidderKey).sort()).toEqual([reg(bidder2).bidderKey, reg(agency).bidderKey].sort());
    expect((await depositOf(reg(bidder).depositId)).status).toBe("FORFEITED");
    expect((await depositOf(reg(agency).depositId)).status).toBe("CONFIRMED"); // one deposit for two lots, kept

    const depositId = reg(retiree).depositId;
    await expect(confirmOfflineRefund(ctx, bidder, depositId, "V-1")).rejects.toMatchObject({ status: 403 });
    expect((await refusal(confirmOfflineRefund(ctx, finance, depositId, "  "))).key).toBe("auction.refund.voucherRequired");
    expect(confirmOfflineRefundSchema.safeParse({ voucher: "" }).error?.issues[0]?.message).toBe("auction.refund.voucherRequired");
    expect((await refusal(confirmOfflineRefund(ctx, finance, reg(agency).depositId, "V-1"))).key).toBe("auction.refund.notPending");

    queueCalls.length = 0;
    const done = await confirmOfflineRefund(ctx, finance, depositId, " BT-2026-0042 ");
    expect(done).toMatchObject({ status: "REFUNDED", refundVoucher: "BT-2026-0042" });
    const refundEmails = await prisma.outboxEmail.findMany({ where: { template: "depositRefunded" } });
    expect(refundEmails.map((e) => [e.to, e.template, e.locale])).toEqual([["retiree@bank.example", "depositRefunded", "zh-CN"]]);
    expect(refundEmails[0]!.subject).toMatch(/^竞标定金已退还：/);
    expect(refundEmails[0]!.text).toContain("竞标定金 ¥50,000.00 已退还（银行转账）");
    expect(sentEmails()).toEqual([{ outboxId: refundEmails[0]!.id }]); // sent after the commit
    expect(await refundEntries(depositId)).toBe(1);
    expect(await accountBalance({ bidderKey: reg(retiree).bidderKey })).toBe(0n);
    // Four deposits received by bank transfer, one refunded.
    expect(await accountBalance({ type: "CLEARING_BANK_TRANSFER" })).toBe(3n * deposit);
    expect(await accountBalance({ type: "BANK_INCOME" })).toBe(deposit);

    const twice = await refusal(confirmOfflineRefund(ctx, finance, depositId, "BT-2026-0043"));
    expect([twice.key, twice.status]).toEqual(["auction.refund.alreadyRefunded", 409]);
    expect(await refundEntries(depositId)).toBe(1);
    expect(await prisma.outboxEmail.count({ where: { template: "depositRefunded" } })).toBe(1); // no second email
    expect((await refundTenderDeposits(ctx, t.tenderId, late)).requested).toEqual([]);
  });

  it("a Stripe deposit is not confirmed by hand", async () => {
    const t = await stripeTender();
    await acceptAward(ctx, bidder, t.lots[0]!.awardId!, inTime);
    await refundTenderDeposits(ctx, t.tenderId, inTime);
    expect((await refusal(confirmOfflineRefund(ctx, finance, t.registrations[bidder2.email]!.depositId, "V-9"))).key).toBe("auction.refund.notOffline");
  });
});
