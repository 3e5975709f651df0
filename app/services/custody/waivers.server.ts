import { UserError } from "~/domain/errors";
import { toYuanString, type Fen } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import { notify } from "~/services/tenders/notifications.server";
import { noteMaxLength } from "./agreement-schemas";
import { custodianUsers, isDepartment, type CustodyViewer } from "./access.server";

/**
 * R5 waivers: what a repayment agreement does not collect is a reduction the asset-preservation
 * department must approve before it takes effect. Decided once (a DB trigger refuses a second
 * decision), never by the requester (four eyes). Approval makes the agreement ACTIVE (and
 * supersedes the loan's previous ACTIVE one); rejection leaves it WAIVER_REJECTED: it never stands,
 * the previous agreement (if any) still does, and the debtor owes the full amount.
 */

/**
 * The reduction in effect for a loan at an instant: the sum of its APPROVED waivers decided at or
 * before `at`. Never effective before the approval (a PENDING or REJECTED waiver counts nothing).
 */
export async function waiverInEffect(loanId: string, at: Date, db: Tx = prisma): Promise<{ principal: Fen; interest: Fen }> {
  const sum = await db.waiverRequest.aggregate({
    where: { loanId, status: "APPROVED", decidedAt: { lte: at } },
    _sum: { principal: true, interest: true },
  });
  return { principal: sum._sum.principal ?? 0n, interest: sum._sum.interest ?? 0n };
}

function requireDepartment(user: CustodyViewer) {
  if (!isDepartment(user)) throw new UserError("custody.forbidden", { status: 403 });
}

function cleanNote(note: string | null | undefined): string | null {
  const text = (note ?? "").trim();
  if (text.length > noteMaxLength) throw new UserError("custodyAgreements.waiver.noteTooLong", { field: "note", params: { max: noteMaxLength } });
  return text || null;
}

export type WaiverDecision = "approve" | "reject";

/**
 * The department's decision on a PENDING waiver (custody:manage, not the requester). Approve: the
 * waiver is APPROVED from `now` and its agreement ACTIVE; reject (a note is required): the
 * agreement is WAIVER_REJECTED. The custodian's users are told in the app and by email.
 */
export async function decideWaiver(
  ctx: AuditContext,
  user: CustodyViewer,
  waiverId: string,
  input: { decision: WaiverDecision | string; note?: string | null },
  now = new Date(),
) {
  requireDepartment(user);
  if (input.decision !== "approve" && input.decision !== "reject") throw new UserError("custodyAgreements.waiver.invalidDecision", { field: "decision" });
  const decision: WaiverDecision = input.decision;
  const note = cleanNote(input.note);
  if (decision === "reject" && !note) throw new UserError("custodyAgreements.waiver.noteRequired", { field: "note" });
  const found = await prisma.waiverRequest.findUnique({ where: { id: waiverId }, include: { agreement: { include: { contract: true } } } });
  if (!found) throw new UserError("custodyAgreements.waiver.notFound", { status: 404 });
  if (found.requestedById === user.id) throw new UserError("custodyAgreements.waiver.fourEyes", { status: 403 });
  if (found.status !== "PENDING") throw new UserError("custodyAgreements.waiver.alreadyDecided", { status: 409 });
  const status = decision === "approve" ? "APPROVED" : "REJECTED";
  const agreementStatus = decision === "approve" ? "ACTIVE" : "WAIVER_REJECTED";
  const contract = found.agreement.contract;

  const result = await audited(ctx, async (tx, audit) => {
    const decided = await tx.waiverRequest.updateMany({
      where: { id: found.id, status: "PENDING" },
      data: { status, decidedById: user.id, decidedAt: now, decisionNote: note },
    });
    if (decided.count !== 1) throw new UserError("custodyAgreements.waiver.alreadyDecided", { status: 409 });
    const moved = await tx.repaymentAgreement.updateMany({
      where: { id: found.agreementId, status: "PENDING_WAIVER" },
      data: { status: agreementStatus, version: { increment: 1 } },
    });
    if (moved.count !== 1) throw new UserError("custodyAgreements.waiver.alreadyDecided", { status: 409 });
    let superseded: string[] = [];
    if (decision === "approve") {
      const previous = await tx.repaymentAgreement.findMany({ where: { loanId: found.loanId, status: "ACTIVE", id: { not: found.agreementId } }, select: { id: true } });
      superseded = previous.map((p) => p.id);
      if (superseded.length) {
        await tx.repaymentAgreement.updateMany({ where: { id: { in: superseded }, status: "ACTIVE" }, data: { status: "SUPERSEDED", version: { increment: 1 } } });
      }
    }
    const loan = await tx.loan.findUniqueOrThrow({ where: { id: found.loanId }, select: { loanNumber: true } });
    await audit({
      action: decision === "approve" ? "waiver.approve" : "waiver.reject",
      entityType: "WaiverRequest",
      entityId: found.id,
      before: { status: "PENDING", agreementStatus: "PENDING_WAIVER" },
      after: {
        status, note, agreementId: found.agreementId, agreementStatus, supersededAgreements: superseded,
        loanNumber: loan.loanNumber, contractNumber: contract.number, principal: toYuanString(found.principal), interest: toYuanString(found.interest),
        effectiveFrom: decision === "approve" ? now.toISOString() : null,
      },
    });
    const link = `/custody/loans/${encodeURIComponent(loan.loanNumber)}/agreements`;
    const people = await custodianUsers(tx, contract);
    await notify(
      tx,
      people.map((p) => p.id),
      decision === "approve" ? "custodyAgreements.notify.waiverApproved" : "custodyAgreements.notify.waiverRejected",
      { loanNumber: loan.loanNumber, contractNumber: contract.number },
      link,
    );
    const outboxIds: string[] = [];
    for (const person of people) {
      const queued = await queueEmailIn(tx, person, "custodyWaiverDecided", {
        loanNumber: loan.loanNumber, contractNumber: contract.number, approved: decision === "approve",
        principal: found.principal, interest: found.interest, note, link,
      });
      outboxIds.push(queued.id);
    }
    return { id: found.id, status, agreementId: found.agreementId, agreementStatus, superseded, loanNumber: loan.loanNumber, decidedAt: now, outboxIds };
  });
  await sendQueuedEmails(result.outboxIds);
  return result;
}

export interface PendingWaiver {
  id: string;
  loanNumber: string;
  contractId: string;
  contractNumber: string;
  agreementId: string;
  signedOn: string;
  outstanding: { principal: Fen; interest: Fen };
  scheduled: { principal: Fen; interest: Fen };
  waiver: { principal: Fen; interest: Fen };
  reason: string;
  requestedBy: string;
  requestedAt: Date;
  /** false for the requester's own request (four eyes) */
  canDecide: boolean;
}

/** The waivers awaiting the department's decision, oldest first (custody:manage). */
export async function pendingWaivers(user: CustodyViewer): Promise<PendingWaiver[]> {
  requireDepartment(user);
  const rows = await prisma.waiverRequest.findMany({
    where: { status: "PENDING" },
    orderBy: { requestedAt: "asc" },
    include: { agreement: { include: { contract: { select: { id: true, number: true } } } } },
    take: 200,
  });
  const loans = await prisma.loan.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.loanId))] } }, select: { id: true, loanNumber: true } });
  const loanNumbers = new Map(loans.map((l) => [l.id, l.loanNumber]));
  const people = await prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.requestedById))] } }, select: { id: true, displayName: true } });
  const names = new Map(people.map((p) => [p.id, p.displayName]));
  return rows.map((r) => ({
    id: r.id,
    loanNumber: loanNumbers.get(r.loanId) ?? "—",
    contractId: r.agreement.contract.id,
    contractNumber: r.agreement.contract.number,
    agreementId: r.agreementId,
    signedOn: r.agreement.signedOn,
    outstanding: { principal: r.agreement.outstandingPrincipal, interest: r.agreement.outstandingInterest },
    scheduled: { principal: r.agreement.scheduledPrincipal, interest: r.agreement.scheduledInterest },
    waiver: { principal: r.principal, interest: r.interest },
    reason: r.reason,
    requestedBy: names.get(r.requestedById) ?? "—",
    requestedAt: r.requestedAt,
    canDecide: r.requestedById !== user.id,
  }));
}

export const waiverIntents = ["waiver-approve", "waiver-reject"] as const;
export type WaiverIntent = (typeof waiverIntents)[number];
export const isWaiverIntent = (value: unknown): value is WaiverIntent => typeof value === "string" && (waiverIntents as readonly string[]).includes(value);

/**
 * The review page's action for `intent=waiver-approve|waiver-reject` with `waiverId` and `note`.
 * Returns the toast to show; refusals are thrown as UserError (field "note" when a rejection has
 * no note), for the page's action to turn into its error state (target = the waiver's id).
 */
export async function handleWaiverIntent(ctx: AuditContext, user: CustodyViewer, formData: FormData, now = new Date()) {
  const intent = formData.get("intent");
  if (!isWaiverIntent(intent)) throw new UserError("form.invalidChoice");
  const waiverId = formData.get("waiverId");
  if (typeof waiverId !== "string" || waiverId.trim() === "" || waiverId.length > 64) throw new UserError("custodyAgreements.waiver.notFound", { status: 404 });
  const note = formData.get("note");
  const decision: WaiverDecision = intent === "waiver-approve" ? "approve" : "reject";
  const result = await decideWaiver(ctx, user, waiverId.trim(), { decision, note: typeof note === "string" ? note : null }, now);
  return {
    result,
    target: result.id,
    toast: {
      key: decision === "approve" ? ("custodyAgreements.toast.waiverApproved" as const) : ("custodyAgreements.toast.waiverRejected" as const),
      params: { loanNumber: result.loanNumber },
    },
  };
}
