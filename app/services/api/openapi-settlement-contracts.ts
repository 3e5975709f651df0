import { z } from "zod";
import { formatBp } from "~/domain/settlement-views";
import { toYuanString, type Fen } from "~/domain/money";
import type { CloseOutResult } from "~/services/settlement/close-out.server";
import { closeOutSchema, forceDeductionSchema, lossOfFundsSchema } from "~/services/settlement/contract-schemas";
import type { DeductionResult, LossOfFundsResult } from "~/services/settlement/deductions.server";
import type { ContractSettlement, OverviewRow, ScorecardRow } from "~/services/settlement/settlement-views.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * [SETTLE] the contracts' settlement under /api/v1 (R7, README steps 11 and 16): one contract's
 * settlement figures and the overview with the per-custodian scorecard (settlement:view; a custodian
 * only its own contracts, anything else 404), the department's forced deduction and loss of funds
 * (custody:manage), finance's close-out (settlement:finance). Same services, permissions and refusals
 * as /settlement and /settlement/contracts/{id}. Money is yuan strings with two decimals; days
 * YYYY-MM-DD (China calendar); instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const day = z.string().meta({ description: "YYYY-MM-DD (China calendar)." });
const instant = z.iso.datetime();
const money = (fen: Fen) => toYuanString(fen);
const percent = z.string().meta({ description: "Share of the task, two decimals, e.g. \"12.34%\"." });

// ---- responses ------------------------------------------------------------------------------------------

const settlementRecoverySchema = z.object({
  id: z.string(),
  number: z.string(),
  loan_number: z.string(),
  collected_on: day,
  status: z.string().meta({ description: "REPORTED, REGISTERED, VERIFIED or REJECTED." }),
  principal: yuan,
  interest: yuan,
  amount: yuan,
  outstanding: yuan.meta({ description: "Still unremitted today." }),
  delay: z.number().int().meta({ description: "Days the unremitted money has waited today (0 when nothing is outstanding)." }),
  max_delay: z.number().int().meta({ description: "The longest delay of any part (remitted or not)." }),
  late_interest: yuan.meta({ description: "R7 late interest of this recovery as of today (each part rounded once)." }),
  late: z.boolean().meta({ description: "Some part was remitted (or is waiting) `lateInterestFromDays` or more days." }),
  deductible: z.boolean().meta({ description: "May be deducted by force now (more than `deductionAfterDays` unremitted, or a recorded loss of funds)." }),
  loss_recorded_at: instant.nullable(),
  loss_note: z.string().nullable(),
});

const forcedDeductionSummarySchema = z.object({
  id: z.string(),
  deducted_on: day,
  unremitted: yuan,
  late_interest: yuan,
  from_deposit: yuan,
  claim: yuan,
  jointly_liable: z.string().nullable().meta({ description: "Agency: its legal representative, jointly liable for the claim." }),
  top_up_due_on: day,
  reason: z.string(),
  remittance_id: z.string(),
});

export const contractSettlementSchema = z
  .object({
    contract: z.object({
      id: z.string(),
      number: z.string(),
      status: z.string().meta({ description: "ACTIVE or ENDED." }),
      custodian_key: z.string(),
      custodian_kind: z.string(),
      custodian_name: z.string(),
      legal_representative: z.string().nullable(),
      task: yuan,
      starts_on: day.nullable(),
      ends_on: day.nullable(),
      performance_deposit: yuan,
    }),
    as_of: day,
    terms: z.object({ late_interest_from_days: z.number().int(), deduction_after_days: z.number().int(), top_up_days: z.number().int(), interest_day_basis: z.number().int() }),
    recovered: z.object({ principal: yuan, interest: yuan, total: yuan, percent_of_task: percent, verified_count: z.number().int() }).meta({ description: "Audit-verified recoveries only." }),
    series: z.array(z.object({ month: z.string(), recovered: yuan })).meta({ description: "Cumulative verified recoveries by collection month, for the recovered-vs-task chart." }),
    unremitted: yuan,
    late_remittances: z.number().int(),
    late_interest: z.object({
      booked: yuan.meta({ description: "Charged to the ledger so far (the accruals)." }),
      accruing: yuan.meta({ description: "What today's position adds beyond what is booked (booked by the next daily run)." }),
      last_accrued_on: day.nullable(),
    }),
    deductions: z.array(forcedDeductionSummarySchema),
    earnings: z.object({ earned: yuan, paid: yuan, penalties: yuan }).meta({ description: "Commission / fee / rewards / bonus on statements (earned: all; paid: on paid statements); penalties on statements." }),
    net_recovery: yuan.meta({ description: "Verified recovered − earnings paid + late interest booked + penalties." }),
    open_claims: yuan.meta({ description: "The custodian's CLAIM_RECEIVABLE balance (all its contracts)." }),
    deposit: z.object({ held: yuan, owed: yuan, top_up: yuan }),
    recoveries: z.array(settlementRecoverySchema),
    statements: z.array(z.object({ id: z.string(), number: z.string(), kind: z.string(), year: z.number().int(), quarter: z.number().int(), period_starts_on: day, period_ends_on: day, state: z.string(), net_payable: yuan })),
    close_out: z.object({ refund: yuan, voucher_number: z.string(), closed_at: instant, open_claims: z.array(z.object({ account: z.string(), amount: yuan })) }).nullable(),
  })
  .meta({ id: "ContractSettlement" });

const overviewRowSchema = z.object({
  contract_id: z.string(),
  number: z.string(),
  status: z.string(),
  closed: z.boolean(),
  custodian_key: z.string(),
  custodian_kind: z.string(),
  custodian_name: z.string(),
  task: yuan,
  recovered: yuan,
  percent_of_task: percent,
  unremitted: yuan,
  late_remittances: z.number().int(),
  late_interest_booked: yuan,
  deductions: yuan,
  deposit_held: yuan,
});

const scorecardRowSchema = z.object({
  custodian_key: z.string(),
  custodian_kind: z.string(),
  custodian_name: z.string(),
  contracts: z.number().int(),
  task: yuan,
  recovered: yuan,
  percent_of_task: percent,
  unremitted: yuan,
  late_remittances: z.number().int(),
  late_interest_booked: yuan,
  deductions: yuan,
  deduction_count: z.number().int(),
});

export const settlementOverviewSchema = z
  .object({ as_of: day, contracts: z.array(overviewRowSchema), scorecard: z.array(scorecardRowSchema) })
  .meta({ id: "SettlementOverview" });

export const forcedDeductionSchema = z
  .object({
    id: z.string(),
    contract_id: z.string(),
    remittance_id: z.string(),
    remittance_number: z.string(),
    deducted_on: day,
    recoveries: z.array(z.object({ id: z.string(), number: z.string(), outstanding: yuan, late_interest: yuan, delay: z.number().int() })),
    unremitted: yuan,
    late_interest: yuan,
    from_deposit: yuan,
    claim: yuan,
    jointly_liable: z.string().nullable(),
    top_up_due_on: day,
    top_up_owed: yuan,
    entry_id: z.string(),
  })
  .meta({ id: "ForcedDeduction" });

export const lossOfFundsResultSchema = z
  .object({ recovery_id: z.string(), number: z.string(), contract_id: z.string(), loss_recorded_at: instant, loss_note: z.string() })
  .meta({ id: "LossOfFunds" });

export const closeOutResultSchema = z
  .object({
    id: z.string(),
    contract_id: z.string(),
    late_interest_netted: yuan.meta({ description: "Late interest no statement or deduction had claimed, taken from the deposit." }),
    claims_netted: yuan.meta({ description: "The custodian's claims set off against the deposit." }),
    refund: yuan,
    open_claims: z.array(z.object({ account: z.string().meta({ description: "CLAIM_RECEIVABLE, LATE_INTEREST_RECEIVABLE or STATEMENT:<number>." }), amount: yuan })),
    voucher_number: z.string(),
    closed_at: instant,
    entry_id: z.string().nullable(),
  })
  .meta({ id: "ContractCloseOut" });

// ---- mapping --------------------------------------------------------------------------------------------

export function apiContractSettlement(s: ContractSettlement): z.input<typeof contractSettlementSchema> {
  return {
    contract: {
      id: s.contract.id, number: s.contract.number, status: s.contract.status, custodian_key: s.contract.custodianKey, custodian_kind: s.contract.custodianKind,
      custodian_name: s.contract.custodianName, legal_representative: s.contract.legalRepresentative, task: money(s.contract.task), starts_on: s.contract.startsOn,
      ends_on: s.contract.endsOn, performance_deposit: money(s.contract.performanceDeposit),
    },
    as_of: s.today,
    terms: { late_interest_from_days: s.terms.lateInterestFromDays, deduction_after_days: s.terms.deductionAfterDays, top_up_days: s.terms.topUpDays, interest_day_basis: s.terms.interestDayBasis },
    recovered: { principal: money(s.recovered.principal), interest: money(s.recovered.interest), total: money(s.recovered.total), percent_of_task: formatBp(s.recovered.percentBp), verified_count: s.recovered.verifiedCount },
    series: s.series.map((p) => ({ month: p.month, recovered: money(p.recovered) })),
    unremitted: money(s.unremitted),
    late_remittances: s.lateRemittances.length,
    late_interest: { booked: money(s.lateInterest.booked), accruing: money(s.lateInterest.accruing), last_accrued_on: s.lateInterest.lastAccruedOn },
    deductions: s.deductions.map((d) => ({
      id: d.id, deducted_on: d.deductedOn, unremitted: money(d.unremitted), late_interest: money(d.lateInterest), from_deposit: money(d.fromDeposit), claim: money(d.claim),
      jointly_liable: d.jointlyLiable, top_up_due_on: d.topUpDueOn, reason: d.reason, remittance_id: d.remittanceId,
    })),
    earnings: { earned: money(s.earnings.earned), paid: money(s.earnings.paid), penalties: money(s.earnings.penalties) },
    net_recovery: money(s.netRecovery),
    open_claims: money(s.openClaims),
    deposit: { held: money(s.deposit.held), owed: money(s.deposit.owed), top_up: money(s.deposit.topUp) },
    recoveries: s.recoveries.map((r) => ({
      id: r.id, number: r.number, loan_number: r.loanNumber, collected_on: r.collectedOn, status: r.status, principal: money(r.principal), interest: money(r.interest),
      amount: money(r.amount), outstanding: money(r.outstanding), delay: r.delay, max_delay: r.maxDelay, late_interest: money(r.lateInterest), late: r.late,
      deductible: r.deductible, loss_recorded_at: r.lossRecordedAt?.toISOString() ?? null, loss_note: r.lossNote,
    })),
    statements: s.statements.map((st) => ({
      id: st.id, number: st.number, kind: st.kind, year: st.year, quarter: st.quarter, period_starts_on: st.periodStartsOn, period_ends_on: st.periodEndsOn, state: st.state, net_payable: money(st.netPayable),
    })),
    close_out: s.closeOut ? { refund: money(s.closeOut.refund), voucher_number: s.closeOut.voucherNumber, closed_at: s.closeOut.closedAt.toISOString(), open_claims: s.closeOut.openClaims } : null,
  };
}

export function apiSettlementOverview(o: { rows: OverviewRow[]; scorecard: ScorecardRow[]; today: string }): z.input<typeof settlementOverviewSchema> {
  return {
    as_of: o.today,
    contracts: o.rows.map((r) => ({
      contract_id: r.id, number: r.number, status: r.status, closed: r.closed, custodian_key: r.custodianKey, custodian_kind: r.custodianKind, custodian_name: r.custodianName,
      task: money(r.task), recovered: money(r.recovered), percent_of_task: formatBp(r.percentBp), unremitted: money(r.unremitted), late_remittances: r.lateRemittances,
      late_interest_booked: money(r.lateInterestBooked), deductions: money(r.deductions), deposit_held: money(r.depositHeld),
    })),
    scorecard: o.scorecard.map((c) => ({
      custodian_key: c.custodianKey, custodian_kind: c.custodianKind, custodian_name: c.custodianName, contracts: c.contracts, task: money(c.task), recovered: money(c.recovered),
      percent_of_task: formatBp(c.percentBp), unremitted: money(c.unremitted), late_remittances: c.lateRemittances, late_interest_booked: money(c.lateInterestBooked),
      deductions: money(c.deductions), deduction_count: c.deductionCount,
    })),
  };
}

export function apiForcedDeduction(d: DeductionResult): z.input<typeof forcedDeductionSchema> {
  return {
    id: d.id, contract_id: d.contractId, remittance_id: d.remittanceId, remittance_number: d.remittanceNumber, deducted_on: d.deductedOn,
    recoveries: d.recoveries.map((r) => ({ id: r.id, number: r.number, outstanding: money(r.outstanding), late_interest: money(r.lateInterest), delay: r.delay })),
    unremitted: money(d.unremitted), late_interest: money(d.lateInterest), from_deposit: money(d.fromDeposit), claim: money(d.claim), jointly_liable: d.jointlyLiable,
    top_up_due_on: d.topUpDueOn, top_up_owed: money(d.topUpOwed), entry_id: d.entryId,
  };
}

export function apiLossOfFunds(l: LossOfFundsResult): z.input<typeof lossOfFundsResultSchema> {
  return { recovery_id: l.recoveryId, number: l.number, contract_id: l.contractId, loss_recorded_at: l.lossRecordedAt.toISOString(), loss_note: l.lossNote };
}

export function apiCloseOut(c: CloseOutResult): z.input<typeof closeOutResultSchema> {
  return { id: c.id, contract_id: c.contractId, late_interest_netted: money(c.lateInterestNetted), claims_netted: money(c.claimsNetted), refund: money(c.refund), open_claims: c.openClaims, voucher_number: c.voucherNumber, closed_at: c.closedAt.toISOString(), entry_id: c.entryId };
}

// ---- the area -------------------------------------------------------------------------------------------

const idParam = (what: string) => ({ name: "id", in: "path", required: true, schema: { type: "string" }, description: what });

export const settlementContractsApi: OpenApiArea = {
  schemas: {
    ContractSettlement: contractSettlementSchema,
    SettlementOverview: settlementOverviewSchema,
    ForcedDeductionRequest: forceDeductionSchema,
    ForcedDeduction: forcedDeductionSchema,
    LossOfFundsRequest: lossOfFundsSchema,
    LossOfFunds: lossOfFundsResultSchema,
    CloseOutRequest: closeOutSchema,
    ContractCloseOut: closeOutResultSchema,
  },
  paths: ({ ref, json, errors }) => ({
    "/settlement/overview": {
      get: {
        operationId: "getSettlementOverview",
        summary: "Every custody contract's settlement figures and a scorecard per custodian (settlement:view)",
        description:
          "ACTIVE and ENDED contracts: task, verified recovered and % of task, unremitted today, late remittances (a part remitted or waiting `lateInterestFromDays` or more days), " +
          "late interest booked, deductions (unremitted + late interest taken) and the deposit held. A custodian sees only its own contracts and its own scorecard line.",
        responses: { "200": json(ref("SettlementOverview"), "The overview as of today"), ...errors(401, 403, 429) },
      },
    },
    "/contracts/{id}/settlement": {
      get: {
        operationId: "getContractSettlement",
        summary: "One contract's settlement (settlement:view; a custodian only its own)",
        description:
          "Recovered (audit-verified) vs task with the monthly series, recoveries with what is unremitted, their delay and R7 late interest as of today, late interest booked and accruing, " +
          "forced deductions, earnings on statements, net recovery (verified recovered − earnings paid + late interest booked + penalties), open claims, the deposit and the statements. " +
          "A contract the user may not see, or one not yet in custody: 404 `settlement.contracts.notFound`.",
        parameters: [idParam("The custody contract's id.")],
        responses: { "200": json(ref("ContractSettlement"), "The contract's settlement as of today"), ...errors(401, 403, 404, 429) },
      },
    },
    "/contracts/{id}/deductions": {
      post: {
        operationId: "forceDeduction",
        summary: "Deduct late remittances from the performance deposit by force (强行扣收, custody:manage)",
        description:
          "R7: only recoveries more than `deductionAfterDays` (contract terms) unremitted, or with a recorded loss of funds. Named `recovery_ids` must be the contract's (404 " +
          "`settlement.contracts.recoveryNotFound`), still outstanding (409 `settlement.contracts.nothingOutstanding`) and deductible (422 `settlement.contracts.notDeductible` with " +
          "`delay` and `threshold`); none named: every deductible one (409 `settlement.contracts.nothingDeductible` when there is none). The contract's late interest is accrued to " +
          "today first; the unremitted amount plus the late interest booked and not yet claimed by a statement or an earlier deduction come out of the deposit, never below zero, and the rest is a claim (an agency's legal " +
          "representative jointly liable). A DEDUCTION remittance settles the recoveries; one balanced journal entry (source `forced-deduction`); the top-up is due in `topUpDays`. " +
          "The custodian is told (in the app and by email). Closed-out contract: 409 `settlement.contracts.closedOut`. Audit-logged (`settlement.deduct`).",
        parameters: [idParam("The custody contract's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("ForcedDeductionRequest") } } },
        responses: { "201": json(ref("ForcedDeduction"), "Deducted"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/contracts/{id}/close-out": {
      post: {
        operationId: "closeOutContract",
        summary: "Close out an ENDED contract: net what the custodian owes from the deposit and refund the rest (settlement:finance)",
        description:
          "Refused while the contract has not ended (409 `settlement.contracts.notEnded`), while money collected is unremitted (409 `settlement.contracts.unremitted` with `amount`), " +
          "while the FINAL statement is missing (409 `settlement.contracts.finalMissing`) or not paid (409 `settlement.contracts.finalNotPaid`), and once closed (409 " +
          "`settlement.contracts.closedOut`). Late interest is accrued to today; the late interest no statement or deduction has claimed, then the custodian's claims, are " +
          "netted from the deposit and the rest is refunded (one entry, source `close-out`: DEBIT PERFORMANCE_DEPOSIT / CREDIT LATE_INTEREST_RECEIVABLE, CLAIM_RECEIVABLE, " +
          "CLEARING_BANK_TRANSFER; none when the deposit is empty); what it does not cover is recorded as still open. The custodian is told. Audit-logged (`settlement.closeOut`).",
        parameters: [idParam("The custody contract's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("CloseOutRequest") } } },
        responses: { "201": json(ref("ContractCloseOut"), "Closed out"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/recoveries/{id}/loss": {
      post: {
        operationId: "recordLossOfFunds",
        summary: "Record a loss of funds on a recovery (custody:manage), once",
        description:
          "R7: the recovery may then be deducted whatever its delay. A rejected recovery: 409 `settlement.contracts.recoveryRejected`; recorded already: 409 " +
          "`settlement.contracts.lossAlreadyRecorded`; a `note` is required (400 `settlement.contracts.lossNoteRequired`). The custodian is told. Audit-logged (`settlement.lossOfFunds`).",
        parameters: [idParam("The recovery's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("LossOfFundsRequest") } } },
        responses: { "200": json(ref("LossOfFunds"), "Recorded"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
  }),
};
