/**
 * R8 liability events (issue [CUSTODY] item 5): a limitation lapse, or the loss of a foreclosed asset,
 * during custody. Only a lapse that happens during the custody term is the custodian's: one that
 * predates custody (the book holds such loans) is not. What the custodian owes once the department
 * confirms it: an internal contractor loses the whole performance deposit held and owes the loan's
 * priced value; an agency owes the loan's principal plus interest — taken from its deposit first, the
 * rest a claim (R10: a deposit never goes negative). Pure, bigint fen.
 */
import { splitDeduction } from "./ledger";
import type { Fen } from "./money";

export type CustodianKind = "internal" | "agency";

/**
 * Whether the lapse of a limitation whose last day is `expiry` falls to the custodian who held the
 * loan from `startDay` through `endDay` (its last day; null while custody runs): it lapses the next
 * day, which must be after custody started and no later than it ended, and not in the future.
 */
export function lapseDuringCustody(expiry: string, custody: { startDay: string; endDay: string | null }, today: string): boolean {
  const lapsedOn = nextDay(expiry);
  if (lapsedOn > today) return false;
  if (lapsedOn <= custody.startDay) return false;
  return custody.endDay === null || lapsedOn <= custody.endDay;
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export interface LiabilityInput {
  kind: CustodianKind;
  /** What the custodian's deposit account holds now. */
  depositHeld: Fen;
  loan: { pricedValue: Fen; principal: Fen; interest: Fen };
}

export interface Liability {
  /** The deposit forfeited to bank income (internal: all of it). */
  forfeit: Fen;
  /** Compensation owed for the loan, and how it is met: from the deposit, the rest a claim. */
  compensation: Fen;
  fromDeposit: Fen;
  claim: Fen;
}

/** R8: what one confirmed liability event costs the custodian. */
export function liabilityFor(input: LiabilityInput): Liability {
  if (input.depositHeld < 0n) throw new RangeError("a deposit account is never negative");
  if (input.kind === "internal") {
    // The whole deposit is forfeited as the penalty; the priced value is owed on top, as a claim.
    return { forfeit: input.depositHeld, compensation: input.loan.pricedValue, fromDeposit: 0n, claim: input.loan.pricedValue };
  }
  const compensation = input.loan.principal + input.loan.interest;
  const { fromDeposit, claim } = splitDeduction(input.depositHeld, compensation);
  return { forfeit: 0n, compensation, fromDeposit, claim };
}
