/** [SETTLE] messages, Simplified Chinese. */
export const settlementStatementsZhCN = {

} as const;
