import type { custodyLiabilityZhCN } from "./custody-liability.zh-CN";

export const custodyLiabilityEn: Record<keyof typeof custodyLiabilityZhCN, string> = {
};
