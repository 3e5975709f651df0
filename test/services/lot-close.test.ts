import { beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../jobs/define";
import { createInProcessQueue } from "../../jobs/inprocess";
import { jobs } from "../../jobs/registry";
import { closeLotJob, closeLotJobId, sweepLotsJob } from "../../jobs/tender-jobs";
import { freshTenderCast, qualifyBidder, tenderWithLots } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { signingDeadline } from "~/domain/award";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { subscribe, type LiveEvent } from "~/infra/live-events.server";
import { bidderKeyOf, placeBid } from "~/services/tenders/bidding.server";
import { closeLot, scheduleLotCloses, sweepDueLots, tellLosers } from "~/services/tenders/lot-close.server";

const ctx = systemContext("test");
const MIN = 60_000;
const close = new Date("2026-11-24T08:00:00Z");
const start = new Date("2026-11-24T06:00:00Z");
const during = new Date("2026-11-24T07:00:00Z");
const reserve = 10_000_000n; // ¥100,000.00

const lotsOf = (opts: { reserves?: bigint[]; closesAt?: Date; startsAt?: Date; status?: string } = {}) => tenderWithLots({ startsAt: start, closesAt: close, ...opts });
const qualify = (user: AuthUser, tenderId: string) => qualifyBidder(user, tenderId, start);

// The close job is moved on extensions: the queue records it instead of running it.
const { calls, queue: recordingQueue } = installRecordingQueue();

let bidder: AuthUser;
let bidder2: AuthUser;

beforeEach(async () => {
  ({ bidder, bidder2 } = await freshTenderCast());
  calls.length = 0;
});

const bid = (user: AuthUser, lotId: string, amount: string, key: string, now = during) => placeBid(ctx, user, lotId, { amount, idempotencyKey: key }, now);

/** Everything closeLot may change, to compare before and after a second run. */
async function snapshot(lotId: string) {
  return {
    lot: await prisma.tenderLot.findUniqueOrThrow({ where: { id: lotId } }),
    awards: await prisma.lotAward.findMany({ where: { lotId }, orderBy: { round: "asc" } }),
    audits: await prisma.auditEntry.count({ where: { action: "lot.close" } }),
    notifications: await prisma.notification.count(),
    tenders: await prisma.tender.findMany({ orderBy: { id: "asc" } }),
  };
}

describe("closeLot", () => {
  it("sold: the highest bid wins, award round 1 with the signing deadline, winner and loser told, lot.closed published", async () => {
    const { tender, lots: [lot] } = await lotsOf();
    await prisma.user.update({ where: { id: bidder.id }, data: { locale: "en" } }); // the loser reads English
    await prisma.tender.update({ where: { id: tender.id }, data: { number: "TND-2026-007" } });
    await qualify(bidder, tender.id);
    const winnerRegistration = await qualify(bidder2, tender.id);
    await bid(bidder, lot!.id, "100000", "a");
    await bid(bidder2, lot!.id, "101000", "b");
    await bid(bidder, lot!.id, "102000", "c");
    await bid(bidder2, lot!.id, "120000", "d");

    const events: LiveEvent[] = [];
    const unsubscribe = subscribe(`lot:${lot!.id}`, (e) => events.push(e));
    await unsubscribe.ready; // with Redis, the subscription is live only once Redis confirms it
    const closedAt = new Date(close.getTime() + 2_000);
    const result = await closeLot(lot!.id, closedAt);
    const deadline = signingDeadline(closedAt, { signingDays: 5 });
    expect(result).toMatchObject({ outcome: "sold", price: 12_000_000n, winnerKey: bidderKeyOf(bidder2), deadline, tenderClosed: true });

    const row = await prisma.tenderLot.findUniqueOrThrow({ where: { id: lot!.id } });
    expect(row).toMatchObject({ status: "AWAITING_SIGNATURE", closedAt, highBid: 12_000_000n });
    const awards = await prisma.lotAward.findMany({ where: { lotId: lot!.id } });
    expect(awards).toEqual([
      expect.objectContaining({ round: 1, bidderKey: bidderKeyOf(bidder2), registrationId: winnerRegistration.id, price: 12_000_000n, deadline, status: "PENDING", offeredAt: closedAt }),
    ]);
    expect(deadline.toISOString()).toBe("2026-11-29T15:59:59.999Z"); // 2026-11-24 (China) + 5 days, 23:59:59.999 China time
    expect(await prisma.tender.findUniqueOrThrow({ where: { id: tender.id } })).toMatchObject({ status: "CLOSED", closedAt });

    const won = await prisma.notification.findMany({ where: { messageKey: "auction.lot.won" } });
    expect(won.map((n) => n.userId)).toEqual([bidder2.id]);
    expect(JSON.parse(won[0]!.params)).toMatchObject({ price: "120000.00", lotNumber: 1, deadline: "2026-11-29 23:59" });
    expect((await prisma.notification.findMany({ where: { messageKey: "auction.lot.lost" } })).map((n) => n.userId)).toEqual([bidder.id]);
    // Emails in the same transaction, each in the recipient's language, then one email.send job per message.
    const emails = await prisma.outboxEmail.findMany({ orderBy: { template: "asc" } });
    expect(emails.map((e) => [e.to, e.template, e.locale])).toEqual([
      ["bidder@bank.example", "lotLost", "en"],
      ["bidder2@bank.example", "lotWon", "zh-CN"],
    ]);
    const [lost, wonEmail] = emails;
    expect(wonEmail!.subject).toBe("【中标通知】TND-2026-007 第 1 号标的");
    expect(wonEmail!.text).toContain("以 ¥120,000.00 中标");
    expect(wonEmail!.text).toContain("请在 2026/11/29 23:59（北京时间）前");
    expect(wonEmail!.text).toContain(`/tenders/${tender.id}`);
    expect(lost!.text).toContain("went to another bidder at ¥120,000.00");
    expect(lost!.text).toContain("refunded once every lot of the tender is decided");
    expect(calls.filter((c) => c.name === "email.send").map((c) => c.payload)).toEqual(
      expect.arrayContaining(emails.map((e) => ({ outboxId: e.id }))),
    );
    expect(calls.filter((c) => c.name === "email.send")).toHaveLength(2);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "lot.close", entityId: lot!.id } });
    expect(JSON.parse(audit.after!)).toMatchObject({ outcome: "sold", price: "120000.00", premium: "20000.00", bidders: 2, bidCount: 4 });

    // Delivery is asynchronous (through Redis when REDIS_URL is set).
    await expect.poll(() => events.filter((e) => e.type === "lot.closed")).toEqual([{ type: "lot.closed", data: { lotId: lot!.id, outcome: "sold", price: "120000.00" } }]);
    unsubscribe();
  });

  it("tells the losers once, after the commit; the sweeper tells them when that step was lost", async () => {
    const { tender, lots: [lot] } = await lotsOf();
    await qualify(bidder, tender.id);
    await qualify(bidder2, tender.id);
    await bid(bidder, lot!.id, "100000", "a");
    await bid(bidder2, lot!.id, "101000", "b");
    // As if the process died right after the close committed: the lot and award are there, the losers not told.
    await prisma.tenderLot.update({ where: { id: lot!.id }, data: { status: "AWAITING_SIGNATURE", closedAt: close } });
    const registration = await prisma.tenderRegistration.findFirstOrThrow({ where: { tenderId: tender.id, bidderKey: bidderKeyOf(bidder2) } });
    await prisma.lotAward.create({ data: { lotId: lot!.id, round: 1, bidderKey: bidderKeyOf(bidder2), registrationId: registration.id, price: 10_100_000n, offeredAt: close, deadline: signingDeadline(close, { signingDays: 5 }) } });
    expect(await prisma.notification.count({ where: { messageKey: "auction.lot.lost" } })).toBe(0);

    await sweepDueLots(new Date(close.getTime() + 2 * MIN));
    expect((await prisma.notification.findMany({ where: { messageKey: "auction.lot.lost" } })).map((n) => n.userId)).toEqual([bidder.id]);
    expect((await prisma.outboxEmail.findMany({ where: { template: "lotLost" } })).map((e) => e.to)).toEqual(["bidder@bank.example"]);
    // Once only: the sweeper and tellLosers again change nothing.
    await sweepDueLots(new Date(close.getTime() + 3 * MIN));
    expect(await tellLosers(lot!.id)).toBe(0);
    expect(await prisma.notification.count({ where: { messageKey: "auction.lot.lost" } })).toBe(1);
    expect(await prisma.auditEntry.count({ where: { action: "lot.losersTold", entityId: lot!.id } })).toBe(1);
  });

  it("unsold without a bid; the tender closes only with its last lot, and then its deposits are refunded", async () => {
    const { tender, lots: [first, second] } = await lotsOf({ reserves: [reserve, reserve], closesAt: close });
    await prisma.tenderLot.update({ where: { id: second!.id }, data: { closesAt: new Date(close.getTime() + 10 * MIN) } });
    expect(await closeLot(first!.id, close)).toEqual({ lotId: first!.id, outcome: "unsold", tenderClosed: false });
    expect(await prisma.tenderLot.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "UNSOLD", closedAt: close });
    expect(await prisma.lotAward.count()).toBe(0);
    expect((await prisma.tender.findUniqueOrThrow({ where: { id: tender.id } })).status).toBe("PUBLISHED");
    expect(calls.filter((c) => c.name === "tenders.refundDeposits")).toHaveLength(0);
    expect(await closeLot(second!.id, new Date(close.getTime() + 10 * MIN))).toMatchObject({ outcome: "unsold", tenderClosed: true, refundsDue: tender.id });
    expect((await prisma.tender.findUniqueOrThrow({ where: { id: tender.id } })).status).toBe("CLOSED");
    // Every lot is decided: the refund job is queued at once.
    expect(calls.filter((c) => c.name === "tenders.refundDeposits").map((c) => c.payload)).toEqual([{ tenderId: tender.id }]);
  });

  it("running twice changes nothing the second time", async () => {
    const { tender, lots: [lot] } = await lotsOf();
    await qualify(bidder, tender.id);
    await bid(bidder, lot!.id, "100000", "a");
    await closeLot(lot!.id, close);
    const before = await snapshot(lot!.id);
    expect(await closeLot(lot!.id, new Date(close.getTime() + MIN))).toEqual({ lotId: lot!.id, outcome: "already_closed", status: "AWAITING_SIGNATURE" });
    expect(await snapshot(lot!.id)).toEqual(before);
  });

  it("not yet due (moved by an extension): nothing changes and a close job is queued at the new close", async () => {
    const { tender, lots: [lot] } = await lotsOf();
    await qualify(bidder, tender.id);
    const extended = await bid(bidder, lot!.id, "100000", "late", new Date(close.getTime() - MIN));
    calls.length = 0;
    const before = await snapshot(lot!.id);
    expect(await closeLot(lot!.id, close)).toEqual({ lotId: lot!.id, outcome: "not_due", closesAt: extended.closesAt });
    expect(await snapshot(lot!.id)).toEqual(before);
    expect(calls).toEqual([
      { op: "enqueue", name: "tenders.closeLot", jobId: `${closeLotJobId(lot!.id)}__${extended.closesAt.getTime()}`, payload: { lotId: lot!.id }, delayMs: 4 * MIN },
    ]);
    expect((await closeLot(lot!.id, extended.closesAt)).outcome).toBe("sold");
  });

  it("leaves lots of unpublished tenders alone", async () => {
    const { lots: [lot] } = await lotsOf({ status: "DRAFT" });
    expect(await closeLot(lot!.id, close)).toEqual({ lotId: lot!.id, outcome: "not_published" });
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: lot!.id } })).status).toBe("OPEN");
  });
});

describe("jobs and the sweeper", () => {
  it("scheduleLotCloses puts one close job per open lot at its close (deterministic id)", async () => {
    const { tender, lots } = await lotsOf({ reserves: [reserve, reserve] });
    expect(await scheduleLotCloses(tender.id, during)).toBe(2);
    expect(calls).toEqual(
      lots.map((lot) => ({ op: "reschedule", name: "tenders.closeLot", jobId: `tenders.closeLot__${lot.id}`, payload: { lotId: lot.id }, delayMs: 60 * MIN })),
    );
  });

  it("sweepDueLots closes an overdue lot whose job was lost, and only that", async () => {
    const { tender, lots: [overdue, later] } = await lotsOf({ reserves: [reserve, reserve] });
    await prisma.tenderLot.update({ where: { id: later!.id }, data: { closesAt: new Date(close.getTime() + 30 * MIN) } });
    const draft = await lotsOf({ status: "DRAFT" });
    await qualify(bidder, tender.id);
    await bid(bidder, overdue!.id, "100000", "a");

    const results = await sweepDueLots(new Date(close.getTime() + MIN));
    expect(results).toEqual([expect.objectContaining({ lotId: overdue!.id, outcome: "sold", price: 10_000_000n })]);
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: later!.id } })).status).toBe("OPEN");
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: draft.lots[0]!.id } })).status).toBe("OPEN");
    expect(await sweepDueLots(new Date(close.getTime() + 2 * MIN))).toEqual([]);
  });

  it("the job handlers close a due lot with the server clock", async () => {
    const past = new Date(Date.now() - MIN);
    const { lots: [a, b] } = await lotsOf({ reserves: [reserve, reserve], startsAt: new Date(past.getTime() - 60 * MIN), closesAt: past });
    await closeLotJob.handler({ lotId: a!.id }, { jobId: closeLotJobId(a!.id), attempt: 1, logger: silentLogger });
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: a!.id } })).status).toBe("UNSOLD");
    await sweepLotsJob.handler({}, { jobId: "sweep", attempt: 1, logger: silentLogger });
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: b!.id } })).status).toBe("UNSOLD");
  });

  it("with the real in-process queue, the close job moved by a bid runs at the new close", async () => {
    const realNow = Date.now();
    const { tender, lots: [lot] } = await lotsOf({ startsAt: new Date(realNow - 60 * MIN), closesAt: new Date(realNow + 60 * MIN) });
    await qualify(bidder, tender.id);
    const queue = createInProcessQueue({ ...jobs, closeLotJob, sweepLotsJob });
    globalThis.__jobQueue = queue;
    try {
      await scheduleLotCloses(tender.id);
      // The close is brought forward to 300 ms from now; a bid in the last 5 minutes moves it (and the job) to +5 min…
      await prisma.tenderLot.update({ where: { id: lot!.id }, data: { closesAt: new Date(Date.now() + 300) } });
      const placed = await bid(bidder, lot!.id, "100000", "live", new Date());
      expect(placed.extended).toBe(true);
      // …and the moved job, brought back to 200 ms, closes the lot once (the old one is gone).
      await prisma.tenderLot.update({ where: { id: lot!.id }, data: { closesAt: new Date(Date.now() + 200) } });
      await queue.reschedule(closeLotJob, closeLotJobId(lot!.id), { lotId: lot!.id }, 200);
      const deadline = Date.now() + 5_000;
      while ((await prisma.tenderLot.findUniqueOrThrow({ where: { id: lot!.id } })).status === "OPEN" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: lot!.id } })).status).toBe("AWAITING_SIGNATURE");
      expect((await queue.counts())["tenders.closeLot"]).toMatchObject({ delayed: 0, failed: 0 });
    } finally {
      await queue.close();
      globalThis.__jobQueue = recordingQueue;
    }
  });
});
