import type { custodyAgreementsZhCN } from "./custody-agreements.zh-CN";

export const custodyAgreementsEn: Record<keyof typeof custodyAgreementsZhCN, string> = {
};
