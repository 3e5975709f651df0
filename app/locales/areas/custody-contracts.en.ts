import type { custodyContractsZhCN } from "./custody-contracts.zh-CN";

export const custodyContractsEn: Record<keyof typeof custodyContractsZhCN, string> = {
};
