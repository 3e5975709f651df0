/** Messages of one area (merged into the zh-CN catalog); keys are shared with loan-book.en.ts. */
export const loanBookZhCN = {
} as const;
