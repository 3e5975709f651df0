import { wholeYearsBetween } from "./calendar";
import type { Difficulty } from "./loan";
import { applyRate, formatRate, parseRate, type Fen, type Rate } from "./money";
import type { Settings } from "./settings";

/**
 * R1: price = round(claim × ratio(difficulty, age band)), once, half up. The claim is principal plus
 * on- and off-balance interest arrears (or principal alone, by setting); the age is whole years from
 * the day the loan fell due (extended maturity, else maturity) to the pricing date.
 */
export const ageBands = ["upTo2", "upTo5", "upTo10", "over10"] as const;
export type AgeBand = (typeof ageBands)[number];

export type PricingSettings = Pick<Settings, "claimBasis" | "ratioRecoverable" | "ratioHard">;

export interface PriceableLoan {
  principal: Fen;
  interestOnBalance: Fen;
  interestOffBalance: Fen;
  maturesOn: string;
  extendedMaturity: string | null;
  difficulty: Difficulty | string;
}

export interface LoanPricing {
  claim: Fen;
  ageYears: number;
  band: AgeBand;
  difficulty: Difficulty;
  /** Exact decimal string of the ratio used, e.g. "0.3". */
  ratio: string;
  price: Fen;
}

/** age ≤ 2 | 2 < age ≤ 5 | 5 < age ≤ 10 | age > 10 (whole years). */
export function ageBand(ageYears: number): AgeBand {
  if (ageYears <= 2) return "upTo2";
  if (ageYears <= 5) return "upTo5";
  if (ageYears <= 10) return "upTo10";
  return "over10";
}

export function ratioFor(settings: PricingSettings, difficulty: Difficulty, band: AgeBand): Rate {
  const table = difficulty === "hard" ? settings.ratioHard : settings.ratioRecoverable;
  return parseRate(table[band]);
}

export function claimOf(loan: Pick<PriceableLoan, "principal" | "interestOnBalance" | "interestOffBalance">, basis: Settings["claimBasis"]): Fen {
  return basis === "principal" ? loan.principal : loan.principal + loan.interestOnBalance + loan.interestOffBalance;
}

export function priceLoan(loan: PriceableLoan, settings: PricingSettings, pricingDate: string): LoanPricing {
  const difficulty: Difficulty = loan.difficulty === "hard" ? "hard" : "recoverable";
  const claim = claimOf(loan, settings.claimBasis);
  const ageYears = wholeYearsBetween(loan.extendedMaturity ?? loan.maturesOn, pricingDate);
  const band = ageBand(ageYears);
  const ratio = ratioFor(settings, difficulty, band);
  return { claim, ageYears, band, difficulty, ratio: formatRate(ratio), price: applyRate(claim, ratio) };
}
