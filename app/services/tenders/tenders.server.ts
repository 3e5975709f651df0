import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { addMonths, checkEligibility, type EligibilityReason } from "~/domain/eligibility";
import { UserError } from "~/domain/errors";
import { formatRate, parsePositiveYuan, parseRate, toYuanString } from "~/domain/money";
import type { Settings } from "~/domain/settings";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { forbidden, notFound, type AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { formatDate, formatDateTime, isLocale, defaultLocale, translator, type Locale, type MessageKey } from "~/infra/i18n";
import { publish } from "~/infra/live-events.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import { listed } from "~/services/packages/bundle-pool.server";
import { requirePermission, type PackageActor } from "~/services/packages/bundling.server";
import { addEvent } from "~/services/packages/drafts.server";
import { settingsAt } from "~/services/settings/settings.server";
import { scheduleLotCloses } from "./lot-close.server";
import { notify } from "./notifications.server";
import { assertReservesApproved } from "./retender.server";
import type { CreateTenderInput, TenderAudience, TenderListQuery } from "./tender-schemas";

/**
 * Tenders (issue 6, items 1–2): a preservation officer makes a draft tender from approved packages
 * (each a lot, its reserve the package price), with the terms of the settings in force copied in;
 * publishing it (内部公示) numbers it TND-YYYY-NNN, puts its packages IN_TENDER, tells every eligible
 * bidder by email and in the app, and schedules the lots' closes. Eligibility (R3) is the bidder's
 * own (eligibility.ts) plus the tender's audience and excluded positions, with the licence checked
 * through the auction's end plus the contract term; being the officer of a loan in a lot is a
 * conflict of interest shown to approvers, not a refusal.
 */

export type TenderActor = PackageActor;

export type TenderEligibilityReason = EligibilityReason | "audience_staff_only" | "audience_agency_only" | "not_a_bidder";

/** The terms eligibility reads from a tender. */
export interface TenderTerms {
  id: string;
  audience: string;
  excludedPositions: string;
  auctionEndsAt: Date;
  contractTermMonths: number;
}

export interface TenderEligibility {
  eligible: boolean;
  reasons: TenderEligibilityReason[];
  /** `user:<id>` for staff, `org:<id>` for an agency (its users bid for it). */
  bidderKey: string;
  bidderKind: "STAFF" | "AGENCY";
  organizationId: string;
  /** The date the licence must cover: auction end + contract term. */
  termEnd: Date;
  position: string | null;
  licenceValidUntil: Date | null;
  bannedUntil: Date | null;
  /** R3 conflict of interest: loan numbers in the tender's lots whose officer is this user (shown to approvers). */
  conflictLoans: string[];
}

const parsePositions = (text: string): string[] => {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
};

type EligibilityUser = {
  id: string;
  staffNumber: string | null;
  position: string | null;
  employmentStatus: string | null;
  disabledAt: Date | null;
  organizationId: string;
  roles: { role: string }[];
  organization: { kind: string; licenceValidUntil: Date | null; bannedUntil: Date | null };
};

const eligibilityUserSelect = {
  id: true, staffNumber: true, position: true, employmentStatus: true, disabledAt: true, organizationId: true,
  roles: { select: { role: true } },
  organization: { select: { kind: true, licenceValidUntil: true, bannedUntil: true } },
} as const;

/** Whether a tender's audience admits an organization kind (BANK staff, AGENCY). */
export function audienceAdmits(audience: string, organizationKind: string): boolean {
  if (audience === "BOTH") return true;
  return audience === "STAFF" ? organizationKind === "BANK" : organizationKind === "AGENCY";
}

export function bidderKeyOf(user: { id: string; organizationId: string }, organizationKind: string): string {
  return organizationKind === "AGENCY" ? `org:${user.organizationId}` : `user:${user.id}`;
}

/** R3 + the tender for one user already read, with the setting's excluded positions given (no conflict check). */
function eligibilityOfUser(user: EligibilityUser, tender: TenderTerms, settingExcluded: readonly string[], now: Date): Omit<TenderEligibility, "conflictLoans"> {
  const kind = user.organization.kind;
  const termEnd = addMonths(tender.auctionEndsAt, tender.contractTermMonths);
  const excludedPositions = [...new Set([...settingExcluded, ...parsePositions(tender.excludedPositions)])];
  const result = checkEligibility(
    kind === "AGENCY"
      ? { kind: "agency", licenceValidUntil: user.organization.licenceValidUntil, bannedUntil: user.organization.bannedUntil, disabled: Boolean(user.disabledAt) }
      : { kind: "staff", employmentStatus: user.employmentStatus, position: user.position, disabled: Boolean(user.disabledAt) },
    { excludedPositions, termEnd, today: now },
  );
  const reasons: TenderEligibilityReason[] = [];
  if (!can(user.roles.map((r) => r.role), "tenders:bid")) reasons.push("not_a_bidder");
  if (!audienceAdmits(tender.audience, kind)) reasons.push(tender.audience === "STAFF" ? "audience_staff_only" : "audience_agency_only");
  if (!result.eligible) reasons.push(...result.reasons);
  return {
    eligible: reasons.length === 0,
    reasons,
    bidderKey: bidderKeyOf(user, kind),
    bidderKind: kind === "AGENCY" ? "AGENCY" : "STAFF",
    organizationId: user.organizationId,
    termEnd,
    position: user.position,
    licenceValidUntil: user.organization.licenceValidUntil,
    bannedUntil: user.organization.bannedUntil,
  };
}

/** Loan numbers in the tender's lots whose officer (officerStaffNumber) is this staff number. */
export async function conflictLoansOf(db: Tx, tenderId: string, staffNumber: string | null): Promise<string[]> {
  if (!staffNumber) return [];
  const rows = await db.packageLoan.findMany({
    where: { package: { lots: { some: { tenderId } } }, loan: { officerStaffNumber: staffNumber } },
    select: { loanNumber: true },
    orderBy: { loanNumber: "asc" },
  });
  return rows.map((r) => r.loanNumber);
}

/** R3 eligibility of a user for a tender, with the reasons and any conflict of interest. */
export async function tenderEligibility(user: Pick<AuthUser, "id">, tender: TenderTerms, now = new Date(), db: Tx = prisma): Promise<TenderEligibility> {
  const row = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: eligibilityUserSelect });
  const settings = await settingsAt(now);
  const base = eligibilityOfUser(row, tender, settings.values.excludedPositions, now);
  return { ...base, conflictLoans: await conflictLoansOf(db, tender.id, row.staffNumber) };
}

/** The reasons in the reader's language, one sentence each, joined for a refusal message. */
export function eligibilityReasonsText(locale: Locale, eligibility: Pick<TenderEligibility, "reasons" | "position" | "licenceValidUntil" | "bannedUntil">): string {
  const t = translator(locale);
  return eligibility.reasons
    .map((reason) => {
      const key: MessageKey =
        reason === "audience_staff_only" || reason === "audience_agency_only" || reason === "not_a_bidder"
          ? `auction.tender.reason.${reason}`
          : `eligibility.reason.${reason}`;
      return t(key, {
        position: eligibility.position ?? "",
        date: formatDate(locale, reason === "agency_banned" ? eligibility.bannedUntil : eligibility.licenceValidUntil),
      });
    })
    .join(locale === "zh-CN" ? "" : " ");
}

/** The refusal for an ineligible user: auction.refused.not_eligible with the reasons in their language (403). */
export function notEligible(locale: Locale, eligibility: TenderEligibility): UserError {
  return new UserError("auction.refused.not_eligible", {
    status: 403,
    params: { reasons: eligibilityReasonsText(locale, eligibility), codes: eligibility.reasons.join(",") },
  });
}

// ---- create and publish -------------------------------------------------------------------------

/** The next tender number of a year: TND-2026-001, … (the sequence only grows; a number is never reused). */
export async function nextTenderNumber(tx: Tx, year: number): Promise<string> {
  const row = await tx.tenderNumberSequence.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
  return `TND-${year}-${String(row.last).padStart(3, "0")}`;
}

/**
 * A draft tender from approved packages (tenders:manage): each package a lot (lot 1..n in the order
 * given, reserve = the package total, times = the tender's), the terms of the settings in force now
 * copied in. A package already in another draft tender is refused.
 */
export async function createTender(ctx: AuditContext, user: TenderActor, input: CreateTenderInput, now = new Date()) {
  requirePermission(user, "tenders:manage");
  const settings = await settingsAt(now);
  const terms = tenderTermsFrom(input, settings.values);
  return audited(ctx, async (tx, audit) => {
    const packages = await tx.package.findMany({ where: { id: { in: input.package_ids } }, select: { id: true, number: true, status: true, total: true } });
    const byId = new Map(packages.map((p) => [p.id, p]));
    const unknown = input.package_ids.filter((id) => !byId.has(id));
    if (unknown.length) throw new UserError("auction.tender.unknownPackages", { status: 404, field: "package_ids", params: { count: unknown.length, packages: listed(unknown) } });
    const notApproved = packages.filter((p) => p.status !== "APPROVED");
    if (notApproved.length) {
      throw new UserError("auction.tender.packageNotApproved", { status: 409, field: "package_ids", params: { count: notApproved.length, packages: listed(notApproved.map((p) => p.number ?? p.id)) } });
    }
    const inDraft = await tx.tenderLot.findMany({ where: { packageId: { in: input.package_ids }, tender: { status: "DRAFT" } }, select: { package: { select: { number: true } }, tender: { select: { title: true } } } });
    if (inDraft.length) {
      throw new UserError("auction.tender.packageInDraftTender", {
        status: 409, field: "package_ids",
        params: { count: inDraft.length, packages: listed(inDraft.map((l) => l.package.number ?? "")), tender: inDraft[0]!.tender.title },
      });
    }
    const tender = await tx.tender.create({
      data: {
        title: input.title,
        description: input.description,
        audience: input.audience,
        excludedPositions: JSON.stringify(input.excluded_positions),
        registrationOpensAt: input.registration_opens_at,
        registrationClosesAt: input.registration_closes_at,
        auctionStartsAt: input.auction_starts_at,
        auctionEndsAt: input.auction_ends_at,
        bidDeposit: terms.bidDeposit,
        currency: "cny",
        incrementMinimum: terms.incrementMinimum,
        incrementRate: terms.incrementRate,
        incrementRoundUpTo: terms.incrementRoundUpTo,
        antiSnipingMinutes: terms.antiSnipingMinutes,
        contractTermMonths: settings.values.contractTermMonths,
        settingsVersion: settings.version,
        createdById: user.id,
        createdAt: now,
      },
    });
    await tx.tenderLot.createMany({
      data: input.package_ids.map((packageId, i) => ({
        tenderId: tender.id, packageId, lotNumber: i + 1, reserve: byId.get(packageId)!.total,
        startsAt: input.auction_starts_at, closesAt: input.auction_ends_at, status: "OPEN",
      })),
    });
    await audit({
      action: "tender.create", entityType: "Tender", entityId: tender.id,
      after: {
        title: input.title, audience: input.audience, excludedPositions: input.excluded_positions,
        packages: input.package_ids.map((id) => byId.get(id)!.number), bidDeposit: toYuanString(tender.bidDeposit),
        registration: [input.registration_opens_at.toISOString(), input.registration_closes_at.toISOString()],
        auction: [input.auction_starts_at.toISOString(), input.auction_ends_at.toISOString()], settingsVersion: settings.version,
        increment: { minimum: toYuanString(terms.incrementMinimum), rate: terms.incrementRate, roundUpTo: toYuanString(terms.incrementRoundUpTo) },
        antiSnipingMinutes: terms.antiSnipingMinutes, overridden: terms.overridden,
      },
    });
    return tender;
  });
}

/**
 * The tender's own auction terms: what the officer set, else the setting in force. `overridden`
 * names the terms that differ from the settings (kept in the audit entry).
 */
export function tenderTermsFrom(input: Pick<CreateTenderInput, "bid_deposit" | "increment_minimum" | "increment_rate" | "increment_round_up_to" | "anti_sniping_minutes">, values: Settings) {
  const yuan = (text: string | undefined, fallback: string) => (text === undefined ? BigInt(fallback) : parsePositiveYuan(text)!);
  const terms = {
    bidDeposit: yuan(input.bid_deposit, values.bidDepositFen),
    incrementMinimum: yuan(input.increment_minimum, values.incrementMinimumFen),
    incrementRate: input.increment_rate ?? values.incrementRate,
    incrementRoundUpTo: yuan(input.increment_round_up_to, values.incrementRoundUpToFen),
    antiSnipingMinutes: input.anti_sniping_minutes ?? values.antiSnipingMinutes,
  };
  const overridden = [
    terms.bidDeposit !== BigInt(values.bidDepositFen) ? "bidDeposit" : null,
    terms.incrementMinimum !== BigInt(values.incrementMinimumFen) ? "incrementMinimum" : null,
    formatRate(parseRate(terms.incrementRate)) !== formatRate(parseRate(values.incrementRate)) ? "incrementRate" : null,
    terms.incrementRoundUpTo !== BigInt(values.incrementRoundUpToFen) ? "incrementRoundUpTo" : null,
    terms.antiSnipingMinutes !== values.antiSnipingMinutes ? "antiSnipingMinutes" : null,
  ].filter((k): k is string => k !== null);
  return { ...terms, overridden };
}

/**
 * DRAFT → PUBLISHED (tenders:manage): the tender gets its number, its packages become IN_TENDER
 * (refused when one is no longer APPROVED), and every eligible bidder is told by email and in the
 * app, all in one transaction. After the commit the lots' closes are scheduled and the change is
 * published on `tender:<id>` (failures there are logged: the sweeper closes lots whose job is lost).
 */
export async function publishTender(ctx: AuditContext, user: TenderActor, tenderId: string, now = new Date()) {
  requirePermission(user, "tenders:manage");
  const settings = await settingsAt(now);
  const published = await audited(ctx, async (tx, audit) => {
    const tender = await tx.tender.findUnique({ where: { id: tenderId }, include: { lots: { include: { package: { select: { id: true, number: true, status: true } } }, orderBy: { lotNumber: "asc" } } } });
    if (!tender) throw new UserError("auction.tender.notFound", { status: 404 });
    if (tender.status !== "DRAFT") throw new UserError("auction.tender.notDraft", { status: 409, params: { status: tender.status } });
    if (tender.registrationClosesAt.getTime() <= now.getTime()) {
      throw new UserError("auction.tender.tooLateToPublish", { status: 409, params: { closesAt: formatDateTime(user.locale, tender.registrationClosesAt) } });
    }
    if (tender.lots.length === 0) throw new UserError("auction.tender.noPackages", { status: 409 });
    // A re-tender's lower reserve must be approved (by someone else) before the bidders see it.
    await assertReservesApproved(tx, tender.id);
    const packageIds = tender.lots.map((l) => l.packageId);
    const moved = await tx.package.updateMany({ where: { id: { in: packageIds }, status: "APPROVED" }, data: { status: "IN_TENDER", version: { increment: 1 } } });
    if (moved.count !== packageIds.length) {
      const stale = tender.lots.filter((l) => l.package.status !== "APPROVED").map((l) => l.package.number ?? l.packageId);
      throw new UserError("auction.tender.packageNotApproved", { status: 409, params: { count: Math.max(stale.length, 1), packages: listed(stale) } });
    }
    const number = await nextTenderNumber(tx, Number(todayInChina(now).slice(0, 4)));
    const updated = await tx.tender.updateMany({ where: { id: tender.id, status: "DRAFT" }, data: { status: "PUBLISHED", number, publishedById: user.id, publishedAt: now } });
    if (updated.count !== 1) throw new UserError("auction.tender.notDraft", { status: 409, params: { status: "?" } });
    for (const lot of tender.lots) {
      await addEvent(tx, lot.packageId, "in_tender", { tender: number, lot: lot.lotNumber }, user.id, now);
    }

    // Every eligible bidder: email in their language and a notification.
    const candidates = await tx.user.findMany({
      where: { disabledAt: null, roles: { some: { role: { in: ["internal_bidder", "agency_admin", "agency_member"] } } } },
      select: { ...eligibilityUserSelect, email: true, locale: true },
      orderBy: { email: "asc" },
    });
    const recipients = candidates.filter((u) => eligibilityOfUser(u, tender, settings.values.excludedPositions, now).eligible);
    const link = `/tenders/${tender.id}`;
    const outboxIds: string[] = [];
    for (const r of recipients) {
      const locale = isLocale(r.locale) ? r.locale : defaultLocale;
      const email = await queueEmailIn(tx, { email: r.email, locale }, "tenderPublished", {
        number, title: tender.title, lots: tender.lots.length,
        registrationClosesAt: formatDateTime(locale, tender.registrationClosesAt),
        auctionStartsAt: formatDateTime(locale, tender.auctionStartsAt),
        auctionEndsAt: formatDateTime(locale, tender.auctionEndsAt),
        bidDeposit: toYuanString(tender.bidDeposit), link,
      });
      outboxIds.push(email.id);
    }
    await notify(tx, recipients.map((r) => r.id), "auction.notify.tenderPublished", { number, title: tender.title }, link);
    await audit({
      action: "tender.publish", entityType: "Tender", entityId: tender.id,
      before: { status: "DRAFT" },
      after: { status: "PUBLISHED", number, packages: tender.lots.map((l) => l.package.number), notified: recipients.length },
    });
    return { id: tender.id, number, notified: recipients.length, outboxIds };
  });
  await sendQueuedEmails(published.outboxIds);
  try {
    await scheduleLotCloses(published.id);
  } catch (error) {
    console.error("tenders: scheduling the lot closes failed (the sweeper closes them)", { tenderId: published.id, error });
  }
  publish(`tender:${published.id}`, { type: "tender.published", data: { tenderId: published.id, number: published.number } }).catch((error: unknown) =>
    console.error("tenders: publishing tender.published failed", { tenderId: published.id, error }),
  );
  return { id: published.id, number: published.number, notified: published.notified };
}

// ---- reading ------------------------------------------------------------------------------------

/** Bank staff who see every tender (drafts too). */
function seesAllTenders(user: Pick<AuthUser, "roles">): boolean {
  return can(user.roles, "tenders:manage") || can(user.roles, "packages:approve") || can(user.roles, "settlement:finance") || can(user.roles, "packages:view");
}

/** The statuses of the tenders bidders see (never drafts or cancelled ones). */
const bidderStatuses = ["PUBLISHED", "OPEN", "CLOSED"] as const;

/** Bidders see published tenders whose audience admits them; staff see all; others nothing. */
function visibleWhere(user: Pick<AuthUser, "roles" | "organizationKind">) {
  if (seesAllTenders(user)) return {};
  if (!can(user.roles, "tenders:bid")) return null;
  const audiences: TenderAudience[] = user.organizationKind === "AGENCY" ? ["AGENCY", "BOTH"] : ["STAFF", "BOTH"];
  return { status: { in: [...bidderStatuses] }, audience: { in: audiences } };
}

/** The tender list: newest first, 50 a page. */
export async function listTenders(user: Pick<AuthUser, "roles" | "organizationKind">, query: Partial<TenderListQuery> = {}) {
  const where = visibleWhere(user);
  if (!where) throw forbidden();
  const page = query.page ?? 1;
  const pageSize = 50;
  const filter = { ...where, ...(query.status ? { status: query.status } : {}) };
  if (query.status && !seesAllTenders(user) && !(bidderStatuses as readonly string[]).includes(query.status)) return { total: 0, page, pageSize, tenders: [] };
  const [total, rows] = await Promise.all([
    prisma.tender.count({ where: filter }),
    prisma.tender.findMany({
      where: filter,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      include: { _count: { select: { lots: true, registrations: true } } },
    }),
  ]);
  return {
    total, page, pageSize,
    tenders: rows.map((t) => ({
      id: t.id, number: t.number, title: t.title, status: t.status, audience: t.audience,
      registrationOpensAt: t.registrationOpensAt, registrationClosesAt: t.registrationClosesAt,
      auctionStartsAt: t.auctionStartsAt, auctionEndsAt: t.auctionEndsAt, bidDeposit: t.bidDeposit,
      lotCount: t._count.lots, registrationCount: t._count.registrations,
    })),
  };
}

/**
 * One tender: its terms and lots; for a bidder their eligibility, registration and deposits; for
 * staff every registration with its deposits and conflicts of interest (for approvers). A tender
 * the user may not see is a 404.
 */
export async function getTender(user: Pick<AuthUser, "id" | "roles" | "organizationKind" | "organizationId" | "locale">, tenderId: string, now = new Date()) {
  const where = visibleWhere(user);
  if (!where) throw forbidden();
  const tender = await prisma.tender.findFirst({
    where: { id: tenderId, ...where },
    include: {
      lots: {
        orderBy: { lotNumber: "asc" },
        include: { package: { select: { id: true, number: true, loanCount: true, region: true, total: true } } },
      },
    },
  });
  if (!tender) throw notFound();
  const lots = tender.lots.map((l) => ({
    id: l.id, lotNumber: l.lotNumber, packageId: l.packageId, packageNumber: l.package.number, loanCount: l.package.loanCount,
    region: l.package.region, reserve: l.reserve, status: l.status, startsAt: l.startsAt, closesAt: l.closesAt,
    highBid: l.highBid, bidCount: l.bidCount, winningPrice: l.winningPrice,
  }));
  const terms = {
    id: tender.id, number: tender.number, title: tender.title, description: tender.description, status: tender.status,
    audience: tender.audience as TenderAudience, excludedPositions: parsePositions(tender.excludedPositions),
    registrationOpensAt: tender.registrationOpensAt, registrationClosesAt: tender.registrationClosesAt,
    auctionStartsAt: tender.auctionStartsAt, auctionEndsAt: tender.auctionEndsAt, bidDeposit: tender.bidDeposit, currency: tender.currency,
    incrementMinimum: tender.incrementMinimum, incrementRate: tender.incrementRate, incrementRoundUpTo: tender.incrementRoundUpTo,
    antiSnipingMinutes: tender.antiSnipingMinutes, contractTermMonths: tender.contractTermMonths, settingsVersion: tender.settingsVersion,
    retenderOfId: tender.retenderOfId, publishedAt: tender.publishedAt, closedAt: tender.closedAt,
    registrationOpen: tender.status === "PUBLISHED" && registrationOpenAt(tender, now),
  };

  let bidder = null;
  if (can(user.roles, "tenders:bid")) {
    const eligibility = await tenderEligibility(user, tender, now);
    const registration = await prisma.tenderRegistration.findUnique({
      where: { tenderId_bidderKey: { tenderId: tender.id, bidderKey: eligibility.bidderKey } },
      include: { deposits: { orderBy: { createdAt: "asc" } } },
    });
    bidder = {
      eligibility: { ...eligibility, reasonsText: eligibility.eligible ? "" : eligibilityReasonsText(user.locale, eligibility) },
      registration,
      qualified: Boolean(registration?.deposits.some((d) => d.status === "CONFIRMED")),
    };
  }
  let registrations = null;
  if (seesAllTenders(user)) {
    const rows = await prisma.tenderRegistration.findMany({
      where: { tenderId: tender.id },
      orderBy: { registeredAt: "asc" },
      include: { deposits: { orderBy: { createdAt: "asc" } } },
    });
    registrations = rows.map((r) => ({ ...r, conflictLoans: parsePositions(r.conflictLoans) }));
  }
  return { tender: terms, lots, bidder, registrations, serverTime: now };
}

/** Within [registrationOpensAt, registrationClosesAt). */
export function registrationOpenAt(tender: { registrationOpensAt: Date; registrationClosesAt: Date }, now: Date): boolean {
  return tender.registrationOpensAt.getTime() <= now.getTime() && now.getTime() < tender.registrationClosesAt.getTime();
}
