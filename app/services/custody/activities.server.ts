import { can } from "~/domain/access";
import { addDays, startOfChinaDay } from "~/domain/calendar";
import { checkContact, contactDay, contactKinds, type ConductRefusal, type ConductRules, type ContactParty } from "~/domain/conduct";
import { UserError } from "~/domain/errors";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { checkUpload, evidencePolicy, storeFile } from "~/infra/files.server";
import { settingsAt } from "~/services/settings/settings.server";
import { notify } from "~/services/tenders/notifications.server";
import { activityKinds, activityTextMax, interruptionKindOf, type ActivityKind } from "./activity-schemas";
import { departmentUsers, requireCustodianOfLoan, type CustodyViewer } from "./access.server";

/**
 * The collection workbench's activity log (issue 7, item 3): what the custodian did on a loan in
 * custody — calls, SMS, visits, letters, collection notices, lawyer's letters, lawsuits, payment
 * orders. A contact passes the conduct rules in force first (README "Conduct and privacy": only the
 * debtor or a guarantor, never 22:00–08:00 China time, at most 3 effective contacts per debtor per
 * China day, counted over every contract and custodian the loan ever had). A refused contact changes
 * nothing but is itself an audit entry, so compliance sees the blocked attempts. Evidence of a
 * signed collection-notice receipt or of a filing becomes a PENDING limitation interruption: the
 * clock moves only once the department verifies it (decideInterruption on the loan page).
 */

export type Worker = CustodyViewer & Pick<AuthUser, "email">;

export interface RecordActivityInput {
  kind: string;
  party?: string | null;
  /** When it happened (default: now). */
  at?: Date | null;
  effective?: boolean;
  outcome?: string | null;
  note?: string | null;
  evidence?: { bytes: Uint8Array; originalName: string } | null;
}

const isKind = (value: string): value is ActivityKind => (activityKinds as readonly string[]).includes(value);
export const isContactKind = (kind: string): boolean => (contactKinds as readonly string[]).includes(kind);

/** The conduct rules in force at `at` (settings are data). */
export async function conductRulesAt(at: Date): Promise<ConductRules> {
  const { values } = await settingsAt(at);
  return { quietFrom: values.quietHoursFrom, quietUntil: values.quietHoursUntil, maxContactsPerDay: values.maxContactsPerDay };
}

/**
 * Effective contacts already recorded with the loan's debtor on one China day (`YYYY-MM-DD`),
 * whoever recorded them and under whichever contract: the daily limit is per debtor, not per custodian.
 */
export async function effectiveContactsOn(db: Tx, loanId: string, day: string): Promise<number> {
  return db.collectionActivity.count({
    where: {
      loanId,
      effective: true,
      kind: { in: [...contactKinds] },
      at: { gte: startOfChinaDay(day), lt: startOfChinaDay(addDays(day, 1)) },
    },
  });
}

function cleanText(value: string | null | undefined, field: string): string {
  const text = (value ?? "").trim();
  if (text.length > activityTextMax) throw new UserError("custody.activity.textTooLong", { field, params: { max: activityTextMax } });
  return text;
}

const refusalKey = { not_a_party: "custody.conduct.notAParty", quiet_hours: "custody.conduct.quietHours", daily_limit: "custody.conduct.dailyLimit" } as const;

/** The UserError of a conduct refusal: a 422 with the rule's own numbers. */
export function conductError(refusal: ConductRefusal, day: string): UserError {
  if (refusal.reason === "quiet_hours") return new UserError(refusalKey.quiet_hours, { field: "at", status: 422, params: { from: refusal.from, until: refusal.until } });
  if (refusal.reason === "daily_limit") return new UserError(refusalKey.daily_limit, { field: "effective", status: 422, params: { limit: refusal.limit, day } });
  return new UserError(refusalKey.not_a_party, { field: "party", status: 422 });
}

/**
 * Records one activity on a loan the user holds in custody at `now`. Refusals: 404 outside the
 * custodian's term (as for an unknown loan); 400 for bad input (kind, time in the future or before
 * custody started, evidence not a PDF/PNG/JPEG); 422 for a contact the conduct rules forbid — that
 * one is audit-logged as `custody.contact.refused` in its own transaction and nothing else is written.
 */
export async function recordActivity(context: AuditContext, user: Worker, loanNumber: string, input: RecordActivityInput, now = new Date()) {
  if (!can(user.roles, "custody:work")) throw new UserError("custody.forbidden", { status: 403 });
  const { loan, contract } = await requireCustodianOfLoan(user, loanNumber, now);
  if (!isKind(input.kind)) throw new UserError("custody.activity.invalidKind", { field: "kind" });
  const kind = input.kind;
  const at = input.at ?? now;
  if (Number.isNaN(at.getTime())) throw new UserError("custody.activity.invalidAt", { field: "at" });
  if (at.getTime() > now.getTime()) throw new UserError("custody.activity.atInFuture", { field: "at" });
  if (contract.custodyStartsAt && at.getTime() < contract.custodyStartsAt.getTime()) throw new UserError("custody.activity.atBeforeCustody", { field: "at" });
  const outcome = cleanText(input.outcome, "outcome");
  const note = cleanText(input.note, "note") || null;
  const contact = isContactKind(kind);
  const party = contact ? (input.party ?? "") : null;
  if (contact && !party) throw new UserError("custody.activity.partyRequired", { field: "party" });
  const effective = contact && input.effective === true;
  const evidence = input.evidence && input.evidence.bytes.length > 0 ? input.evidence : null;
  if (evidence) checkUpload(evidence.bytes, evidencePolicy, "evidence"); // refuse before anything is written
  const interruptionKind = evidence ? interruptionKindOf[kind] : undefined;
  const rules = await conductRulesAt(at);
  const day = contactDay(at);
  const departments = interruptionKind ? await departmentUsers() : [];

  const outcomeOf = await audited(context, async (tx, audit) => {
    if (contact) {
      // Counted inside the writing transaction: SQLite has one writer, so two custodians cannot both take the 3rd slot.
      const contactsToday = effective ? await effectiveContactsOn(tx, loan.id, day) : 0;
      const decision = checkContact({ at, party: party as ContactParty, contactsToday }, rules);
      if (!decision.allowed) return { type: "refused", refusal: decision, contactsToday } as const;
    }
    let interruptionId: string | null = null;
    let evidenceFileId: string | null = null;
    let evidenceFacts: { fileId: string; sha256: string; size: number; mimeType: string } | null = null;
    if (evidence) {
      const file = await storeFile(tx, { bytes: evidence.bytes, originalName: evidence.originalName, uploadedById: user.id }, evidencePolicy, "evidence");
      evidenceFileId = file.id;
      evidenceFacts = { fileId: file.id, sha256: file.sha256, size: file.size, mimeType: file.mimeType };
    }
    if (interruptionKind && evidenceFileId) {
      const duplicate = await tx.limitationInterruption.findFirst({ where: { loanId: loan.id, kind: interruptionKind, occurredOn: day, status: "PENDING" } });
      if (duplicate) throw new UserError("custody.activity.duplicateInterruption", { status: 409, field: "evidence" });
      const interruption = await tx.limitationInterruption.create({
        data: { loanId: loan.id, kind: interruptionKind, occurredOn: day, evidenceFileId, note: outcome || note, recordedById: user.id, recordedAt: now },
      });
      interruptionId = interruption.id;
      await audit({
        action: "limitation.interruption.record", entityType: "LimitationInterruption", entityId: interruption.id,
        after: { loanNumber: loan.loanNumber, kind: interruptionKind, occurredOn: day, note: interruption.note, evidence: evidenceFacts, contractId: contract.id, byCustodian: true },
      });
      await notify(tx, departments.map((u) => u.id), "custody.notice.interruptionPending", { loanNumber: loan.loanNumber, contract: contract.number }, `/loans/${encodeURIComponent(loan.loanNumber)}`);
    }
    const activity = await tx.collectionActivity.create({
      data: {
        contractId: contract.id, loanId: loan.id, kind, party, at, effective, outcome, note,
        evidenceFileId, interruptionId, recordedById: user.id, recordedAt: now,
      },
    });
    await audit({
      action: "custody.activity.record", entityType: "CollectionActivity", entityId: activity.id,
      after: {
        loanNumber: loan.loanNumber, contractId: contract.id, kind, party, at: at.toISOString(), chinaDay: day, effective, outcome, note,
        evidence: evidenceFacts, interruptionId,
      },
    });
    return { type: "recorded", activity } as const;
  });

  if (outcomeOf.type === "refused") {
    const refusal = outcomeOf.refusal;
    await audited(context, (_tx, audit) =>
      audit({
        action: "custody.contact.refused", entityType: "Loan", entityId: loan.id,
        after: {
          loanNumber: loan.loanNumber, contractId: contract.id, kind, party, at: at.toISOString(), chinaDay: day, effective,
          reason: refusal.reason, contactsToday: outcomeOf.contactsToday,
          rules: { quietFrom: rules.quietFrom, quietUntil: rules.quietUntil, maxContactsPerDay: rules.maxContactsPerDay },
        },
      }),
    );
    throw conductError(refusal, day);
  }
  return outcomeOf.activity;
}

export interface ActivityView {
  id: string;
  kind: string;
  party: string | null;
  at: string;
  effective: boolean;
  outcome: string;
  note: string | null;
  evidence: { fileId: string; name: string } | null;
  interruption: { id: string; kind: string; status: string; occurredOn: string } | null;
  recordedBy: string;
  recordedAt: string;
}

/** The activity log of one loan under one contract, newest first (plain JSON); `activityId` narrows it to one. */
export async function activitiesOf(db: Tx, contractId: string, loanId: string, activityId?: string): Promise<ActivityView[]> {
  const rows = await db.collectionActivity.findMany({
    where: { contractId, loanId, ...(activityId ? { id: activityId } : {}) },
    orderBy: [{ at: "desc" }, { recordedAt: "desc" }],
    take: 500,
  });
  const fileIds = rows.map((r) => r.evidenceFileId).filter((x): x is string => Boolean(x));
  const interruptionIds = rows.map((r) => r.interruptionId).filter((x): x is string => Boolean(x));
  const [files, interruptions, people] = await Promise.all([
    fileIds.length ? db.storedFile.findMany({ where: { id: { in: fileIds } }, select: { id: true, originalName: true } }) : [],
    interruptionIds.length ? db.limitationInterruption.findMany({ where: { id: { in: interruptionIds } } }) : [],
    db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.recordedById))] } }, select: { id: true, displayName: true } }),
  ]);
  return rows.map((r) => {
    const file = files.find((f) => f.id === r.evidenceFileId);
    const interruption = interruptions.find((i) => i.id === r.interruptionId);
    return {
      id: r.id,
      kind: r.kind,
      party: r.party,
      at: r.at.toISOString(),
      effective: r.effective,
      outcome: r.outcome,
      note: r.note,
      evidence: file ? { fileId: file.id, name: file.originalName } : null,
      interruption: interruption ? { id: interruption.id, kind: interruption.kind, status: interruption.status, occurredOn: interruption.occurredOn } : null,
      recordedBy: people.find((p) => p.id === r.recordedById)?.displayName ?? "—",
      recordedAt: r.recordedAt.toISOString(),
    };
  });
}

/** One recorded activity as the log shows it (the API's answer to a POST). */
export async function activityView(row: { id: string; contractId: string; loanId: string }): Promise<ActivityView> {
  const [view] = await activitiesOf(prisma, row.contractId, row.loanId, row.id);
  if (!view) throw new Error(`activity ${row.id} not found`);
  return view;
}

/** The activity log of a loan the user holds in custody at `now` (404 for anyone else). */
export async function listActivities(user: CustodyViewer, loanNumber: string, now = new Date()): Promise<ActivityView[]> {
  const { loan, contract } = await requireCustodianOfLoan(user, loanNumber, now);
  return activitiesOf(prisma, contract.id, loan.id);
}

export interface CustodianInterruptionRow {
  interruptionId: string;
  loanNumber: string;
  kind: string;
  occurredOn: string;
  contractId: string;
  contractNumber: string;
  activityKind: string;
  recordedBy: string;
  recordedAt: string;
  /** The existing loan page, where the department verifies or rejects it (decideInterruption). */
  link: string;
}

/**
 * For the department's review queue (custody:manage): interruption evidence custodians uploaded
 * through the workbench that still awaits verification, oldest first.
 */
export async function pendingCustodianInterruptions(user: Pick<AuthUser, "roles">): Promise<CustodianInterruptionRow[]> {
  if (!can(user.roles, "custody:manage")) throw new UserError("custody.forbidden", { status: 403 });
  // The pending evidence first (few), then the activities that submitted it.
  const pending = await prisma.limitationInterruption.findMany({
    where: { status: "PENDING" },
    include: { loan: { select: { loanNumber: true } } },
    orderBy: { recordedAt: "asc" },
    take: 500,
  });
  const activities = await prisma.collectionActivity.findMany({
    where: { interruptionId: { in: pending.map((r) => r.id) } },
    select: { interruptionId: true, kind: true, contract: { select: { id: true, number: true } } },
  });
  if (activities.length === 0) return [];
  const rows = pending.filter((r) => activities.some((a) => a.interruptionId === r.id));
  const people = await prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.recordedById))] } }, select: { id: true, displayName: true } });
  return rows.map((r) => {
    const activity = activities.find((a) => a.interruptionId === r.id)!;
    return {
      interruptionId: r.id,
      loanNumber: r.loan.loanNumber,
      kind: r.kind,
      occurredOn: r.occurredOn,
      contractId: activity.contract.id,
      contractNumber: activity.contract.number,
      activityKind: activity.kind,
      recordedBy: people.find((p) => p.id === r.recordedById)?.displayName ?? "—",
      recordedAt: r.recordedAt.toISOString(),
      link: `/loans/${encodeURIComponent(r.loan.loanNumber)}`,
    };
  });
}
