import { can } from "~/domain/access";
import {
  bidderAliases,
  bidIncrement,
  bidRefusalKey,
  evaluateBid,
  idempotencyCheck,
  minimumNextBid,
  parseBidAmount,
  type AuctionSettings,
  type BidRefusal,
} from "~/domain/auction";
import { UserError } from "~/domain/errors";
import { toYuanString, type Fen } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { forbidden, type AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import type { Locale } from "~/infra/i18n";
import { publish } from "~/infra/live-events.server";
import { getQueue } from "~/infra/queue.server";
import { closeLotJob, closeLotJobId } from "../../../jobs/tender-jobs";
import { placeBidSchema, type PlaceBidInput } from "./bidding-schemas";
import { lotChannel } from "./lot-close.server";
import { notify, usersOfBidder } from "./notifications.server";
import { audienceAdmits, bidderKeyOf as tenderBidderKey, notEligible, tenderEligibility, type TenderEligibility } from "./tenders.server";

/**
 * Live bidding (issue 6, item 4; R3). A bid is decided by app/domain/auction.ts inside ONE
 * transaction that re-reads the lot, checks the idempotency key, the bidder's eligibility for the
 * tender and their confirmed deposit, inserts the Bid and moves the lot's high bid under the lot's
 * version. SQLite has one writer; two bids racing on the same lot still cannot both win: the loser's
 * `updateMany where {id, version}` changes nothing (or its insert hits @@unique([lotId, amount])), its
 * transaction rolls back and it is decided again on the new state. The server clock decides (`now`).
 * After the commit: the "bid.accepted" live event, and on an anti-sniping extension the lot's close
 * job is moved.
 */

export type Bidder = Omit<AuthUser, "sessionId">;

/** staff → `user:<id>`; agency users bid for their organization → `org:<organizationId>`. */
export function bidderKeyOf(user: Pick<AuthUser, "id" | "organizationId" | "organizationKind">): string {
  return tenderBidderKey(user, user.organizationKind);
}

export { lotChannel };

/** The tender's increment rule and anti-sniping window (copied from the settings at creation). */
export function auctionSettingsOf(tender: { incrementMinimum: bigint; incrementRate: string; incrementRoundUpTo: bigint; antiSnipingMinutes: number }): AuctionSettings {
  return {
    incrementMinimumFen: tender.incrementMinimum.toString(),
    incrementRate: tender.incrementRate,
    incrementRoundUpToFen: tender.incrementRoundUpTo.toString(),
    antiSnipingMinutes: tender.antiSnipingMinutes,
  };
}

function refuse(decision: BidRefusal, locale: Locale, eligibility: TenderEligibility): never {
  if (decision.reason === "not_eligible") throw notEligible(locale, eligibility);
  const key = bidRefusalKey(decision.reason);
  switch (decision.reason) {
    case "invalid_amount":
      throw new UserError(key, { status: 422, field: "amount" });
    case "not_open":
      throw new UserError(key, { status: 409, params: { opensAt: decision.opensAt.toISOString() } });
    case "closed":
      throw new UserError(key, { status: 409, params: { closedAt: decision.closedAt.toISOString() } });
    case "not_qualified":
      throw new UserError(key, { status: 403 });
    case "own_high_bid":
    case "below_minimum":
      throw new UserError(key, { status: 409, field: "amount", params: { minimum: toYuanString(decision.minimum) } });
  }
}

export interface StoredBid {
  id: string;
  lotId: string;
  bidderKey: string;
  userId: string;
  amount: Fen;
  placedAt: Date;
  idempotencyKey: string;
  closesAtAfter: Date;
  extended: boolean;
}

export interface PlaceBidResult {
  status: "accepted" | "replayed";
  bid: StoredBid;
  /** 竞买人N of this bidder on the lot. */
  alias: string;
  closesAt: Date;
  extended: boolean;
  nextMinimum: Fen;
  bidCount: number;
}

/** The lot changed under us (another bid or the close): decide again on the new state. */
class LotVersionConflict extends Error {}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

const MAX_ATTEMPTS = 8;

function storedBid(row: StoredBid): StoredBid {
  const { id, lotId, bidderKey, userId, amount, placedAt, idempotencyKey, closesAtAfter, extended } = row;
  return { id, lotId, bidderKey, userId, amount, placedAt, idempotencyKey, closesAtAfter, extended };
}

async function aliasOf(tx: Tx, lotId: string, bidderKey: string): Promise<string> {
  const bids = await tx.bid.findMany({ where: { lotId }, select: { bidderKey: true, amount: true, placedAt: true }, orderBy: { placedAt: "asc" } });
  const aliases = bidderAliases(bids.map((b) => ({ bidderId: b.bidderKey, amount: b.amount, placedAt: b.placedAt })));
  return aliases.get(bidderKey) ?? "";
}

// ---- refusing below the minimum without a transaction ------------------------------------------
//
// Nearly every bid in a busy auction is refused below the minimum (everyone bids the same minimum; one
// wins). Those are answered from one read of the lot when this process saw the bidder eligible and
// qualified within the last 30 seconds, without the eligibility reads and the write transaction.
// Only refusals take this path, and only for a reason that is true now (the lot is read fresh); an
// acceptance always goes through the transaction and the full checks.

const standingTtlMs = 30_000;
const standing = new Map<string, number>();

function rememberStanding(userId: string, tenderId: string, eligibleAndQualified: boolean, now: Date): void {
  const key = `${userId}|${tenderId}`;
  if (!eligibleAndQualified) {
    standing.delete(key);
    return;
  }
  if (standing.size > 50_000) standing.clear();
  standing.set(key, now.getTime());
}

/** The minimum when the bid is below it and the early answer applies (see above); otherwise null. */
async function belowMinimumEarly(userId: string, bidderKey: string, lotId: string, amount: Fen, idempotencyKey: string, now: Date): Promise<Fen | null> {
  const lot = await prisma.tenderLot.findUnique({
    where: { id: lotId },
    select: {
      tenderId: true, reserve: true, highBid: true, highBidderKey: true, status: true, startsAt: true, closesAt: true,
      tender: { select: { status: true, incrementMinimum: true, incrementRate: true, incrementRoundUpTo: true, antiSnipingMinutes: true } },
    },
  });
  if (!lot) return null;
  const seen = standing.get(`${userId}|${lot.tenderId}`);
  if (seen === undefined || now.getTime() - seen > standingTtlMs || now.getTime() < seen) return null;
  const open = lot.status === "OPEN" && lot.tender.status === "PUBLISHED" && now >= lot.startsAt && now < lot.closesAt;
  if (!open || lot.highBidderKey === bidderKey) return null; // other refusals come first (R3 order)
  const minimum = minimumNextBid({ reserve: lot.reserve, highBid: lot.highBid }, auctionSettingsOf(lot.tender));
  if (amount >= minimum) return null;
  // A retry of an earlier request answers as the first time did (replay), in the transaction.
  const previous = await prisma.bid.findUnique({ where: { bidderKey_idempotencyKey: { bidderKey, idempotencyKey } }, select: { id: true } });
  return previous ? null : minimum;
}

/**
 * Places a bid (tenders:bid). Accepted → { status: "accepted" }; the same idempotency key again with
 * the same lot and amount → the first answer as { status: "replayed" } (nothing written); the same key
 * with another amount or lot → auction.bid.idempotencyConflict (409). Refusals: UserError
 * auction.refused.<reason> (invalid_amount 422; not_eligible, not_qualified 403; the others 409).
 */
export async function placeBid(ctx: AuditContext, user: Bidder, lotId: string, input: PlaceBidInput, now = new Date()): Promise<PlaceBidResult> {
  if (!can(user.roles, "tenders:bid")) throw forbidden();
  const parsed = placeBidSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(issue?.message ?? "auction.refused.invalid_amount", { status: 422, field: String(issue?.path[0] ?? "amount") });
  }
  const amountParsed = parseBidAmount(parsed.data.amount);
  if (!amountParsed.ok) throw new UserError(bidRefusalKey("invalid_amount"), { status: 422, field: "amount" });
  const amount = amountParsed.amount;
  const { idempotencyKey } = parsed.data;
  const bidderKey = bidderKeyOf(user);

  const early = await belowMinimumEarly(user.id, bidderKey, lotId, amount, idempotencyKey, now);
  if (early !== null) throw new UserError(bidRefusalKey("below_minimum"), { status: 409, field: "amount", params: { minimum: toYuanString(early) } });

  const attempt = () =>
    audited(
      ctx,
      async (tx, audit): Promise<PlaceBidResult> => {
        const lot = await tx.tenderLot.findUnique({ where: { id: lotId }, include: { tender: true } });
        if (!lot || (lot.tender.status !== "PUBLISHED" && lot.tender.status !== "CLOSED")) throw new UserError("auction.bid.lotNotFound", { status: 404 });
        const terms = auctionSettingsOf(lot.tender);

        const previous = await tx.bid.findUnique({ where: { bidderKey_idempotencyKey: { bidderKey, idempotencyKey } } });
        const check = idempotencyCheck(
          previous ? { idempotencyKey, lotId: previous.lotId, bidderId: previous.bidderKey, amount: previous.amount } : null,
          { idempotencyKey, lotId, bidderId: bidderKey, amount },
        );
        if (check === "conflict") throw new UserError("auction.bid.idempotencyConflict", { status: 409 });
        if (check === "replay" && previous) {
          return {
            status: "replayed",
            bid: storedBid(previous),
            alias: await aliasOf(tx, lotId, bidderKey),
            closesAt: previous.closesAtAfter,
            extended: previous.extended,
            nextMinimum: previous.amount + bidIncrement(lot.reserve, terms),
            bidCount: lot.bidCount,
          };
        }

        // R3 + audience + excluded positions, as the bidder stands now (helper of tenders.server).
        const eligibility = await tenderEligibility(user, lot.tender, now, tx);
        const registration = await tx.tenderRegistration.findUnique({
          where: { tenderId_bidderKey: { tenderId: lot.tenderId, bidderKey } },
          include: { deposits: { where: { status: "CONFIRMED" }, select: { id: true }, take: 1 } },
        });
        const decision = evaluateBid(
          {
            reserve: lot.reserve,
            highBid: lot.highBid !== null && lot.highBidderKey ? { bidderId: lot.highBidderKey, amount: lot.highBid } : null,
            startsAt: lot.startsAt,
            closesAt: lot.closesAt,
            closed: lot.status !== "OPEN" || lot.tender.status !== "PUBLISHED",
          },
          {
            bidderId: bidderKey,
            qualified: Boolean(registration && registration.deposits.length > 0),
            eligibility: eligibility.eligible ? { eligible: true } : { eligible: false, reasons: eligibility.reasons },
          },
          { amount, idempotencyKey },
          now,
          terms,
        );
        rememberStanding(user.id, lot.tenderId, eligibility.eligible && Boolean(registration && registration.deposits.length > 0), now);
        if (!decision.accepted) refuse(decision, user.locale, eligibility);

        const bid = await tx.bid.create({
          data: {
            lotId, registrationId: registration!.id, bidderKey, userId: user.id, amount: decision.amount, placedAt: now,
            idempotencyKey, closesAtAfter: decision.closesAt, extended: decision.extended,
          },
        });
        const moved = await tx.tenderLot.updateMany({
          where: { id: lot.id, version: lot.version, status: "OPEN" },
          data: {
            highBidId: bid.id, highBid: bid.amount, highBidderKey: bidderKey, bidCount: { increment: 1 },
            closesAt: decision.closesAt, version: { increment: 1 },
          },
        });
        if (moved.count !== 1) throw new LotVersionConflict();
        await audit({
          action: "bid.place", entityType: "TenderLot", entityId: lot.id,
          before: { highBid: lot.highBid === null ? null : toYuanString(lot.highBid), closesAt: lot.closesAt.toISOString(), bidCount: lot.bidCount },
          after: {
            bidId: bid.id, bidderKey, amount: toYuanString(bid.amount), closesAt: decision.closesAt.toISOString(), extended: decision.extended,
            bidCount: lot.bidCount + 1, outbid: decision.outbid?.bidderId ?? null,
          },
        });
        if (decision.outbid && decision.outbid.bidderId !== bidderKey) {
          const outbidUsers = await usersOfBidder(tx, decision.outbid.bidderId);
          await notify(
            tx, outbidUsers.map((u) => u.id), "auction.bid.outbid",
            { lotNumber: lot.lotNumber, tender: lot.tender.number ?? lot.tender.title, amount: toYuanString(bid.amount), nextMinimum: toYuanString(decision.nextMinimum) },
            `/tenders/${lot.tenderId}`,
          );
        }
        return {
          status: "accepted",
          bid: storedBid(bid),
          alias: await aliasOf(tx, lotId, bidderKey),
          closesAt: decision.closesAt,
          extended: decision.extended,
          nextMinimum: decision.nextMinimum,
          bidCount: lot.bidCount + 1,
        };
      },
      { maxWait: 15_000, timeout: 15_000 },
    );

  let result: PlaceBidResult | undefined;
  for (let i = 1; !result; i++) {
    try {
      result = await attempt();
    } catch (error) {
      if (!(error instanceof LotVersionConflict) && !isUniqueViolation(error)) throw error;
      if (i >= MAX_ATTEMPTS) throw new UserError("auction.bid.busy", { status: 409 });
    }
  }
  if (result.status === "accepted") await afterAccepted(lotId, result, now);
  return result;
}

/** After the commit: tell the lot's watchers, and move the close job on an extension. Errors are logged, not thrown. */
async function afterAccepted(lotId: string, result: PlaceBidResult, now: Date): Promise<void> {
  try {
    await publish(lotChannel(lotId), {
      type: "bid.accepted",
      id: result.bid.id,
      data: {
        lotId, amount: toYuanString(result.bid.amount), alias: result.alias, closesAt: result.closesAt.toISOString(),
        bidCount: result.bidCount, nextMinimum: toYuanString(result.nextMinimum),
      },
    });
  } catch (error) {
    console.error("bid.accepted: publish failed", { lotId, error });
  }
  if (result.extended) await moveCloseJob(lotId, result.closesAt, now);
}

/**
 * Moves the lot's close job (deterministic id) to the new close. When the job is running right now
 * (it fired at the old close and found the lot extended) reschedule throws: a follow-up job keyed by
 * the new close is added instead. The sweeper closes the lot if both are lost.
 */
export async function moveCloseJob(lotId: string, closesAt: Date, now: Date): Promise<void> {
  const delayMs = Math.max(0, closesAt.getTime() - now.getTime());
  try {
    await getQueue().reschedule(closeLotJob, closeLotJobId(lotId), { lotId }, delayMs);
  } catch (error) {
    try {
      await getQueue().enqueue(closeLotJob, { lotId }, { delayMs, jobId: `${closeLotJobId(lotId)}__${closesAt.getTime()}` });
    } catch (again) {
      console.error("tenders.closeLot: could not move the close job; the sweeper will close the lot", { lotId, error, again });
    }
  }
}

// ---- state of the lots ----------------------------------------------------------------------------

export interface LotHistoryEntry {
  alias: string;
  amount: Fen;
  placedAt: Date;
  mine: boolean;
}

export interface LotState {
  lotId: string;
  lotNumber: number;
  packageId: string;
  status: string;
  reserve: Fen;
  highBid: Fen | null;
  highBidAlias: string | null;
  bidCount: number;
  bidders: number;
  startsAt: Date;
  closesAt: Date;
  closedAt: Date | null;
  serverTime: Date;
  open: boolean;
  nextMinimum: Fen;
  increment: Fen;
  myStatus: "leading" | "outbid" | "none";
  myAlias: string | null;
  /** Newest first. */
  history: LotHistoryEntry[];
}

/**
 * Every lot of a tender as a bidder (tenders:bid) or the officer (tenders:manage) sees it: reserve,
 * high bid, my status, the server's time and close, the history with 竞买人N aliases and the next
 * minimum (the form's pre-filled amount). Bidders see published (and closed) tenders only.
 */
export async function lotStates(user: Bidder, tenderId: string, now = new Date()): Promise<{ tenderId: string; status: string; serverTime: Date; lots: LotState[] }> {
  const manager = can(user.roles, "tenders:manage");
  if (!manager && !can(user.roles, "tenders:bid")) throw forbidden();
  const tender = await prisma.tender.findUnique({ where: { id: tenderId } });
  if (!tender || (!manager && tender.status !== "PUBLISHED" && tender.status !== "CLOSED")) throw new UserError("auction.lot.tenderNotFound", { status: 404 });
  const terms = auctionSettingsOf(tender);
  const me = can(user.roles, "tenders:bid") ? bidderKeyOf(user) : null;
  const lots = await prisma.tenderLot.findMany({
    where: { tenderId },
    orderBy: { lotNumber: "asc" },
    include: { bids: { select: { bidderKey: true, amount: true, placedAt: true }, orderBy: { placedAt: "asc" } } },
  });
  return {
    tenderId,
    status: tender.status,
    serverTime: now,
    lots: lots.map((lot) => {
      const records = lot.bids.map((b) => ({ bidderId: b.bidderKey, amount: b.amount, placedAt: b.placedAt }));
      const aliases = bidderAliases(records);
      const mineBid = me !== null && lot.bids.some((b) => b.bidderKey === me);
      const open = lot.status === "OPEN" && tender.status === "PUBLISHED" && now >= lot.startsAt && now < lot.closesAt;
      return {
        lotId: lot.id,
        lotNumber: lot.lotNumber,
        packageId: lot.packageId,
        status: lot.status,
        reserve: lot.reserve,
        highBid: lot.highBid,
        highBidAlias: lot.highBidderKey ? (aliases.get(lot.highBidderKey) ?? null) : null,
        bidCount: lot.bidCount,
        bidders: aliases.size,
        startsAt: lot.startsAt,
        closesAt: lot.closesAt,
        closedAt: lot.closedAt,
        serverTime: now,
        open,
        nextMinimum: minimumNextBid({ reserve: lot.reserve, highBid: lot.highBid }, terms),
        increment: bidIncrement(lot.reserve, terms),
        myStatus: !mineBid ? "none" : lot.highBidderKey === me ? "leading" : "outbid",
        myAlias: me ? (aliases.get(me) ?? null) : null,
        history: lot.bids
          .map((b) => ({ alias: aliases.get(b.bidderKey) ?? "", amount: b.amount, placedAt: b.placedAt, mine: b.bidderKey === me }))
          .reverse(),
      };
    }),
  };
}

/**
 * May this user watch the lot's live events? Officers (tenders:manage) always; bidders (tenders:bid)
 * when the lot's tender is published or closed and its audience admits them.
 */
export async function canWatchLot(user: Bidder, lotId: string): Promise<boolean> {
  const lot = await prisma.tenderLot.findUnique({ where: { id: lotId }, include: { tender: true } });
  if (!lot) return false;
  if (can(user.roles, "tenders:manage")) return true;
  if (!can(user.roles, "tenders:bid")) return false;
  if (lot.tender.status !== "PUBLISHED" && lot.tender.status !== "CLOSED") return false;
  return audienceAdmits(lot.tender.audience, user.organizationKind);
}
