/**
 * R7 remittance rules, independent of storage: how late a remittance (交账) is, the late interest it
 * costs, when the department may deduct by force (强行扣收) from the performance deposit, how that
 * deduction splits into deposit and claim (R10: a deposit never goes negative), when the top-up is
 * due, and how a remittance is matched to recoveries (first-in first-out unless the remitter names
 * them). Pure, bigint fen, one half-up rounding per charge.
 */
import { addDays, daysBetween } from "./calendar";
import { splitDeduction } from "./ledger";
import { formatRate, interestFor, type Fen } from "./money";
import { loanRateOn, type Settings } from "./settings";

/**
 * Calendar days from the day the custodian collected the money to the day the bank received it
 * (still unremitted: `today`). A remittance before the collection, or an unremitted collection dated
 * after today, is refused.
 */
export function remittanceDelay(collectedOn: string, remittedOn: string | null, today: string): number {
  const until = remittedOn ?? today;
  const delay = daysBetween(collectedOn, until);
  if (delay < 0) {
    throw new RangeError(
      remittedOn === null ? `collected on ${collectedOn}, after today ${today}` : `remitted on ${remittedOn}, before it was collected on ${collectedOn}`,
    );
  }
  return delay;
}

export type LateInterestSettings = Pick<Settings, "lateInterestFromDays" | "interestDayBasis" | "loanRateSchedule">;

export interface LateInterestInput {
  /** The late amount (what was collected and not remitted on time). */
  amount: Fen;
  collectedOn: string;
  /** The day the bank received it; null while unremitted. */
  remittedOn: string | null;
  today: string;
}

export interface LateInterest {
  delay: number;
  /** The annual loan rate in force on the collection day, as a decimal string ("0.0435"). */
  rate: string;
  interest: Fen;
}

/**
 * R7: a delay of lateInterestFromDays or more (inclusive) costs amount × annual rate × delay /
 * interestDayBasis, rounded once half up; the rate is the schedule's one effective on the collection
 * day, for the whole delay (a later rate change does not apply). Less delay costs nothing. The rate
 * is reported either way.
 */
export function lateInterest(input: LateInterestInput, settings: LateInterestSettings): LateInterest {
  if (input.amount < 0n) throw new RangeError("a late amount is not negative");
  const delay = remittanceDelay(input.collectedOn, input.remittedOn, input.today);
  const annualRate = loanRateOn(settings, input.collectedOn);
  const interest = delay >= settings.lateInterestFromDays ? interestFor(input.amount, annualRate, delay, settings.interestDayBasis) : 0n;
  return { delay, rate: formatRate(annualRate), interest };
}

/** R7: more than deductionAfterDays late (exclusive), or any recorded loss of funds, allows a forced deduction. */
export function deductible(input: { delay: number; lossOfFunds: boolean }, settings: Pick<Settings, "deductionAfterDays">): boolean {
  if (!Number.isInteger(input.delay) || input.delay < 0) throw new RangeError(`not a delay: ${input.delay}`);
  return input.lossOfFunds || input.delay > settings.deductionAfterDays;
}

export interface ForcedDeduction {
  /** Unremitted amount plus late interest. */
  total: Fen;
  /** What the performance deposit covers (never more than it holds). */
  fromDeposit: Fen;
  /** The shortfall: a claim on the contractor, or for an agency on its legal representative jointly. */
  claim: Fen;
}

/** R7/R10: the department deducts unremitted + late interest from the performance deposit; the rest is a claim. */
export function forcedDeduction(input: { unremitted: Fen; lateInterest: Fen; depositHeld: Fen }): ForcedDeduction {
  if (input.unremitted < 0n || input.lateInterest < 0n) throw new RangeError("a deduction is not negative");
  if (input.depositHeld < 0n) throw new RangeError("a deposit account is never negative");
  const total = input.unremitted + input.lateInterest;
  return { total, ...splitDeduction(input.depositHeld, total) };
}

/** R7: the custodian owes the deposit's top-up within topUpDays of the deduction. */
export function topUpDueOn(deductedOn: string, settings: Pick<Settings, "topUpDays">): string {
  return addDays(deductedOn, settings.topUpDays);
}

export interface OpenRecovery {
  id: string;
  collectedOn: string;
  /** What of it is still unremitted. */
  outstanding: Fen;
}

export interface Allocation {
  recoveryId: string;
  amount: Fen;
}

/**
 * R7: a remittance pays the oldest collected recoveries first (ties in the order given), unless the
 * remitter names recoveries: then only those, in the order named. No recovery receives more than its
 * outstanding; what is left over is unapplied. Recoveries with nothing outstanding receive no
 * allocation line. An empty `named` list is the same as not naming (FIFO). Unknown or repeated names,
 * repeated recovery ids and negative amounts are refused.
 */
export function matchRemittance(
  recoveries: readonly OpenRecovery[],
  remittance: { amount: Fen; named?: readonly string[] },
): { allocations: Allocation[]; unapplied: Fen } {
  if (remittance.amount < 0n) throw new RangeError("a remittance is not negative");
  const byId = new Map<string, OpenRecovery>();
  for (const r of recoveries) {
    if (r.outstanding < 0n) throw new RangeError(`recovery ${r.id}: outstanding is not negative`);
    if (byId.has(r.id)) throw new RangeError(`recovery ${r.id} given twice`);
    byId.set(r.id, r);
  }

  let order: OpenRecovery[];
  if (remittance.named && remittance.named.length > 0) {
    const seen = new Set<string>();
    order = remittance.named.map((id) => {
      const r = byId.get(id);
      if (!r) throw new RangeError(`unknown recovery named: ${id}`);
      if (seen.has(id)) throw new RangeError(`recovery named twice: ${id}`);
      seen.add(id);
      return r;
    });
  } else {
    // Array.prototype.sort is stable: ties keep the order given.
    order = [...recoveries].sort((a, b) => (a.collectedOn < b.collectedOn ? -1 : a.collectedOn > b.collectedOn ? 1 : 0));
  }

  let left = remittance.amount;
  const allocations: Allocation[] = [];
  for (const r of order) {
    if (left === 0n) break;
    const amount = r.outstanding < left ? r.outstanding : left;
    if (amount === 0n) continue;
    allocations.push({ recoveryId: r.id, amount });
    left -= amount;
  }
  return { allocations, unapplied: left };
}
