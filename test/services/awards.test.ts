import { beforeEach, describe, expect, it } from "vitest";
import { freshTenderCast } from "../fixtures/tenders";
import { accountBalance, closedTender } from "../fixtures/tender-awards";
import { installRecordingQueue } from "../support/recording-queue";
import { asUser, refusal } from "../support/users";
import { defaultSettings } from "~/domain/settings";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { acceptAward, expireAwards } from "~/services/tenders/awards.server";
import { acceptAwardSchema } from "~/services/tenders/award-schemas";

const ctx = systemContext("test");
// Closed at 10:00 China time on 2026-11-24: the signing deadline (5 days, R4) is 23:59:59.999 China time on 2026-11-29.
const closedAt = new Date("2026-11-24T02:00:00Z");
const deadline = new Date("2026-11-29T15:59:59.999Z");
const late = new Date(deadline.getTime() + 1);
const deposit = 5_000_000n; // ¥50,000.00

// email.send jobs are recorded, not run.
const { calls } = installRecordingQueue();

let bidder: AuthUser;
let bidder2: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ bidder, bidder2, agency } = await freshTenderCast());
  calls.length = 0;
});

/** One lot at ¥300,000: bidder 310,000, bidder2 320,000, bidder 330,000 (wins); agency registered without bidding. */
const oneLot = () =>
  closedTender({
    closedAt, deposit, bidders: [bidder, bidder2, agency],
    lots: [{ price: 30_000_000n, bids: [[bidder, 31_000_000n], [bidder2, 32_000_000n], [bidder, 33_000_000n]] }],
  });

async function setOnRenege(onRenege: "next-bidder" | "re-tender") {
  await prisma.settingVersion.create({
    data: { version: 2, effectiveFrom: new Date("2026-01-01T00:00:00Z"), values: JSON.stringify({ ...defaultSettings, onRenege }), status: "APPROVED", reason: "test", decidedAt: new Date() },
  });
}

describe("accepting an award (R4)", () => {
  it("the winner accepts until the deadline instant (23:59:59.999 China time, 5 days after the award day)", async () => {
    const t = await oneLot();
    const award = await prisma.lotAward.findUniqueOrThrow({ where: { id: t.lots[0]!.awardId! } });
    expect(award.deadline.toISOString()).toBe(deadline.toISOString());
    expect(award.price).toBe(33_000_000n);

    expect((await refusal(acceptAward(ctx, bidder2, award.id, closedAt))).key).toBe("auction.award.notYours");
    const accepted = await acceptAward(ctx, bidder, acceptAwardSchema.parse({ award_id: award.id }).award_id, deadline);
    expect(accepted).toMatchObject({ price: 33_000_000n, bidderKey: `user:${bidder.id}`, tenderDecided: true });
    const lot = await prisma.tenderLot.findUniqueOrThrow({ where: { id: t.lots[0]!.lotId } });
    expect(lot).toMatchObject({ status: "ACCEPTED", winningPrice: 33_000_000n, winnerKey: `user:${bidder.id}` });
    expect((await prisma.lotAward.findUniqueOrThrow({ where: { id: award.id } })).status).toBe("ACCEPTED");
    expect(await prisma.auditEntry.count({ where: { action: "award.accept", entityId: award.id } })).toBe(1);

    const again = await refusal(acceptAward(ctx, bidder, award.id, deadline));
    expect([again.key, again.status]).toEqual(["auction.award.alreadyDecided", 409]);
    // Accepted in time: the sweeper leaves it alone, nothing forfeited.
    expect((await expireAwards(late, ctx)).reneged).toEqual([]);
    expect(await accountBalance({ bidderKey: `user:${bidder.id}` })).toBe(deposit);
  });

  it("one millisecond after the deadline the award can no longer be accepted; staff without tenders:bid are refused", async () => {
    const t = await oneLot();
    const refused = await refusal(acceptAward(ctx, bidder, t.lots[0]!.awardId!, late));
    expect([refused.key, refused.status]).toEqual(["auction.award.deadlinePassed", 409]);
    const finance = await asUser("finance@bank.example");
    await expect(acceptAward(ctx, finance, t.lots[0]!.awardId!, closedAt)).rejects.toMatchObject({ status: 403 });
  });
});

describe("the deadline passes (expireAwards)", () => {
  it("forfeits the deposit to bank income (balanced entry) and offers the lot to the next bidder at their own price", async () => {
    const t = await oneLot();
    const bidderKey = `user:${bidder.id}`;
    expect((await expireAwards(deadline, ctx)).reneged).toEqual([]); // the deadline instant is still in time

    await prisma.user.update({ where: { id: bidder2.id }, data: { locale: "en" } }); // the next bidder reads English
    calls.length = 0;
    const result = await expireAwards(late, ctx);
    expect(result.reneged).toEqual([t.lots[0]!.awardId]);
    expect(result.forfeited).toBe(deposit);

    // The reneging bidder is told by email (deadline passed, ¥50,000.00 forfeited as 违约金); the next bidder is offered the lot.
    const emails = await prisma.outboxEmail.findMany({ where: { template: { in: ["awardLapsed", "awardOffered"] } }, orderBy: { template: "asc" } });
    expect(emails.map((e) => [e.to, e.template, e.locale])).toEqual([
      ["bidder@bank.example", "awardLapsed", "zh-CN"],
      ["bidder2@bank.example", "awardOffered", "en"],
    ]);
    expect(emails[0]!.text).toContain("2026/11/29 23:59");
    expect(emails[0]!.text).toContain("竞标定金 ¥50,000.00 已作为违约金没收");
    expect(emails[1]!.text).toContain("at your own bid of ¥320,000.00");
    expect(emails[1]!.text).toContain("before 12/05/2026, 23:59 (China time)");
    expect(calls.filter((c) => c.name === "email.send").map((c) => c.payload)).toEqual(emails.map((e) => ({ outboxId: e.id })));
    expect(result.offered).toEqual([expect.objectContaining({ bidderKey: `user:${bidder2.id}`, price: 32_000_000n })]);
    expect(result.decidedTenderIds).toEqual([]);

    const depositRow = await prisma.bidDeposit.findUniqueOrThrow({ where: { id: t.registrations[bidder.email]!.depositId } });
    expect(depositRow.status).toBe("FORFEITED");
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: depositRow.forfeitEntryId! }, include: { lines: { include: { account: true } } } });
    expect(entry.sourceType).toBe("bid-deposit");
    expect(entry.sourceId).toBe(depositRow.id);
    const debit = entry.lines.filter((l) => l.side === "DEBIT");
    const credit = entry.lines.filter((l) => l.side === "CREDIT");
    expect(debit.reduce((s, l) => s + l.amount, 0n)).toBe(credit.reduce((s, l) => s + l.amount, 0n));
    expect(debit.map((l) => [l.account.type, l.amount])).toEqual([["DEPOSIT_HELD", deposit]]);
    expect(credit.map((l) => [l.account.type, l.amount])).toEqual([["BANK_INCOME", deposit]]);
    expect(await accountBalance({ bidderKey })).toBe(0n);
    expect(await accountBalance({ type: "BANK_INCOME" })).toBe(deposit);
    expect(await prisma.auditEntry.count({ where: { action: "deposit.forfeit", entityId: depositRow.id } })).toBe(1);
    expect(await prisma.notification.findMany({ where: { userId: bidder.id }, select: { messageKey: true } })).toEqual(
      expect.arrayContaining([{ messageKey: "auction.award.forfeitedNotice" }, { messageKey: "auction.award.lapsedNotice" }]),
    );

    // Round 2 to bidder2 at bidder2's own highest bid, with a fresh deadline from now (China day 11-30 + 5).
    const awards = await prisma.lotAward.findMany({ where: { lotId: t.lots[0]!.lotId }, orderBy: { round: "asc" } });
    expect(awards.map((a) => [a.round, a.status, a.bidderKey, a.price])).toEqual([
      [1, "RENEGED", bidderKey, 33_000_000n],
      [2, "PENDING", `user:${bidder2.id}`, 32_000_000n],
    ]);
    expect(awards[1]!.deadline.toISOString()).toBe("2026-12-05T15:59:59.999Z");
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: t.lots[0]!.lotId } })).status).toBe("OFFERED_TO_NEXT");
    expect(await prisma.notification.count({ where: { userId: bidder2.id, messageKey: "auction.award.offeredNotice" } })).toBe(1);

    // Idempotent: a second sweep changes nothing.
    const again = await expireAwards(late, ctx);
    expect(again.reneged).toEqual([]);
    expect(await prisma.journalEntry.count({ where: { sourceId: depositRow.id } })).toBe(2); // receipt + forfeit

    // The next bidder accepts at their own price.
    await acceptAward(ctx, bidder2, awards[1]!.id, new Date("2026-12-01T00:00:00Z"));
    expect(await prisma.tenderLot.findUniqueOrThrow({ where: { id: t.lots[0]!.lotId } })).toMatchObject({ status: "ACCEPTED", winningPrice: 32_000_000n, winnerKey: `user:${bidder2.id}` });
  });

  it("a bidder who reneges on two lots loses one deposit; when the next bidder reneges too, the lot is returned", async () => {
    const t = await closedTender({
      closedAt, deposit, bidders: [bidder, bidder2],
      lots: [
        { price: 30_000_000n, bids: [[bidder2, 31_000_000n], [bidder, 32_000_000n]] },
        { price: 20_000_000n, bids: [[bidder, 21_000_000n]] },
      ],
    });
    const first = await expireAwards(late, ctx);
    expect(first.reneged).toHaveLength(2);
    expect(first.forfeited).toBe(deposit); // once per bidder and tender
    expect(await prisma.journalEntry.count({ where: { sourceId: t.registrations[bidder.email]!.depositId, lines: { some: { side: "CREDIT", account: { type: "BANK_INCOME" } } } } })).toBe(1);
    expect(await accountBalance({ type: "BANK_INCOME" })).toBe(deposit);
    // Lot 1 goes to bidder2 at 310,000; lot 2 had nobody else: returned.
    expect(first.offered).toEqual([expect.objectContaining({ lotId: t.lots[0]!.lotId, bidderKey: `user:${bidder2.id}`, price: 31_000_000n })]);
    expect(first.returned).toEqual([t.lots[1]!.lotId]);

    // bidder2 lets the offer lapse too: their deposit is forfeited, the lot returned (nobody left), the tender decided.
    const second = await expireAwards(new Date("2026-12-06T00:00:00Z"), ctx);
    expect(second.forfeited).toBe(deposit);
    expect(second.returned).toEqual([t.lots[0]!.lotId]);
    expect(second.decidedTenderIds).toEqual([t.tenderId]);
    expect(await accountBalance({ type: "BANK_INCOME" })).toBe(2n * deposit);
    const lots = await prisma.tenderLot.findMany({ where: { tenderId: t.tenderId }, orderBy: { lotNumber: "asc" } });
    expect(lots.map((l) => l.status)).toEqual(["RETURNED", "RETURNED"]);
    expect(await prisma.auditEntry.count({ where: { action: "lot.return" } })).toBe(2);
  });

  it("with the setting onRenege = re-tender the lot is returned, not offered", async () => {
    await setOnRenege("re-tender");
    const t = await oneLot();
    const result = await expireAwards(late, ctx);
    expect(result.offered).toEqual([]);
    expect(result.returned).toEqual([t.lots[0]!.lotId]);
    expect(result.forfeited).toBe(deposit);
    expect(result.decidedTenderIds).toEqual([t.tenderId]);
    expect(await prisma.lotAward.count({ where: { lotId: t.lots[0]!.lotId } })).toBe(1);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "lot.return" } });
    expect(JSON.parse(audit.after!)).toMatchObject({ status: "RETURNED", because: "setting" });
  });
});
