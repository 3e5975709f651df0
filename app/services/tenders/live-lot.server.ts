import { can } from "~/domain/access";
import { bidderAliases } from "~/domain/auction";
import { UserError } from "~/domain/errors";
import type { Fen } from "~/domain/money";
import { prisma } from "~/infra/db.server";
import { bidderKeyOf, canWatchLot, lotStates, type Bidder, type LotState } from "./bidding.server";
import { eligibilityReasonsText, tenderEligibility } from "./tenders.server";

/**
 * The live lot page (/tenders/{tenderId}/lots/{lotId}): the lot's state as lotStates gives it, the
 * tender's heading, whether this user may bid and if not why, and after the close the outcome with
 * the current winner's alias (竞买人N, never a name). A lot that is not in the tender, or that the
 * user may not watch, is a 404 (auction.bid.lotNotFound).
 */

export type BidAbility =
  | { kind: "can_bid" }
  | { kind: "watch_only" }
  | { kind: "not_eligible"; reasonsText: string }
  | { kind: "not_registered" }
  | { kind: "not_qualified" };

export type LotOutcome =
  | { kind: "open" }
  /** AWAITING_SIGNATURE / OFFERED_TO_NEXT / ACCEPTED: the current award's price and bidder. */
  | { kind: "awarded"; status: string; price: Fen; alias: string; mine: boolean; deadline: Date | null }
  /** UNSOLD (no bid), RETURNED (nobody signed), WITHDRAWN. */
  | { kind: "unsold"; status: string };

export interface LiveLotPage {
  tender: { id: string; number: string | null; title: string; status: string; antiSnipingMinutes: number };
  lot: LotState;
  packageNumber: string | null;
  ability: BidAbility;
  outcome: LotOutcome;
  serverTime: Date;
}

const lotNotFound = () => new UserError("auction.bid.lotNotFound", { status: 404 });

/** What the user may do on the lot: bid, watch (officers), or why they cannot bid. */
export async function bidAbility(user: Bidder, tender: Parameters<typeof tenderEligibility>[1], now: Date): Promise<BidAbility> {
  if (!can(user.roles, "tenders:bid")) return { kind: "watch_only" };
  const eligibility = await tenderEligibility(user, tender, now);
  if (!eligibility.eligible) return { kind: "not_eligible", reasonsText: eligibilityReasonsText(user.locale, eligibility) };
  const registration = await prisma.tenderRegistration.findUnique({
    where: { tenderId_bidderKey: { tenderId: tender.id, bidderKey: eligibility.bidderKey } },
    include: { deposits: { where: { status: "CONFIRMED" }, select: { id: true }, take: 1 } },
  });
  if (!registration) return { kind: "not_registered" };
  if (registration.deposits.length === 0) return { kind: "not_qualified" };
  return { kind: "can_bid" };
}

export async function liveLotPage(user: Bidder, tenderId: string, lotId: string, now = new Date()): Promise<LiveLotPage> {
  const states = await lotStates(user, tenderId, now);
  const lot = states.lots.find((l) => l.lotId === lotId);
  if (!lot || !(await canWatchLot(user, lotId))) throw lotNotFound();
  const tender = await prisma.tender.findUniqueOrThrow({ where: { id: tenderId } });
  const pkg = await prisma.package.findUnique({ where: { id: lot.packageId }, select: { number: true } });
  return {
    tender: { id: tender.id, number: tender.number, title: tender.title, status: tender.status, antiSnipingMinutes: tender.antiSnipingMinutes },
    lot,
    packageNumber: pkg?.number ?? null,
    ability: await bidAbility(user, tender, now),
    outcome: await lotOutcome(user, lotId, lot.status),
    serverTime: states.serverTime,
  };
}

const awardedStatuses = new Set(["AWAITING_SIGNATURE", "OFFERED_TO_NEXT", "ACCEPTED"]);

/** The lot's outcome after its close: the latest award round's price and bidder alias, or unsold. */
export async function lotOutcome(user: Bidder, lotId: string, status: string): Promise<LotOutcome> {
  if (status === "OPEN") return { kind: "open" };
  if (!awardedStatuses.has(status)) return { kind: "unsold", status };
  const award = await prisma.lotAward.findFirst({ where: { lotId }, orderBy: { round: "desc" } });
  if (!award) return { kind: "unsold", status };
  const bids = await prisma.bid.findMany({ where: { lotId }, select: { bidderKey: true, amount: true, placedAt: true }, orderBy: { placedAt: "asc" } });
  const aliases = bidderAliases(bids.map((b) => ({ bidderId: b.bidderKey, amount: b.amount, placedAt: b.placedAt })));
  const me = can(user.roles, "tenders:bid") ? bidderKeyOf(user) : null;
  return {
    kind: "awarded",
    status,
    price: award.price,
    alias: aliases.get(award.bidderKey) ?? "",
    mine: me !== null && award.bidderKey === me,
    deadline: award.status === "PENDING" ? award.deadline : null,
  };
}

/** The bid form posts to a lot of this tender only (auction.bid.lotNotFound otherwise). */
export async function assertLotInTender(tenderId: string, lotId: string): Promise<void> {
  const lot = await prisma.tenderLot.findUnique({ where: { id: lotId }, select: { tenderId: true } });
  if (!lot || lot.tenderId !== tenderId) throw lotNotFound();
}
