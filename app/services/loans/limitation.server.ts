import { can } from "~/domain/access";
import { addDays, daysBetween, isCalendarDay, todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { interruptionKinds, type InterruptionKind } from "~/domain/loan";
import { limitationAnchor, limitationExpiry, limitationStatus, type AnchorSource } from "~/domain/limitation";
import { maskBorrowerName } from "~/domain/masking";
import { audited, systemContext, type AuditContext } from "~/infra/audit.server";
import { forbidden, notFound, type AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { checkUpload, evidencePolicy, readStoredFile, storeFile } from "~/infra/files.server";
import { contractHoldingLoan, isCustodianOf, type CustodyViewer } from "~/services/custody/access.server";
import { settingsAt } from "~/services/settings/settings.server";

/**
 * R8 limitation clock (诉讼时效): which loans run out soon, the interruptions that stop the clock
 * (recorded with evidence by the department or the loan's branch, verified by a second officer of
 * the department before the clock moves), and the recomputation when the limitation period setting
 * changes.
 */

export const pageSize = 50;
const noteMaxLength = 500;

type Viewer = Pick<AuthUser, "id" | "roles" | "branchId">;

function requireCan(user: Viewer, permission: Parameters<typeof can>[1]) {
  if (!can(user.roles, permission)) throw forbidden();
}

/** The department records for any loan; a branch clerk only for loans of their own branch. */
function mayRecordFor(user: Viewer, loan: { branchId: string }): boolean {
  if (!can(user.roles, "loans:record-interruption")) return false;
  return can(user.roles, "loans:manage") || (user.branchId !== null && user.branchId === loan.branchId);
}

const clockFields = {
  id: true, loanNumber: true, borrowerName: true, borrowerType: true, branchId: true,
  lastInterruptionOn: true, lastPaymentOn: true, maturesOn: true, extendedMaturity: true,
  limitationExpiresOn: true, limitationYears: true, version: true,
} as const;

// ---- keeping expiries in step with the setting ------------------------------------------------

/**
 * Recomputes the expiry of every loan whose stored limitationYears differs from the setting in
 * force (settings are versioned: a new period must not leave stale expiries). One query finds the
 * mismatching loans, so calling it before every list is cheap. Each recomputed loan gets a history
 * entry; the run is one audit entry per batch.
 */
export async function refreshLimitationClocks(now = new Date(), context: AuditContext = systemContext("limitation.refresh")) {
  const settings = await settingsAt(now);
  const years = settings.values.limitationYears;
  let updated = 0;
  for (;;) {
    const stale = await prisma.loan.findMany({ where: { limitationYears: { not: years } }, select: clockFields, take: 500, orderBy: { id: "asc" } });
    if (stale.length === 0) break;
    const changed = await audited(context, async (tx, audit) => {
      let count = 0;
      for (const loan of stale) {
        const expiry = limitationExpiry(limitationAnchor(loan).day, years);
        const result = await tx.loan.updateMany({
          where: { id: loan.id, limitationYears: loan.limitationYears },
          data: { limitationYears: years, limitationExpiresOn: expiry, version: { increment: 1 } },
        });
        if (result.count === 0) continue; // changed meanwhile; the next round sees it again if still stale
        count++;
        await tx.loanChange.create({
          data: {
            loanId: loan.id, kind: "limitation.recompute", actorId: null,
            changes: JSON.stringify({ limitationYears: [loan.limitationYears, years], limitationExpiresOn: [loan.limitationExpiresOn, expiry] }),
          },
        });
      }
      if (count === 0) return 0;
      await audit({
        action: "limitation.recompute", entityType: "SettingVersion", entityId: settings.id,
        after: { settingsVersion: settings.version, limitationYears: years, loans: count },
      });
      return count;
    });
    updated += changed;
    if (changed === 0) break;
  }
  return { updated, limitationYears: years, settingsVersion: settings.version };
}

// ---- lists ------------------------------------------------------------------------------------

interface ClockLoan {
  loanNumber: string; borrowerName: string; borrowerType: string;
  lastInterruptionOn: string | null; lastPaymentOn: string | null; maturesOn: string; extendedMaturity: string | null;
  limitationExpiresOn: string;
  branch: { code: string; name: string };
}

export interface ExpiringLoanRow {
  loanNumber: string;
  borrower: string;
  branchCode: string;
  branchName: string;
  anchorDay: string;
  anchorSource: AnchorSource;
  expiresOn: string;
  daysLeft: number;
  bucket: number | null;
}

function toRow(loan: ClockLoan, today: string, alertDays: readonly number[]): ExpiringLoanRow {
  const anchor = limitationAnchor(loan);
  const status = limitationStatus(loan.limitationExpiresOn, today, alertDays);
  return {
    loanNumber: loan.loanNumber,
    borrower: maskBorrowerName(loan.borrowerName, loan.borrowerType),
    branchCode: loan.branch.code,
    branchName: loan.branch.name,
    anchorDay: anchor.day,
    anchorSource: anchor.source,
    expiresOn: loan.limitationExpiresOn,
    daysLeft: status.daysLeft,
    bucket: status.bucket,
  };
}

const listSelect = {
  loanNumber: true, borrowerName: true, borrowerType: true, lastInterruptionOn: true, lastPaymentOn: true, maturesOn: true,
  extendedMaturity: true, limitationExpiresOn: true, branch: { select: { code: true, name: true } },
} as const;

/** A recovered loan has nothing left to preserve: it leaves the limitation watch. */
const watched = { status: { not: "RECOVERED" } } as const;

const pageOf = (value: number | undefined) => (Number.isInteger(value) && (value ?? 0) > 0 ? value! : 1);

/**
 * Loans whose limitation runs out between today and today + N days (ordered by expiry, with the
 * days left), and, separately, the loans already lapsed. Personal names are masked.
 */
export async function expiringLoans(
  user: Viewer,
  options: { withinDays: number; page?: number; lapsedPage?: number },
  now = new Date(),
) {
  requireCan(user, "loans:view");
  if (!Number.isInteger(options.withinDays) || options.withinDays < 0 || options.withinDays > 3650) throw new UserError("limitation.invalidDays", { field: "days" });
  await refreshLimitationClocks(now);
  const { values } = await settingsAt(now);
  const today = todayInChina(now);
  const until = addDays(today, options.withinDays);
  const expiringWhere = { ...watched, limitationExpiresOn: { gte: today, lte: until } };
  const lapsedWhere = { ...watched, limitationExpiresOn: { lt: today } };
  const page = pageOf(options.page);
  const lapsedPage = pageOf(options.lapsedPage);
  const [total, rows, lapsedTotal, lapsedRows] = await Promise.all([
    prisma.loan.count({ where: expiringWhere }),
    prisma.loan.findMany({ where: expiringWhere, select: listSelect, orderBy: [{ limitationExpiresOn: "asc" }, { loanNumber: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
    prisma.loan.count({ where: lapsedWhere }),
    prisma.loan.findMany({ where: lapsedWhere, select: listSelect, orderBy: [{ limitationExpiresOn: "desc" }, { loanNumber: "asc" }], skip: (lapsedPage - 1) * pageSize, take: pageSize }),
  ]);
  return {
    today,
    until,
    withinDays: options.withinDays,
    alertDays: values.limitationAlertDays,
    expiring: { total, page, pageCount: Math.max(1, Math.ceil(total / pageSize)), rows: rows.map((l) => toRow(l, today, values.limitationAlertDays)) },
    lapsed: { total: lapsedTotal, page: lapsedPage, pageCount: Math.max(1, Math.ceil(lapsedTotal / pageSize)), rows: lapsedRows.map((l) => toRow(l, today, values.limitationAlertDays)) },
  };
}

/** How many loans run out within each alert threshold of the setting (90/30/7 by default), and how many lapsed. */
export async function limitationOverview(user: Viewer, now = new Date()) {
  requireCan(user, "loans:view");
  await refreshLimitationClocks(now);
  const { values } = await settingsAt(now);
  const today = todayInChina(now);
  const thresholds = [...new Set(values.limitationAlertDays)].sort((a, b) => b - a);
  const within = await Promise.all(
    thresholds.map(async (days) => ({
      days,
      count: await prisma.loan.count({ where: { ...watched, limitationExpiresOn: { gte: today, lte: addDays(today, days) } } }),
    })),
  );
  const lapsed = await prisma.loan.count({ where: { ...watched, limitationExpiresOn: { lt: today } } });
  const pending = await prisma.limitationInterruption.count({ where: { status: "PENDING" } });
  return { today, within, lapsed, pending };
}

// ---- interruptions ----------------------------------------------------------------------------

export interface RecordInterruptionInput {
  kind: string;
  occurredOn: string;
  note?: string | null;
  evidence: { bytes: Uint8Array; originalName: string } | null;
}

const isKind = (value: string): value is InterruptionKind => (interruptionKinds as readonly string[]).includes(value);

function cleanNote(note: string | null | undefined, field = "note"): string | null {
  const text = (note ?? "").trim();
  if (text.length > noteMaxLength) throw new UserError("interruption.noteTooLong", { field, params: { max: noteMaxLength } });
  return text || null;
}

/**
 * Records an interruption with its evidence (PDF, PNG or JPEG). It waits for the department's
 * verification: the clock does not move yet.
 */
export async function recordInterruption(context: AuditContext, user: Viewer, loanNumber: string, input: RecordInterruptionInput, now = new Date()) {
  requireCan(user, "loans:record-interruption");
  const loan = await prisma.loan.findUnique({ where: { loanNumber }, select: { id: true, loanNumber: true, branchId: true, disbursedOn: true } });
  if (!loan) throw new UserError("interruption.loanNotFound", { status: 404, params: { loanNumber } });
  if (!mayRecordFor(user, loan)) throw new UserError("interruption.otherBranch", { status: 403 });
  if (!isKind(input.kind)) throw new UserError("interruption.invalidKind", { field: "kind" });
  const today = todayInChina(now);
  const occurredOn = input.occurredOn.trim();
  if (!isCalendarDay(occurredOn)) throw new UserError("interruption.invalidDay", { field: "occurredOn" });
  if (occurredOn > today) throw new UserError("interruption.dayInFuture", { field: "occurredOn" });
  if (occurredOn < loan.disbursedOn) throw new UserError("interruption.beforeDisbursement", { field: "occurredOn", params: { disbursedOn: loan.disbursedOn } });
  const note = cleanNote(input.note);
  if (!input.evidence || input.evidence.bytes.length === 0) throw new UserError("interruption.evidenceRequired", { field: "evidence" });
  const evidence = input.evidence;
  checkUpload(evidence.bytes, evidencePolicy, "evidence"); // refuse before anything is written
  const kind = input.kind;

  return audited(context, async (tx, audit) => {
    const duplicate = await tx.limitationInterruption.findFirst({ where: { loanId: loan.id, kind, occurredOn, status: "PENDING" } });
    if (duplicate) throw new UserError("interruption.duplicate", { status: 409 });
    const file = await storeFile(tx, { bytes: evidence.bytes, originalName: evidence.originalName, uploadedById: user.id }, evidencePolicy, "evidence");
    const row = await tx.limitationInterruption.create({
      data: { loanId: loan.id, kind, occurredOn, evidenceFileId: file.id, note, recordedById: user.id, recordedAt: now },
    });
    await audit({
      action: "limitation.interruption.record", entityType: "LimitationInterruption", entityId: row.id,
      after: { loanNumber: loan.loanNumber, kind, occurredOn, note, evidence: { fileId: file.id, sha256: file.sha256, size: file.size, mimeType: file.mimeType } },
    });
    return row;
  });
}

/**
 * The department's decision on a recorded interruption, by someone other than the recorder. A
 * verified interruption later than the loan's last one moves the clock: the expiry is recomputed
 * from the new anchor with the limitation period in force, and the loan's history records it.
 */
export async function decideInterruption(
  context: AuditContext,
  user: Viewer,
  interruptionId: string,
  input: { decision: "verify" | "reject"; note?: string | null },
  now = new Date(),
) {
  requireCan(user, "loans:manage");
  if (input.decision !== "verify" && input.decision !== "reject") throw new UserError("interruption.invalidDecision");
  const note = cleanNote(input.note);
  if (input.decision === "reject" && !note) throw new UserError("interruption.reasonRequired", { field: "note" });
  const found = await prisma.limitationInterruption.findUnique({ where: { id: interruptionId } });
  if (!found) throw new UserError("interruption.notFound", { status: 404 });
  if (found.recordedById === user.id) throw new UserError("interruption.fourEyes", { status: 403 });
  if (found.status !== "PENDING") throw new UserError("interruption.alreadyDecided", { status: 409 });
  // Read before the transaction: the settings service reads outside it.
  const settings = await settingsAt(now);
  const years = settings.values.limitationYears;
  const status = input.decision === "verify" ? "VERIFIED" : "REJECTED";

  return audited(context, async (tx, audit) => {
    const decided = await tx.limitationInterruption.updateMany({
      where: { id: found.id, status: "PENDING" },
      data: { status, decidedById: user.id, decidedAt: now, decisionNote: note },
    });
    if (decided.count !== 1) throw new UserError("interruption.alreadyDecided", { status: 409 });
    const loan = await tx.loan.findUniqueOrThrow({ where: { id: found.loanId }, select: clockFields });
    let moved = false;
    let after = { lastInterruptionOn: loan.lastInterruptionOn, limitationExpiresOn: loan.limitationExpiresOn };
    if (status === "VERIFIED" && (!loan.lastInterruptionOn || found.occurredOn > loan.lastInterruptionOn)) {
      const expiry = limitationExpiry(limitationAnchor({ ...loan, lastInterruptionOn: found.occurredOn }).day, years);
      await tx.loan.update({
        where: { id: loan.id },
        data: { lastInterruptionOn: found.occurredOn, limitationExpiresOn: expiry, limitationYears: years, version: { increment: 1 } },
      });
      const changes: Record<string, [unknown, unknown]> = {
        lastInterruptionOn: [loan.lastInterruptionOn, found.occurredOn],
        limitationExpiresOn: [loan.limitationExpiresOn, expiry],
      };
      if (loan.limitationYears !== years) changes.limitationYears = [loan.limitationYears, years];
      await tx.loanChange.create({ data: { loanId: loan.id, kind: "interruption.verify", actorId: user.id, at: now, changes: JSON.stringify(changes) } });
      moved = true;
      after = { lastInterruptionOn: found.occurredOn, limitationExpiresOn: expiry };
    }
    await audit({
      action: status === "VERIFIED" ? "limitation.interruption.verify" : "limitation.interruption.reject",
      entityType: "LimitationInterruption", entityId: found.id,
      before: { status: "PENDING", lastInterruptionOn: loan.lastInterruptionOn, limitationExpiresOn: loan.limitationExpiresOn },
      after: { status, note, loanNumber: loan.loanNumber, kind: found.kind, occurredOn: found.occurredOn, clockMoved: moved, ...after, settingsVersion: settings.version },
    });
    return { status, moved, ...after };
  });
}

/** Interruptions waiting for the department's verification (the limitation page). */
export async function pendingInterruptions(user: Viewer) {
  requireCan(user, "loans:manage");
  const rows = await prisma.limitationInterruption.findMany({
    where: { status: "PENDING" },
    orderBy: { recordedAt: "asc" },
    include: { loan: { select: { loanNumber: true, borrowerName: true, borrowerType: true, limitationExpiresOn: true } } },
    take: 200,
  });
  const people = await namesOf(rows.map((r) => r.recordedById));
  return rows.map((r) => ({
    id: r.id,
    loanNumber: r.loan.loanNumber,
    borrower: maskBorrowerName(r.loan.borrowerName, r.loan.borrowerType),
    expiresOn: r.loan.limitationExpiresOn,
    kind: r.kind,
    occurredOn: r.occurredOn,
    note: r.note,
    evidenceFileId: r.evidenceFileId,
    recordedBy: people.get(r.recordedById) ?? "—",
    recordedAt: r.recordedAt.toISOString(),
    canDecide: r.recordedById !== user.id,
  }));
}

async function namesOf(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => Boolean(x)))];
  if (wanted.length === 0) return new Map();
  const users = await prisma.user.findMany({ where: { id: { in: wanted } }, select: { id: true, displayName: true } });
  return new Map(users.map((u) => [u.id, u.displayName]));
}

// ---- the loan page's panel --------------------------------------------------------------------

export type TimelineKind = "disbursed" | "matures" | "extendedMaturity" | "lastPayment" | "lastInterruption" | "interruption" | "alert" | "expiry" | "today";

export interface TimelineEvent {
  day: string;
  kind: TimelineKind;
  /** 0..1 along the span from the first to the last event */
  position: number;
  /** interruption: its kind and status; alert: the days before expiry */
  interruptionKind?: string;
  status?: string;
  days?: number;
}

export interface LimitationPanelInterruption {
  id: string;
  kind: string;
  occurredOn: string;
  note: string | null;
  status: string;
  evidence: { fileId: string; name: string; mimeType: string; size: number } | null;
  recordedBy: string;
  recordedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  canDecide: boolean;
}

export interface LimitationPanelData {
  loanNumber: string;
  today: string;
  limitationYears: number;
  alertDays: number[];
  anchor: { day: string; source: AnchorSource };
  expiresOn: string;
  daysLeft: number;
  bucket: number | null;
  lapsed: boolean;
  /** The clock from the anchor to the expiry: where today and the alert days fall (0..1). */
  clock: { todayPosition: number; alerts: { days: number; day: string; position: number }[] };
  timeline: TimelineEvent[];
  interruptions: LimitationPanelInterruption[];
  interruptionKinds: string[];
  disbursedOn: string;
  canRecord: boolean;
  canDecide: boolean;
}

const order: Record<TimelineKind, number> = { disbursed: 0, matures: 1, extendedMaturity: 2, lastPayment: 3, lastInterruption: 4, interruption: 5, today: 6, alert: 7, expiry: 8 };
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Everything the loan page shows about the limitation of one loan (plain JSON). */
export async function loadLimitationPanel(user: Viewer, loanId: string, now = new Date()): Promise<LimitationPanelData> {
  requireCan(user, "loans:view");
  return limitationPanel(loanId, now, { userId: user.id, canDecide: can(user.roles, "loans:manage"), canRecord: (loan) => mayRecordFor(user, loan) });
}

/**
 * The same panel for the loan's custodian during the term (the caller checked that): read-only —
 * custodians submit evidence through their collection activities and the department decides it.
 */
export function custodianLimitationPanel(loanId: string, now = new Date()): Promise<LimitationPanelData> {
  return limitationPanel(loanId, now, { userId: null, canDecide: false, canRecord: () => false });
}

async function limitationPanel(
  loanId: string,
  now: Date,
  viewer: { userId: string | null; canDecide: boolean; canRecord: (loan: { branchId: string }) => boolean },
): Promise<LimitationPanelData> {
  const loan = await prisma.loan.findUnique({
    where: { id: loanId },
    select: { ...clockFields, disbursedOn: true, interruptions: { orderBy: [{ occurredOn: "desc" }, { recordedAt: "desc" }] } },
  });
  if (!loan) throw notFound();
  const { values } = await settingsAt(now);
  const today = todayInChina(now);
  const alertDays = [...new Set(values.limitationAlertDays)].sort((a, b) => b - a);
  const anchor = limitationAnchor(loan);
  const expiresOn = loan.limitationExpiresOn;
  const status = limitationStatus(expiresOn, today, alertDays);
  const canDecide = viewer.canDecide;

  const files = await prisma.storedFile.findMany({ where: { id: { in: loan.interruptions.map((i) => i.evidenceFileId) } } });
  const people = await namesOf(loan.interruptions.flatMap((i) => [i.recordedById, i.decidedById]));

  const events: Omit<TimelineEvent, "position">[] = [
    { day: loan.disbursedOn, kind: "disbursed" },
    { day: loan.maturesOn, kind: "matures" },
    ...(loan.extendedMaturity ? [{ day: loan.extendedMaturity, kind: "extendedMaturity" as const }] : []),
    ...(loan.lastPaymentOn ? [{ day: loan.lastPaymentOn, kind: "lastPayment" as const }] : []),
    // The last interruption as the tape gave it, unless a verified interruption here is that day.
    ...(loan.lastInterruptionOn && !loan.interruptions.some((i) => i.status === "VERIFIED" && i.occurredOn === loan.lastInterruptionOn)
      ? [{ day: loan.lastInterruptionOn, kind: "lastInterruption" as const }]
      : []),
    ...loan.interruptions.map((i) => ({ day: i.occurredOn, kind: "interruption" as const, interruptionKind: i.kind, status: i.status })),
    ...alertDays.map((days) => ({ day: addDays(expiresOn, -days), kind: "alert" as const, days })),
    { day: expiresOn, kind: "expiry" },
    { day: today, kind: "today" },
  ];
  events.sort((a, b) => (a.day === b.day ? order[a.kind] - order[b.kind] : a.day < b.day ? -1 : 1));
  const first = events[0]!.day;
  const span = Math.max(1, daysBetween(first, events[events.length - 1]!.day));
  const clockSpan = Math.max(1, daysBetween(anchor.day, expiresOn));
  const along = (day: string) => clamp01(daysBetween(anchor.day, day) / clockSpan);

  return {
    loanNumber: loan.loanNumber,
    today,
    limitationYears: loan.limitationYears,
    alertDays,
    anchor,
    expiresOn,
    daysLeft: status.daysLeft,
    bucket: status.bucket,
    lapsed: status.lapsed,
    clock: {
      todayPosition: along(today),
      alerts: alertDays.map((days) => ({ days, day: addDays(expiresOn, -days), position: along(addDays(expiresOn, -days)) })),
    },
    timeline: events.map((e) => ({ ...e, position: clamp01(daysBetween(first, e.day) / span) })),
    interruptions: loan.interruptions.map((i) => {
      const file = files.find((f) => f.id === i.evidenceFileId);
      return {
        id: i.id,
        kind: i.kind,
        occurredOn: i.occurredOn,
        note: i.note,
        status: i.status,
        evidence: file ? { fileId: file.id, name: file.originalName, mimeType: file.mimeType, size: file.size } : null,
        recordedBy: people.get(i.recordedById) ?? "—",
        recordedAt: i.recordedAt.toISOString(),
        decidedBy: i.decidedById ? (people.get(i.decidedById) ?? "—") : null,
        decidedAt: i.decidedAt?.toISOString() ?? null,
        decisionNote: i.decisionNote,
        canDecide: canDecide && i.status === "PENDING" && i.recordedById !== viewer.userId,
      };
    }),
    interruptionKinds: [...interruptionKinds],
    disbursedOn: loan.disbursedOn,
    canRecord: viewer.canRecord(loan),
    canDecide,
  };
}

// ---- evidence downloads -------------------------------------------------------------------------

/**
 * A stored file for download, if the user may see it: evidence of an interruption, for loans:view
 * holders and for the loan's custodian during the term. Each download is an audit entry. Null when unknown or not visible (the route answers 404).
 */
export async function downloadFile(context: AuditContext, user: Viewer & CustodyViewer, fileId: string, now = new Date()) {
  // Evidence of an interruption, or of a collection activity (a lawyer's letter, a visit report).
  const interruption = await prisma.limitationInterruption.findFirst({ where: { evidenceFileId: fileId }, select: { id: true, loanId: true } });
  const activity = interruption ? null : await prisma.collectionActivity.findFirst({ where: { evidenceFileId: fileId }, select: { id: true, loanId: true } });
  const loanId = interruption?.loanId ?? activity?.loanId;
  if (!loanId) return null;
  if (!can(user.roles, "loans:view")) {
    // The custodian sees the evidence of a loan in their custody, during the term only.
    const contract = can(user.roles, "custody:work") ? await contractHoldingLoan(loanId, now) : null;
    if (!contract || !isCustodianOf(user, contract)) return null;
  }
  const file = await readStoredFile(fileId);
  if (!file) return null;
  const loan = await prisma.loan.findUniqueOrThrow({ where: { id: loanId }, select: { loanNumber: true } });
  await audited(context, (_tx, audit) =>
    audit({
      action: "file.download", entityType: "StoredFile", entityId: fileId,
      after: { sha256: file.row.sha256, name: file.row.originalName, interruptionId: interruption?.id ?? null, activityId: activity?.id ?? null, loanNumber: loan.loanNumber },
    }),
  );
  return file;
}
