/**
 * The settlement views' arithmetic (README "What the bank also tracks": per custody recovered principal
 * and interest, % of task, late remittances, interest charged, deductions; per custodian a scorecard).
 * Pure, bigint fen.
 */
import type { Fen } from "./money";

/** "YYYY-MM" of a day "YYYY-MM-DD". */
export const monthOf = (day: string) => day.slice(0, 7);

/** Every month from `from` to `to` inclusive ("YYYY-MM"); empty when `to` is before `from`. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = from.split("-").map(Number) as [number, number];
  const [ty, tm] = to.split("-").map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    months.push(`${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return months;
}

export interface SeriesPoint {
  month: string;
  /** cumulative verified recoveries (principal + interest) collected up to the end of the month */
  recovered: Fen;
}

/**
 * Recovered vs task over time: the cumulative verified recoveries by collection month, one point per
 * month of the term from its first month to `until` (today, or the term's last day if earlier). A
 * recovery collected before the first month counts in the first point; after `until` it is left out.
 */
export function recoveredSeries(recoveries: readonly { collectedOn: string; amount: Fen }[], startsOn: string, until: string): SeriesPoint[] {
  const months = monthsBetween(monthOf(startsOn), monthOf(until));
  const byMonth = new Map<string, Fen>();
  let before = 0n;
  for (const r of recoveries) {
    if (r.collectedOn > until) continue;
    const month = monthOf(r.collectedOn);
    if (months.length > 0 && month < months[0]!) before += r.amount;
    else byMonth.set(month, (byMonth.get(month) ?? 0n) + r.amount);
  }
  let running = before;
  return months.map((month) => {
    running += byMonth.get(month) ?? 0n;
    return { month, recovered: running };
  });
}

/** Recovered as a share of the task in basis points (1/100 of a percent), rounded down; 0 for no task. */
export function percentOfTaskBp(recovered: Fen, task: Fen): number {
  if (task <= 0n || recovered <= 0n) return 0;
  return Number((recovered * 10_000n) / task);
}

/** Basis points as a percentage with two decimals: 1234 → "12.34%". */
export function formatBp(bp: number): string {
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, "0")}%`;
}

export interface NetRecoveryInput {
  /** audit-verified recoveries, principal + interest */
  recovered: Fen;
  /** commission / fee / preservation rewards / end-of-term bonus on PAID statements (money the bank paid the custodian) */
  earningsPaid: Fen;
  /** late interest booked (charged) on the contract's remittances */
  lateInterest: Fen;
  /** end-of-term penalties on the contract's statements */
  penalties: Fen;
}

/**
 * The bank's net recovery on a contract so far (the product's definition): what the custodian
 * recovered and audit verified, less what the bank has PAID the custodian for it (commission or fee,
 * preservation rewards, bonus), plus what the custodian is charged (late interest booked on late
 * remittances, penalties on statements). Earnings earned but not yet paid are not subtracted; claims
 * not yet collected are counted as charged (they are shown separately as open claims).
 */
export function netRecovery(input: NetRecoveryInput): Fen {
  return input.recovered - input.earningsPaid + input.lateInterest + input.penalties;
}

/** Statement line kinds that are the custodian's earnings (paid out to it). */
export const earningKinds: ReadonlySet<string> = new Set(["commission", "fee", "preservation_reward", "bonus"]);
