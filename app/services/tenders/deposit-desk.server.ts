import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import type { Fen } from "~/domain/money";
import type { AuthUser } from "~/infra/auth.server";
import { prisma, type Prisma } from "~/infra/db.server";

/**
 * The finance desk for bid deposits (issue 6; R3, R4, R10), read side: what waits for finance and
 * what finance did lately, across every tender.
 * - declared offline deposits (bank transfer, payroll) waiting for confirmation with a voucher
 *   (confirmOfflineDeposit in registration.server);
 * - offline refunds waiting for finance to pay and confirm with a voucher (confirmOfflineRefund in
 *   refunds.server);
 * - Stripe deposits awaiting payment and Stripe refunds pending at Stripe: read only, they move by
 *   the verified webhook;
 * - the latest confirmations by finance (deposits received, refunds paid), who and which voucher.
 * settlement:finance only.
 */

export interface DeskBidder {
  kind: "STAFF" | "AGENCY";
  /** STAFF: the user's display name; AGENCY: the organisation's name. */
  name: string;
  /** STAFF: 工号 (null when the user has none). */
  staffNumber: string | null;
  /** AGENCY: the user who registered for the agency. */
  contactName: string | null;
}

export interface DeskTender {
  id: string;
  /** TND-YYYY-NNN (null only for a tender never published, which cannot have deposits). */
  number: string | null;
  title: string;
}

export interface DeskDeposit {
  id: string;
  tender: DeskTender;
  bidder: DeskBidder;
  method: string;
  amount: Fen;
  currency: string;
  status: string;
  createdAt: Date;
  declaredAt: Date | null;
  confirmedAt: Date | null;
  voucherNumber: string | null;
  refundRequestedAt: Date | null;
  providerRef: string | null;
  refundRef: string | null;
}

export interface DeskConfirmation {
  kind: "deposit" | "refund";
  depositId: string;
  tender: DeskTender;
  bidder: DeskBidder;
  method: string;
  amount: Fen;
  at: Date;
  voucher: string;
  /** Display name of the finance user who confirmed (null when not known). */
  by: string | null;
}

export interface DepositDesk {
  pendingDeposits: DeskDeposit[];
  pendingDepositsTotal: number;
  pendingRefunds: DeskDeposit[];
  pendingRefundsTotal: number;
  /** Stripe deposits AWAITING_PAYMENT and Stripe refunds REFUND_PENDING: they move by webhook only. */
  stripeInFlight: DeskDeposit[];
  stripeInFlightTotal: number;
  /** The latest confirmations by finance, newest first (at most `recentLimit`). */
  recent: DeskConfirmation[];
}

/** At most this many rows per waiting list (the totals say how many there are). */
export const deskListLimit = 200;
export const recentLimit = 50;

const offline = { in: ["BANK_TRANSFER", "PAYROLL"] };

const depositInclude = { registration: { include: { tender: { select: { id: true, number: true, title: true } } } } } as const;

type DepositWithRegistration = Awaited<ReturnType<typeof findDeposits>>[number];

function findDeposits(where: Prisma.BidDepositWhereInput, orderBy: Prisma.BidDepositOrderByWithRelationInput[], take = deskListLimit) {
  return prisma.bidDeposit.findMany({ where, include: depositInclude, orderBy: [...orderBy, { id: "asc" }], take });
}

/** Names of the bidders (users and organisations) of these deposits, read in two queries. */
async function bidderNames(rows: { registration: { bidderKind: string; bidderKey: string; userId: string; organizationId: string } }[]) {
  const userIds = new Set<string>();
  const orgIds = new Set<string>();
  for (const { registration: r } of rows) {
    userIds.add(r.userId);
    if (r.bidderKind === "AGENCY") orgIds.add(r.organizationId);
  }
  const [users, orgs] = await Promise.all([
    userIds.size ? prisma.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, displayName: true, staffNumber: true } }) : [],
    orgIds.size ? prisma.organization.findMany({ where: { id: { in: [...orgIds] } }, select: { id: true, name: true } }) : [],
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  return (r: { bidderKind: string; bidderKey: string; userId: string; organizationId: string }): DeskBidder => {
    const user = userById.get(r.userId);
    if (r.bidderKind === "AGENCY") {
      return { kind: "AGENCY", name: orgById.get(r.organizationId)?.name ?? r.bidderKey, staffNumber: null, contactName: user?.displayName ?? null };
    }
    return { kind: "STAFF", name: user?.displayName ?? r.bidderKey, staffNumber: user?.staffNumber ?? null, contactName: null };
  };
}

function toDeskDeposit(row: DepositWithRegistration, bidderOf: (r: DepositWithRegistration["registration"]) => DeskBidder): DeskDeposit {
  return {
    id: row.id,
    tender: row.registration.tender,
    bidder: bidderOf(row.registration),
    method: row.method,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    createdAt: row.createdAt,
    declaredAt: row.declaredAt,
    confirmedAt: row.confirmedAt,
    voucherNumber: row.voucherNumber,
    refundRequestedAt: row.refundRequestedAt,
    providerRef: row.providerRef,
    refundRef: row.refundRef,
  };
}

/** Who confirmed each offline refund: the `deposit.refund` audit entry written by confirmOfflineRefund. */
async function refundConfirmers(depositIds: string[]): Promise<Map<string, string>> {
  if (!depositIds.length) return new Map();
  const entries = await prisma.auditEntry.findMany({
    where: { action: "deposit.refund", entityType: "BidDeposit", entityId: { in: depositIds } },
    select: { entityId: true, after: true, actorId: true },
    orderBy: { id: "asc" },
  });
  const byDeposit = new Map<string, string>();
  for (const e of entries) {
    let confirmedById: unknown = null;
    try {
      confirmedById = e.after ? (JSON.parse(e.after) as { confirmedById?: unknown }).confirmedById : null;
    } catch {
      confirmedById = null;
    }
    const id = typeof confirmedById === "string" ? confirmedById : e.actorId;
    if (id) byDeposit.set(e.entityId, id);
  }
  return byDeposit;
}

/**
 * The desk: waiting offline deposits (oldest declaration first), waiting offline refunds (oldest
 * request first), Stripe money in flight, and the latest 50 confirmations by finance.
 * Refused with auction.deposit.notFinance (403) without settlement:finance.
 */
export async function depositDesk(user: Pick<AuthUser, "roles">): Promise<DepositDesk> {
  if (!can(user.roles, "settlement:finance")) throw new UserError("auction.deposit.notFinance", { status: 403 });

  const pendingDepositWhere = { status: "DECLARED", method: offline };
  const pendingRefundWhere = { status: "REFUND_PENDING", method: offline };
  const stripeWhere = { method: "STRIPE", status: { in: ["AWAITING_PAYMENT", "REFUND_PENDING"] } };

  const [pendingDeposits, pendingDepositsTotal, pendingRefunds, pendingRefundsTotal, stripeInFlight, stripeInFlightTotal, confirmedDeposits, refunded] = await Promise.all([
    findDeposits(pendingDepositWhere, [{ declaredAt: "asc" }, { createdAt: "asc" }]),
    prisma.bidDeposit.count({ where: pendingDepositWhere }),
    findDeposits(pendingRefundWhere, [{ refundRequestedAt: "asc" }]),
    prisma.bidDeposit.count({ where: pendingRefundWhere }),
    findDeposits(stripeWhere, [{ createdAt: "asc" }]),
    prisma.bidDeposit.count({ where: stripeWhere }),
    // Deposits finance confirmed (a voucher and a confirming user; Stripe's have neither), whatever became of them since.
    prisma.bidDeposit.findMany({
      where: { method: offline, confirmedById: { not: null }, confirmedAt: { not: null }, voucherNumber: { not: null } },
      include: depositInclude, orderBy: [{ confirmedAt: "desc" }, { id: "asc" }], take: recentLimit,
    }),
    prisma.bidDeposit.findMany({
      where: { method: offline, status: "REFUNDED", refundVoucher: { not: null }, refundedAt: { not: null } },
      include: depositInclude, orderBy: [{ refundedAt: "desc" }, { id: "asc" }], take: recentLimit,
    }),
  ]);

  const refundBy = await refundConfirmers(refunded.map((d) => d.id));
  const confirmerIds = new Set<string>([...confirmedDeposits.map((d) => d.confirmedById!), ...refundBy.values()]);
  const confirmers = confirmerIds.size
    ? await prisma.user.findMany({ where: { id: { in: [...confirmerIds] } }, select: { id: true, displayName: true } })
    : [];
  const confirmerName = new Map(confirmers.map((u) => [u.id, u.displayName]));

  const bidderOf = await bidderNames([...pendingDeposits, ...pendingRefunds, ...stripeInFlight, ...confirmedDeposits, ...refunded]);
  const recent: DeskConfirmation[] = [
    ...confirmedDeposits.map((d): DeskConfirmation => ({
      kind: "deposit", depositId: d.id, tender: d.registration.tender, bidder: bidderOf(d.registration), method: d.method, amount: d.amount,
      at: d.confirmedAt!, voucher: d.voucherNumber!, by: confirmerName.get(d.confirmedById!) ?? null,
    })),
    ...refunded.map((d): DeskConfirmation => {
      const by = refundBy.get(d.id);
      return {
        kind: "refund", depositId: d.id, tender: d.registration.tender, bidder: bidderOf(d.registration), method: d.method, amount: d.amount,
        at: d.refundedAt!, voucher: d.refundVoucher!, by: by ? (confirmerName.get(by) ?? null) : null,
      };
    }),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.kind === b.kind ? 0 : a.kind === "refund" ? -1 : 1) || a.depositId.localeCompare(b.depositId))
    .slice(0, recentLimit);

  return {
    pendingDeposits: pendingDeposits.map((d) => toDeskDeposit(d, bidderOf)),
    pendingDepositsTotal,
    pendingRefunds: pendingRefunds.map((d) => toDeskDeposit(d, bidderOf)),
    pendingRefundsTotal,
    stripeInFlight: stripeInFlight.map((d) => toDeskDeposit(d, bidderOf)),
    stripeInFlightTotal,
    recent,
  };
}

/** One deposit as the desk shows it (for the confirmation message), or null. settlement:finance. */
export async function deskDeposit(user: Pick<AuthUser, "roles">, depositId: string): Promise<DeskDeposit | null> {
  if (!can(user.roles, "settlement:finance")) throw new UserError("auction.deposit.notFinance", { status: 403 });
  const row = await prisma.bidDeposit.findUnique({ where: { id: depositId }, include: depositInclude });
  if (!row) return null;
  return toDeskDeposit(row, await bidderNames([row]));
}
