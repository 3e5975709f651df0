import type { settlementRecoveriesZhCN } from "./settlement-recoveries.zh-CN";

export const settlementRecoveriesEn: Record<keyof typeof settlementRecoveriesZhCN, string> = {

};
