import { todayInChina } from "~/domain/calendar";
import { parseTerms, topUpOwed } from "~/domain/contract";
import { UserError } from "~/domain/errors";
import { deductible, forcedDeduction, topUpDueOn } from "~/domain/late-interest";
import type { Line } from "~/domain/ledger";
import { formatYuan, toYuanString, type Fen } from "~/domain/money";
import { recoveryStanding } from "~/domain/remittance-position";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { parseOrRefuse } from "~/infra/forms";
import type { MessageKey, Params } from "~/infra/i18n";
import { postEntryIn } from "~/infra/ledger.server";
import { isDepartment } from "~/services/custody/access.server";
import { claimAccountOf, performanceDepositAccount, performanceDepositHeld } from "~/services/custody/accounts.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import type { TemplateName, templates } from "~/services/email/templates";
import { contractAccount } from "./accounts.server";
import { forceDeductionSchema, lossOfFundsSchema, type ForceDeductionInput } from "./contract-schemas";
import { tellCustodian as tellCustodianOf } from "~/services/custody/custodian-notice.server";
import { accrueContractIn } from "./late-interest.server";
import { nextSettlementNumber } from "./numbers.server";
import { lateInterestSettingsFor, recoveryPositions } from "./positions.server";

/**
 * R7 forced deduction (强行扣收) and loss of funds, by the asset-preservation department
 * (custody:manage). A recovery more than `deductionAfterDays` (contract terms) late, or with a recorded
 * loss of funds, may be deducted: the unremitted amount plus the late interest of the deducted
 * recoveries as of today come out of the contract's performance deposit; what the deposit does not
 * hold is a claim on the custodian (for an agency, jointly on its legal representative, R7/R10).
 *
 * One transaction: the contract's late interest is accrued to today first (so the interest taken is
 * booked), a DEDUCTION remittance (CONFIRMED, remitted today) settles each deducted recovery's
 * outstanding with allocations, ONE balanced entry (source `forced-deduction`, sourceId = the
 * remittance) — DEBIT PERFORMANCE_DEPOSIT fromDeposit, DEBIT CLAIM_RECEIVABLE claim / CREDIT
 * REMITTANCE_RECEIVABLE unremitted, CREDIT LATE_INTEREST_RECEIVABLE late interest (zero lines left out)
 * — and the ForcedDeduction row with the top-up day (today + topUpDays of the terms). Audited; the
 * custodian is told in the app and by email, with the amounts and the top-up day. The top-up is paid
 * with the custody top-up flows (deposit-topup.server.ts accepts an ACTIVE contract after a deduction).
 */

export type SettlementActor = Pick<AuthUser, "id" | "email" | "roles" | "organizationId" | "organizationKind">;

export const settlementContractLink = (contractId: string) => `/settlement/contracts/${contractId}`;

/** Bell + email to the custodian's users, the bell linking to the contract's settlement page. */
export function tellCustodian<T extends TemplateName>(
  tx: Tx,
  contract: { id: string; custodianKey: string },
  notice: { key: MessageKey; params: Params },
  email: { template: T; params: Parameters<(typeof templates)[T]>[1] },
): Promise<string[]> {
  return tellCustodianOf(tx, contract, { ...notice, link: settlementContractLink(contract.id) }, email);
}

function requireDepartment(actor: SettlementActor) {
  if (!isDepartment(actor)) throw new UserError("settlement.contracts.notDepartment", { status: 403 });
}

/** A contract settlement may act on: ACTIVE or ENDED and not closed out (404 / 409 otherwise). */
export async function openContract(tx: Tx, contractId: string) {
  const contract = await tx.custodyContract.findUnique({ where: { id: contractId } });
  if (!contract || !["ACTIVE", "ENDED"].includes(contract.status)) throw new UserError("settlement.contracts.notFound", { status: 404 });
  const closed = await tx.contractCloseOut.findUnique({ where: { contractId }, select: { id: true } });
  if (closed) throw new UserError("settlement.contracts.closedOut", { status: 409, params: { contract: contract.number } });
  return contract;
}

/** Late interest booked (cumulative to today) that neither a statement line nor a forced deduction has claimed; never negative. */
export async function unclaimedLateInterest(tx: Tx, contractId: string, booked: Fen): Promise<Fen> {
  const stated = await tx.settlementStatementLine.aggregate({ where: { kind: "late_interest", statement: { contractId } }, _sum: { amount: true } });
  const deducted = await tx.forcedDeduction.aggregate({ where: { contractId }, _sum: { lateInterest: true } });
  const left = booked - (stated._sum.amount ?? 0n) - (deducted._sum.lateInterest ?? 0n);
  return left > 0n ? left : 0n;
}

export interface DeductionResult {
  id: string;
  contractId: string;
  remittanceId: string;
  remittanceNumber: string;
  deductedOn: string;
  recoveries: { id: string; number: string; outstanding: Fen; lateInterest: Fen; delay: number }[];
  unremitted: Fen;
  lateInterest: Fen;
  fromDeposit: Fen;
  claim: Fen;
  jointlyLiable: string | null;
  topUpDueOn: string;
  /** what the deposit lacks after the deduction (the top-up owed) */
  topUpOwed: Fen;
  entryId: string;
}

/**
 * The department deducts recoveries of a contract by force (R7). `recoveryIds`: those named (each must
 * be the contract's, still outstanding and deductible — otherwise refused with its delay and the
 * threshold); none named: every deductible recovery of the contract with money outstanding.
 */
export async function forceDeduction(
  ctx: AuditContext,
  actor: SettlementActor,
  input: { contractId: string; recoveryIds?: readonly string[]; reason: string },
  now: Date = new Date(),
): Promise<DeductionResult> {
  requireDepartment(actor);
  const parsed: ForceDeductionInput = parseOrRefuse(forceDeductionSchema, { recovery_ids: input.recoveryIds ? [...input.recoveryIds] : [], reason: input.reason });
  const today = todayInChina(now);
  const result = await audited(ctx, async (tx, audit) => {
    const contract = await openContract(tx, input.contractId);
    const terms = parseTerms(contract.terms);
    const settingsFor = (await lateInterestSettingsFor(tx))(contract.terms);
    const accrued = await accrueContractIn(tx, ctx, contract, today, settingsFor);

    const positions = (await recoveryPositions(tx, [contract.id])).get(contract.id) ?? [];
    const rows = await tx.recovery.findMany({ where: { contractId: contract.id, status: { not: "REJECTED" } }, select: { id: true, number: true, lossRecordedAt: true } });
    const rowOf = new Map(rows.map((r) => [r.id, r]));
    const threshold = terms.remittance.deductionAfterDays;
    const candidates = positions.map((p) => {
      const standing = recoveryStanding(p, today, settingsFor);
      const row = rowOf.get(p.id)!;
      const loss = row.lossRecordedAt !== null;
      return { position: p, row, standing, loss, deductible: standing.outstanding > 0n && deductible({ delay: standing.delay, lossOfFunds: loss }, terms.remittance) };
    });

    let chosen: typeof candidates;
    if (parsed.recovery_ids.length > 0) {
      const byId = new Map(candidates.map((c) => [c.position.id, c]));
      const seen = new Set<string>();
      chosen = parsed.recovery_ids.map((id) => {
        const c = byId.get(id);
        if (!c) throw new UserError("settlement.contracts.recoveryNotFound", { status: 404, field: "recovery_ids", params: { id } });
        if (seen.has(id)) throw new UserError("settlement.contracts.recoveryTwice", { status: 400, field: "recovery_ids", params: { number: c.row.number } });
        seen.add(id);
        if (c.standing.outstanding === 0n) throw new UserError("settlement.contracts.nothingOutstanding", { status: 409, field: "recovery_ids", params: { number: c.row.number } });
        if (!c.deductible) {
          throw new UserError("settlement.contracts.notDeductible", { status: 422, field: "recovery_ids", params: { number: c.row.number, delay: c.standing.delay, threshold } });
        }
        return c;
      });
    } else {
      chosen = candidates.filter((c) => c.deductible);
      if (chosen.length === 0) throw new UserError("settlement.contracts.nothingDeductible", { status: 409, params: { threshold } });
    }

    const unremitted = chosen.reduce((sum, c) => sum + c.standing.outstanding, 0n);
    // The late interest taken is what the contract owes and no fee statement or earlier deduction has
    // claimed yet (booked to today − statement lines − earlier deductions): taking a recovery's own
    // interest instead would take again what a statement already nets (R9 late-interest line).
    const lateInterest = await unclaimedLateInterest(tx, contract.id, accrued.cumulative);
    const held = await performanceDepositHeld(tx, contract);
    const split = forcedDeduction({ unremitted, lateInterest, depositHeld: held });

    const remittance = await tx.remittance.create({
      data: {
        number: await nextSettlementNumber(tx, "RMT", Number(today.slice(0, 4))),
        contractId: contract.id, custodianKey: contract.custodianKey, method: "DEDUCTION", amount: unremitted,
        namedRecoveryIds: JSON.stringify(chosen.map((c) => c.position.id)), status: "DECLARED", declaredById: actor.id, declaredAt: now,
      },
    });
    await tx.remittanceAllocation.createMany({
      data: chosen.map((c) => ({ remittanceId: remittance.id, recoveryId: c.position.id, contractId: contract.id, amount: c.standing.outstanding, remittedOn: today })),
    });

    const deposit = await performanceDepositAccount(tx, contract);
    const claimAccount = await claimAccountOf(tx, contract.custodianKey);
    const receivable = await contractAccount(tx, "REMITTANCE_RECEIVABLE", contract);
    const interestReceivable = await contractAccount(tx, "LATE_INTEREST_RECEIVABLE", contract);
    const lines: Line[] = [];
    const add = (accountId: string, side: Line["side"], amount: Fen) => {
      if (amount > 0n) lines.push({ accountId, side, amount });
    };
    add(deposit.id, "DEBIT", split.fromDeposit);
    add(claimAccount.id, "DEBIT", split.claim);
    add(receivable.id, "CREDIT", unremitted);
    add(interestReceivable.id, "CREDIT", lateInterest);

    const agency = contract.custodianKind === "AGENCY" ? await tx.organization.findUnique({ where: { id: contract.custodianOrgId } }) : null;
    const representative = agency ? (agency.legalRepresentative ?? null) : null;
    const numbers = chosen.map((c) => c.row.number);
    const entry = await postEntryIn(tx, ctx, {
      description:
        `强行扣收 Forced deduction (R7), contract ${contract.number}, ${remittance.number}: unremitted ${toYuanString(unremitted)} + late interest ${toYuanString(lateInterest)} ` +
        `(${numbers.join(", ")}); ${toYuanString(split.fromDeposit)} from the performance deposit, claim ${toYuanString(split.claim)}` +
        (agency && split.claim > 0n ? ` owed jointly by the legal representative ${representative ?? "(not on record)"}` : ""),
      sourceType: "forced-deduction",
      sourceId: remittance.id,
      lines,
    });
    const confirmed = await tx.remittance.updateMany({
      where: { id: remittance.id, status: "DECLARED" },
      data: { status: "CONFIRMED", remittedOn: today, confirmedById: actor.id, confirmedAt: now, entryId: entry.id },
    });
    if (confirmed.count !== 1) throw new UserError("settlement.contracts.concurrentChange", { status: 409 });
    const dueOn = topUpDueOn(today, terms.remittance);
    const row = await tx.forcedDeduction.create({
      data: {
        contractId: contract.id, remittanceId: remittance.id, deductedOn: today, unremitted, lateInterest, fromDeposit: split.fromDeposit, claim: split.claim,
        jointlyLiable: representative, topUpDueOn: dueOn, reason: parsed.reason, decidedById: actor.id, decidedAt: now, entryId: entry.id,
      },
    });
    const owed = topUpOwed(contract.performanceDeposit, held - split.fromDeposit);
    await audit({
      action: "settlement.deduct", entityType: "ForcedDeduction", entityId: row.id,
      after: {
        contractId: contract.id, contract: contract.number, remittance: remittance.number, deductedOn: today, recoveries: numbers,
        unremitted: toYuanString(unremitted), lateInterest: toYuanString(lateInterest), depositHeld: toYuanString(held),
        fromDeposit: toYuanString(split.fromDeposit), claim: toYuanString(split.claim), jointlyLiable: representative, topUpDueOn: dueOn,
        topUpOwed: toYuanString(owed), reason: parsed.reason, entryId: entry.id,
      },
    });

    const params = {
      contract: contract.number, recoveries: numbers.join("、"), unremitted: formatYuan(unremitted), lateInterest: formatYuan(lateInterest),
      fromDeposit: formatYuan(split.fromDeposit), claim: formatYuan(split.claim), topUp: formatYuan(owed), dueOn,
    };
    const outboxIds = await tellCustodian(
      tx, contract,
      agency
        ? { key: "settlement.contracts.notice.deductedAgency", params: { ...params, agency: agency.name, representative: representative ?? "—" } }
        : { key: "settlement.contracts.notice.deducted", params },
      {
        template: "settlementForcedDeduction",
        params: {
          contract: contract.number, recoveries: numbers, unremitted, lateInterest, fromDeposit: split.fromDeposit, claim: split.claim, topUp: owed, dueOn,
          reason: parsed.reason, agency: agency?.name ?? null, representative, link: settlementContractLink(contract.id),
        },
      },
    );
    const deduction: DeductionResult = {
      id: row.id, contractId: contract.id, remittanceId: remittance.id, remittanceNumber: remittance.number, deductedOn: today,
      recoveries: chosen.map((c) => ({ id: c.position.id, number: c.row.number, outstanding: c.standing.outstanding, lateInterest: c.standing.interest, delay: c.standing.delay })),
      unremitted, lateInterest, fromDeposit: split.fromDeposit, claim: split.claim, jointlyLiable: representative, topUpDueOn: dueOn, topUpOwed: owed, entryId: entry.id,
    };
    return { deduction, outboxIds };
  });
  await sendQueuedEmails(result.outboxIds);
  return result.deduction;
}

export interface LossOfFundsResult {
  recoveryId: string;
  number: string;
  contractId: string;
  lossRecordedAt: Date;
  lossNote: string;
}

/**
 * The department records a loss of funds (挪用、遗失…) on a recovery of a contract not closed out (R7:
 * it may then be deducted whatever its delay). Once per recovery (a trigger keeps it); a rejected
 * recovery is refused. Audited; the custodian told.
 */
export async function recordLossOfFunds(ctx: AuditContext, actor: SettlementActor, recoveryId: string, input: { note: string }, now: Date = new Date()): Promise<LossOfFundsResult> {
  requireDepartment(actor);
  const parsed = parseOrRefuse(lossOfFundsSchema, input);
  const result = await audited(ctx, async (tx, audit) => {
    const recovery = await tx.recovery.findUnique({ where: { id: recoveryId } });
    if (!recovery) throw new UserError("settlement.contracts.recoveryNotFound", { status: 404, params: { id: recoveryId } });
    const contract = await openContract(tx, recovery.contractId);
    if (recovery.status === "REJECTED") throw new UserError("settlement.contracts.recoveryRejected", { status: 409, params: { number: recovery.number } });
    if (recovery.lossRecordedAt) throw new UserError("settlement.contracts.lossAlreadyRecorded", { status: 409, params: { number: recovery.number } });
    const updated = await tx.recovery.updateMany({
      where: { id: recovery.id, lossRecordedAt: null },
      data: { lossRecordedById: actor.id, lossRecordedAt: now, lossNote: parsed.note },
    });
    if (updated.count !== 1) throw new UserError("settlement.contracts.concurrentChange", { status: 409 });
    await audit({
      action: "settlement.lossOfFunds", entityType: "Recovery", entityId: recovery.id,
      before: { lossRecordedAt: null },
      after: { number: recovery.number, contractId: contract.id, contract: contract.number, amount: toYuanString(recovery.amount), note: parsed.note, recordedById: actor.id },
    });
    const params = { contract: contract.number, number: recovery.number, amount: formatYuan(recovery.amount), note: parsed.note };
    const outboxIds = await tellCustodian(tx, contract, { key: "settlement.contracts.notice.lossRecorded", params }, {
      template: "settlementLossRecorded", params: { ...params, link: settlementContractLink(contract.id) },
    });
    return { view: { recoveryId: recovery.id, number: recovery.number, contractId: contract.id, lossRecordedAt: now, lossNote: parsed.note }, outboxIds };
  });
  await sendQueuedEmails(result.outboxIds);
  return result.view;
}
