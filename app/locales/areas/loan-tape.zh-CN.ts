/** Messages of one area (merged into the zh-CN catalog); keys are shared with loan-tape.en.ts. */
export const loanTapeZhCN = {
} as const;
