/**
 * R9 quarterly settlement statement (清收手续费清单), per contract (issue [SETTLE] item 5): the
 * statement period, what the lines add up to, and the four-eyes workflow that walks it to paid.
 * Pure, bigint fen; audit logging, storage and export are the caller's.
 *
 * Decisions (documented here and in the tests):
 * - Quarters are calendar quarters of the bank's calendar days (`YYYY-MM-DD`, China time: the caller
 *   takes today from todayInChina). Q1 = Jan–Mar … Q4 = Oct–Dec; both ends inclusive.
 * - A statement period is the quarter intersected with the contract term: a term that starts or ends
 *   inside a quarter gives a short first or last period; a quarter wholly outside the term is refused.
 * - Sign convention of the totals: every line amount is a non-negative number of fen (a negative one
 *   is refused: a correction is a new entry, not a negative line); the line's kind says which way the
 *   money goes. netPayable = payableToCustodian − owedByCustodian, so positive means the bank pays the
 *   custodian and negative means the custodian owes the bank; `direction` and `netAmount` (≥ 0) say
 *   the same without a sign. Deductions already taken from the performance deposit (强行扣收) are shown
 *   for information only and do not enter the net: that money has already moved (R7, R10).
 * - Workflow: agency draft → submitted → verified → reviewed → invoice_recorded → paid; an internal
 *   contractor has no tax invoice and goes reviewed → paid (a record_invoice action is wrong_state).
 *   Generating the draft (job or on demand) is not a step; the history holds only the steps taken.
 * - Four-eyes: each step must be taken by a different person than the PREVIOUS step (R9's words), so
 *   one person may take two steps that are not consecutive (e.g. finance A reviews, finance B records
 *   the invoice, finance A records the payment). The first step (submit) has no previous step.
 * - Roles: submit — branch_clerk; verify — preservation_officer; review, record_invoice and pay —
 *   finance. `role` is the role the person acts in; that they hold it is the caller's check.
 * - Refusals are checked in this order: immutable (the statement is paid, whatever the action),
 *   wrong_state, wrong_role, same_person, then lines_not_verified (verify) or invoice_required
 *   (record_invoice). A statement with no lines (a quarter without activity) can be verified (0 of 0).
 */
import type { Role } from "./access";
import { addDays, isCalendarDay } from "./calendar";
import type { Fen } from "./money";

// ---- quarters and statement periods -------------------------------------------------------------

export type QuarterNumber = 1 | 2 | 3 | 4;

export interface Quarter {
  year: number;
  quarter: QuarterNumber;
  /** First day of the quarter. */
  startsOn: string;
  /** Last day of the quarter (inclusive). */
  endsOn: string;
}

const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function requireDay(day: string, what: string): void {
  if (!isCalendarDay(day)) throw new RangeError(`${what} is not a calendar day: ${JSON.stringify(day)}`);
}

function quarterBounds(year: number, quarter: number): Quarter {
  if (!Number.isInteger(year) || year < 1900 || year > 2199) throw new RangeError(`not a year: ${year}`);
  if (quarter !== 1 && quarter !== 2 && quarter !== 3 && quarter !== 4) throw new RangeError(`not a quarter: ${quarter}`);
  const firstMonth = (quarter - 1) * 3 + 1;
  const lastMonth = firstMonth + 2;
  return {
    year,
    quarter,
    startsOn: `${pad(year, 4)}-${pad(firstMonth)}-01`,
    endsOn: `${pad(year, 4)}-${pad(lastMonth)}-${pad(lastDayOfMonth(year, lastMonth))}`,
  };
}

/** The calendar quarter a bank day falls in. */
export function quarterOf(day: string): Quarter {
  requireDay(day, "day");
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return quarterBounds(year, Math.floor((month - 1) / 3) + 1);
}

/** The last day (inclusive) of the quarter a bank day falls in: when the quarterly job runs. */
export function quarterEnd(day: string): string {
  return quarterOf(day).endsOn;
}

export interface ContractTerm {
  /** First day of custody. */
  startsOn: string;
  /** Last day of the term (inclusive). */
  endsOn: string;
}

export type StatementPeriod =
  | { ok: true; year: number; quarter: QuarterNumber; startsOn: string; endsOn: string; /** shorter than the quarter (term starts or ends inside it) */ short: boolean }
  | { ok: false; code: "outside_term" };

function requireTerm(term: ContractTerm): void {
  requireDay(term.startsOn, "term start");
  requireDay(term.endsOn, "term end");
  if (term.endsOn < term.startsOn) throw new RangeError(`a term ends on or after it starts: ${term.startsOn}..${term.endsOn}`);
}

/** The days a statement covers: the quarter intersected with the contract term; a quarter wholly outside the term is refused. */
export function statementPeriod(term: ContractTerm, quarter: { year: number; quarter: number }): StatementPeriod {
  requireTerm(term);
  const q = quarterBounds(quarter.year, quarter.quarter);
  const startsOn = term.startsOn > q.startsOn ? term.startsOn : q.startsOn;
  const endsOn = term.endsOn < q.endsOn ? term.endsOn : q.endsOn;
  if (startsOn > endsOn) return { ok: false, code: "outside_term" };
  return { ok: true, year: q.year, quarter: q.quarter, startsOn, endsOn, short: startsOn !== q.startsOn || endsOn !== q.endsOn };
}

/** Every statement period of a term, in order: they are contiguous and cover the term exactly. */
export function statementPeriodsOfTerm(term: ContractTerm): Extract<StatementPeriod, { ok: true }>[] {
  requireTerm(term);
  const periods: Extract<StatementPeriod, { ok: true }>[] = [];
  let day = term.startsOn;
  while (day <= term.endsOn) {
    const period = statementPeriod(term, quarterOf(day));
    if (!period.ok) throw new Error("unreachable: a day of the term lies in its own quarter");
    periods.push(period);
    day = addDays(period.endsOn, 1);
  }
  return periods;
}

// ---- lines and totals ---------------------------------------------------------------------------

/** One line of the statement; every amount is ≥ 0 fen and the kind says which way it goes. */
export type StatementLine =
  | { kind: "recovery"; loanNumber: string; collectedOn: string; principal: Fen; interest: Fen }
  /** Internal contractor's commission (R6) or agency's fee (R6): payable to the custodian. */
  | { kind: "commission" | "fee"; amount: Fen }
  /** ¥20 (setting) per loan whose limitation was kept alive: payable to the custodian. */
  | { kind: "preservation_reward"; loans: number; amount: Fen }
  /** R7 late interest on late remittances: owed by the custodian. */
  | { kind: "late_interest"; amount: Fen }
  /** Forced deduction already taken from the performance deposit: informative, not netted. */
  | { kind: "deduction"; amount: Fen }
  /** Penalties (e.g. term-end shortfall): owed by the custodian. */
  | { kind: "penalty"; amount: Fen }
  /** Bonus (e.g. term-end excess over task): payable to the custodian. */
  | { kind: "bonus"; amount: Fen };

export type NetDirection = "to_custodian" | "to_bank" | "nil";

export interface StatementTotals {
  /** Verified recoveries of the period. */
  recovered: { principal: Fen; interest: Fen; total: Fen };
  /** commission + fee + preservation rewards + bonus. */
  payableToCustodian: Fen;
  /** late interest + penalties. */
  owedByCustodian: Fen;
  /** Taken from the deposit already; informative, not part of netPayable. */
  deductionsTaken: Fen;
  /** payableToCustodian − owedByCustodian: positive = the bank pays the custodian, negative = the custodian owes the bank. */
  netPayable: Fen;
  /** Which way the net goes: to_custodian (netPayable > 0), to_bank (< 0), nil (= 0). */
  direction: NetDirection;
  /** |netPayable|. */
  netAmount: Fen;
}

function nonNegative(amount: Fen, what: string): Fen {
  if (amount < 0n) throw new RangeError(`${what} is not negative (a correction is a new entry): ${amount}`);
  return amount;
}

/** R9: what the lines of a statement add up to (see the sign convention at the top). */
export function statementTotals(lines: readonly StatementLine[]): StatementTotals {
  let principal = 0n;
  let interest = 0n;
  let payable = 0n;
  let owed = 0n;
  let deductions = 0n;
  for (const line of lines) {
    switch (line.kind) {
      case "recovery":
        requireDay(line.collectedOn, `collection day of ${line.loanNumber}`);
        principal += nonNegative(line.principal, "a recovered principal");
        interest += nonNegative(line.interest, "a recovered interest");
        break;
      case "commission":
      case "fee":
      case "bonus":
        payable += nonNegative(line.amount, `a ${line.kind}`);
        break;
      case "preservation_reward":
        if (!Number.isInteger(line.loans) || line.loans < 0) throw new RangeError(`a reward counts whole loans: ${line.loans}`);
        payable += nonNegative(line.amount, "a preservation reward");
        break;
      case "late_interest":
      case "penalty":
        owed += nonNegative(line.amount, `a ${line.kind}`);
        break;
      case "deduction":
        deductions += nonNegative(line.amount, "a deduction");
        break;
      default: {
        const unknown: never = line;
        throw new RangeError(`unknown statement line: ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
      }
    }
  }
  const net = payable - owed;
  return {
    recovered: { principal, interest, total: principal + interest },
    payableToCustodian: payable,
    owedByCustodian: owed,
    deductionsTaken: deductions,
    netPayable: net,
    direction: net > 0n ? "to_custodian" : net < 0n ? "to_bank" : "nil",
    netAmount: net < 0n ? -net : net,
  };
}

// ---- workflow -----------------------------------------------------------------------------------

export type StatementState = "draft" | "submitted" | "verified" | "reviewed" | "invoice_recorded" | "paid";
export type ContractorKind = "agency" | "internal";
export type StatementAction = "submit" | "verify" | "review" | "record_invoice" | "pay";

/** The states each kind of contractor walks through, in order. */
export const statementStates: Readonly<Record<ContractorKind, readonly StatementState[]>> = {
  agency: ["draft", "submitted", "verified", "reviewed", "invoice_recorded", "paid"],
  // No tax invoice from an internal contractor: reviewed → paid.
  internal: ["draft", "submitted", "verified", "reviewed", "paid"],
};

/** What each action reaches, and the role that may take it. */
export const statementActions: Readonly<Record<StatementAction, { reaches: StatementState; role: Role }>> = {
  submit: { reaches: "submitted", role: "branch_clerk" },
  verify: { reaches: "verified", role: "preservation_officer" },
  review: { reaches: "reviewed", role: "finance" },
  record_invoice: { reaches: "invoice_recorded", role: "finance" },
  pay: { reaches: "paid", role: "finance" },
};

export const maxInvoiceNumberLength = 64;

/** The state after `state` for this kind of contractor; null once paid (or for a state the kind never has). */
export function nextStep(state: StatementState, kind: ContractorKind): StatementState | null {
  const states = statementStates[kind];
  const at = states.indexOf(state);
  return at < 0 ? null : (states[at + 1] ?? null);
}

/** One step taken: the state it reached and who took it (the previous step's `by` is the four-eyes check). */
export interface StatementStep {
  step: StatementState;
  by: string;
  role?: Role;
  invoiceNumber?: string;
}

export interface StatementWorkflow {
  state: StatementState;
  /** The steps taken so far, oldest first (generating the draft is not a step). */
  history: readonly StatementStep[];
  kind: ContractorKind;
}

export interface StatementCommand {
  action: StatementAction;
  /** The person (user id) taking the step. */
  by: string;
  /** The role the person acts in. */
  role: Role;
  /** record_invoice: the agency's tax invoice number (trimmed; 1–64 characters). */
  invoiceNumber?: string;
  /** verify: how many lines the department has verified, and how many the statement has. */
  linesVerified?: number;
  lineCount?: number;
}

export type StatementRefusalCode = "wrong_state" | "same_person" | "wrong_role" | "lines_not_verified" | "invoice_required" | "immutable";

export type TransitionResult =
  | { ok: true; state: StatementState; history: StatementStep[]; step: StatementStep }
  | { ok: false; code: StatementRefusalCode };

/** R9: one step of the settlement workflow, or why it is refused. Pure: the caller stores and audit-logs the result. */
export function transition(current: StatementWorkflow, command: StatementCommand): TransitionResult {
  if (current.state === "paid") return { ok: false, code: "immutable" };
  if (command.by.trim() === "") throw new RangeError("a step is taken by someone");
  const action = statementActions[command.action];
  if (!action || nextStep(current.state, current.kind) !== action.reaches) return { ok: false, code: "wrong_state" };
  if (command.role !== action.role) return { ok: false, code: "wrong_role" };
  const previous = current.history[current.history.length - 1];
  if (previous && previous.by === command.by) return { ok: false, code: "same_person" };

  const step: StatementStep = { step: action.reaches, by: command.by, role: command.role };
  if (command.action === "verify") {
    const { linesVerified, lineCount } = command;
    if (!isCount(linesVerified) || !isCount(lineCount) || linesVerified !== lineCount) return { ok: false, code: "lines_not_verified" };
  }
  if (command.action === "record_invoice") {
    const invoiceNumber = command.invoiceNumber?.trim() ?? "";
    if (invoiceNumber === "" || invoiceNumber.length > maxInvoiceNumberLength) return { ok: false, code: "invoice_required" };
    step.invoiceNumber = invoiceNumber;
  }
  return { ok: true, state: action.reaches, history: [...current.history, step], step };
}

const isCount = (n: number | undefined): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
