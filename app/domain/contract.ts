/**
 * R4/R5 custody contract terms, pure. A contract is generated from an accepted award with the settings
 * in force; its terms are frozen as JSON (fen and rates as strings) so a later settings version never
 * changes a signed contract. The document, the PDF and the services all read these terms.
 */
import { performanceDeposit, type BidderKind } from "./award";
import { addMonths } from "./eligibility";
import { formatRate, type Fen } from "./money";
import { loanRateOn, type Settings } from "./settings";

export type CustodianKind = BidderKind;

export interface ContractTerms {
  kind: CustodianKind;
  settingsVersion: number;
  /** fen, digits */
  winningPrice: string;
  /** 承包任务, fen, digits (R5: the winning price by default) */
  task: string;
  /** R5 open point (setting): when false the department sets the task before signing (the contract's task column). */
  taskEqualsWinningPrice: boolean;
  termMonths: number;
  /** 履约保证金 owed in all, fen, digits */
  performanceDeposit: string;
  depositRule: { kind: "rate"; rate: string } | { kind: "bond"; bond: string };
  /** R4: the bid deposit counts toward the performance deposit on signing */
  creditBidDeposit: boolean;
  commission:
    | { kind: "internal"; threshold: string; tier1Rate: string; tier2Rate: string; tier3Rate: string }
    | { kind: "agency"; feeRate: string; limitationReward: string; excessBonusRate: string; shortfallPenaltyRate: string };
  remittance: { lateInterestFromDays: number; deductionAfterDays: number; interestDayBasis: number; topUpDays: number; loanRate: string };
  limitation: { years: number; alertDays: number[] };
  conduct: { quietHoursFrom: string; quietHoursUntil: string; maxContactsPerDay: number; maxAgreementMonths: number };
  fullTimeMinPackages: number;
}

/** The terms of a contract for `winningPrice`, from the settings version in force on `day` (YYYY-MM-DD, China). */
export function contractTerms(input: { kind: CustodianKind; winningPrice: Fen; day: string }, settings: Settings, settingsVersion: number): ContractTerms {
  const deposit = performanceDeposit({ bidderKind: input.kind, winningPrice: input.winningPrice }, settings);
  // R5 open point: the task equals the winning price (setting). When it is off, the department sets
  // the task on the contract before signing (setTask); until then it starts at the winning price.
  const task = input.winningPrice;
  return {
    kind: input.kind,
    settingsVersion,
    winningPrice: input.winningPrice.toString(),
    task: task.toString(),
    taskEqualsWinningPrice: settings.taskEqualsWinningPrice,
    termMonths: settings.contractTermMonths,
    performanceDeposit: deposit.toString(),
    depositRule: input.kind === "agency" ? { kind: "bond", bond: settings.agencyBondFen } : { kind: "rate", rate: settings.internalDepositRate },
    creditBidDeposit: settings.creditBidDepositToPerformance,
    commission:
      input.kind === "agency"
        ? { kind: "agency", feeRate: settings.agencyFeeRate, limitationReward: settings.limitationRewardFen, excessBonusRate: settings.excessBonusRate, shortfallPenaltyRate: settings.shortfallPenaltyRate }
        : { kind: "internal", threshold: settings.bonusThreshold, tier1Rate: settings.bonusTier1Rate, tier2Rate: settings.bonusTier2Rate, tier3Rate: settings.bonusTier3Rate },
    remittance: {
      lateInterestFromDays: settings.lateInterestFromDays,
      deductionAfterDays: settings.deductionAfterDays,
      interestDayBasis: settings.interestDayBasis,
      topUpDays: settings.topUpDays,
      loanRate: formatRate(loanRateOn(settings, input.day)),
    },
    limitation: { years: settings.limitationYears, alertDays: [...new Set(settings.limitationAlertDays)].sort((a, b) => b - a) },
    conduct: { quietHoursFrom: settings.quietHoursFrom, quietHoursUntil: settings.quietHoursUntil, maxContactsPerDay: settings.maxContactsPerDay, maxAgreementMonths: settings.maxAgreementMonths },
    fullTimeMinPackages: settings.fullTimeMinPackages,
  };
}


/** Reads stored terms back (the JSON written by contractTerms). */
export function parseTerms(json: string): ContractTerms {
  return JSON.parse(json) as ContractTerms;
}

/** CTR-YYYY-NNN */
export function contractNumber(year: number, serial: number): string {
  return `CTR-${year}-${String(serial).padStart(3, "0")}`;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

/**
 * The custody term: from the start instant to the same China (UTC+8) clock time `termMonths` months
 * later (exclusive end; the same China calendar day of month, or that month's last day). E.g. a start
 * at 2026-11-24 11:15 China time ends at 2028-11-24 11:15 China time for 24 months.
 */
export function custodyWindow(startsAt: Date, termMonths: number): { startsAt: Date; endsAt: Date } {
  const local = new Date(startsAt.getTime() + CHINA_OFFSET_MS);
  const timeOfDay = local.getTime() - Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const day = addMonths(local, termMonths); // midnight of the target day, in China-shifted time
  return { startsAt, endsAt: new Date(day.getTime() + timeOfDay - CHINA_OFFSET_MS) };
}

export type ContractStatus = "AWAITING_SIGNATURE" | "AWAITING_COUNTERSIGNATURE" | "AWAITING_DEPOSIT" | "ACTIVE" | "ENDED";

/** What is still owed on the performance deposit before custody can start (never negative). */
export function topUpOwed(performanceDepositFen: Fen, heldFen: Fen): Fen {
  const owed = performanceDepositFen - heldFen;
  return owed > 0n ? owed : 0n;
}
