/** [SETTLE] messages, Simplified Chinese. */
export const settlementRecoveriesZhCN = {

} as const;
