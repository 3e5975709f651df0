import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { chunks, listed } from "./bundle-pool.server";
import { requirePermission, type PackageActor } from "./bundling.server";
import { addEvent, bundleableStatuses, reassessPackages, requireDraft, updatePackageVersioned } from "./drafts.server";
import { findPackage, packageSummary, type PackageRow, type PackageSummary } from "./package-queries.server";
import { rejectSchema } from "./package-schemas";

/**
 * Approval of packages (issue 5, item 3): a preservation officer submits a draft; an approver — a
 * different person (four eyes), even when the submitter also holds the approver's role — approves or
 * rejects it with a comment. Approval gives the package its number PKG-YYYY-NNNN (sequential per
 * year of the approval day in China, never reused: a rejected package goes back to draft without a
 * number and takes the next one when approved later) and locks its loans (status PACKAGED, with a
 * history row each). Every step is one transaction with its event and audit entry.
 */

/**
 * The next package number of a year: PKG-2026-0001, … The sequence row only grows (a trigger refuses
 * anything else), so a number is never handed out twice, even when its package is later rejected.
 */
export async function nextPackageNumber(tx: Tx, year: number): Promise<string> {
  const row = await tx.packageNumberSequence.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
  return `PKG-${year}-${String(row.last).padStart(4, "0")}`;
}

function refuseLoans(key: string, numbers: readonly string[], status = 409): never {
  throw new UserError(key, { status, params: { count: numbers.length, loans: listed([...numbers].sort()) } });
}

const memberLoans = (tx: Tx, packageId: string) =>
  tx.packageLoan.findMany({
    where: { packageId },
    select: { id: true, loanId: true, loanNumber: true, price: true, priceId: true, loan: { select: { status: true, price: true, priceId: true } } },
  });

function requireFourEyes(row: PackageRow, user: PackageActor): void {
  if (row.submittedById === user.id) throw new UserError("packages.fourEyes", { status: 403 });
}

function requireSubmitted(row: PackageRow): void {
  if (row.status !== "SUBMITTED") throw new UserError("packages.notSubmitted", { status: 409, params: { status: row.status } });
}

/**
 * DRAFT → SUBMITTED (packages:manage). Each loan must still be available (IN_BOOK or RETURNED) and
 * priced; its price in the package becomes its price in force now, and the package is re-assessed.
 */
export async function submitPackage(ctx: AuditContext, user: PackageActor, packageId: string, now = new Date()): Promise<PackageSummary> {
  requirePermission(user, "packages:manage");
  return audited(ctx, async (tx, audit) => {
    const row = await findPackage(tx, packageId);
    requireDraft(row);
    const members = await memberLoans(tx, row.id);
    if (members.length === 0) throw new UserError("packages.emptyPackage", { status: 409 });
    const unavailable = members.filter((m) => !bundleableStatuses.includes(m.loan.status)).map((m) => m.loanNumber);
    if (unavailable.length) refuseLoans("packages.loanUnavailable", unavailable);
    const unpriced = members.filter((m) => (m.loan.price ?? 0n) <= 0n).map((m) => m.loanNumber);
    if (unpriced.length) refuseLoans("packages.loanUnpriced", unpriced);
    const repriced = members.filter((m) => m.price !== m.loan.price || m.priceId !== m.loan.priceId);
    for (const m of repriced) await tx.packageLoan.update({ where: { id: m.id }, data: { price: m.loan.price!, priceId: m.loan.priceId } });
    const quality = (await reassessPackages(tx, [row], now, { status: "SUBMITTED", submittedById: user.id, submittedAt: now })).get(row.id)!;
    await addEvent(tx, row.id, "submitted", { loanCount: quality.loanCount, total: toYuanString(quality.total), repriced: repriced.map((m) => m.loanNumber) }, user.id, now);
    await audit({
      action: "package.submit", entityType: "Package", entityId: row.id,
      before: { status: row.status, total: toYuanString(row.total), loanCount: row.loanCount },
      after: { status: "SUBMITTED", total: toYuanString(quality.total), loanCount: quality.loanCount, repriced: repriced.length },
    });
    return packageSummary(tx, row.id, user.locale);
  });
}

/**
 * SUBMITTED → APPROVED (packages:approve, not the submitter). Refused when any loan's status or price
 * in force changed since submission. The package gets the next number of the approval year and its
 * loans become PACKAGED, each with a history row.
 */
export async function approvePackage(ctx: AuditContext, user: PackageActor, packageId: string, input: { comment?: string } = {}, now = new Date()): Promise<PackageSummary> {
  requirePermission(user, "packages:approve");
  const comment = (input.comment ?? "").trim();
  if (comment.length > 2000) throw new UserError("packages.commentTooLong", { field: "comment" });
  return audited(ctx, async (tx, audit) => {
    const row = await findPackage(tx, packageId);
    requireSubmitted(row);
    requireFourEyes(row, user);
    const members = await memberLoans(tx, row.id);
    if (members.length === 0) throw new UserError("packages.emptyPackage", { status: 409 });
    const moved = members.filter((m) => !bundleableStatuses.includes(m.loan.status)).map((m) => m.loanNumber);
    if (moved.length) refuseLoans("packages.statusChanged", moved);
    const repriced = members.filter((m) => m.loan.price !== m.price).map((m) => m.loanNumber);
    if (repriced.length) refuseLoans("packages.priceChanged", repriced);

    const year = Number(todayInChina(now).slice(0, 4));
    const number = await nextPackageNumber(tx, year);
    await updatePackageVersioned(tx, row, {
      status: "APPROVED", number, decidedById: user.id, decidedAt: now, decision: "APPROVED", decisionComment: comment || null, approvedAt: now,
    });
    // The loans are locked: PACKAGED, only from the statuses checked above (a concurrent change refuses the whole approval).
    let locked = 0;
    for (const part of chunks(members, 500)) {
      const result = await tx.loan.updateMany({
        where: { id: { in: part.map((m) => m.loanId) }, status: { in: [...bundleableStatuses] } },
        data: { status: "PACKAGED", version: { increment: 1 }, updatedAt: now },
      });
      locked += result.count;
      await tx.loanChange.createMany({
        data: part.map((m) => ({
          loanId: m.loanId, at: now, actorId: user.id, kind: "status",
          changes: JSON.stringify({ status: [m.loan.status, "PACKAGED"], package: number }),
        })),
      });
    }
    if (locked !== members.length) throw new UserError("packages.concurrentChange", { status: 409 });
    await addEvent(tx, row.id, "approved", { number, comment: comment || null }, user.id, now);
    await audit({
      action: "package.approve", entityType: "Package", entityId: row.id,
      before: { status: row.status },
      after: { status: "APPROVED", number, total: toYuanString(row.total), loanCount: members.length, comment: comment || null, submittedById: row.submittedById },
    });
    return packageSummary(tx, row.id, user.locale);
  });
}

/** SUBMITTED → DRAFT (packages:approve, not the submitter), with a comment; the package keeps no number. */
export async function rejectPackage(ctx: AuditContext, user: PackageActor, packageId: string, input: { comment: string }, now = new Date()): Promise<PackageSummary> {
  requirePermission(user, "packages:approve");
  const parsed = rejectSchema.safeParse({ comment: input.comment ?? "" });
  if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? "packages.commentRequired", { field: "comment" });
  const comment = parsed.data.comment;
  return audited(ctx, async (tx, audit) => {
    const row = await findPackage(tx, packageId);
    requireSubmitted(row);
    requireFourEyes(row, user);
    await updatePackageVersioned(tx, row, { status: "DRAFT", decidedById: user.id, decidedAt: now, decision: "REJECTED", decisionComment: comment });
    await addEvent(tx, row.id, "rejected", { comment }, user.id, now);
    await audit({ action: "package.reject", entityType: "Package", entityId: row.id, before: { status: row.status }, after: { status: "DRAFT", comment, submittedById: row.submittedById } });
    return packageSummary(tx, row.id, user.locale);
  });
}
