import { can } from "~/domain/access";
import { depositCredit, depositTransferEntry } from "~/domain/award";
import { todayInChina } from "~/domain/calendar";
import { contractNumber, contractTerms, custodyWindow, parseTerms, topUpOwed, type ContractTerms } from "~/domain/contract";
import { UserError } from "~/domain/errors";
import { toYuanString, type Fen } from "~/domain/money";
import { audited, systemContext, type AuditContext, type AuditEvent, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { postEntryIn } from "~/infra/ledger.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import type { templates } from "~/services/email/templates";
import type { custodyContractTemplates } from "~/services/email/templates-custody-contracts";
import { depositAccountOf } from "~/services/tenders/awards.server";
import { notify } from "~/services/tenders/notifications.server";
import { requestStripeRefunds } from "~/services/tenders/refunds.server";
import { settingsAt } from "~/services/settings/settings.server";
import { custodianUsers, departmentUsers, isCustodianOf, isDepartment, mayViewContract } from "./access.server";
import { performanceDepositAccount, performanceDepositHeld } from "./accounts.server";

/**
 * Custody contracts (issue 7, item 1; R4, R5). A contract is generated from an accepted award with
 * the terms of the settings in force (version recorded, frozen as JSON); the winner signs it, then
 * the asset-preservation department countersigns it (signing order: never before the custodian); each
 * signature records who, when, from which address and browser, and is audit-logged.
 *
 * R4 credit on signing: the bidder's one confirmed bid deposit of the tender goes to the FIRST contract
 * the bidder signs in that tender (depositCredit), as a journal entry from the bidder's DEPOSIT_HELD to
 * the contract's PERFORMANCE_DEPOSIT account. Decision: the WHOLE bid deposit moves, even in the rare
 * case it exceeds the performance deposit (a small 5% deposit): the part above stays in the contract's
 * deposit account and is refunded with the deposit balance at close-out, so nothing is refunded here and
 * the contract's account is the one place the bidder's money sits. A later contract of the same bidder
 * in the same tender gets no credit and is paid in full by top-up.
 *
 * Custody starts exactly when the last condition is met — countersigned AND the performance deposit
 * fully held (startCustodyIfReadyIn, called on countersigning and on every confirmed top-up): ACTIVE,
 * term custodyWindow(now, termMonths), the loans IN_CUSTODY. It ends at custodyEndsAt (access ends
 * by itself there; endDueCustody records it and returns the loans to the bank).
 */

export type ContractActor = Pick<AuthUser, "id" | "email" | "roles" | "organizationId" | "organizationKind" | "locale">;
export type AuditFn = (event: AuditEvent) => Promise<void>;
export type ContractRow = Prisma.CustodyContractGetPayload<object>;
export interface Signature {
  ip: string | null;
  userAgent: string | null;
}

const contractLink = (id: string) => `/contracts/${id}`;

async function nextContractNumber(tx: Tx, year: number): Promise<string> {
  const row = await tx.contractNumberSequence.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
  return contractNumber(year, row.last);
}

/** Emails every user of the custodian (their language) into the outbox; ids pushed to `outboxIds`. */
async function emailCustodian<T extends keyof typeof custodyContractTemplates>(
  tx: Tx,
  contract: { custodianKey: string },
  template: T,
  params: Parameters<(typeof templates)[T]>[1],
  outboxIds: string[],
): Promise<string[]> {
  const users = await custodianUsers(tx, contract);
  for (const u of users) outboxIds.push((await queueEmailIn(tx, u, template, params)).id);
  return users.map((u) => u.id);
}

// ---- generation ----------------------------------------------------------------------------------

/**
 * Generates the contract of an accepted award, in the caller's (acceptAward's) transaction:
 * CTR-YYYY-NNN, the custodian (staff or agency) from the registration, the terms of the settings in
 * force at `now` (version recorded), task and performance deposit from the terms, one PENDING
 * CustodyLoan per loan of the lot's package (priced value = the package price). Audit
 * `contract.generate`; the custodian is told (bell + email) that the contract awaits their signature.
 * Emails go into `outboxIds` (send after the commit).
 */
export async function createContractIn(
  tx: Tx,
  audit: AuditFn,
  ctx: AuditContext,
  award: { id: string; lotId: string; bidderKey: string; registrationId: string; price: bigint },
  now: Date,
  outboxIds: string[] = [],
): Promise<ContractRow> {
  void ctx;
  const registration = await tx.tenderRegistration.findUniqueOrThrow({ where: { id: award.registrationId } });
  const lot = await tx.tenderLot.findUniqueOrThrow({ where: { id: award.lotId }, include: { tender: { select: { id: true, number: true, title: true } } } });
  const kind = registration.bidderKind === "AGENCY" ? "agency" : "staff";
  const settings = await settingsAt(now, tx);
  const terms = contractTerms({ kind, winningPrice: award.price, day: todayInChina(now) }, settings.values, settings.version);
  const number = await nextContractNumber(tx, Number(todayInChina(now).slice(0, 4)));
  const packageLoans = await tx.packageLoan.findMany({ where: { packageId: lot.packageId }, include: { loan: true }, orderBy: { loanNumber: "asc" } });
  const contract = await tx.custodyContract.create({
    data: {
      number, awardId: award.id, lotId: lot.id, tenderId: lot.tenderId, packageId: lot.packageId,
      custodianKey: award.bidderKey, custodianKind: kind === "agency" ? "AGENCY" : "STAFF",
      custodianUserId: kind === "agency" ? null : award.bidderKey.slice("user:".length),
      custodianOrgId: registration.organizationId, registrationId: registration.id,
      winningPrice: award.price, task: BigInt(terms.task), termMonths: terms.termMonths, performanceDeposit: BigInt(terms.performanceDeposit),
      terms: JSON.stringify(terms), settingsVersion: settings.version, status: "AWAITING_SIGNATURE", createdAt: now,
    },
  });
  if (packageLoans.length) {
    await tx.custodyLoan.createMany({
      data: packageLoans.map((pl) => ({
        contractId: contract.id, loanId: pl.loanId, loanNumber: pl.loanNumber, pricedValue: pl.price,
        principal: pl.loan.principal, interest: pl.loan.interestOnBalance + pl.loan.interestOffBalance, status: "PENDING",
      })),
    });
  }
  await audit({
    action: "contract.generate", entityType: "CustodyContract", entityId: contract.id,
    after: {
      number, awardId: award.id, lotId: lot.id, tenderId: lot.tenderId, custodianKey: award.bidderKey, kind,
      winningPrice: toYuanString(award.price), task: toYuanString(contract.task), performanceDeposit: toYuanString(contract.performanceDeposit),
      termMonths: contract.termMonths, settingsVersion: settings.version, loans: packageLoans.length,
    },
  });
  const params = { number, tender: lot.tender.number ?? lot.tender.title, lot: String(lot.lotNumber), link: contractLink(contract.id) };
  const userIds = await emailCustodian(tx, contract, "contractToSign", params, outboxIds);
  await notify(tx, userIds, "custody.notify.contractToSign", { number }, contractLink(contract.id));
  return contract;
}

// ---- reading -------------------------------------------------------------------------------------

// ---- signing -------------------------------------------------------------------------------------

async function loadForChange(tx: Tx, contractId: string): Promise<ContractRow> {
  const contract = await tx.custodyContract.findUnique({ where: { id: contractId } });
  if (!contract) throw new UserError("custody.contract.notFound", { status: 404 });
  return contract;
}

function wrongState(contract: { status: string }): UserError {
  return new UserError("custody.contract.wrongState", { status: 409, params: { status: contract.status } });
}

/** Moves the contract from `from` under its version; a concurrent change is a 409. */
async function transition(tx: Tx, contract: ContractRow, from: string, data: Prisma.CustodyContractUpdateManyMutationInput): Promise<ContractRow> {
  const updated = await tx.custodyContract.updateMany({ where: { id: contract.id, status: from, version: contract.version }, data: { ...data, version: { increment: 1 } } });
  if (updated.count !== 1) throw new UserError("custody.contract.concurrentChange", { status: 409 });
  return tx.custodyContract.findUniqueOrThrow({ where: { id: contract.id } });
}

/**
 * R4 credit at signing: when the terms credit the bid deposit and this is the bidder's first signed
 * contract of the tender (the registration's deposit still CONFIRMED), the whole confirmed bid deposit
 * moves DEPOSIT_HELD → this contract's PERFORMANCE_DEPOSIT and the deposit becomes CREDITED. Returns
 * the amount moved (0n: none).
 */
async function creditBidDepositIn(tx: Tx, audit: AuditFn, ctx: AuditContext, contract: ContractRow, terms: ContractTerms, now: Date): Promise<Fen> {
  const deposit = await tx.bidDeposit.findFirst({ where: { registrationId: contract.registrationId, status: "CONFIRMED" }, orderBy: { createdAt: "asc" } });
  if (!deposit) return 0n; // already credited to an earlier contract (or never held)
  const siblings = await tx.custodyContract.findMany({ where: { registrationId: contract.registrationId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const plan = depositCredit(
    {
      bidDeposit: deposit.amount,
      contracts: siblings.map((c) => ({ id: c.id, performanceDeposit: c.performanceDeposit, signedAt: c.id === contract.id ? now : c.signedAt })),
    },
    { creditBidDepositToPerformance: terms.creditBidDeposit },
  );
  if (plan.creditedContractId !== contract.id) {
    // Setting off (R4 open point): nothing is credited, and the first signing releases the bid deposit
    // for refund (the tender's refund run keeps a winner's deposit for this moment).
    const firstSigning = !siblings.some((c) => c.id !== contract.id && c.signedAt);
    if (!terms.creditBidDeposit && firstSigning && plan.refund > 0n) await releaseBidDepositIn(tx, audit, deposit, contract);
    return 0n;
  }
  const from = await depositAccountOf(tx, contract.custodianKey);
  const to = await performanceDepositAccount(tx, contract);
  const entry = await postEntryIn(tx, ctx, {
    description: `竞标定金转履约保证金 Bid deposit credited to the performance deposit (${contract.number})`,
    sourceType: "custody-contract",
    sourceId: contract.id,
    lines: depositTransferEntry({ fromAccountId: from.id, toAccountId: to.id, amount: deposit.amount }),
  });
  const updated = await tx.bidDeposit.updateMany({ where: { id: deposit.id, status: "CONFIRMED", version: deposit.version }, data: { status: "CREDITED", version: { increment: 1 } } });
  if (updated.count !== 1) throw new UserError("custody.contract.concurrentChange", { status: 409 });
  await audit({
    action: "deposit.credit", entityType: "BidDeposit", entityId: deposit.id,
    before: { status: "CONFIRMED" },
    after: {
      status: "CREDITED", contractId: contract.id, contractNumber: contract.number, amount: toYuanString(deposit.amount),
      countedTowardDeposit: toYuanString(plan.credit), aboveDeposit: toYuanString(deposit.amount - plan.credit), entryId: entry.id,
    },
  });
  return deposit.amount;
}

/** The bid deposit goes REFUND_PENDING (Stripe: refunded by requestStripeRefunds after the commit; offline: finance pays it on /deposits). */
async function releaseBidDepositIn(tx: Tx, audit: AuditFn, deposit: { id: string; method: string; amount: Fen; version: number }, contract: ContractRow): Promise<void> {
  const offline = deposit.method !== "STRIPE";
  const updated = await tx.bidDeposit.updateMany({
    where: { id: deposit.id, status: "CONFIRMED", version: deposit.version },
    data: { status: "REFUND_PENDING", refundRequestedAt: new Date(), version: { increment: 1 }, refundRef: offline ? `offline-refund:refund:${deposit.id}` : null },
  });
  if (updated.count !== 1) throw new UserError("custody.contract.concurrentChange", { status: 409 });
  await audit({
    action: "deposit.refundRequest", entityType: "BidDeposit", entityId: deposit.id,
    before: { status: "CONFIRMED" },
    after: { status: "REFUND_PENDING", method: deposit.method, amount: toYuanString(deposit.amount), bidderKey: contract.custodianKey, tenderId: contract.tenderId, because: "signed without credit (setting)" },
  });
}

/**
 * The custodian signs (custody:work, only the contract's custodian — a stranger gets 404 when they may
 * not see it, 403 otherwise), only while AWAITING_SIGNATURE → AWAITING_COUNTERSIGNATURE, with who,
 * when, IP and user agent; the bid deposit is credited (R4, see the module comment). Audit
 * `contract.sign` (and `deposit.credit`). The department is told a contract awaits countersignature.
 */
export async function signContract(ctx: AuditContext, user: ContractActor, contractId: string, signature: Signature, now = new Date()): Promise<ContractRow> {
  if (!can(user.roles, "custody:work")) throw new UserError("custody.forbidden", { status: 403 });
  const result = await audited(ctx, async (tx, audit) => {
    const contract = await loadForChange(tx, contractId);
    if (!isCustodianOf(user, contract)) {
      throw new UserError(mayViewContract(user, contract) ? "custody.contract.notYours" : "custody.contract.notFound", { status: mayViewContract(user, contract) ? 403 : 404 });
    }
    if (contract.status !== "AWAITING_SIGNATURE") throw wrongState(contract);
    const signed = await transition(tx, contract, "AWAITING_SIGNATURE", {
      status: "AWAITING_COUNTERSIGNATURE", signedById: user.id, signedAt: now, signedIp: signature.ip, signedUserAgent: signature.userAgent?.slice(0, 300) ?? null,
    });
    const credit = await creditBidDepositIn(tx, audit, ctx, signed, parseTerms(signed.terms), now);
    const final = credit > 0n ? await tx.custodyContract.update({ where: { id: contract.id }, data: { bidDepositCredit: credit } }) : signed;
    await audit({
      action: "contract.sign", entityType: "CustodyContract", entityId: contract.id,
      before: { status: contract.status },
      after: {
        status: final.status, number: final.number, signedById: user.id, signedBy: user.email, signedAt: now.toISOString(),
        ip: signature.ip, userAgent: final.signedUserAgent, bidDepositCredit: toYuanString(credit),
      },
    });
    const department = await departmentUsers(tx);
    await notify(tx, department.map((u) => u.id), "custody.notify.contractSigned", { number: final.number }, contractLink(final.id));
    return final;
  });
  // A bid deposit released for refund on signing (setting off) is asked of Stripe now; a failure is retried by the refunds run.
  await requestStripeRefunds(result.tenderId).catch((error: unknown) => console.error("contracts: Stripe refund after signing failed", { contractId, error }));
  return result;
}

/**
 * The department countersigns (custody:manage), only after the custodian signed
 * (AWAITING_COUNTERSIGNATURE; before it: `custody.contract.notSignedYet`), never the custodian
 * themselves → AWAITING_DEPOSIT, and custody starts at once when the deposit is already fully held.
 * Audit `contract.countersign`; the custodian is told (bell + email) with what is still owed.
 */
export async function countersignContract(ctx: AuditContext, user: ContractActor, contractId: string, signature: Signature, now = new Date()): Promise<ContractRow> {
  if (!isDepartment(user)) throw new UserError("custody.contract.notDepartment", { status: 403 });
  const outboxIds: string[] = [];
  const result = await audited(ctx, async (tx, audit) => {
    const contract = await loadForChange(tx, contractId);
    if (isCustodianOf(user, contract) || contract.signedById === user.id || contract.custodianUserId === user.id) {
      throw new UserError("custody.contract.custodianCannotCountersign", { status: 403 });
    }
    if (contract.status === "AWAITING_SIGNATURE") throw new UserError("custody.contract.notSignedYet", { status: 409, params: { status: contract.status } });
    if (contract.status !== "AWAITING_COUNTERSIGNATURE") throw wrongState(contract);
    const countersigned = await transition(tx, contract, "AWAITING_COUNTERSIGNATURE", {
      status: "AWAITING_DEPOSIT", countersignedById: user.id, countersignedAt: now, countersignedIp: signature.ip,
      countersignedUserAgent: signature.userAgent?.slice(0, 300) ?? null,
    });
    await audit({
      action: "contract.countersign", entityType: "CustodyContract", entityId: contract.id,
      before: { status: contract.status },
      after: {
        status: "AWAITING_DEPOSIT", number: contract.number, countersignedById: user.id, countersignedBy: user.email, countersignedAt: now.toISOString(),
        ip: signature.ip, userAgent: countersigned.countersignedUserAgent,
      },
    });
    const owed = topUpOwed(contract.performanceDeposit, await performanceDepositHeld(tx, contract));
    const params = { number: contract.number, owed: toYuanString(owed), link: contractLink(contract.id) };
    const userIds = await emailCustodian(tx, contract, "contractCountersigned", params, outboxIds);
    await notify(tx, userIds, "custody.notify.contractCountersigned", { number: contract.number, owed: toYuanString(owed) }, contractLink(contract.id));
    await startCustodyIfReadyIn(tx, audit, ctx, contract.id, now, outboxIds);
    return tx.custodyContract.findUniqueOrThrow({ where: { id: contract.id } });
  });
  await sendQueuedEmails(outboxIds);
  return result;
}

// ---- custody start and end ------------------------------------------------------------------------

/**
 * Starts custody when the last condition is met: the contract is AWAITING_DEPOSIT (countersigned) and
 * its PERFORMANCE_DEPOSIT account holds the whole performance deposit → ACTIVE from `now` for
 * termMonths (custodyWindow), the contract's loans IN_CUSTODY (CustodyLoan and Loan, with a LoanChange
 * "status" each). Audit `custody.start`; custodian (bell + email) and department (bell) told. Returns
 * whether custody started now.
 */
export async function startCustodyIfReadyIn(tx: Tx, audit: AuditFn, ctx: AuditContext, contractId: string, now: Date, outboxIds: string[] = []): Promise<boolean> {
  void ctx;
  const contract = await tx.custodyContract.findUniqueOrThrow({ where: { id: contractId } });
  if (contract.status !== "AWAITING_DEPOSIT") return false;
  const held = await performanceDepositHeld(tx, contract);
  if (held < contract.performanceDeposit) return false;
  const window = custodyWindow(now, contract.termMonths);
  await transition(tx, contract, "AWAITING_DEPOSIT", { status: "ACTIVE", custodyStartsAt: window.startsAt, custodyEndsAt: window.endsAt });
  const loans = await tx.custodyLoan.findMany({ where: { contractId, status: "PENDING" } });
  await tx.custodyLoan.updateMany({ where: { contractId, status: "PENDING" }, data: { status: "IN_CUSTODY" } });
  const rows = await tx.loan.findMany({ where: { id: { in: loans.map((l) => l.loanId) } }, select: { id: true, status: true } });
  let moved = 0;
  for (const loan of rows) {
    if (!["IN_BOOK", "PACKAGED", "IN_TENDER", "RETURNED"].includes(loan.status)) continue; // recovered or written off meanwhile: left as is
    const updated = await tx.loan.updateMany({ where: { id: loan.id, status: loan.status }, data: { status: "IN_CUSTODY", version: { increment: 1 }, updatedAt: now } });
    if (updated.count !== 1) throw new UserError("custody.contract.concurrentChange", { status: 409 });
    await tx.loanChange.create({
      data: { loanId: loan.id, at: now, actorId: ctx.actorId, kind: "status", changes: JSON.stringify({ status: [loan.status, "IN_CUSTODY"], contract: contract.number }) },
    });
    moved++;
  }
  await audit({
    action: "custody.start", entityType: "CustodyContract", entityId: contract.id,
    before: { status: "AWAITING_DEPOSIT" },
    after: {
      status: "ACTIVE", number: contract.number, custodyStartsAt: window.startsAt.toISOString(), custodyEndsAt: window.endsAt.toISOString(),
      termMonths: contract.termMonths, depositHeld: toYuanString(held), loans: loans.length, loansMoved: moved,
    },
  });
  const endsAt = window.endsAt.toISOString();
  const userIds = await emailCustodian(tx, contract, "custodyStarted", { number: contract.number, startsAt: window.startsAt.toISOString(), endsAt, link: contractLink(contract.id) }, outboxIds);
  const department = await departmentUsers(tx);
  await notify(tx, [...userIds, ...department.map((u) => u.id)], "custody.notify.custodyStarted", { number: contract.number, endsAt: todayInChina(new Date(window.endsAt.getTime() - 1)) }, contractLink(contract.id));
  return true;
}

export interface EndDueResult {
  ended: string[];
  returnedLoans: number;
}

/**
 * Every ACTIVE contract whose custody end (exclusive) is at or before `now` → ENDED (endedAt = now),
 * its loans in custody RETURNED to the bank (CustodyLoan and Loan, LoanChange "status"). One
 * transaction per contract; idempotent (an ended contract is skipped). Access already ends by itself
 * at custodyEndsAt (inCustodyTerm); this records it. Audit `custody.end`; custodian and department told.
 */
export async function endDueCustody(now = new Date(), ctx: AuditContext = systemContext("custody.endDue")): Promise<EndDueResult> {
  const due = await prisma.custodyContract.findMany({ where: { status: "ACTIVE", custodyEndsAt: { lte: now } }, select: { id: true }, orderBy: { custodyEndsAt: "asc" } });
  const result: EndDueResult = { ended: [], returnedLoans: 0 };
  for (const { id } of due) {
    const outboxIds: string[] = [];
    const returned = await audited(ctx, async (tx, audit) => {
      const contract = await tx.custodyContract.findUniqueOrThrow({ where: { id } });
      if (contract.status !== "ACTIVE" || !contract.custodyEndsAt || contract.custodyEndsAt.getTime() > now.getTime()) return null;
      const updated = await tx.custodyContract.updateMany({ where: { id, status: "ACTIVE", version: contract.version }, data: { status: "ENDED", endedAt: now, version: { increment: 1 } } });
      if (updated.count !== 1) return null;
      const loans = await tx.custodyLoan.findMany({ where: { contractId: id, status: "IN_CUSTODY" }, orderBy: { loanNumber: "asc" } });
      await tx.custodyLoan.updateMany({ where: { contractId: id, status: "IN_CUSTODY" }, data: { status: "RETURNED", returnedAt: now } });
      for (const cl of loans) {
        const moved = await tx.loan.updateMany({ where: { id: cl.loanId, status: "IN_CUSTODY" }, data: { status: "RETURNED", version: { increment: 1 }, updatedAt: now } });
        if (moved.count === 1) {
          await tx.loanChange.create({
            data: { loanId: cl.loanId, at: now, actorId: ctx.actorId, kind: "status", changes: JSON.stringify({ status: ["IN_CUSTODY", "RETURNED"], contract: contract.number }) },
          });
        }
      }
      // Back in the bank's book, the loans may be bundled again: they leave the package (a loan is in
      // one package at a time). The contract's loan list (CustodyLoan) and the package's event keep the record.
      if (loans.length) {
        await tx.packageLoan.deleteMany({ where: { packageId: contract.packageId, loanId: { in: loans.map((l) => l.loanId) } } });
        await tx.packageEvent.create({
          data: { packageId: contract.packageId, kind: "custody_returned", detail: JSON.stringify({ contract: contract.number, count: loans.length, loans: loans.map((l) => l.loanNumber).join("、") }), byId: ctx.actorId ?? `system:${ctx.actorLabel ?? "custody"}`, at: now },
        });
      }
      await audit({
        action: "custody.end", entityType: "CustodyContract", entityId: id,
        before: { status: "ACTIVE", custodyEndsAt: contract.custodyEndsAt.toISOString() },
        after: { status: "ENDED", number: contract.number, endedAt: now.toISOString(), returnedLoans: loans.map((l) => l.loanNumber) },
      });
      const userIds = await emailCustodian(tx, contract, "custodyEnded", { number: contract.number, endedAt: now.toISOString(), returned: String(loans.length), link: contractLink(id) }, outboxIds);
      const department = await departmentUsers(tx);
      await notify(tx, [...userIds, ...department.map((u) => u.id)], "custody.notify.custodyEnded", { number: contract.number, returned: loans.length }, contractLink(id));
      return loans.length;
    });
    if (returned === null) continue;
    await sendQueuedEmails(outboxIds);
    result.ended.push(id);
    result.returnedLoans += returned;
  }
  return result;
}

// ---- task ------------------------------------------------------------------------------------------

/**
 * R5 open point: when the setting taskEqualsWinningPrice is off (as recorded in the settings version of
 * the contract), the department sets the task (承包任务, fen > 0) while the contract awaits signature.
 * Audit `contract.setTask`. Only the `task` column changes (the terms JSON is final: a trigger).
 */
export async function setContractTask(ctx: AuditContext, user: ContractActor, contractId: string, task: bigint): Promise<ContractRow> {
  if (!isDepartment(user)) throw new UserError("custody.contract.notDepartment", { status: 403 });
  if (task <= 0n) throw new UserError("custody.contract.invalidTask", { field: "task" });
  return audited(ctx, async (tx, audit) => {
    const contract = await loadForChange(tx, contractId);
    if (contract.status !== "AWAITING_SIGNATURE") throw wrongState(contract);
    if (parseTerms(contract.terms).taskEqualsWinningPrice !== false) throw new UserError("custody.contract.taskFixed", { status: 409 });
    // The terms JSON is final from generation (a trigger refuses any change): the task column is the
    // contract's task, the terms' `task` the one generated. Pages and the document show the column.
    const updated = await transition(tx, contract, "AWAITING_SIGNATURE", { task });
    await audit({
      action: "contract.setTask", entityType: "CustodyContract", entityId: contract.id,
      before: { task: toYuanString(contract.task) }, after: { task: toYuanString(task), number: contract.number },
    });
    return updated;
  });
}
