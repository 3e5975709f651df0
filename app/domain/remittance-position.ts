/**
 * R7 per recovery, as of a day: what is still unremitted and the late interest it has cost so far.
 * A recovery is remitted in parts (allocations of remittances, or of a forced deduction); each part is
 * one charge with its own delay (collected_on → the day that part reached the bank), and the part still
 * unremitted is a charge running to `asOf`. Each charge is rounded once, half up (rules.md). Pure.
 *
 * Everything is "as of" a day so a job run for a past day, a bench and a statement agree: parts remitted
 * after `asOf` still count as unremitted on `asOf`, and recoveries collected after `asOf` do not exist yet.
 */
import { lateInterest, type LateInterestSettings } from "./late-interest";
import type { Fen } from "./money";

export interface RemittedPart {
  amount: Fen;
  /** the day this part reached the bank */
  remittedOn: string;
}

export interface RecoveryPosition {
  id: string;
  collectedOn: string;
  amount: Fen;
  parts: readonly RemittedPart[];
}

export interface Charge {
  amount: Fen;
  /** null: still unremitted on asOf */
  remittedOn: string | null;
  delay: number;
  rate: string;
  interest: Fen;
}

export interface RecoveryStanding {
  /** collected and not yet remitted on asOf */
  outstanding: Fen;
  /** days the oldest unremitted money has waited on asOf (0 when nothing is outstanding) */
  delay: number;
  charges: Charge[];
  /** late interest of all charges */
  interest: Fen;
}

/** Settings for a recovery's charges: R7 says the rate in force on its collection day. */
export type SettingsFor = (collectedOn: string) => LateInterestSettings;

export function recoveryStanding(recovery: RecoveryPosition, asOf: string, settingsFor: SettingsFor): RecoveryStanding {
  if (recovery.collectedOn > asOf) return { outstanding: 0n, delay: 0, charges: [], interest: 0n };
  const settings = settingsFor(recovery.collectedOn);
  const charges: Charge[] = [];
  let remitted = 0n;
  for (const part of recovery.parts) {
    if (part.remittedOn > asOf) continue;
    remitted += part.amount;
    charges.push({ amount: part.amount, remittedOn: part.remittedOn, ...lateInterest({ amount: part.amount, collectedOn: recovery.collectedOn, remittedOn: part.remittedOn, today: asOf }, settings) });
  }
  const outstanding = recovery.amount - remitted;
  if (outstanding < 0n) throw new RangeError(`recovery ${recovery.id}: remitted more than collected`);
  let delay = 0;
  if (outstanding > 0n) {
    const open = lateInterest({ amount: outstanding, collectedOn: recovery.collectedOn, remittedOn: null, today: asOf }, settings);
    charges.push({ amount: outstanding, remittedOn: null, ...open });
    delay = open.delay;
  }
  return { outstanding, delay, charges, interest: charges.reduce((sum, c) => sum + c.interest, 0n) };
}

/** A contract's cumulative late interest on asOf: the sum over its recoveries (each charge rounded once). */
export function cumulativeLateInterest(recoveries: readonly RecoveryPosition[], asOf: string, settingsFor: SettingsFor): Fen {
  let total = 0n;
  for (const r of recoveries) total += recoveryStanding(r, asOf, settingsFor).interest;
  return total;
}
