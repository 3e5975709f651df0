import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { audited, type AuditContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import type { Params } from "~/infra/i18n";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import { settingsAt } from "~/services/settings/settings.server";
import { notify } from "~/services/tenders/notifications.server";
import { custodianKeyOf, departmentUsers, isDepartment } from "./access.server";
import { decideFullTimeSchema, fullTimeApplySchema, type DecideFullTimeInput } from "./liability-schemas";
import { asFormRefusal, formText, parseOrRefuse } from "~/infra/forms";

/**
 * Full-time collection (issue 7 item 2, README step 10): a staff contractor who holds at least
 * `fullTimeMinPackages` contracts (setting, 3) may apply to collect full time; the department
 * approves or rejects, never the applicant. One application awaits a decision at a time.
 */

export type FullTimeActor = Pick<AuthUser, "id" | "email" | "displayName" | "roles" | "organizationId" | "organizationKind">;

/** Contracts that count: countersigned (awaiting the deposit) or active, held by the user themself. */
const countingStatuses = ["AWAITING_DEPOSIT", "ACTIVE"];

/** A staff contractor: the bank's own internal bidder who may do custody work. */
export function isStaffCustodian(user: Pick<AuthUser, "roles" | "organizationKind">): boolean {
  return user.organizationKind === "BANK" && user.roles.includes("internal_bidder") && can(user.roles, "custody:work");
}

export function contractsHeldBy(user: Pick<AuthUser, "id" | "organizationId" | "organizationKind">): Promise<number> {
  return prisma.custodyContract.count({ where: { custodianKey: custodianKeyOf(user), status: { in: countingStatuses } } });
}

/** The applicant applies, with a reason: staff contractors holding enough contracts; one PENDING at a time. Audit-logged; the department told. */
export async function applyFullTime(ctx: AuditContext, user: FullTimeActor, input: { reason: string }, now: Date = new Date()) {
  if (!isStaffCustodian(user)) throw new UserError("custody.fullTime.staffOnly", { status: 403 });
  const { reason } = parseOrRefuse(fullTimeApplySchema, input);
  const threshold = (await settingsAt(now)).values.fullTimeMinPackages;
  return audited(ctx, async (tx, audit) => {
    const count = await tx.custodyContract.count({ where: { custodianKey: custodianKeyOf(user), status: { in: countingStatuses } } });
    if (count < threshold) throw new UserError("custody.fullTime.tooFew", { status: 409, params: { count, threshold } });
    const open = await tx.fullTimeApplication.findFirst({ where: { userId: user.id, status: { in: ["PENDING", "APPROVED"] } }, orderBy: { appliedAt: "desc" } });
    if (open?.status === "PENDING") throw new UserError("custody.fullTime.pending", { status: 409 });
    if (open?.status === "APPROVED") throw new UserError("custody.fullTime.alreadyApproved", { status: 409 });
    const application = await tx.fullTimeApplication.create({ data: { userId: user.id, contractCount: count, reason, appliedAt: now } });
    await audit({
      action: "fulltime.apply", entityType: "FullTimeApplication", entityId: application.id,
      after: { userId: user.id, contractCount: count, threshold, reason, status: "PENDING" },
    });
    const department = (await departmentUsers(tx)).filter((u) => u.id !== user.id);
    await notify(tx, department.map((u) => u.id), "custody.fullTime.notice.applied", { name: user.displayName, count }, "/custody/review");
    return application;
  });
}

/** The department (custody:manage), not the applicant, decides a PENDING application once; a rejection needs a note. Audit-logged; the applicant told (bell and email). */
export async function decideFullTime(ctx: AuditContext, user: Pick<AuthUser, "id" | "roles">, applicationId: string, input: { decision: "approve" | "reject"; note?: string }, now: Date = new Date()) {
  if (!isDepartment(user)) throw new UserError("custody.fullTime.notDepartment", { status: 403 });
  const parsed: DecideFullTimeInput = parseOrRefuse(decideFullTimeSchema, input);
  const result = await audited(ctx, async (tx, audit) => {
    const application = await tx.fullTimeApplication.findUnique({ where: { id: applicationId } });
    if (!application) throw new UserError("custody.fullTime.notFound", { status: 404 });
    if (application.userId === user.id) throw new UserError("custody.fullTime.ownApplication", { status: 403 });
    if (application.status !== "PENDING") throw new UserError("custody.fullTime.alreadyDecided", { status: 409, params: { status: application.status } });
    const status = parsed.decision === "approve" ? "APPROVED" : "REJECTED";
    const flipped = await tx.fullTimeApplication.updateMany({
      where: { id: application.id, status: "PENDING" },
      data: { status, decidedById: user.id, decidedAt: now, decisionNote: parsed.note || null },
    });
    if (flipped.count !== 1) throw new UserError("custody.fullTime.alreadyDecided", { status: 409, params: { status: "?" } });
    await audit({
      action: parsed.decision === "approve" ? "fulltime.approve" : "fulltime.reject", entityType: "FullTimeApplication", entityId: application.id,
      before: { status: "PENDING" }, after: { status, note: parsed.note || null, applicantId: application.userId },
    });
    const applicant = await tx.user.findUniqueOrThrow({ where: { id: application.userId }, select: { id: true, email: true, locale: true } });
    await notify(
      tx, [applicant.id],
      status === "APPROVED" ? "custody.fullTime.notice.approved" : "custody.fullTime.notice.rejected",
      status === "APPROVED" ? {} : { note: parsed.note }, "/custody",
    );
    const email = await queueEmailIn(tx, applicant, "custodyFullTimeDecided", { approved: status === "APPROVED", note: parsed.note, link: "/custody" });
    return { application: { ...application, status, decidedById: user.id, decidedAt: now, decisionNote: parsed.note || null }, outboxIds: [email.id] };
  });
  await sendQueuedEmails(result.outboxIds);
  return result.application;
}

// ---- reading --------------------------------------------------------------------------------------

export interface FullTimeApplicationView {
  id: string;
  userId: string;
  applicant: string;
  applicantEmail: string;
  contractCount: number;
  /** Contracts the applicant holds now. */
  contractsNow: number;
  reason: string;
  status: string;
  appliedAt: Date;
  decidedAt: Date | null;
  decisionNote: string | null;
  /** The viewer may decide it (department, not the applicant, PENDING). */
  canDecide: boolean;
}

/** Applications a user may see: the department all; anyone else their own. */
export async function listFullTimeApplications(user: Pick<AuthUser, "id" | "roles">, filter: { status?: string; id?: string } = {}): Promise<FullTimeApplicationView[]> {
  if (!can(user.roles, "custody:view") && !isDepartment(user)) throw new UserError("custody.forbidden", { status: 403 });
  const rows = await prisma.fullTimeApplication.findMany({
    where: { ...(isDepartment(user) ? {} : { userId: user.id }), ...(filter.status ? { status: filter.status } : {}), ...(filter.id ? { id: filter.id } : {}) },
    orderBy: [{ appliedAt: "desc" }, { id: "asc" }],
    take: 500,
  });
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const people = await prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true, email: true } });
  const byId = new Map(people.map((p) => [p.id, p]));
  const counts = await prisma.custodyContract.groupBy({
    by: ["custodianKey"], where: { custodianKey: { in: userIds.map((id) => `user:${id}`) }, status: { in: countingStatuses } }, _count: { _all: true },
  });
  const countOf = new Map(counts.map((c) => [c.custodianKey, c._count._all]));
  return rows.map((r) => ({
    id: r.id, userId: r.userId, applicant: byId.get(r.userId)?.displayName ?? r.userId, applicantEmail: byId.get(r.userId)?.email ?? "",
    contractCount: r.contractCount, contractsNow: countOf.get(`user:${r.userId}`) ?? 0, reason: r.reason, status: r.status,
    appliedAt: r.appliedAt, decidedAt: r.decidedAt, decisionNote: r.decisionNote,
    canDecide: isDepartment(user) && r.userId !== user.id && r.status === "PENDING",
  }));
}

/** One application the user may see, or 404. */
export async function fullTimeApplicationFor(user: Pick<AuthUser, "id" | "roles">, id: string): Promise<FullTimeApplicationView> {
  const [one] = await listFullTimeApplications(user, { id });
  if (!one) throw new UserError("custody.fullTime.notFound", { status: 404 });
  return one;
}

/** The review page's section: PENDING applications (custody:manage). */
export async function fullTimeQueue(user: Pick<AuthUser, "id" | "roles">): Promise<FullTimeApplicationView[]> {
  if (!isDepartment(user)) throw new UserError("custody.fullTime.notDepartment", { status: 403 });
  return (await listFullTimeApplications(user, { status: "PENDING" })).reverse();
}

export interface FullTimeCard {
  /** A staff contractor (the only kind who may apply). */
  staff: boolean;
  count: number;
  threshold: number;
  latest: { id: string; status: string; appliedAt: Date; decidedAt: Date | null; decisionNote: string | null } | null;
  mayApply: boolean;
}

/** The custodian's card on the workbench: contracts held, the threshold in force, the latest application. */
export async function fullTimeCard(user: Pick<AuthUser, "id" | "roles" | "organizationId" | "organizationKind">, now: Date = new Date()): Promise<FullTimeCard> {
  const staff = isStaffCustodian(user);
  const threshold = (await settingsAt(now)).values.fullTimeMinPackages;
  const count = staff ? await contractsHeldBy(user) : 0;
  const latest = staff
    ? await prisma.fullTimeApplication.findFirst({
        where: { userId: user.id }, orderBy: [{ appliedAt: "desc" }, { id: "desc" }],
        select: { id: true, status: true, appliedAt: true, decidedAt: true, decisionNote: true },
      })
    : null;
  const open = latest?.status === "PENDING" || latest?.status === "APPROVED";
  return { staff, count, threshold, latest, mayApply: staff && count >= threshold && !open };
}

/** The workbench's action for intent=fulltime-apply (reason). Refusals are thrown (field "reason" for bad input). */
export async function handleFullTimeApply(ctx: AuditContext, user: FullTimeActor, formData: FormData, now: Date = new Date()) {
  if (formData.get("intent") !== "fulltime-apply") throw new UserError("form.invalidChoice");
  try {
    const application = await applyFullTime(ctx, user, { reason: formText(formData, "reason") }, now);
    return { target: "fulltime", applicationId: application.id, toast: { key: "custody.fullTime.toast.applied" as const, params: {} as Params } };
  } catch (error) {
    throw asFormRefusal(error, {});
  }
}

export const fullTimeIntents = ["fulltime-approve", "fulltime-reject"] as const;
export type FullTimeIntent = (typeof fullTimeIntents)[number];
export const isFullTimeIntent = (value: unknown): value is FullTimeIntent => typeof value === "string" && (fullTimeIntents as readonly string[]).includes(value);

/**
 * The review page's action for intent=fulltime-approve|fulltime-reject with applicationId and note.
 * Returns the toast and the target (the application's id); refusals are thrown as UserError (field
 * "note" when a rejection has none).
 */
export async function handleFullTimeIntent(ctx: AuditContext, user: Pick<AuthUser, "id" | "roles">, formData: FormData, now: Date = new Date()) {
  const intent = formData.get("intent");
  if (!isFullTimeIntent(intent)) throw new UserError("form.invalidChoice");
  const applicationId = formText(formData, "applicationId").trim();
  if (!applicationId || applicationId.length > 64) throw new UserError("custody.fullTime.notFound", { status: 404 });
  const decision = intent === "fulltime-approve" ? "approve" : "reject";
  try {
    await decideFullTime(ctx, user, applicationId, { decision, note: formText(formData, "note") }, now);
  } catch (error) {
    throw asFormRefusal(error, {});
  }
  return {
    target: applicationId, applicationId,
    toast: { key: decision === "approve" ? ("custody.fullTime.toast.approved" as const) : ("custody.fullTime.toast.rejected" as const), params: {} as Params },
  };
}
