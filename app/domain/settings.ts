/**
 * Every default of rules.md as one typed settings object. Stored as JSON in versioned,
 * effective-dated rows: money as fen in digit strings, rates as exact decimal strings, so nothing
 * passes through a float. A calculation records the version it used.
 */
import { z } from "zod";
import { parseRate, type Rate } from "./money";

const fen = z.string().regex(/^\d+$/, { error: "settings.invalidFen" });
const rate = z.string().refine((v) => {
  try {
    parseRate(v);
    return true;
  } catch {
    return false;
  }
}, { error: "settings.invalidRate" });
const positiveInt = z.number().int().positive();
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "settings.invalidTimeOfDay" });

export const settingsSchema = z.object({
  // R1 pricing
  claimBasis: z.enum(["principal", "principal+interest"]),
  ratioRecoverable: z.object({ upTo2: rate, upTo5: rate, upTo10: rate, over10: rate }),
  ratioHard: z.object({ upTo2: rate, upTo5: rate, upTo10: rate, over10: rate }),
  // R2 bundling
  packageTolerance: rate,
  hardShareTolerance: rate,
  maxLoanShare: rate,
  excludeLitigationFromCustody: z.boolean(),
  // R3 tender and auction
  bidDepositFen: fen,
  incrementMinimumFen: fen,
  incrementRate: rate,
  incrementRoundUpToFen: fen,
  antiSnipingMinutes: positiveInt,
  excludedPositions: z.array(z.string().min(1)),
  // R4 award and deposits
  signingDays: positiveInt,
  internalDepositRate: rate,
  agencyBondFen: fen,
  creditBidDepositToPerformance: z.boolean(),
  onRenege: z.enum(["next-bidder", "re-tender"]),
  // R5 contract
  contractTermMonths: positiveInt,
  taskEqualsWinningPrice: z.boolean(),
  maxAgreementMonths: positiveInt,
  fullTimeMinPackages: positiveInt,
  // Collection conduct (README "Conduct and privacy")
  quietHoursFrom: timeOfDay,
  quietHoursUntil: timeOfDay,
  maxContactsPerDay: positiveInt,
  // R6 commission
  bonusThreshold: rate,
  bonusTier1Rate: rate,
  bonusTier2Rate: rate,
  bonusTier3Rate: rate,
  agencyFeeRate: rate,
  limitationRewardFen: fen,
  excessBonusRate: rate,
  shortfallPenaltyRate: rate,
  // R7 remittance
  lateInterestFromDays: positiveInt,
  deductionAfterDays: positiveInt,
  interestDayBasis: positiveInt,
  topUpDays: positiveInt,
  loanRateSchedule: z.array(z.object({ effectiveFrom: isoDay, annualRate: rate })).min(1),
  // R8 limitation
  limitationYears: positiveInt,
  limitationAlertDays: z.array(positiveInt).min(1),
  // Data room
  confidentialityUndertakingRequired: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

/** rules.md's defaults (the ratio table is the documented placeholder the department replaces). Rates are in canonical form (no trailing zeros). */
export const defaultSettings: Settings = {
  claimBasis: "principal+interest",
  ratioRecoverable: { upTo2: "0.3", upTo5: "0.2", upTo10: "0.12", over10: "0.06" },
  ratioHard: { upTo2: "0.08", upTo5: "0.05", upTo10: "0.03", over10: "0.01" },
  packageTolerance: "0.05",
  hardShareTolerance: "0.1",
  maxLoanShare: "0.25",
  excludeLitigationFromCustody: true,
  bidDepositFen: "500000",
  incrementMinimumFen: "100000",
  incrementRate: "0.005",
  incrementRoundUpToFen: "10000",
  antiSnipingMinutes: 5,
  excludedPositions: ["行长", "管片稽核员"],
  signingDays: 5,
  internalDepositRate: "0.05",
  agencyBondFen: "20000000",
  creditBidDepositToPerformance: true,
  onRenege: "next-bidder",
  contractTermMonths: 24,
  taskEqualsWinningPrice: true,
  maxAgreementMonths: 36,
  fullTimeMinPackages: 3,
  quietHoursFrom: "22:00",
  quietHoursUntil: "08:00",
  maxContactsPerDay: 3,
  bonusThreshold: "0.05",
  bonusTier1Rate: "0.1",
  bonusTier2Rate: "0.2",
  bonusTier3Rate: "0.4",
  agencyFeeRate: "0.12",
  limitationRewardFen: "2000",
  excessBonusRate: "0.05",
  shortfallPenaltyRate: "0.02",
  lateInterestFromDays: 5,
  deductionAfterDays: 10,
  interestDayBasis: 360,
  topUpDays: 10,
  loanRateSchedule: [{ effectiveFrom: "2000-01-01", annualRate: "0.0435" }],
  limitationYears: 3,
  limitationAlertDays: [90, 30, 7],
  confidentialityUndertakingRequired: true,
};

export interface VersionRow {
  id: string;
  version: number;
  effectiveFrom: Date;
  status: string;
}

/** The approved version in force at `date`: the latest effective date not after it (then the highest version). */
export function versionInForce<V extends VersionRow>(versions: readonly V[], date: Date): V | null {
  let best: V | null = null;
  for (const v of versions) {
    if (v.status !== "APPROVED" || v.effectiveFrom.getTime() > date.getTime()) continue;
    if (!best || v.effectiveFrom > best.effectiveFrom || (v.effectiveFrom.getTime() === best.effectiveFrom.getTime() && v.version > best.version)) best = v;
  }
  return best;
}

/** R7's "current loan rate" on a day: the schedule's last entry effective on or before it. */
export function loanRateOn(settings: Pick<Settings, "loanRateSchedule">, day: string): Rate {
  const entries = [...settings.loanRateSchedule].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const entry = entries.filter((e) => e.effectiveFrom <= day).pop();
  if (!entry) throw new RangeError(`no loan rate in force on ${day}`);
  return parseRate(entry.annualRate);
}
