import type { settlementCommonZhCN } from "./settlement-common.zh-CN";

export const settlementCommonEn: Record<keyof typeof settlementCommonZhCN, string> = {
  "nav.recoveries": "Recoveries",
  "nav.remittances": "Remittances",
  "nav.settlement": "Settlement",
  "nav.statements": "Fee statements",
};
