/** liability events (R8) and full-time applications. Keys are shared with custody-liability.en.ts. */
export const custodyLiabilityZhCN = {
} as const;
