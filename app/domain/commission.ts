/**
 * R6 commission (issue [SETTLE] item 4), as pure rules: the internal contractor's tiered bonus, the
 * payout of a bonus to date, and the agency's fee, limitation rewards and end-of-term bonus or
 * penalty. Money is bigint fen; rates are exact fractions from the settings. Pure, no framework.
 *
 * Decisions at the edges (documented here and in the tests):
 * - Rounding: each charge is rounded ONCE, half up, to the fen. The bonus's three tier parts are not
 *   rounded one by one: the exact rational total (over a common denominator; 0.5T may be half a fen
 *   when T is odd) is rounded once. Rounding part by part can differ by a fen, e.g. T = ¥1,000,000.01,
 *   R = ¥1,000,000.02: 5,000,000.05 + 10,000,000.1 + 0.4 fen = 15,000,000.55 → ¥150,000.01 (part by
 *   part it would be ¥150,000.00).
 * - Threshold: c = R / T is compared exactly, by bigint cross-multiplication, never as a float. R6
 *   reads "if c < 5%: bonus = 0", so exactly 5% earns the bonus ("N or more" includes N).
 * - Tier edges are continuous: at exactly 50% and 100% both neighbouring formulas give the same sum.
 * - A task T ≤ 0 is refused with a RangeError (a contract's task is its winning price, which is at
 *   least the reserve and so positive; R / 0 has no meaning), for the bonus and for the end-of-term
 *   adjustment alike. Negative amounts are refused too: R is a cumulative verified total, never below
 *   zero; a reversal lowers it and payoutDue carries the difference forward.
 */
import { applyRate, parseRate, roundHalfUp, type Fen, type Rate } from "./money";
import type { Settings } from "./settings";

function nonNegative(amount: Fen, what: string): void {
  if (amount < 0n) throw new RangeError(`${what} is not negative`);
}

function positiveTask(T: Fen): void {
  if (T <= 0n) throw new RangeError("a contract's task is more than zero");
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

// ---- internal contract: the tiered bonus ----------------------------------------------------------

export type BonusSettings = Pick<Settings, "bonusThreshold" | "bonusTier1Rate" | "bonusTier2Rate" | "bonusTier3Rate">;

/** Whether c = R / T reaches the threshold (inclusive), compared exactly: R × den ≥ num × T. */
export function reachesBonusThreshold(R: Fen, T: Fen, settings: Pick<Settings, "bonusThreshold">): boolean {
  nonNegative(R, "a recovered total");
  positiveTask(T);
  const threshold = parseRate(settings.bonusThreshold);
  return R * threshold.denominator >= threshold.numerator * T;
}

/**
 * R6 internal contract, on R = cumulative audit-verified recoveries (principal + interest) in the
 * term and T = the task:
 *   c < threshold → 0; else tier1 × min(R, 0.5T) + tier2 × max(0, min(R, T) − 0.5T) + tier3 × max(0, R − T),
 * the exact sum rounded once, half up, to the fen.
 */
export function internalBonus(R: Fen, T: Fen, settings: BonusSettings): Fen {
  if (!reachesBonusThreshold(R, T, settings)) return 0n;
  const r1: Rate = parseRate(settings.bonusTier1Rate);
  const r2: Rate = parseRate(settings.bonusTier2Rate);
  const r3: Rate = parseRate(settings.bonusTier3Rate);
  // Every amount doubled, so that 0.5T is the integer T; the common denominator carries the 2.
  const part1 = min(2n * R, T); // 2 × min(R, 0.5T)
  const part2 = max(0n, 2n * min(R, T) - T); // 2 × max(0, min(R, T) − 0.5T)
  const part3 = 2n * max(0n, R - T); // 2 × max(0, R − T)
  const numerator =
    part1 * r1.numerator * r2.denominator * r3.denominator +
    part2 * r2.numerator * r1.denominator * r3.denominator +
    part3 * r3.numerator * r1.denominator * r2.denominator;
  return roundHalfUp(numerator, 2n * r1.denominator * r2.denominator * r3.denominator);
}

export interface Payout {
  /** Cash paid now: max(0, earned to date − paid to date). */
  payout: Fen;
  /** What was paid beyond what is now earned (after a reversal): set against later earnings, never clawed back. */
  carriedForward: Fen;
}

/** R6: each payout = bonus to date − bonus already paid; a reversal carries forward, never claws back cash. */
export function payoutDue(earnedToDate: Fen, paidToDate: Fen): Payout {
  nonNegative(earnedToDate, "a bonus earned to date");
  nonNegative(paidToDate, "a bonus paid to date");
  return { payout: max(0n, earnedToDate - paidToDate), carriedForward: max(0n, paidToDate - earnedToDate) };
}

// ---- agency contract --------------------------------------------------------------------------------

/** R6 agency fee: fee rate (default 12%) × verified principal + interest recovered, rounded once. */
export function agencyFee(verifiedPrincipalPlusInterest: Fen, settings: Pick<Settings, "agencyFeeRate">): Fen {
  nonNegative(verifiedPrincipalPlusInterest, "a verified recovered amount");
  return applyRate(verifiedPrincipalPlusInterest, parseRate(settings.agencyFeeRate));
}

/** R6: the reward (default ¥20) per loan whose limitation was kept alive during custody. */
export function limitationRewards(loansPreserved: number, settings: Pick<Settings, "limitationRewardFen">): Fen {
  if (!Number.isSafeInteger(loansPreserved) || loansPreserved < 0) throw new RangeError("a count of loans is a non-negative integer");
  return BigInt(settings.limitationRewardFen) * BigInt(loansPreserved);
}

export type EndOfTermAdjustment = { kind: "bonus"; amount: Fen } | { kind: "penalty"; amount: Fen } | { kind: "none"; amount: 0n };

/**
 * R6 agency at term end: excess over the task earns excessBonusRate × (R − T) (default 5%); a
 * shortfall costs shortfallPenaltyRate × (T − R) (default 2%); exactly on task, nothing. Rounded once.
 */
export function endOfTermAdjustment(R: Fen, T: Fen, settings: Pick<Settings, "excessBonusRate" | "shortfallPenaltyRate">): EndOfTermAdjustment {
  nonNegative(R, "a recovered total");
  positiveTask(T);
  if (R > T) return { kind: "bonus", amount: applyRate(R - T, parseRate(settings.excessBonusRate)) };
  if (R < T) return { kind: "penalty", amount: applyRate(T - R, parseRate(settings.shortfallPenaltyRate)) };
  return { kind: "none", amount: 0n };
}
