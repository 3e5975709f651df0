/**
 * R9 lines of one settlement statement (清收手续费清单), computed from what the caller loaded: the
 * contract's frozen terms and task, the verified recoveries not on any statement yet, what earlier
 * statements of the contract already counted, the late interest booked up to the period's end, the
 * forced deductions and the loans whose limitation was kept alive. Pure: no storage, bigint fen.
 *
 * Decisions (documented here and in test/domain/statement-lines.test.ts):
 * - Recovery lines: VERIFIED recoveries with collectedOn ≤ the period's last day that no statement
 *   holds yet (a late verification lands on the next statement), ordered by collectedOn, then number.
 * - R to date = principal + interest of every recovery line on this and earlier statements.
 *   Internal: commission = payoutDue(internalBonus(R, T), commission on earlier statements); agency:
 *   fee = payoutDue(agencyFee(R), fee on earlier statements). A reversal (earned below paid) gives a
 *   0 line and carries forward: never a negative line. earnedToDate is stored on the statement.
 * - Preservation reward (agency): limitationReward × loans not rewarded yet; no line when none.
 * - Late interest = max(0, booked cumulative as of the period end − late interest already taken by
 *   forced deductions up to the period end − late interest on earlier statements).
 * - Deduction lines (information, one per forced deduction taken in the period): fromDeposit + claim.
 * - FINAL statement of an agency: endOfTermAdjustment(R to date, T) → a bonus or penalty line (none
 *   when R = T). An internal contract has no end-of-term adjustment.
 * - Commission/fee and late interest lines are shown even at 0, so the reader sees the 0.
 */
import { agencyFee, endOfTermAdjustment, internalBonus, limitationRewards, payoutDue } from "./commission";
import type { ContractTerms } from "./contract";
import { formatYuan, type Fen } from "./money";
import { statementTotals, type StatementLine, type StatementTotals } from "./settlement-statement";

export type LineKind = StatementLine["kind"];

export interface RecoveryCandidate {
  id: string;
  number: string;
  loanNumber: string;
  collectedOn: string;
  principal: Fen;
  interest: Fen;
}

export interface DeductionFact {
  id: string;
  deductedOn: string;
  lateInterest: Fen;
  fromDeposit: Fen;
  claim: Fen;
}

/** What the contract's earlier statements already counted. */
export interface PriorTotals {
  /** principal + interest of the recovery lines */
  recovered: Fen;
  /** commission (internal) or fee (agency) lines */
  commission: Fen;
  lateInterest: Fen;
}

export interface StatementInput {
  commission: ContractTerms["commission"];
  /** 承包任务 T, fen (> 0) */
  task: Fen;
  period: { startsOn: string; endsOn: string };
  final: boolean;
  /** VERIFIED recoveries of the contract on no statement yet (any day; filtered here). */
  recoveries: readonly RecoveryCandidate[];
  prior: PriorTotals;
  /** cumulative of the last LateInterestAccrual with asOf ≤ the period end (0: none). */
  lateInterestBooked: Fen;
  /** every forced deduction of the contract */
  deductions: readonly DeductionFact[];
  /** loans with a verified interruption during custody not rewarded yet (agency) */
  preservedLoans: number;
}

export interface DraftLine {
  position: number;
  kind: LineKind;
  recoveryId: string | null;
  loanNumber: string | null;
  collectedOn: string | null;
  principal: Fen | null;
  interest: Fen | null;
  loans: number | null;
  amount: Fen;
  basis: string | null;
}

export interface StatementDraft {
  lines: DraftLine[];
  totals: StatementTotals;
  /** internal: bonus earned to date; agency: fee earned to date */
  earnedToDate: Fen;
  /** R to date (this and earlier statements) */
  recoveredToDate: Fen;
}

/** c = R / T as a percentage with two decimals, for the reader (display only). */
export function coverage(R: Fen, T: Fen): string {
  if (T <= 0n) return "—";
  const hundredths = (R * 10_000n * 2n + T) / (2n * T); // half up
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, "0")}%`;
}

const sortRecoveries = (a: RecoveryCandidate, b: RecoveryCandidate) =>
  a.collectedOn < b.collectedOn ? -1 : a.collectedOn > b.collectedOn ? 1 : a.number < b.number ? -1 : a.number > b.number ? 1 : 0;

/** R9: the lines of one statement and what they add up to. */
export function statementDraft(input: StatementInput): StatementDraft {
  if (input.task <= 0n) throw new RangeError("a contract's task is more than zero");
  const lines: DraftLine[] = [];
  const push = (line: Omit<DraftLine, "position" | "recoveryId" | "loanNumber" | "collectedOn" | "principal" | "interest" | "loans"> & Partial<DraftLine>) =>
    lines.push({ recoveryId: null, loanNumber: null, collectedOn: null, principal: null, interest: null, loans: null, ...line, position: lines.length + 1 });

  const recoveries = input.recoveries.filter((r) => r.collectedOn <= input.period.endsOn).sort(sortRecoveries);
  let recoveredNow = 0n;
  for (const r of recoveries) {
    recoveredNow += r.principal + r.interest;
    push({ kind: "recovery", recoveryId: r.id, loanNumber: r.loanNumber, collectedOn: r.collectedOn, principal: r.principal, interest: r.interest, amount: r.principal + r.interest, basis: r.number });
  }
  const R = input.prior.recovered + recoveredNow;
  const T = input.task;
  const terms = input.commission;
  const base = `R ${formatYuan(R)} / T ${formatYuan(T)} = c ${coverage(R, T)}`;
  let earned: Fen;
  if (terms.kind === "internal") {
    earned = internalBonus(R, T, { bonusThreshold: terms.threshold, bonusTier1Rate: terms.tier1Rate, bonusTier2Rate: terms.tier2Rate, bonusTier3Rate: terms.tier3Rate });
    const due = payoutDue(earned, input.prior.commission);
    push({ kind: "commission", amount: due.payout, basis: `${base}; earned ${formatYuan(earned)} − paid ${formatYuan(input.prior.commission)}${due.carriedForward > 0n ? `; carried forward ${formatYuan(due.carriedForward)}` : ""}` });
  } else {
    earned = agencyFee(R, { agencyFeeRate: terms.feeRate });
    const due = payoutDue(earned, input.prior.commission);
    push({ kind: "fee", amount: due.payout, basis: `${base}; ${terms.feeRate} × R = ${formatYuan(earned)} − paid ${formatYuan(input.prior.commission)}${due.carriedForward > 0n ? `; carried forward ${formatYuan(due.carriedForward)}` : ""}` });
    if (input.preservedLoans > 0) {
      const amount = limitationRewards(input.preservedLoans, { limitationRewardFen: terms.limitationReward });
      push({ kind: "preservation_reward", loans: input.preservedLoans, amount, basis: `${input.preservedLoans} × ${formatYuan(BigInt(terms.limitationReward))}` });
    }
  }

  const takenByDeductions = input.deductions.filter((d) => d.deductedOn <= input.period.endsOn).reduce((s, d) => s + d.lateInterest, 0n);
  const lateInterest = input.lateInterestBooked - takenByDeductions - input.prior.lateInterest;
  push({
    kind: "late_interest", amount: lateInterest > 0n ? lateInterest : 0n,
    basis: `booked ${formatYuan(input.lateInterestBooked)} − deducted ${formatYuan(takenByDeductions)} − earlier ${formatYuan(input.prior.lateInterest)}`,
  });

  for (const d of [...input.deductions].filter((x) => x.deductedOn >= input.period.startsOn && x.deductedOn <= input.period.endsOn).sort((a, b) => (a.deductedOn < b.deductedOn ? -1 : a.deductedOn > b.deductedOn ? 1 : 0))) {
    push({ kind: "deduction", collectedOn: d.deductedOn, amount: d.fromDeposit + d.claim, basis: `${d.deductedOn}: deposit ${formatYuan(d.fromDeposit)} + claim ${formatYuan(d.claim)}` });
  }

  if (input.final && terms.kind === "agency") {
    const adjustment = endOfTermAdjustment(R, T, { excessBonusRate: terms.excessBonusRate, shortfallPenaltyRate: terms.shortfallPenaltyRate });
    if (adjustment.kind === "bonus") push({ kind: "bonus", amount: adjustment.amount, basis: `${terms.excessBonusRate} × (R − T) = ${terms.excessBonusRate} × ${formatYuan(R - T)}` });
    if (adjustment.kind === "penalty") push({ kind: "penalty", amount: adjustment.amount, basis: `${terms.shortfallPenaltyRate} × (T − R) = ${terms.shortfallPenaltyRate} × ${formatYuan(T - R)}` });
  }

  return { lines, totals: statementTotals(lines.map(toStatementLine)), earnedToDate: earned, recoveredToDate: R };
}

/** A stored or drafted line as the domain's StatementLine (for statementTotals). */
export function toStatementLine(line: { kind: string; loanNumber: string | null; collectedOn: string | null; principal: Fen | null; interest: Fen | null; loans: number | null; amount: Fen }): StatementLine {
  switch (line.kind) {
    case "recovery":
      return { kind: "recovery", loanNumber: line.loanNumber ?? "", collectedOn: line.collectedOn ?? "", principal: line.principal ?? 0n, interest: line.interest ?? 0n };
    case "preservation_reward":
      return { kind: "preservation_reward", loans: line.loans ?? 0, amount: line.amount };
    case "commission":
    case "fee":
    case "late_interest":
    case "deduction":
    case "penalty":
    case "bonus":
      return { kind: line.kind, amount: line.amount };
    default:
      throw new RangeError(`unknown statement line: ${line.kind}`);
  }
}
