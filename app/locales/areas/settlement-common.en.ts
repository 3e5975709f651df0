import type { settlementCommonZhCN } from "./settlement-common.zh-CN";

export const settlementCommonEn: Record<keyof typeof settlementCommonZhCN, string> = {
  "nav.recoveries": "Recoveries",
  "nav.remittances": "Remittances",
  "nav.settlement": "Settlement",
  "settlement.contractLink": "Recoveries and settlement",
  "nav.statements": "Fee statements",
};
