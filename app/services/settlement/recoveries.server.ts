import { can, type Permission } from "~/domain/access";
import { isCalendarDay, todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import type { Line } from "~/domain/ledger";
import { parseYuan, MoneyParseError, toYuanString, type Fen } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { checkUpload, evidencePolicy, readStoredFile, storeFile } from "~/infra/files.server";
import { postEntryIn, reverseEntryIn } from "~/infra/ledger.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { custodianKeyOf } from "~/services/custody/access.server";
import { tellCustodian } from "~/services/custody/custodian-notice.server";
import { notify } from "~/services/tenders/notifications.server";
import { bankAccount, contractAccount } from "./accounts.server";
import { nextSettlementNumber } from "./numbers.server";

/**
 * Recoveries (收回登记, README steps 11–12, R7, R10). The custodian reports money it collected on a
 * loan in its custody (REPORTED, with the receipt as evidence); the branch registers it against its own
 * books with a reference (REGISTERED: the amount goes on the custodian's REMITTANCE_RECEIVABLE of the
 * contract, one balanced entry DEBIT REMITTANCE_RECEIVABLE / CREDIT LOAN_RECOVERIES); audit verifies it
 * (VERIFIED: only verified recoveries count toward commission, and a loan whose verified recoveries
 * reach its principal plus interest is RECOVERED). Four eyes: the verifier is neither the registrar nor
 * the reporter, the registrar not the reporter. The branch may reject a REPORTED recovery, audit a
 * REGISTERED one (the registration entry is reversed); a recovery money was already remitted against is
 * never rejected. Every change is audited in its transaction; the custodian is told of rejections
 * (bell + email) and verifications (bell); the next desk is told by bell.
 *
 * Decisions:
 * - A loan's recoveries may be reported while its contract is ACTIVE or ENDED and not closed out
 *   (ContractCloseOut absent), for a collection day within the term (startsOn … endsOn, China days)
 *   and not after today.
 * - No over-recovery: principal ≤ the CustodyLoan's principal less the principal of the loan's
 *   non-rejected recoveries under the contract, the same for interest (checked again inside the
 *   writing transaction: SQLite has one writer).
 * - Numbers RCV-YYYY-NNNNNN take the year of the reporting day (China).
 */

export type SettlementActor = Pick<AuthUser, "id" | "email" | "roles" | "organizationId" | "organizationKind">;
export type RecoveryRow = Awaited<ReturnType<typeof prisma.recovery.findUniqueOrThrow>>;

export const referenceMax = 64;
export const payerMax = 100;
export const noteMax = 500;
export const reasonMax = 500;

export const recoveriesLink = "/recoveries";
export const remittancesLink = "/remittances";

/** Statuses a custodian still owes money on (a rejected recovery never was owed). */
export const openRecoveryStatuses = ["REPORTED", "REGISTERED", "VERIFIED"] as const;

// ---- small helpers shared with remittances ------------------------------------------------------------

/** Yuan as typed (`1,234.56`, fullwidth digits) → fen; refusals name the field. `allowZero` for one of several parts. */
export function yuanInput(text: string | null | undefined, field: string, allowZero = false): Fen {
  const raw = (text ?? "").trim();
  if (raw === "") throw new UserError("settlement.recoveries.amountRequired", { field });
  let fen: Fen;
  try {
    fen = parseYuan(raw);
  } catch (error) {
    if (error instanceof MoneyParseError) {
      throw new UserError(error.code === "money.negative" ? "settlement.recoveries.amountNegative" : "settlement.recoveries.amountInvalid", { field });
    }
    throw error;
  }
  if (fen === 0n && !allowZero) throw new UserError("settlement.recoveries.amountNotPositive", { field });
  return fen;
}

/** A China calendar day YYYY-MM-DD, or a refusal on the field. */
export function dayInput(text: string | null | undefined, field: string): string {
  const day = (text ?? "").trim();
  if (!day) throw new UserError("settlement.recoveries.dayRequired", { field });
  if (!isCalendarDay(day)) throw new UserError("settlement.recoveries.dayInvalid", { field, params: { day } });
  return day;
}

/** Required text of at most `max` characters (trimmed). */
export function requiredText(value: string | null | undefined, field: string, requiredKey: string, max: number): string {
  const text = (value ?? "").trim();
  if (!text) throw new UserError(requiredKey, { field });
  if (text.length > max) throw new UserError("settlement.recoveries.textTooLong", { field, params: { max } });
  return text;
}

/** Active users holding a permission (the next desk of a workflow), optionally not `except`. */
export async function usersWith(db: Tx, permission: Permission, except?: string): Promise<{ id: string; email: string; locale: string }[]> {
  const users = await db.user.findMany({
    where: { disabledAt: null, roles: { some: {} } },
    select: { id: true, email: true, locale: true, roles: { select: { role: true } } },
    orderBy: { email: "asc" },
  });
  return users.filter((u) => u.id !== except && can(u.roles.map((r) => r.role), permission)).map(({ id, email, locale }) => ({ id, email, locale }));
}

/** The first day and the last day of the contract's custody term (China days; the end instant is exclusive). */
export function termDays(contract: { custodyStartsAt: Date | null; custodyEndsAt: Date | null }): { startsOn: string; endsOn: string } | null {
  if (!contract.custodyStartsAt || !contract.custodyEndsAt) return null;
  return { startsOn: todayInChina(contract.custodyStartsAt), endsOn: todayInChina(new Date(contract.custodyEndsAt.getTime() - 1)) };
}

/** A contract money may still be reported and remitted on: ACTIVE, or ENDED and not closed out. */
export async function isOpenForSettlement(db: Tx, contract: { id: string; status: string }): Promise<boolean> {
  if (contract.status !== "ACTIVE" && contract.status !== "ENDED") return false;
  return (await db.contractCloseOut.count({ where: { contractId: contract.id } })) === 0;
}

/** Bank side (every contract, read-only unless a desk's permission says more) vs a custodian (own contracts only). */
export function isCustodianViewer(user: Pick<AuthUser, "roles">): boolean {
  return can(user.roles, "custody:work");
}

// ---- report -----------------------------------------------------------------------------------

export interface ReportRecoveryInput {
  loanNumber: string;
  collectedOn: string;
  principal: Fen;
  interest: Fen;
  payer: string;
  evidence: { bytes: Uint8Array; originalName: string } | null;
  note?: string | null;
}

/** What of a loan under a contract is still unrecovered (CustodyLoan figures less non-rejected recoveries). */
export async function unrecoveredOf(db: Tx, contractId: string, loanId: string, custody: { principal: bigint; interest: bigint }) {
  const sums = await db.recovery.findMany({ where: { contractId, loanId, status: { not: "REJECTED" } }, select: { principal: true, interest: true } });
  const principal = sums.reduce((s, r) => s + r.principal, 0n);
  const interest = sums.reduce((s, r) => s + r.interest, 0n);
  return { principal: custody.principal - principal, interest: custody.interest - interest };
}

/**
 * The custodian (custody:work) reports a recovery on a loan of one of its contracts. Refusals change
 * nothing: 403 without custody:work; 404 for a loan not in any of the custodian's open contracts (as for
 * an unknown loan); 400 on the field for bad input (day outside the term or after today, negative or
 * zero amounts, over-recovery, missing payer or evidence); 415/413 for evidence that is not a PDF/PNG/JPEG
 * or too large.
 */
export async function reportRecovery(ctx: AuditContext, actor: SettlementActor, input: ReportRecoveryInput, now = new Date()): Promise<RecoveryRow> {
  if (!can(actor.roles, "custody:work")) throw new UserError("settlement.recoveries.notCustodian", { status: 403 });
  const today = todayInChina(now);
  const loanNumber = (input.loanNumber ?? "").trim();
  if (!loanNumber) throw new UserError("settlement.recoveries.loanRequired", { field: "loan_number" });
  const collectedOn = dayInput(input.collectedOn, "collected_on");
  if (input.principal < 0n) throw new UserError("settlement.recoveries.amountNegative", { field: "principal" });
  if (input.interest < 0n) throw new UserError("settlement.recoveries.amountNegative", { field: "interest" });
  if (input.principal + input.interest <= 0n) throw new UserError("settlement.recoveries.nothingCollected", { field: "principal" });
  const payer = requiredText(input.payer, "payer", "settlement.recoveries.payerRequired", payerMax);
  const note = (input.note ?? "").trim() || null;
  if (note && note.length > noteMax) throw new UserError("settlement.recoveries.textTooLong", { field: "note", params: { max: noteMax } });

  // The loan, in one of the custodian's open contracts whose term holds the collection day.
  const key = custodianKeyOf(actor);
  const loan = await prisma.loan.findUnique({ where: { loanNumber }, select: { id: true, loanNumber: true } });
  const held = loan
    ? await prisma.custodyLoan.findMany({
        where: { loanId: loan.id, status: { in: ["IN_CUSTODY", "RETURNED", "RECOVERED"] }, contract: { custodianKey: key, status: { in: ["ACTIVE", "ENDED"] } } },
        include: { contract: true },
      })
    : [];
  const open: typeof held = [];
  for (const h of held) if (await isOpenForSettlement(prisma, h.contract)) open.push(h);
  if (!loan || open.length === 0) throw new UserError("settlement.recoveries.loanNotFound", { status: 404, field: "loan_number", params: { loanNumber } });
  if (collectedOn > today) throw new UserError("settlement.recoveries.collectedInFuture", { field: "collected_on", params: { day: collectedOn, today } });
  const custody = open.find((h) => {
    const term = termDays(h.contract);
    return term !== null && term.startsOn <= collectedOn && collectedOn <= term.endsOn;
  });
  if (!custody) {
    const term = termDays(open[0]!.contract);
    throw new UserError("settlement.recoveries.outsideTerm", { field: "collected_on", params: { day: collectedOn, from: term?.startsOn ?? "—", to: term?.endsOn ?? "—" } });
  }
  const contract = custody.contract;
  if (!input.evidence || input.evidence.bytes.length === 0) throw new UserError("settlement.recoveries.evidenceRequired", { field: "evidence" });
  const evidence = input.evidence;
  checkUpload(evidence.bytes, evidencePolicy, "evidence"); // refuse before anything is written

  const recovery = await audited(ctx, async (tx, audit) => {
    const left = await unrecoveredOf(tx, contract.id, loan.id, custody);
    if (input.principal > left.principal) {
      throw new UserError("settlement.recoveries.overRecoveryPrincipal", { field: "principal", params: { left: toYuanString(left.principal < 0n ? 0n : left.principal) } });
    }
    if (input.interest > left.interest) {
      throw new UserError("settlement.recoveries.overRecoveryInterest", { field: "interest", params: { left: toYuanString(left.interest < 0n ? 0n : left.interest) } });
    }
    const file = await storeFile(tx, { bytes: evidence.bytes, originalName: evidence.originalName, uploadedById: actor.id }, evidencePolicy, "evidence");
    const number = await nextSettlementNumber(tx, "RCV", Number(today.slice(0, 4)));
    const amount = input.principal + input.interest;
    const row = await tx.recovery.create({
      data: {
        number, contractId: contract.id, loanId: loan.id, loanNumber: loan.loanNumber, custodianKey: contract.custodianKey, collectedOn,
        principal: input.principal, interest: input.interest, amount, payer, evidenceFileId: file.id, note, reportedById: actor.id, reportedAt: now,
      },
    });
    await audit({
      action: "settlement.recovery.report", entityType: "Recovery", entityId: row.id,
      after: {
        number, contractId: contract.id, contract: contract.number, loanNumber: loan.loanNumber, collectedOn, principal: toYuanString(input.principal),
        interest: toYuanString(input.interest), amount: toYuanString(amount), payer, note, evidence: { fileId: file.id, sha256: file.sha256, size: file.size, mimeType: file.mimeType },
        status: "REPORTED",
      },
    });
    const clerks = await usersWith(tx, "recoveries:register");
    await notify(tx, clerks.map((u) => u.id), "settlement.recoveries.notice.reported", { number, loanNumber: loan.loanNumber, contract: contract.number, amount: toYuanString(amount) }, recoveriesLink);
    return row;
  });
  return recovery;
}

// ---- register / verify / reject -----------------------------------------------------------------

async function recoveryFor(tx: Tx, id: string) {
  const row = await tx.recovery.findUnique({ where: { id } });
  if (!row) throw new UserError("settlement.recoveries.notFound", { status: 404 });
  const contract = await tx.custodyContract.findUniqueOrThrow({ where: { id: row.contractId } });
  return { row, contract };
}

function wrongState(row: { number: string; status: string }): UserError {
  return new UserError("settlement.recoveries.wrongState", { status: 409, params: { number: row.number, status: row.status } });
}

/** Updates a recovery only if it is still in the status read (a concurrent decision loses with a 409). */
async function moveRecovery(tx: Tx, row: RecoveryRow, data: Parameters<typeof tx.recovery.updateMany>[0]["data"]) {
  const updated = await tx.recovery.updateMany({ where: { id: row.id, status: row.status }, data });
  if (updated.count !== 1) throw wrongState(row);
  return tx.recovery.findUniqueOrThrow({ where: { id: row.id } });
}

/**
 * The branch (recoveries:register) registers a REPORTED recovery with its register reference (required,
 * at most 64 characters): REGISTERED, and the registration entry DEBIT REMITTANCE_RECEIVABLE(contract) /
 * CREDIT LOAN_RECOVERIES for the amount. The registrar may not be the reporter. Audit is told (bell).
 */
export async function registerRecovery(ctx: AuditContext, actor: SettlementActor, id: string, input: { registerReference: string }, now = new Date()): Promise<RecoveryRow> {
  if (!can(actor.roles, "recoveries:register")) throw new UserError("settlement.recoveries.notBranch", { status: 403 });
  const reference = requiredText(input.registerReference, "register_reference", "settlement.recoveries.referenceRequired", referenceMax);
  return audited(ctx, async (tx, audit) => {
    const { row, contract } = await recoveryFor(tx, id);
    if (row.status !== "REPORTED") throw wrongState(row);
    if (row.reportedById === actor.id) throw new UserError("settlement.recoveries.fourEyes", { status: 403 });
    const receivable = await contractAccount(tx, "REMITTANCE_RECEIVABLE", contract);
    const recoveries = await bankAccount(tx, "LOAN_RECOVERIES");
    const lines: Line[] = [
      { accountId: receivable.id, side: "DEBIT", amount: row.amount },
      { accountId: recoveries.id, side: "CREDIT", amount: row.amount },
    ];
    const entry = await postEntryIn(tx, ctx, {
      description: `收回登记 Recovery registered ${row.number} (${contract.number}, ${row.loanNumber})`, sourceType: "recovery", sourceId: row.id, lines,
    });
    const updated = await moveRecovery(tx, row, { status: "REGISTERED", registerReference: reference, registeredById: actor.id, registeredAt: now, registrationEntryId: entry.id });
    await audit({
      action: "settlement.recovery.register", entityType: "Recovery", entityId: row.id,
      before: { status: row.status }, after: { status: "REGISTERED", number: row.number, registerReference: reference, entryId: entry.id, amount: toYuanString(row.amount) },
    });
    const auditors = await usersWith(tx, "recoveries:verify", actor.id);
    await notify(tx, auditors.map((u) => u.id), "settlement.recoveries.notice.registered", { number: row.number, loanNumber: row.loanNumber, amount: toYuanString(row.amount) }, recoveriesLink);
    return updated;
  });
}

/**
 * Audit (recoveries:verify) verifies a REGISTERED recovery: VERIFIED. Four eyes: the verifier is neither
 * the registrar nor the reporter. When the loan's verified recoveries under the contract reach its
 * principal plus interest, the CustodyLoan and the Loan become RECOVERED (audited). Custodian told (bell).
 */
export async function verifyRecovery(ctx: AuditContext, actor: SettlementActor, id: string, now = new Date()): Promise<RecoveryRow> {
  if (!can(actor.roles, "recoveries:verify")) throw new UserError("settlement.recoveries.notAuditor", { status: 403 });
  return audited(ctx, async (tx, audit) => {
    const { row, contract } = await recoveryFor(tx, id);
    if (row.status !== "REGISTERED") throw wrongState(row);
    if (row.registeredById === actor.id || row.reportedById === actor.id) throw new UserError("settlement.recoveries.fourEyes", { status: 403 });
    const updated = await moveRecovery(tx, row, { status: "VERIFIED", verifiedById: actor.id, verifiedAt: now });
    await audit({
      action: "settlement.recovery.verify", entityType: "Recovery", entityId: row.id,
      before: { status: row.status }, after: { status: "VERIFIED", number: row.number, amount: toYuanString(row.amount) },
    });
    const custody = await tx.custodyLoan.findUnique({ where: { contractId_loanId: { contractId: row.contractId, loanId: row.loanId } } });
    if (custody && custody.status !== "RECOVERED") {
      const verified = await tx.recovery.findMany({ where: { contractId: row.contractId, loanId: row.loanId, status: "VERIFIED" }, select: { amount: true } });
      const total = verified.reduce((s, r) => s + r.amount, 0n);
      if (total >= custody.principal + custody.interest) {
        await tx.custodyLoan.update({ where: { id: custody.id }, data: { status: "RECOVERED" } });
        const loan = await tx.loan.findUniqueOrThrow({ where: { id: row.loanId }, select: { status: true } });
        await tx.loan.update({ where: { id: row.loanId }, data: { status: "RECOVERED" } });
        await audit({
          action: "settlement.loan.recovered", entityType: "Loan", entityId: row.loanId,
          before: { status: loan.status, custodyStatus: custody.status },
          after: { status: "RECOVERED", custodyStatus: "RECOVERED", loanNumber: row.loanNumber, contractId: contract.id, verifiedTotal: toYuanString(total), byRecovery: row.number },
        });
      }
    }
    await tellCustodian(tx, contract, { key: "settlement.recoveries.notice.verified", params: { number: row.number, loanNumber: row.loanNumber, amount: toYuanString(row.amount) }, link: recoveriesLink });
    return updated;
  });
}

/**
 * Rejects a recovery with a reason (required, at most 500 characters): a REPORTED one by the branch
 * (recoveries:register), a REGISTERED one by audit (recoveries:verify) — then the registration entry is
 * reversed. Money already remitted against it: refused (409). The custodian is told (bell + email).
 */
export async function rejectRecovery(ctx: AuditContext, actor: SettlementActor, id: string, input: { reason: string }, now = new Date()): Promise<RecoveryRow> {
  if (!can(actor.roles, "recoveries:register") && !can(actor.roles, "recoveries:verify")) throw new UserError("settlement.recoveries.notBranchOrAuditor", { status: 403 });
  const reason = requiredText(input.reason, "reason", "settlement.recoveries.reasonRequired", reasonMax);
  const outboxIds: string[] = [];
  const result = await audited(ctx, async (tx, audit) => {
    const { row, contract } = await recoveryFor(tx, id);
    if (row.status === "REPORTED" && !can(actor.roles, "recoveries:register")) throw new UserError("settlement.recoveries.rejectReportedByBranch", { status: 403 });
    if (row.status === "REGISTERED" && !can(actor.roles, "recoveries:verify")) throw new UserError("settlement.recoveries.rejectRegisteredByAudit", { status: 403 });
    if (row.status !== "REPORTED" && row.status !== "REGISTERED") throw wrongState(row);
    if (row.reportedById === actor.id) throw new UserError("settlement.recoveries.fourEyes", { status: 403 });
    const allocated = await tx.remittanceAllocation.aggregate({ where: { recoveryId: row.id }, _sum: { amount: true } });
    const remitted = allocated._sum.amount ?? 0n;
    if (remitted > 0n) throw new UserError("settlement.recoveries.remittedCannotReject", { status: 409, params: { number: row.number, remitted: toYuanString(remitted) } });
    let rejectionEntryId: string | null = null;
    if (row.status === "REGISTERED" && row.registrationEntryId) {
      const reversal = await reverseEntryIn(tx, ctx, row.registrationEntryId, `收回登记撤销 Recovery rejected by audit ${row.number}: ${reason}`);
      rejectionEntryId = reversal.id;
    }
    const updated = await moveRecovery(tx, row, { status: "REJECTED", rejectedById: actor.id, rejectedAt: now, rejectionReason: reason, rejectionEntryId });
    await audit({
      action: "settlement.recovery.reject", entityType: "Recovery", entityId: row.id,
      before: { status: row.status }, after: { status: "REJECTED", number: row.number, reason, rejectionEntryId },
    });
    const params = { number: row.number, loanNumber: row.loanNumber, amount: toYuanString(row.amount), reason };
    outboxIds.push(
      ...(await tellCustodian(tx, contract, { key: "settlement.recoveries.notice.rejected", params, link: recoveriesLink }, {
        template: "settlementRecoveryRejected", params: { ...params, contract: contract.number, collectedOn: row.collectedOn, link: recoveriesLink },
      })),
    );
    return updated;
  });
  await sendQueuedEmails(outboxIds);
  return result;
}

// ---- views ------------------------------------------------------------------------------------

export interface RecoveryView {
  id: string;
  number: string;
  contractId: string;
  contractNumber: string;
  custodianKey: string;
  loanNumber: string;
  collectedOn: string;
  principal: Fen;
  interest: Fen;
  amount: Fen;
  /** what of it reached the bank (allocations of confirmed remittances and deductions) */
  remitted: Fen;
  outstanding: Fen;
  payer: string;
  note: string | null;
  evidence: { fileId: string; name: string } | null;
  status: string;
  reportedBy: string;
  reportedAt: Date;
  registerReference: string | null;
  registeredBy: string | null;
  registeredAt: Date | null;
  verifiedBy: string | null;
  verifiedAt: Date | null;
  rejectedBy: string | null;
  rejectedAt: Date | null;
  rejectionReason: string | null;
  lossRecordedAt: Date | null;
}

export interface RecoveryFilter {
  status?: string;
  contractId?: string;
  ids?: string[];
}

/** Which recoveries the viewer may see: a custodian its own; the bank (settlement:view) every one. */
export function recoveryScope(viewer: SettlementActor): { custodianKey?: string } {
  if (!can(viewer.roles, "settlement:view")) throw new UserError("settlement.recoveries.forbidden", { status: 403 });
  return isCustodianViewer(viewer) ? { custodianKey: custodianKeyOf(viewer) } : {};
}

/** Recoveries the viewer may see, newest collection first (at most 500). */
export async function listRecoveries(viewer: SettlementActor, filter: RecoveryFilter = {}): Promise<RecoveryView[]> {
  const scope = recoveryScope(viewer);
  const rows = await prisma.recovery.findMany({
    where: {
      ...scope,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.contractId ? { contractId: filter.contractId } : {}),
      ...(filter.ids ? { id: { in: filter.ids } } : {}),
    },
    orderBy: [{ collectedOn: "desc" }, { number: "desc" }],
    take: 500,
  });
  return recoveryViews(rows);
}

/** One recovery the viewer may see; anyone else (another agency) gets the 404 of an unknown id. */
export async function getRecovery(viewer: SettlementActor, id: string): Promise<RecoveryView> {
  const scope = recoveryScope(viewer);
  const row = await prisma.recovery.findFirst({ where: { id, ...scope } });
  if (!row) throw new UserError("settlement.recoveries.notFound", { status: 404 });
  return (await recoveryViews([row]))[0]!;
}

export async function recoveryViews(rows: RecoveryRow[]): Promise<RecoveryView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [allocations, contracts, files] = await Promise.all([
    prisma.remittanceAllocation.groupBy({ by: ["recoveryId"], where: { recoveryId: { in: ids } }, _sum: { amount: true } }),
    prisma.custodyContract.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.contractId))] } }, select: { id: true, number: true } }),
    prisma.storedFile.findMany({ where: { id: { in: rows.map((r) => r.evidenceFileId) } }, select: { id: true, originalName: true } }),
  ]);
  const peopleIds = new Set<string>();
  for (const r of rows) for (const p of [r.reportedById, r.registeredById, r.verifiedById, r.rejectedById]) if (p) peopleIds.add(p);
  const people = await prisma.user.findMany({ where: { id: { in: [...peopleIds] } }, select: { id: true, displayName: true } });
  const name = (id: string | null) => (id ? (people.find((p) => p.id === id)?.displayName ?? "—") : null);
  const remittedOf = new Map(allocations.map((a) => [a.recoveryId, a._sum.amount ?? 0n]));
  return rows.map((r) => {
    const remitted = remittedOf.get(r.id) ?? 0n;
    const file = files.find((f) => f.id === r.evidenceFileId);
    return {
      id: r.id, number: r.number, contractId: r.contractId, contractNumber: contracts.find((c) => c.id === r.contractId)?.number ?? "—", custodianKey: r.custodianKey,
      loanNumber: r.loanNumber, collectedOn: r.collectedOn, principal: r.principal, interest: r.interest, amount: r.amount, remitted,
      outstanding: r.status === "REJECTED" ? 0n : r.amount - remitted, payer: r.payer, note: r.note,
      evidence: file ? { fileId: file.id, name: file.originalName } : null, status: r.status,
      reportedBy: name(r.reportedById) ?? "—", reportedAt: r.reportedAt, registerReference: r.registerReference, registeredBy: name(r.registeredById), registeredAt: r.registeredAt,
      verifiedBy: name(r.verifiedById), verifiedAt: r.verifiedAt, rejectedBy: name(r.rejectedById), rejectedAt: r.rejectedAt, rejectionReason: r.rejectionReason,
      lossRecordedAt: r.lossRecordedAt,
    };
  });
}

/** The evidence file of a recovery the viewer may see (null otherwise); each download is audited. */
export async function recoveryEvidence(ctx: AuditContext, viewer: SettlementActor, id: string) {
  const view = await getRecovery(viewer, id).catch((error: unknown) => {
    if (error instanceof UserError && error.status === 404) return null;
    throw error;
  });
  if (!view?.evidence) return null;
  const file = await readStoredFile(view.evidence.fileId);
  if (!file) return null;
  await audited(ctx, (_tx, audit) =>
    audit({ action: "file.download", entityType: "StoredFile", entityId: view.evidence!.fileId, after: { sha256: file.row.sha256, name: file.row.originalName, recoveryId: id, recovery: view.number } }),
  );
  return file;
}

/** Loans the custodian may report on now (its open contracts' loans not yet RECOVERED), for the form's list. */
export async function reportableLoans(viewer: SettlementActor): Promise<{ loanNumber: string; contractNumber: string }[]> {
  if (!can(viewer.roles, "custody:work")) return [];
  const rows = await prisma.custodyLoan.findMany({
    where: { status: { in: ["IN_CUSTODY", "RETURNED"] }, contract: { custodianKey: custodianKeyOf(viewer), status: { in: ["ACTIVE", "ENDED"] } } },
    include: { contract: { select: { id: true, number: true, status: true } } },
    orderBy: { loanNumber: "asc" },
    take: 1000,
  });
  const closed = new Set((await prisma.contractCloseOut.findMany({ where: { contractId: { in: [...new Set(rows.map((r) => r.contractId))] } }, select: { contractId: true } })).map((c) => c.contractId));
  return rows.filter((r) => !closed.has(r.contractId)).map((r) => ({ loanNumber: r.loanNumber, contractNumber: r.contract.number }));
}
