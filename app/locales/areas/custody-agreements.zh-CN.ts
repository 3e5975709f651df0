/** repayment agreements, agreement payments, waiver requests and their approval. Keys are shared with custody-agreements.en.ts. */
export const custodyAgreementsZhCN = {
} as const;
