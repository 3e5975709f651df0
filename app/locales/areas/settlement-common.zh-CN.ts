/** [SETTLE] messages, Simplified Chinese. */
export const settlementCommonZhCN = {
  "nav.recoveries": "收回登记",
  "nav.remittances": "交账",
  "nav.settlement": "结算总览",
  "settlement.contractLink": "收回与结算",
  "nav.statements": "清收手续费清单",
} as const;
