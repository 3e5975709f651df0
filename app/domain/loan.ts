/**
 * The loan of the loan book: its enumerations (with the Chinese and English words a tape may use)
 * and the validated record a tape row or an API row becomes. Shared by the tape validator, the
 * import, the loan book, pricing and (later) bundling.
 */

export const borrowerTypes = ["individual", "corporate"] as const;
export const fiveTiers = ["normal", "special_mention", "substandard", "doubtful", "loss"] as const;
export const termClasses = ["normal", "overdue", "idle", "bad"] as const;
export const balanceSheets = ["on", "off"] as const;
export const collaterals = ["unsecured", "guarantee", "mortgage", "pledge"] as const;
export const litigations = ["none", "in_suit", "judged_unenforced", "enforcement_terminated"] as const;
export const difficulties = ["recoverable", "hard"] as const;
export const difficultyReasons = ["death", "bankruptcy", "conviction", "guarantor_unable", "enforcement_terminated", "other"] as const;
export const loanStatuses = ["IN_BOOK", "PACKAGED", "IN_TENDER", "IN_CUSTODY", "RETURNED", "RECOVERED", "WRITTEN_OFF"] as const;
export const interruptionKinds = ["notice_receipt", "payment", "acknowledgement", "lawsuit", "payment_order"] as const;

export type BorrowerType = (typeof borrowerTypes)[number];
export type FiveTier = (typeof fiveTiers)[number];
export type TermClass = (typeof termClasses)[number];
export type BalanceSheet = (typeof balanceSheets)[number];
export type Collateral = (typeof collaterals)[number];
export type Litigation = (typeof litigations)[number];
export type Difficulty = (typeof difficulties)[number];
export type DifficultyReason = (typeof difficultyReasons)[number];
export type LoanStatus = (typeof loanStatuses)[number];
export type InterruptionKind = (typeof interruptionKinds)[number];

/** The Chinese word of each enumerated value, as loan-tape.md writes it (a tape may use either). */
export const chineseWords = {
  borrowerType: { individual: "个人", corporate: "企业" },
  fiveTier: { normal: "正常", special_mention: "关注", substandard: "次级", doubtful: "可疑", loss: "损失" },
  termClass: { normal: "正常", overdue: "逾期", idle: "呆滞", bad: "呆账" },
  balanceSheet: { on: "表内", off: "表外" },
  collateral: { unsecured: "信用", guarantee: "保证", mortgage: "抵押", pledge: "质押" },
  litigation: { none: "无", in_suit: "诉讼中", judged_unenforced: "已判决未执行", enforcement_terminated: "终结执行" },
  difficulty: { recoverable: "有收回潜力", hard: "收回难度大" },
  difficultyReason: { death: "死亡", bankruptcy: "破产", conviction: "触犯刑律", guarantor_unable: "担保人无力代偿", enforcement_terminated: "终结执行", other: "其他" },
} as const;

/** Statuses in which a loan belongs to a package, a tender or a custody: a re-import may not change it. */
export const lockedStatuses: readonly LoanStatus[] = ["PACKAGED", "IN_TENDER", "IN_CUSTODY"];

export function isLocked(status: string): boolean {
  return (lockedStatuses as readonly string[]).includes(status);
}

/**
 * One loan as a valid tape row gives it. Money is fen; days are `YYYY-MM-DD`; personal data in
 * clear (the import encrypts it). `difficulty` is null when the tape leaves it to the product.
 */
export interface LoanFields {
  loanNumber: string;
  borrowerName: string;
  borrowerType: BorrowerType;
  borrowerIdNumber: string;
  phone: string | null;
  /** The branch as the tape names it (code or name); the import resolves it. */
  branch: string;
  region: string;
  principal: bigint;
  interestOnBalance: bigint;
  interestOffBalance: bigint;
  disbursedOn: string;
  maturesOn: string;
  extendedMaturity: string | null;
  lastPaymentOn: string | null;
  lastInterruptionOn: string | null;
  fiveTier: FiveTier;
  termClass: TermClass | null;
  balanceSheet: BalanceSheet;
  writtenOff: boolean;
  collateral: Collateral;
  guarantorName: string | null;
  litigation: Litigation;
  difficulty: Difficulty | null;
  difficultyReason: DifficultyReason | null;
  officer: string | null;
}
