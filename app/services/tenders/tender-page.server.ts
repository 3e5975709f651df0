import { can } from "~/domain/access";
import { bidderAliases } from "~/domain/auction";
import type { Fen } from "~/domain/money";
import type { AuthUser } from "~/infra/auth.server";
import { forbidden } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { settingsAt } from "~/services/settings/settings.server";
import { decidedLotStatuses } from "./awards.server";
import { reserveRequests } from "./retender.server";

/**
 * The extra reads of the tender pages (/tenders/new and /tenders/{id}) on top of getTender: the
 * candidate packages and the settings in force for a new tender; for one tender the bidder's awards,
 * the results of the decided lots (bidders see only 竞买人N aliases; staff see names), the names of
 * the registered bidders (staff), the lots an officer may re-tender and the lower reserves waiting
 * for an approver. Every function checks what the user may see.
 */

type Viewer = Pick<AuthUser, "id" | "roles">;

/** Bank staff who see every tender (the same rule as getTender). */
export function isTenderStaff(user: Pick<AuthUser, "roles">): boolean {
  return can(user.roles, "tenders:manage") || can(user.roles, "packages:approve") || can(user.roles, "settlement:finance") || can(user.roles, "packages:view");
}

// ---- /tenders/new ---------------------------------------------------------------------------------

/**
 * What the new-tender form offers (tenders:manage): APPROVED packages not in a draft tender (each
 * becomes a lot whose reserve is the package total, as createTender does) and the terms of the
 * settings in force that the tender will copy.
 */
export async function newTenderOptions(user: Viewer, now = new Date()) {
  if (!can(user.roles, "tenders:manage")) throw forbidden();
  const [packages, settings] = await Promise.all([
    prisma.package.findMany({
      where: { status: "APPROVED", lots: { none: { tender: { status: "DRAFT" } } } },
      orderBy: [{ number: "asc" }, { id: "asc" }],
      select: { id: true, number: true, loanCount: true, total: true, region: true, approvedAt: true },
    }),
    settingsAt(now),
  ]);
  const v = settings.values;
  return {
    candidates: packages.map((p) => ({ id: p.id, number: p.number ?? p.id, loanCount: p.loanCount, total: p.total, reserve: p.total, region: p.region, approvedAt: p.approvedAt })),
    settings: {
      version: settings.version,
      bidDeposit: BigInt(v.bidDepositFen),
      incrementMinimum: BigInt(v.incrementMinimumFen),
      incrementRate: v.incrementRate,
      incrementRoundUpTo: BigInt(v.incrementRoundUpToFen),
      antiSnipingMinutes: v.antiSnipingMinutes,
      contractTermMonths: v.contractTermMonths,
      signingDays: v.signingDays,
      excludedPositions: [...v.excludedPositions],
    },
  };
}

// ---- /tenders/{id} --------------------------------------------------------------------------------

export interface AwardView {
  id: string;
  lotId: string;
  lotNumber: number;
  round: number;
  price: Fen;
  deadline: Date;
  status: string;
  decidedAt: Date | null;
  /** The custody contract generated on acceptance. */
  contractId: string | null;
}

export interface ResultView {
  lotId: string;
  lotNumber: number;
  packageNumber: string | null;
  status: string;
  reserve: Fen;
  /** The price the lot is sold (or offered) at; null when unsold. */
  price: Fen | null;
  /** price − reserve, and that as a share of the reserve. */
  premium: Fen | null;
  premiumShare: number | null;
  bidders: number;
  bidCount: number;
  /** The latest award round, if any. */
  award: { round: number; status: string; alias: string | null; name: string | null; deadline: Date } | null;
}

export interface ReserveRequestView {
  lotId: string;
  lotNumber: number;
  packageNumber: string | null;
  packagePrice: Fen;
  requested: Fen;
  requestedBy: string;
  /** The viewer may approve it (packages:approve and not the requester: four eyes). */
  mayApprove: boolean;
  ownRequest: boolean;
}

/** Premium over the reserve (fen and share of the reserve, 4 decimals), null without a price. */
export function premiumOf(reserve: Fen, price: Fen | null): { premium: Fen | null; share: number | null } {
  if (price === null) return { premium: null, share: null };
  const premium = price - reserve;
  return { premium, share: reserve > 0n ? Number((premium * 1_000_000n) / reserve) / 1_000_000 : null };
}

/** Display names of bidder keys: a staff member's name, an agency's name. */
async function bidderNames(keys: readonly string[]): Promise<Record<string, string>> {
  const userIds = keys.filter((k) => k.startsWith("user:")).map((k) => k.slice(5));
  const orgIds = keys.filter((k) => k.startsWith("org:")).map((k) => k.slice(4));
  const [users, orgs] = await Promise.all([
    userIds.length ? prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } }) : [],
    orgIds.length ? prisma.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }) : [],
  ]);
  return Object.fromEntries([...users.map((u) => [`user:${u.id}`, u.displayName]), ...orgs.map((o) => [`org:${o.id}`, o.name])]);
}

/**
 * The tender page's extra data for a tender the user may see (call after getTender, which checks
 * that): `bidderKey` is the viewer's bidder (from getTender's eligibility) or null for staff.
 */
export async function tenderPageExtras(user: Viewer, tender: { id: string; status: string }, bidderKey: string | null) {
  const staff = isTenderStaff(user);
  const lots = await prisma.tenderLot.findMany({
    where: { tenderId: tender.id },
    orderBy: { lotNumber: "asc" },
    include: {
      package: { select: { number: true, status: true, total: true } },
      bids: { select: { bidderKey: true, amount: true, placedAt: true }, orderBy: { placedAt: "asc" } },
      awards: { orderBy: { round: "asc" } },
    },
  });

  // The viewer's own awards (bidders), with the contract an accepted one generated.
  const ownAwards = bidderKey ? lots.flatMap((l) => l.awards.filter((a) => a.bidderKey === bidderKey).map((a) => ({ a, l }))) : [];
  const contracts = ownAwards.length
    ? await prisma.custodyContract.findMany({ where: { awardId: { in: ownAwards.map(({ a }) => a.id) } }, select: { id: true, awardId: true } })
    : [];
  const contractOf = new Map(contracts.map((c) => [c.awardId, c.id]));
  const awards: AwardView[] = ownAwards.map(({ a, l }) => ({
    id: a.id, lotId: l.id, lotNumber: l.lotNumber, round: a.round, price: a.price, deadline: a.deadline, status: a.status, decidedAt: a.decidedAt,
    contractId: contractOf.get(a.id) ?? null,
  }));

  // Results of the lots no longer open.
  const decided = lots.filter((l) => l.status !== "OPEN");
  const awardKeys = staff ? [...new Set(decided.flatMap((l) => l.awards.map((a) => a.bidderKey)))] : [];
  const names = staff ? await bidderNames(awardKeys) : {};
  const results: ResultView[] = decided.map((l) => {
    const aliases = bidderAliases(l.bids.map((b) => ({ bidderId: b.bidderKey, amount: b.amount, placedAt: b.placedAt })));
    const latest = l.awards.at(-1) ?? null;
    const price = l.winningPrice ?? (latest && latest.status !== "RENEGED" ? latest.price : null);
    const { premium, share } = premiumOf(l.reserve, l.status === "UNSOLD" || l.status === "RETURNED" || l.status === "WITHDRAWN" ? null : price);
    return {
      lotId: l.id, lotNumber: l.lotNumber, packageNumber: l.package.number, status: l.status, reserve: l.reserve,
      price: premium === null ? null : price, premium, premiumShare: share, bidders: aliases.size, bidCount: l.bidCount,
      award: latest
        ? { round: latest.round, status: latest.status, alias: aliases.get(latest.bidderKey) ?? null, name: staff ? (names[latest.bidderKey] ?? null) : null, deadline: latest.deadline }
        : null,
    };
  });

  // Staff: who the registered bidders are.
  let registrantNames: Record<string, string> = {};
  if (staff) {
    const registrations = await prisma.tenderRegistration.findMany({ where: { tenderId: tender.id }, select: { bidderKey: true } });
    registrantNames = await bidderNames(registrations.map((r) => r.bidderKey));
  }

  // Officers: the lots of a closed tender that may go to a re-tender.
  const retenderable = can(user.roles, "tenders:manage") && tender.status === "CLOSED"
    ? lots
        .filter((l) => (l.status === "UNSOLD" || l.status === "RETURNED") && l.package.status === "IN_TENDER")
        .map((l) => ({ lotId: l.id, lotNumber: l.lotNumber, packageNumber: l.package.number, reserve: l.reserve, packagePrice: l.package.total, status: l.status }))
    : [];

  // Staff on a draft: the lower reserves waiting for a second person.
  let pendingReserves: ReserveRequestView[] = [];
  if (staff && tender.status === "DRAFT") {
    const requests = [...(await reserveRequests(prisma, lots.map((l) => l.id))).values()].filter((r) => r.approvedById === null);
    const requesters = requests.length
      ? await prisma.user.findMany({ where: { id: { in: requests.map((r) => r.requestedById) } }, select: { id: true, displayName: true } })
      : [];
    const byLot = new Map(lots.map((l) => [l.id, l]));
    pendingReserves = requests.map((r) => ({
      lotId: r.lotId, lotNumber: byLot.get(r.lotId)?.lotNumber ?? 0, packageNumber: byLot.get(r.lotId)?.package.number ?? null,
      packagePrice: r.packagePrice, requested: r.requested,
      requestedBy: requesters.find((u) => u.id === r.requestedById)?.displayName ?? "",
      mayApprove: can(user.roles, "packages:approve") && r.requestedById !== user.id,
      ownRequest: r.requestedById === user.id,
    }));
  }

  const lotBidders = Object.fromEntries(lots.map((l) => [l.id, new Set(l.bids.map((b) => b.bidderKey)).size]));
  const tenderDecided = lots.length > 0 && lots.every((l) => (decidedLotStatuses as readonly string[]).includes(l.status));
  return { awards, results, registrantNames, retenderable, pendingReserves, lotBidders, tenderDecided };
}

/** Whether a deposit belongs to a registration of this tender (the page's finance forms act only on their own tender). */
export async function depositInTender(depositId: string, tenderId: string): Promise<boolean> {
  const found = await prisma.bidDeposit.count({ where: { id: depositId, registration: { tenderId } } });
  return found === 1;
}

/** Whether an award is for a lot of this tender. */
export async function awardInTender(awardId: string, tenderId: string): Promise<boolean> {
  const found = await prisma.lotAward.count({ where: { id: awardId, lot: { tenderId } } });
  return found === 1;
}

/** Whether a lot belongs to this tender. */
export async function lotInTender(lotId: string, tenderId: string): Promise<boolean> {
  const found = await prisma.tenderLot.count({ where: { id: lotId, tenderId } });
  return found === 1;
}

/** Queues the refund of a tender's deposits (after an award accepted on the page made every lot decided), as the API does. */
export async function enqueueTenderRefunds(tenderId: string): Promise<void> {
  const jobs = await import("../../../jobs/tender-award-jobs");
  await jobs.enqueueTenderRefunds(tenderId);
}
