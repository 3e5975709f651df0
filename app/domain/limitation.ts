import { addYears, daysBetween } from "./calendar";

/**
 * R8: the limitation (诉讼时效) runs out `limitationYears` (setting, default 3) after the last
 * interruption. Without a recorded interruption the clock runs from the last payment (a partial
 * payment interrupts it) or, failing that, from the day the loan fell due (extended maturity, else
 * maturity).
 */
export interface LimitationFacts {
  lastInterruptionOn: string | null;
  lastPaymentOn: string | null;
  maturesOn: string;
  extendedMaturity: string | null;
}

export type AnchorSource = "interruption" | "payment" | "maturity";

export function limitationAnchor(loan: LimitationFacts): { day: string; source: AnchorSource } {
  const due = loan.extendedMaturity ?? loan.maturesOn;
  let best: { day: string; source: AnchorSource } = { day: due, source: "maturity" };
  if (loan.lastPaymentOn && loan.lastPaymentOn > best.day) best = { day: loan.lastPaymentOn, source: "payment" };
  if (loan.lastInterruptionOn && loan.lastInterruptionOn >= best.day) best = { day: loan.lastInterruptionOn, source: "interruption" };
  return best;
}

export function limitationExpiry(anchorDay: string, years: number): string {
  return addYears(anchorDay, years);
}

export function expiryOf(loan: LimitationFacts, years: number): string {
  return limitationExpiry(limitationAnchor(loan).day, years);
}

/**
 * Days left and the alert the loan is in: the smallest threshold of `alertDays` (default 90/30/7)
 * that the days left do not exceed; lapsed once the expiry day has passed.
 */
export function limitationStatus(expiry: string, today: string, alertDays: readonly number[]): { daysLeft: number; bucket: number | null; lapsed: boolean } {
  const daysLeft = daysBetween(today, expiry);
  if (daysLeft < 0) return { daysLeft, bucket: null, lapsed: true };
  const within = [...alertDays].sort((a, b) => a - b).find((d) => daysLeft <= d);
  return { daysLeft, bucket: within ?? null, lapsed: false };
}
