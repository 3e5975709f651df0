import { chineseWords } from "~/domain/loan";

/**
 * Labels of the loan's enumerated values (`loans.fiveTier.substandard`, …): in Chinese the very
 * words of the loan tape (app/domain/loan.ts chineseWords), in English plain words. Spread into the
 * loan-book catalogs, so both languages have the same keys by construction.
 */

type Labels<G extends string, W> = { readonly [K in keyof W & string as `loans.${G}.${K}`]: string };

function labels<G extends string, W extends Record<string, string>>(group: G, words: W): Labels<G, W> {
  return Object.fromEntries(Object.entries(words).map(([value, word]) => [`loans.${group}.${value}`, word])) as Labels<G, W>;
}

/** Loan statuses and difficulty statuses have no tape word; these are the product's. */
const statusZh = { IN_BOOK: "在册", PACKAGED: "已组包", IN_TENDER: "竞标中", IN_CUSTODY: "托管中", RETURNED: "已退回", RECOVERED: "已收回", WRITTEN_OFF: "已核销" };
const difficultyStatusZh = { TAPE: "清单给定", SUGGESTED: "系统建议（待认定）", CONFIRMED: "已确认", OVERRIDDEN: "已改定" };

export const loanEnumLabelsZhCN = {
  ...labels("borrowerType", chineseWords.borrowerType),
  ...labels("fiveTier", chineseWords.fiveTier),
  ...labels("termClass", chineseWords.termClass),
  ...labels("balanceSheet", chineseWords.balanceSheet),
  ...labels("collateral", chineseWords.collateral),
  ...labels("litigation", chineseWords.litigation),
  ...labels("difficulty", chineseWords.difficulty),
  ...labels("difficultyReason", chineseWords.difficultyReason),
  ...labels("status", statusZh),
  ...labels("difficultyStatus", difficultyStatusZh),
};

type SameWords<W> = { [K in keyof W]: string };
const english = {
  borrowerType: { individual: "Individual", corporate: "Corporate" },
  fiveTier: { normal: "Normal", special_mention: "Special mention", substandard: "Substandard", doubtful: "Doubtful", loss: "Loss" },
  termClass: { normal: "Normal", overdue: "Overdue", idle: "Idle", bad: "Bad debt" },
  balanceSheet: { on: "On balance sheet", off: "Off balance sheet" },
  collateral: { unsecured: "Unsecured", guarantee: "Guarantee", mortgage: "Mortgage", pledge: "Pledge" },
  litigation: { none: "None", in_suit: "In suit", judged_unenforced: "Judged, not enforced", enforcement_terminated: "Enforcement terminated" },
  difficulty: { recoverable: "Recoverable", hard: "Hard to recover" },
  difficultyReason: { death: "Death", bankruptcy: "Bankruptcy", conviction: "Criminal conviction", guarantor_unable: "Guarantor unable to pay", enforcement_terminated: "Enforcement terminated", other: "Other" },
} satisfies { [G in keyof typeof chineseWords]: SameWords<(typeof chineseWords)[G]> };
const statusEn: SameWords<typeof statusZh> = { IN_BOOK: "In book", PACKAGED: "Packaged", IN_TENDER: "In tender", IN_CUSTODY: "In custody", RETURNED: "Returned", RECOVERED: "Recovered", WRITTEN_OFF: "Written off" };
const difficultyStatusEn: SameWords<typeof difficultyStatusZh> = { TAPE: "Given by the tape", SUGGESTED: "Suggested (unconfirmed)", CONFIRMED: "Confirmed", OVERRIDDEN: "Overridden" };

export const loanEnumLabelsEn: Record<keyof typeof loanEnumLabelsZhCN, string> = {
  ...labels("borrowerType", english.borrowerType),
  ...labels("fiveTier", english.fiveTier),
  ...labels("termClass", english.termClass),
  ...labels("balanceSheet", english.balanceSheet),
  ...labels("collateral", english.collateral),
  ...labels("litigation", english.litigation),
  ...labels("difficulty", english.difficulty),
  ...labels("difficultyReason", english.difficultyReason),
  ...labels("status", statusEn),
  ...labels("difficultyStatus", difficultyStatusEn),
};
