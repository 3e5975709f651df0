import { closeLot as decideLot } from "~/domain/auction";
import { signingDeadline } from "~/domain/award";
import { todayInChina } from "~/domain/calendar";
import { toYuanString, type Fen } from "~/domain/money";
import { audited, systemContext, type AuditContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { publish } from "~/infra/live-events.server";
import { getQueue } from "~/infra/queue.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { settingsAt } from "~/services/settings/settings.server";
import { closeLotJob, closeLotJobId } from "../../../jobs/tender-jobs";
import { refundTenderDepositsJob } from "../../../jobs/tender-award-jobs";
import { emailBidder, tenderDecided } from "./awards.server";
import { notify, usersOfBidder } from "./notifications.server";

/**
 * The close of a lot (issue 6, item 5; R3 at the close, R4's signing deadline). closeLot is
 * idempotent: a lot that is no longer OPEN is left as it is, so the delayed job, a retry of it and the
 * sweeper may all run it. The close is written under the lot's version like a bid, so a bid and the
 * close racing at the deadline are serialized: the bid either lands before (and is decided with the
 * lot open, by the server clock) or finds the lot closed.
 */

export type CloseLotResult =
  | { lotId: string; outcome: "sold"; price: Fen; winnerKey: string; awardId: string; deadline: Date; tenderClosed: boolean }
  | { lotId: string; outcome: "unsold"; tenderClosed: boolean; refundsDue?: string }
  | { lotId: string; outcome: "not_due"; closesAt: Date }
  | { lotId: string; outcome: "already_closed"; status: string }
  | { lotId: string; outcome: "not_published" }
  | { lotId: string; outcome: "not_found" };

const defaultContext = systemContext("tenders.closeLot");

/** The live-events channel of a lot: "bid.accepted" and "lot.closed". */
export const lotChannel = (lotId: string) => `lot:${lotId}`;

/** Schedules (or moves) the close job of every OPEN lot of a tender; called after publication. */
export async function scheduleLotCloses(tenderId: string, now = new Date()): Promise<number> {
  const lots = await prisma.tenderLot.findMany({ where: { tenderId, status: "OPEN" }, select: { id: true, closesAt: true } });
  for (const lot of lots) {
    await getQueue().reschedule(closeLotJob, closeLotJobId(lot.id), { lotId: lot.id }, Math.max(0, lot.closesAt.getTime() - now.getTime()));
  }
  return lots.length;
}

class CloseConflict extends Error {}

/**
 * Closes the lot when it is due (closesAt ≤ now): the highest bid wins → AWAITING_SIGNATURE with
 * LotAward round 1 (deadline = signingDeadline(now)); no bid → UNSOLD. The tender becomes CLOSED once
 * none of its lots is OPEN. Not yet due → a close job at the current close. Publishes "lot.closed"
 * after the commit.
 */
export async function closeLot(lotId: string, now = new Date(), ctx: AuditContext = defaultContext): Promise<CloseLotResult> {
  const settings = await settingsAt(now);
  for (let attempt = 1; ; attempt++) {
    try {
      const { result, outboxIds } = await closeOnce(ctx, lotId, now, settings.values.signingDays);
      await sendQueuedEmails(outboxIds);
      await afterClose(result, now);
      // After the watchers heard of the close: with many bidders this is the slow part.
      if (result.outcome === "sold") await tellLosersSafely(lotId, ctx);
      return result;
    } catch (error) {
      if (!(error instanceof CloseConflict) || attempt >= 5) throw error;
    }
  }
}

/** The close and the outbox ids of the emails it wrote (sent after the commit). */
async function closeOnce(ctx: AuditContext, lotId: string, now: Date, signingDays: number): Promise<{ result: CloseLotResult; outboxIds: string[] }> {
  return audited(
    ctx,
    async (tx, audit): Promise<{ result: CloseLotResult; outboxIds: string[] }> => {
      const outboxIds: string[] = [];
      const lot = await tx.tenderLot.findUnique({ where: { id: lotId }, include: { tender: { select: { id: true, status: true, number: true, title: true } } } });
      if (!lot) return { result: { lotId, outcome: "not_found" }, outboxIds };
      if (lot.status !== "OPEN") return { result: { lotId, outcome: "already_closed", status: lot.status }, outboxIds };
      if (lot.tender.status !== "PUBLISHED") return { result: { lotId, outcome: "not_published" }, outboxIds };
      if (lot.closesAt.getTime() > now.getTime()) return { result: { lotId, outcome: "not_due", closesAt: lot.closesAt }, outboxIds };

      const bids = await tx.bid.findMany({ where: { lotId }, select: { id: true, bidderKey: true, registrationId: true, amount: true, placedAt: true } });
      const decision = decideLot(bids.map((b) => ({ ...b, bidderId: b.bidderKey })), lot.reserve);
      const status = decision.outcome === "sold" ? "AWAITING_SIGNATURE" : "UNSOLD";
      const moved = await tx.tenderLot.updateMany({
        where: { id: lot.id, version: lot.version, status: "OPEN" },
        data: { status, closedAt: now, version: { increment: 1 } },
      });
      if (moved.count !== 1) throw new CloseConflict();

      let award: { id: string; deadline: Date } | null = null;
      if (decision.outcome === "sold") {
        award = await tx.lotAward.create({
          data: {
            lotId, round: 1, bidderKey: decision.winner, registrationId: decision.winningBid.registrationId,
            price: decision.price, offeredAt: now, deadline: signingDeadline(now, { signingDays }),
          },
          select: { id: true, deadline: true },
        });
      }
      if (decision.outcome === "sold") {
        // The winner and every other bidder of the lot: in-app and by email (in each user's language).
        const params = { tender: lot.tender.number ?? lot.tender.title, lotNumber: lot.lotNumber, price: toYuanString(decision.price) };
        const link = `/tenders/${lot.tenderId}`;
        // The winner here; the other bidders right after the commit (tellLosers), so that the winner is
        // recorded at the deadline however many bidders there were.
        const winners = await usersOfBidder(tx, decision.winner);
        await notify(tx, winners.map((u) => u.id), "auction.lot.won", { ...params, deadline: `${todayInChina(award!.deadline)} 23:59` }, link);
        const email = { number: lot.tender.number ?? "", title: lot.tender.title, lotNumber: lot.lotNumber, price: decision.price, link };
        outboxIds.push(...(await emailBidder(tx, decision.winner, "lotWon", { ...email, deadline: award!.deadline })));
      }
      const stillOpen = await tx.tenderLot.count({ where: { tenderId: lot.tenderId, status: "OPEN" } });
      let tenderClosed = false;
      if (stillOpen === 0) {
        const closed = await tx.tender.updateMany({ where: { id: lot.tenderId, status: "PUBLISHED" }, data: { status: "CLOSED", closedAt: now } });
        tenderClosed = closed.count === 1;
      }
      await audit({
        action: "lot.close", entityType: "TenderLot", entityId: lot.id,
        before: { status: lot.status, closesAt: lot.closesAt.toISOString() },
        after:
          decision.outcome === "sold"
            ? {
                status, outcome: "sold", price: toYuanString(decision.price), premium: toYuanString(decision.premium), winnerKey: decision.winner,
                bidders: decision.bidders, bidCount: bids.length, awardId: award!.id, deadline: award!.deadline.toISOString(), tenderClosed,
              }
            : { status, outcome: "unsold", tenderClosed },
      });
      const result: CloseLotResult =
        decision.outcome === "sold"
          ? { lotId, outcome: "sold", price: decision.price, winnerKey: decision.winner, awardId: award!.id, deadline: award!.deadline, tenderClosed }
          : { lotId, outcome: "unsold", tenderClosed, ...((await tenderDecided(tx, lot.tenderId)) ? { refundsDue: lot.tenderId } : {}) };
      return { result, outboxIds };
    },
    { maxWait: 15_000, timeout: 15_000 },
  );
}

/** After the commit: "lot.closed" to the lot's watchers, or a close job at the (moved) close. Errors are logged. */
async function afterClose(result: CloseLotResult, now: Date): Promise<void> {
  try {
    // An unsold lot that decides the tender (every other lot decided already): the deposits go back now.
    if (result.outcome === "unsold" && result.refundsDue) await getQueue().enqueue(refundTenderDepositsJob, { tenderId: result.refundsDue });
    if (result.outcome === "sold" || result.outcome === "unsold") {
      await publish(lotChannel(result.lotId), {
        type: "lot.closed",
        data: { lotId: result.lotId, outcome: result.outcome, ...(result.outcome === "sold" ? { price: toYuanString(result.price) } : {}) },
      });
    } else if (result.outcome === "not_due") {
      // Not reschedule(): this may run inside the lot's own close job, which cannot be removed while running.
      await getQueue().enqueue(
        closeLotJob,
        { lotId: result.lotId },
        { delayMs: Math.max(0, result.closesAt.getTime() - now.getTime()), jobId: `${closeLotJobId(result.lotId)}__${result.closesAt.getTime()}` },
      );
    }
  } catch (error) {
    console.error("lot close: after-commit step failed", { lotId: result.lotId, outcome: result.outcome, error });
  }
}

const losersToldAction = "lot.losersTold";

/**
 * Tells every bidder of a sold lot but the winner that they lost (in-app and by email, in their
 * language), once per lot: the audit entry `lot.losersTold` marks it done, in the same transaction.
 * Returns the number of bidders told (0 when already done or the lot is not closed with a winner).
 */
export async function tellLosers(lotId: string, ctx: AuditContext = defaultContext): Promise<number> {
  const { told, outboxIds } = await audited(
    ctx,
    async (tx, audit) => {
      const outboxIds: string[] = [];
      const done = await tx.auditEntry.count({ where: { action: losersToldAction, entityType: "TenderLot", entityId: lotId } });
      const lot = await tx.tenderLot.findUnique({
        where: { id: lotId },
        include: { tender: { select: { number: true, title: true } }, awards: { where: { round: 1 }, select: { bidderKey: true, price: true } } },
      });
      const award = lot?.awards[0];
      if (done > 0 || !lot || !award) return { told: 0, outboxIds };
      const bidders = await tx.bid.findMany({ where: { lotId }, distinct: ["bidderKey"], select: { bidderKey: true } });
      const losers = bidders.map((b) => b.bidderKey).filter((key) => key !== award.bidderKey).sort();
      const link = `/tenders/${lot.tenderId}`;
      const params = { tender: lot.tender.number ?? lot.tender.title, lotNumber: lot.lotNumber, price: toYuanString(award.price) };
      const loserUsers = (await Promise.all(losers.map((key) => usersOfBidder(tx, key)))).flat();
      await notify(tx, loserUsers.map((u) => u.id), "auction.lot.lost", params, link);
      const email = { number: lot.tender.number ?? "", title: lot.tender.title, lotNumber: lot.lotNumber, price: award.price, link };
      for (const key of losers) outboxIds.push(...(await emailBidder(tx, key, "lotLost", email)));
      await audit({ action: losersToldAction, entityType: "TenderLot", entityId: lotId, after: { losers: losers.length, emails: outboxIds.length } });
      return { told: losers.length, outboxIds };
    },
    { maxWait: 15_000, timeout: 30_000 },
  );
  await sendQueuedEmails(outboxIds);
  return told;
}

async function tellLosersSafely(lotId: string, ctx: AuditContext): Promise<void> {
  try {
    await tellLosers(lotId, ctx);
  } catch (error) {
    console.error("lot close: telling the losers failed (the sweeper tries again)", { lotId, error });
  }
}

/**
 * Closes every OPEN lot of a published tender whose close has passed (its job was lost or late), and
 * tells the losers of lots closed in the last 7 days whose notice was lost (a crash between the two).
 */
export async function sweepDueLots(now = new Date()): Promise<CloseLotResult[]> {
  const recent = await prisma.tenderLot.findMany({
    where: { closedAt: { gte: new Date(now.getTime() - 7 * 86_400_000), lt: new Date(now.getTime() - 60_000) }, awards: { some: { round: 1 } } },
    select: { id: true },
  });
  if (recent.length) {
    const told = new Set(
      (await prisma.auditEntry.findMany({ where: { action: losersToldAction, entityType: "TenderLot", entityId: { in: recent.map((l) => l.id) } }, select: { entityId: true } })).map((e) => e.entityId),
    );
    for (const lot of recent) if (!told.has(lot.id)) await tellLosersSafely(lot.id, systemContext("tenders.sweepLots"));
  }
  const due = await prisma.tenderLot.findMany({
    where: { status: "OPEN", closesAt: { lte: now }, tender: { status: "PUBLISHED" } },
    select: { id: true },
    orderBy: { closesAt: "asc" },
  });
  const results: CloseLotResult[] = [];
  for (const lot of due) {
    try {
      results.push(await closeLot(lot.id, now, systemContext("tenders.sweepLots")));
    } catch (error) {
      console.error("sweep: closing a lot failed", { lotId: lot.id, error });
    }
  }
  return results;
}
