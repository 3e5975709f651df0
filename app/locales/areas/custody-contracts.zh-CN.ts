/** custody contract services: generation, signing, countersigning, deposit top-up, custody start and end. Keys are shared with custody-contracts.en.ts. */
export const custodyContractsZhCN = {
} as const;
