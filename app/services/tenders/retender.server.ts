import { UserError } from "~/domain/errors";
import { toYuanString, type Fen } from "~/domain/money";
import { appendAudit, audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { settingsAt } from "~/services/settings/settings.server";
import { requirePermission } from "~/services/packages/bundling.server";
import type { AwardActor } from "./awards.server";

/**
 * Re-tender (issue 6, item 7). The officer picks UNSOLD or RETURNED lots of a tender: their packages
 * go back to APPROVED (their loans stay PACKAGED) and a new DRAFT tender (retenderOfId = the old
 * one) gets one lot per package, reserve = the package price, under the settings in force now (bid
 * deposit, increment, anti-sniping, contract term) and the old tender's audience and exclusions.
 * Times: given, else the old tender's durations from now on.
 *
 * A lower reserve than the package price is a request: the lot keeps the package price until a
 * packages:approve user — not the requester — approves it (approveLowerReserve), and the tender is
 * not publishable while a request is pending (assertReservesApproved, called by publishTender).
 * The request is kept on the lot (requestedReserve, who asked and when, who approved and when),
 * audit-logged (retender.reserveRequest / retender.reserveApprove), and approvers are told in the app.
 */

export interface RetenderTimes {
  registrationOpensAt: Date;
  registrationClosesAt: Date;
  auctionStartsAt: Date;
  auctionEndsAt: Date;
}

export interface RetenderResult {
  tenderId: string;
  lots: { lotId: string; fromLotId: string; packageId: string; reserve: Fen; requestedReserve: Fen | null }[];
}

const retenderableStatuses = ["UNSOLD", "RETURNED"];

export async function createRetender(
  ctx: AuditContext,
  officer: AwardActor,
  tenderId: string,
  lotIds: readonly string[],
  options: { reserves?: Record<string, Fen>; times?: RetenderTimes; title?: string } = {},
  now = new Date(),
): Promise<RetenderResult> {
  requirePermission(officer, "tenders:manage");
  const wanted = [...new Set(lotIds)];
  if (wanted.length === 0) throw new UserError("auction.retender.noLots");
  for (const [lotId, reserve] of Object.entries(options.reserves ?? {})) {
    if (!wanted.includes(lotId)) throw new UserError("auction.retender.reserveForOtherLot", { status: 422, params: { lot: lotId } });
    if (reserve <= 0n) throw new UserError("auction.retender.invalidReserve", { status: 422 });
  }
  const settings = await settingsAt(now);
  return audited(ctx, async (tx, audit) => {
    const old = await tx.tender.findUnique({ where: { id: tenderId }, include: { lots: { include: { package: true }, orderBy: { lotNumber: "asc" } } } });
    if (!old) throw new UserError("auction.retender.tenderNotFound", { status: 404 });
    const lots = old.lots.filter((l) => wanted.includes(l.id));
    if (lots.length !== wanted.length) throw new UserError("auction.retender.unknownLot", { status: 404 });
    const notReturnable = lots.filter((l) => !retenderableStatuses.includes(l.status));
    if (notReturnable.length) {
      throw new UserError("auction.retender.lotNotReturnable", { status: 409, params: { lots: notReturnable.map((l) => l.lotNumber).join(", ") } });
    }
    const stale = lots.filter((l) => l.package.status !== "IN_TENDER");
    if (stale.length) throw new UserError("auction.retender.alreadyRetendered", { status: 409, params: { lots: stale.map((l) => l.lotNumber).join(", ") } });

    const times = options.times ?? shifted(old, now);
    if (!(times.registrationOpensAt <= times.registrationClosesAt && times.registrationClosesAt <= times.auctionStartsAt && times.auctionStartsAt < times.auctionEndsAt)) {
      throw new UserError("auction.retender.invalidTimes", { status: 422 });
    }
    const s = settings.values;
    const tender = await tx.tender.create({
      data: {
        title: options.title?.trim() || `${old.title}（重新招标）`,
        description: old.description,
        status: "DRAFT",
        audience: old.audience,
        excludedPositions: old.excludedPositions,
        ...times,
        bidDeposit: BigInt(s.bidDepositFen),
        currency: old.currency,
        incrementMinimum: BigInt(s.incrementMinimumFen),
        incrementRate: s.incrementRate,
        incrementRoundUpTo: BigInt(s.incrementRoundUpToFen),
        antiSnipingMinutes: s.antiSnipingMinutes,
        contractTermMonths: s.contractTermMonths,
        settingsVersion: settings.version,
        retenderOfId: old.id,
        createdById: officer.id,
      },
    });
    const result: RetenderResult = { tenderId: tender.id, lots: [] };
    let lotNumber = 0;
    for (const lot of lots) {
      const pkg = lot.package;
      const back = await tx.package.updateMany({ where: { id: pkg.id, status: "IN_TENDER", version: pkg.version }, data: { status: "APPROVED", version: { increment: 1 } } });
      if (back.count !== 1) throw new UserError("auction.retender.concurrentChange", { status: 409 });
      await tx.packageEvent.create({ data: { packageId: pkg.id, kind: "retendered", detail: JSON.stringify({ fromTender: old.id, fromLot: lot.id, toTender: tender.id }), byId: officer.id, at: now } });
      const requested = options.reserves?.[lot.id] ?? null;
      const lower = requested !== null && requested < pkg.total ? requested : null;
      const created = await tx.tenderLot.create({
        data: {
          tenderId: tender.id, packageId: pkg.id, lotNumber: ++lotNumber,
          // A reserve at or above the package price needs nobody's approval; a lower one waits.
          reserve: requested !== null && lower === null ? requested : pkg.total,
          startsAt: times.auctionStartsAt, closesAt: times.auctionEndsAt,
        },
      });
      if (lower !== null) await requestLowerReserveIn(tx, ctx, officer, created.id, lower, pkg.total, pkg.number);
      result.lots.push({ lotId: created.id, fromLotId: lot.id, packageId: pkg.id, reserve: created.reserve, requestedReserve: lower });
    }
    await audit({
      action: "tender.retender", entityType: "Tender", entityId: tender.id,
      before: { tenderId: old.id, lots: lots.map((l) => ({ lotId: l.id, status: l.status })) },
      after: {
        status: "DRAFT", retenderOfId: old.id, settingsVersion: settings.version,
        lots: result.lots.map((l) => ({ lotId: l.lotId, packageId: l.packageId, reserve: toYuanString(l.reserve), requestedReserve: l.requestedReserve === null ? null : toYuanString(l.requestedReserve) })),
      },
    });
    return result;
  });
}

/** The old tender's schedule, moved so registration opens now (the officer may edit the draft). */
function shifted(old: RetenderTimes, now: Date): RetenderTimes {
  const base = old.registrationOpensAt.getTime();
  const at = (d: Date) => new Date(now.getTime() + (d.getTime() - base));
  return { registrationOpensAt: now, registrationClosesAt: at(old.registrationClosesAt), auctionStartsAt: at(old.auctionStartsAt), auctionEndsAt: at(old.auctionEndsAt) };
}

// ---- lower reserve: request and four-eyes approval ----------------------------------------------

async function requestLowerReserveIn(tx: Tx, ctx: AuditContext, officer: AwardActor, lotId: string, requested: Fen, packagePrice: Fen, packageNumber: string | null) {
  await tx.tenderLot.update({ where: { id: lotId }, data: { requestedReserve: requested, reserveRequestedById: officer.id, reserveRequestedAt: new Date() } });
  await appendAudit(tx, ctx, {
    action: "retender.reserveRequest", entityType: "TenderLot", entityId: lotId,
    after: { requested: requested.toString(), packagePrice: packagePrice.toString(), requestedById: officer.id },
  });
  const approvers = await tx.user.findMany({ where: { roles: { some: { role: "approver" } }, id: { not: officer.id } }, select: { id: true } });
  if (approvers.length) {
    await tx.notification.createMany({
      data: approvers.map((a) => ({
        userId: a.id, messageKey: "auction.retender.reserveRequestNotice",
        params: JSON.stringify({ package: packageNumber ?? "", requested: toYuanString(requested), price: toYuanString(packagePrice) }),
        link: `/tenders/lots/${lotId}`,
      })),
    });
  }
}

export interface ReserveRequest {
  lotId: string;
  requested: Fen;
  packagePrice: Fen;
  requestedById: string;
  /** null while pending. */
  approvedById: string | null;
}

/** The lower-reserve request of each lot that has one, with its approval if any. */
export async function reserveRequests(tx: Tx, lotIds: readonly string[]): Promise<Map<string, ReserveRequest>> {
  const lots = await tx.tenderLot.findMany({
    where: { id: { in: [...lotIds] }, requestedReserve: { not: null } },
    select: { id: true, requestedReserve: true, reserveRequestedById: true, reserveApprovedById: true, package: { select: { total: true } } },
  });
  return new Map(
    lots.map((l) => [
      l.id,
      { lotId: l.id, requested: l.requestedReserve!, packagePrice: l.package.total, requestedById: l.reserveRequestedById ?? "", approvedById: l.reserveApprovedById },
    ]),
  );
}

/** Lower reserves of a tender still waiting for approval. */
export async function pendingReserveRequests(tx: Tx, tenderId: string): Promise<ReserveRequest[]> {
  const lots = await tx.tenderLot.findMany({ where: { tenderId }, select: { id: true } });
  return [...(await reserveRequests(tx, lots.map((l) => l.id))).values()].filter((r) => r.approvedById === null);
}

/** For publishTender: refuses (409 auction.retender.reservePending) while a lower reserve awaits approval. */
export async function assertReservesApproved(tx: Tx, tenderId: string): Promise<void> {
  const pending = await pendingReserveRequests(tx, tenderId);
  if (pending.length) throw new UserError("auction.retender.reservePending", { status: 409, params: { count: pending.length } });
}

/**
 * An approver (packages:approve), not the person who asked, approves a lot's lower reserve while
 * its tender is a draft: the lot's reserve becomes the requested one.
 */
export async function approveLowerReserve(ctx: AuditContext, approver: AwardActor, lotId: string) {
  requirePermission(approver, "packages:approve");
  return audited(ctx, async (tx, audit) => {
    const lot = await tx.tenderLot.findUnique({ where: { id: lotId }, include: { tender: true } });
    if (!lot) throw new UserError("auction.retender.unknownLot", { status: 404 });
    if (lot.tender.status !== "DRAFT") throw new UserError("auction.retender.notDraft", { status: 409 });
    const request = (await reserveRequests(tx, [lot.id])).get(lot.id);
    if (!request || request.approvedById !== null) throw new UserError("auction.retender.noReserveRequest", { status: 409 });
    if (request.requestedById === approver.id) throw new UserError("auction.retender.fourEyes", { status: 403 });
    const updated = await tx.tenderLot.updateMany({
      where: { id: lot.id, version: lot.version },
      data: { reserve: request.requested, reserveApprovedById: approver.id, reserveApprovedAt: new Date(), version: { increment: 1 } },
    });
    if (updated.count !== 1) throw new UserError("auction.retender.concurrentChange", { status: 409 });
    await audit({
      action: "retender.reserveApprove", entityType: "TenderLot", entityId: lot.id,
      before: { reserve: lot.reserve.toString() },
      after: { reserve: request.requested.toString(), approvedById: approver.id, requestedById: request.requestedById },
    });
    return tx.tenderLot.findUniqueOrThrow({ where: { id: lot.id } });
  });
}
