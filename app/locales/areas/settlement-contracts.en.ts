import type { settlementContractsZhCN } from "./settlement-contracts.zh-CN";

export const settlementContractsEn: Record<keyof typeof settlementContractsZhCN, string> = {

};
