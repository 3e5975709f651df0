/**
 * R5 repayment agreements a custodian records (issue [CUSTODY] item 4): an instalment schedule of at
 * most 36 months (setting), no new lending (the schedule never asks for more than is owed), and any
 * reduction of principal or interest is a waiver that takes effect only once the department approves
 * it. Pure: days are "YYYY-MM-DD" (China calendar days), money is bigint fen.
 */
import { isCalendarDay } from "./calendar";
import { addMonths } from "./eligibility";
import type { Fen } from "./money";

export interface Instalment {
  dueOn: string;
  principal: Fen;
  interest: Fen;
}

export interface AgreementInput {
  /** The day the agreement is signed; the schedule's months count from it. */
  signedOn: string;
  /** What the debtor owes on that day. */
  outstanding: { principal: Fen; interest: Fen };
  instalments: readonly Instalment[];
}

export type AgreementProblem =
  | { code: "no_instalments" }
  | { code: "invalid_day"; index: number }
  | { code: "due_before_signing"; index: number }
  | { code: "not_in_order"; index: number }
  | { code: "non_positive_instalment"; index: number }
  | { code: "negative_amount"; index: number }
  | { code: "too_long"; lastDueOn: string; latest: string; maxMonths: number }
  | { code: "new_lending"; part: "principal" | "interest"; scheduled: Fen; outstanding: Fen };

export type AgreementCheck =
  | { ok: false; problems: AgreementProblem[] }
  | {
      ok: true;
      scheduled: { principal: Fen; interest: Fen };
      /** What the schedule does not collect: a waiver request, effective only once approved (zero = none). */
      waiver: { principal: Fen; interest: Fen };
      lastDueOn: string;
    };

const day = (text: string) => new Date(`${text}T00:00:00Z`);
const dayText = (date: Date) => date.toISOString().slice(0, 10);

/** The last day an instalment may fall due: `maxMonths` months after signing (same day of the month, or the month's last). */
export function latestDueOn(signedOn: string, maxMonths: number): string {
  return dayText(addMonths(day(signedOn), maxMonths));
}

/** Checks a schedule against R5; every problem is reported, each with where it is. */
export function checkAgreement(input: AgreementInput, rules: { maxMonths: number }): AgreementCheck {
  const problems: AgreementProblem[] = [];
  if (input.instalments.length === 0) return { ok: false, problems: [{ code: "no_instalments" }] };
  const latest = latestDueOn(input.signedOn, rules.maxMonths);
  let previous: string | null = null;
  let principal = 0n;
  let interest = 0n;
  input.instalments.forEach((inst, index) => {
    if (!isCalendarDay(inst.dueOn)) {
      problems.push({ code: "invalid_day", index });
      return;
    }
    if (inst.dueOn < input.signedOn) problems.push({ code: "due_before_signing", index });
    if (previous !== null && inst.dueOn <= previous) problems.push({ code: "not_in_order", index });
    previous = inst.dueOn;
    if (inst.principal < 0n || inst.interest < 0n) problems.push({ code: "negative_amount", index });
    else if (inst.principal + inst.interest === 0n) problems.push({ code: "non_positive_instalment", index });
    principal += inst.principal;
    interest += inst.interest;
  });
  const lastDueOn = input.instalments[input.instalments.length - 1]!.dueOn;
  if (isCalendarDay(lastDueOn) && lastDueOn > latest) problems.push({ code: "too_long", lastDueOn, latest, maxMonths: rules.maxMonths });
  if (principal > input.outstanding.principal) problems.push({ code: "new_lending", part: "principal", scheduled: principal, outstanding: input.outstanding.principal });
  if (interest > input.outstanding.interest) problems.push({ code: "new_lending", part: "interest", scheduled: interest, outstanding: input.outstanding.interest });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    scheduled: { principal, interest },
    waiver: { principal: input.outstanding.principal - principal, interest: input.outstanding.interest - interest },
    lastDueOn,
  };
}

/**
 * Instalments missed by `today`: due before it and not covered by what was paid, paid amounts
 * settling the oldest instalments first. Returns the indexes and what is short on each.
 */
export function missedInstalments(instalments: readonly Instalment[], paidToDate: Fen, today: string): { index: number; dueOn: string; short: Fen }[] {
  let left = paidToDate;
  const missed: { index: number; dueOn: string; short: Fen }[] = [];
  instalments.forEach((inst, index) => {
    const due = inst.principal + inst.interest;
    const covered = left >= due ? due : left > 0n ? left : 0n;
    left -= covered;
    if (inst.dueOn < today && covered < due) missed.push({ index, dueOn: inst.dueOn, short: due - covered });
  });
  return missed;
}
