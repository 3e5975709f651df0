import { can } from "~/domain/access";
import { addDays, isCalendarDay, startOfChinaDay, todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { formatYuan, toYuanString, type Fen } from "~/domain/money";
import { checkAgreement, latestDueOn, missedInstalments, type Instalment } from "~/domain/repayment-agreement";
import { audited, type AuditContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { checkUpload, evidencePolicy, storeFile } from "~/infra/files.server";
import { settingsAt } from "~/services/settings/settings.server";
import { notify } from "~/services/tenders/notifications.server";
import { problemMessage, reasonMaxLength, type ProblemMessage } from "./agreement-schemas";
import { departmentUsers, isDepartment, requireCustodianOfLoan, type CustodyViewer } from "./access.server";
import { waiverInEffect } from "./waivers.server";

/**
 * R5 repayment agreements the custodian records with a debtor during the custody term (issue 7,
 * item 4): at most `maxAgreementMonths` (setting in force on the signing day) from signing, no new
 * lending (never more than owed, principal and interest each), and whatever the schedule does not
 * collect is a waiver request the department decides (waivers.server.ts). Meanwhile the agreement is
 * PENDING_WAIVER and nothing is reduced. A new agreement supersedes the loan's ACTIVE one (at once,
 * or on approval of its waiver); while one awaits a waiver decision no other may be recorded (409).
 *
 * What is owed: the loan's book figures (principal; interest on + off balance) less the waivers
 * already approved for the loan — an approved reduction is permanent, so a new agreement reschedules
 * what is left and never asks to waive the same amount twice. Payments recorded under an agreement
 * are the custodian's record for the missed-instalment flags; recoveries reach the books through
 * the branch's registration and audit's verification, not here (no ledger posting).
 */

type Viewer = CustodyViewer;

export const agreementStatuses = ["ACTIVE", "PENDING_WAIVER", "WAIVER_REJECTED", "SUPERSEDED"] as const;
/** The agreements whose schedule the debtor is held to (missed instalments are flagged on these). */
const standing = ["ACTIVE", "PENDING_WAIVER"];

/** A schedule refused by R5: every problem, each with its instalment (the first is the error's key). */
export class AgreementRefused extends UserError {
  constructor(readonly problems: ProblemMessage[]) {
    super(problems[0]!.key, { params: problems[0]!.params, field: "instalments", status: 400 });
    this.name = "AgreementRefused";
  }
}

export interface RecordAgreementInput {
  /** YYYY-MM-DD (China calendar) */
  signedOn: string;
  /** fen; in due order */
  instalments: Instalment[];
  /** why the schedule collects less than owed: required when it does */
  reason?: string | null;
  /** the signed agreement (PDF, PNG or JPEG) */
  documentFile?: { bytes: Uint8Array; originalName: string } | null;
}

/** The instant whose settings are "in force on the signing day": now for today, else the day's last instant. */
function signingInstant(signedOn: string, today: string, now: Date): Date {
  return signedOn === today ? now : new Date(startOfChinaDay(addDays(signedOn, 1)).getTime() - 1);
}

const nonNegative = (fen: Fen) => (fen < 0n ? 0n : fen);

/** What the loan owes now: the book figures less the waivers approved by `at`. */
async function outstandingOf(loan: { id: string; principal: Fen; interestOnBalance: Fen; interestOffBalance: Fen }, at: Date) {
  const waived = await waiverInEffect(loan.id, at);
  return {
    book: { principal: loan.principal, interest: loan.interestOnBalance + loan.interestOffBalance },
    waived,
    outstanding: { principal: nonNegative(loan.principal - waived.principal), interest: nonNegative(loan.interestOnBalance + loan.interestOffBalance - waived.interest) },
  };
}

/**
 * Records an agreement for a loan in the custodian's custody (custodian only, during the term).
 * Refusals change nothing: a bad signing day, a schedule R5 refuses (AgreementRefused, every
 * problem), a reduction without a reason, another agreement awaiting its waiver decision (409).
 */
export async function recordAgreement(ctx: AuditContext, user: Viewer, loanNumber: string, input: RecordAgreementInput, now = new Date()) {
  const { loan, contract } = await requireCustodianOfLoan(user, loanNumber, now);
  const today = todayInChina(now);
  const signedOn = input.signedOn.trim();
  if (!isCalendarDay(signedOn)) throw new UserError("custodyAgreements.signedOn.invalid", { field: "signedOn" });
  if (signedOn > today) throw new UserError("custodyAgreements.signedOn.future", { field: "signedOn", params: { today } });
  const startsOn = todayInChina(contract.custodyStartsAt!);
  if (signedOn < startsOn) throw new UserError("custodyAgreements.signedOn.beforeCustody", { field: "signedOn", params: { startsOn } });
  const reason = (input.reason ?? "").trim();
  if (reason.length > reasonMaxLength) throw new UserError("custodyAgreements.reasonTooLong", { field: "reason", params: { max: reasonMaxLength } });
  const document = input.documentFile && input.documentFile.bytes.length > 0 ? input.documentFile : null;
  if (document) checkUpload(document.bytes, evidencePolicy, "documentFile");

  const settings = await settingsAt(signingInstant(signedOn, today, now));
  const maxMonths = settings.values.maxAgreementMonths;
  const { outstanding } = await outstandingOf(loan, now);
  const instalments = input.instalments.map((i) => ({ dueOn: i.dueOn.trim(), principal: i.principal, interest: i.interest }));
  const check = checkAgreement({ signedOn, outstanding, instalments }, { maxMonths });
  if (!check.ok) throw new AgreementRefused(check.problems.map((p) => problemMessage(p, signedOn)));
  const waiver = check.waiver;
  const waiving = waiver.principal > 0n || waiver.interest > 0n;
  if (waiving && !reason) {
    throw new UserError("custodyAgreements.reasonRequired", { field: "reason", params: { principal: formatYuan(waiver.principal), interest: formatYuan(waiver.interest) } });
  }

  return audited(ctx, async (tx, audit) => {
    const pending = await tx.repaymentAgreement.findFirst({ where: { loanId: loan.id, status: "PENDING_WAIVER" }, select: { id: true } });
    if (pending) throw new UserError("custodyAgreements.pendingDecision", { status: 409 });
    const previous = await tx.repaymentAgreement.findFirst({ where: { loanId: loan.id, status: "ACTIVE" }, select: { id: true } });
    const file = document ? await storeFile(tx, { bytes: document.bytes, originalName: document.originalName, uploadedById: user.id }, evidencePolicy, "documentFile") : null;
    const status = waiving ? "PENDING_WAIVER" : "ACTIVE";
    const agreement = await tx.repaymentAgreement.create({
      data: {
        contractId: contract.id, loanId: loan.id, signedOn,
        outstandingPrincipal: outstanding.principal, outstandingInterest: outstanding.interest,
        scheduledPrincipal: check.scheduled.principal, scheduledInterest: check.scheduled.interest,
        lastDueOn: check.lastDueOn, documentFileId: file?.id ?? null, note: reason || null,
        status, settingsVersion: settings.version, recordedById: user.id, recordedAt: now,
        instalments: { create: instalments.map((i, index) => ({ position: index + 1, dueOn: i.dueOn, principal: i.principal, interest: i.interest })) },
      },
    });
    let superseded: string | null = null;
    if (!waiving && previous) {
      const moved = await tx.repaymentAgreement.updateMany({ where: { id: previous.id, status: "ACTIVE" }, data: { status: "SUPERSEDED", version: { increment: 1 } } });
      if (moved.count === 1) superseded = previous.id;
    }
    await audit({
      action: "agreement.record",
      entityType: "RepaymentAgreement",
      entityId: agreement.id,
      after: {
        loanNumber: loan.loanNumber, contractNumber: contract.number, status, signedOn, lastDueOn: check.lastDueOn, maxMonths, settingsVersion: settings.version,
        outstanding: { principal: toYuanString(outstanding.principal), interest: toYuanString(outstanding.interest) },
        scheduled: { principal: toYuanString(check.scheduled.principal), interest: toYuanString(check.scheduled.interest) },
        instalments: instalments.map((i) => ({ dueOn: i.dueOn, principal: toYuanString(i.principal), interest: toYuanString(i.interest) })),
        documentFileId: file?.id ?? null, supersedes: superseded,
      },
    });
    let waiverRequest = null;
    if (waiving) {
      waiverRequest = await tx.waiverRequest.create({
        data: { agreementId: agreement.id, contractId: contract.id, loanId: loan.id, principal: waiver.principal, interest: waiver.interest, reason, requestedById: user.id, requestedAt: now },
      });
      await audit({
        action: "waiver.request",
        entityType: "WaiverRequest",
        entityId: waiverRequest.id,
        after: { agreementId: agreement.id, loanNumber: loan.loanNumber, contractNumber: contract.number, principal: toYuanString(waiver.principal), interest: toYuanString(waiver.interest), reason, status: "PENDING" },
      });
      const department = await departmentUsers(tx);
      await notify(
        tx,
        department.map((d) => d.id),
        "custodyAgreements.notify.waiverRequested",
        { loanNumber: loan.loanNumber, contractNumber: contract.number, principal: formatYuan(waiver.principal), interest: formatYuan(waiver.interest) },
        "/custody/review",
      );
    }
    return { agreement, waiver: waiverRequest, superseded, maxMonths, outstanding };
  });
}

/** A payment the debtor made under a standing agreement (ACTIVE or PENDING_WAIVER), as the custodian records it. */
export async function recordAgreementPayment(ctx: AuditContext, user: Viewer, agreementId: string, input: { paidOn: string; amount: Fen }, now = new Date()) {
  if (!can(user.roles, "custody:work")) throw new UserError("custody.forbidden", { status: 403 });
  const agreement = await prisma.repaymentAgreement.findUnique({ where: { id: agreementId } });
  const loan = agreement ? await prisma.loan.findUnique({ where: { id: agreement.loanId }, select: { loanNumber: true } }) : null;
  if (!agreement || !loan) throw new UserError("custodyAgreements.agreement.notFound", { status: 404 });
  // The same gate (and the same 404) as the loan's: another agency learns nothing.
  const { contract } = await requireCustodianOfLoan(user, loan.loanNumber, now).catch(() => {
    throw new UserError("custodyAgreements.agreement.notFound", { status: 404 });
  });
  if (contract.id !== agreement.contractId) throw new UserError("custodyAgreements.agreement.notFound", { status: 404 });
  if (!standing.includes(agreement.status)) throw new UserError("custodyAgreements.payment.notStanding", { status: 409 });
  const today = todayInChina(now);
  const paidOn = input.paidOn.trim();
  if (!isCalendarDay(paidOn)) throw new UserError("custodyAgreements.payment.invalidDay", { field: "paidOn" });
  if (paidOn > today) throw new UserError("custodyAgreements.payment.future", { field: "paidOn", params: { today } });
  if (paidOn < agreement.signedOn) throw new UserError("custodyAgreements.payment.beforeSigning", { field: "paidOn", params: { signedOn: agreement.signedOn } });
  if (input.amount <= 0n) throw new UserError("custodyAgreements.payment.invalidAmount", { field: "amount" });
  return audited(ctx, async (tx, audit) => {
    const payment = await tx.agreementPayment.create({ data: { agreementId: agreement.id, paidOn, amount: input.amount, recordedById: user.id, recordedAt: now } });
    await audit({
      action: "agreement.payment",
      entityType: "AgreementPayment",
      entityId: payment.id,
      after: { agreementId: agreement.id, loanNumber: loan.loanNumber, paidOn, amount: toYuanString(input.amount) },
    });
    return payment;
  });
}

export interface AgreementViewInstalment {
  position: number;
  dueOn: string;
  principal: Fen;
  interest: Fen;
  /** what is short on this instalment when it is missed, else null */
  missedShort: Fen | null;
}

export interface AgreementViewRow {
  id: string;
  status: string;
  signedOn: string;
  lastDueOn: string;
  outstanding: { principal: Fen; interest: Fen };
  scheduled: { principal: Fen; interest: Fen };
  reason: string | null;
  documentFileId: string | null;
  settingsVersion: number;
  recordedAt: Date;
  instalments: AgreementViewInstalment[];
  payments: { id: string; paidOn: string; amount: Fen; recordedAt: Date }[];
  paidToDate: Fen;
  missed: { position: number; dueOn: string; short: Fen }[];
  waiver: { id: string; status: string; principal: Fen; interest: Fen; reason: string; requestedAt: Date; decidedAt: Date | null; decisionNote: string | null } | null;
}

/** An agreement's missed instalments on `today` (only a standing agreement has any). */
function missedOf(a: { status: string; instalments: { dueOn: string; principal: Fen; interest: Fen }[]; payments: { amount: Fen }[] }, today: string) {
  if (!standing.includes(a.status)) return [];
  const paid = a.payments.reduce((s, p) => s + p.amount, 0n);
  return missedInstalments(a.instalments, paid, today);
}

/**
 * The agreements page's data for one loan: the custodian of the loan during the term; the department
 * (custody:manage) too, read-only. Anyone else: the loan's 404. Newest agreement first.
 */
export async function agreementView(user: Viewer, loanNumber: string, now = new Date()) {
  let loan;
  let contract;
  let canRecord = false;
  if (isDepartment(user)) {
    loan = await prisma.loan.findUnique({ where: { loanNumber } });
    const held = loan ? await prisma.custodyLoan.findFirst({ where: { loanId: loan.id }, orderBy: { id: "desc" }, include: { contract: true } }) : null;
    if (!loan || !held) throw new UserError("custody.loanNotFound", { status: 404 });
    contract = held.contract;
  } else {
    ({ loan, contract } = await requireCustodianOfLoan(user, loanNumber, now));
    canRecord = true;
  }
  const today = todayInChina(now);
  const settings = await settingsAt(now);
  const maxMonths = settings.values.maxAgreementMonths;
  const figures = await outstandingOf(loan, now);
  const rows = await prisma.repaymentAgreement.findMany({
    where: { loanId: loan.id, contractId: contract.id },
    orderBy: [{ recordedAt: "desc" }, { id: "desc" }],
    include: { instalments: { orderBy: { position: "asc" } }, payments: { orderBy: [{ paidOn: "asc" }, { recordedAt: "asc" }] }, waivers: { orderBy: { requestedAt: "desc" } } },
  });
  const agreements: AgreementViewRow[] = rows.map((a) => {
    const missed = missedOf(a, today);
    const short = new Map(missed.map((m) => [m.index, m.short]));
    const w = a.waivers[0] ?? null;
    return {
      id: a.id, status: a.status, signedOn: a.signedOn, lastDueOn: a.lastDueOn,
      outstanding: { principal: a.outstandingPrincipal, interest: a.outstandingInterest },
      scheduled: { principal: a.scheduledPrincipal, interest: a.scheduledInterest },
      reason: a.note, documentFileId: a.documentFileId, settingsVersion: a.settingsVersion, recordedAt: a.recordedAt,
      instalments: a.instalments.map((i, index) => ({ position: i.position, dueOn: i.dueOn, principal: i.principal, interest: i.interest, missedShort: short.get(index) ?? null })),
      payments: a.payments.map((p) => ({ id: p.id, paidOn: p.paidOn, amount: p.amount, recordedAt: p.recordedAt })),
      paidToDate: a.payments.reduce((s, p) => s + p.amount, 0n),
      missed: missed.map((m) => ({ position: a.instalments[m.index]!.position, dueOn: m.dueOn, short: m.short })),
      waiver: w ? { id: w.id, status: w.status, principal: w.principal, interest: w.interest, reason: w.reason, requestedAt: w.requestedAt, decidedAt: w.decidedAt, decisionNote: w.decisionNote } : null,
    };
  });
  const pendingDecision = agreements.some((a) => a.status === "PENDING_WAIVER");
  return {
    loan: { id: loan.id, loanNumber: loan.loanNumber },
    contract: { id: contract.id, number: contract.number, custodyStartsOn: contract.custodyStartsAt ? todayInChina(contract.custodyStartsAt) : null },
    today,
    book: figures.book,
    waived: figures.waived,
    outstanding: figures.outstanding,
    maxMonths,
    /** the latest due day for an agreement signed today */
    latestDueOn: latestDueOn(today, maxMonths),
    settingsVersion: settings.version,
    agreements,
    missedCount: agreements.reduce((n, a) => n + a.missed.length, 0),
    pendingDecision,
    canRecord: canRecord && !pendingDecision,
    canRecordPayment: canRecord,
  };
}

/**
 * Missed instalments per loan of a contract on `today` (YYYY-MM-DD), for the workbench list:
 * loanId → the count of missed instalments of its standing agreements (loans without any are left out).
 */
export async function missedInstalmentFlags(contractId: string, today: string): Promise<Record<string, number>> {
  const rows = await prisma.repaymentAgreement.findMany({
    where: { contractId, status: { in: standing } },
    include: { instalments: { orderBy: { position: "asc" } }, payments: { select: { amount: true } } },
  });
  const flags: Record<string, number> = {};
  for (const a of rows) {
    const count = missedOf(a, today).length;
    if (count > 0) flags[a.loanId] = (flags[a.loanId] ?? 0) + count;
  }
  return flags;
}
