/** [SETTLE] messages, Simplified Chinese. */
export const settlementContractsZhCN = {

} as const;
