import type { Difficulty, DifficultyReason, Litigation } from "./loan";

/**
 * Domain README step 2: a loan is 收回难度大 (hard) when the borrower is dead, bankrupt or convicted,
 * the guarantor cannot pay, or the court terminated enforcement; otherwise it has recovery potential.
 * The product suggests; the department confirms or overrides with a reason.
 */
export const hardReasons: readonly DifficultyReason[] = ["death", "bankruptcy", "conviction", "guarantor_unable", "enforcement_terminated"];

export function suggestDifficulty(loan: { difficultyReason: DifficultyReason | string | null; litigation: Litigation | string }): Difficulty {
  if (loan.difficultyReason && (hardReasons as readonly string[]).includes(loan.difficultyReason)) return "hard";
  if (loan.litigation === "enforcement_terminated") return "hard";
  return "recoverable";
}
