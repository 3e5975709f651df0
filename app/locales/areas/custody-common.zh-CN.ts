/** Shared custody messages (access, nav). Keys are shared with custody-common.en.ts. */
export const custodyCommonZhCN = {
  "custody.forbidden": "您无权进行托管清收操作。",
  "custody.loanNotFound": "未找到该贷款，或该贷款不在您托管的合同期内。",
  "perm.custody:view": "查看托管合同",
  "perm.custody:manage": "管理托管：会签合同、审批减免、确认责任事件",
  "nav.contracts": "托管合同",
  "nav.custody": "清收工作台",
  "nav.custodyReview": "托管审核",
} as const;
