import type { custodyCommonZhCN } from "./custody-common.zh-CN";

export const custodyCommonEn: Record<keyof typeof custodyCommonZhCN, string> = {
  "custody.forbidden": "You may not do custody collection work.",
  "custody.loanNotFound": "No such loan, or it is not in your custody during a contract term.",
  "perm.custody:view": "View custody contracts",
  "perm.custody:manage": "Manage custody: countersign contracts, approve waivers, confirm liability events",
  "nav.contracts": "Custody contracts",
  "nav.custody": "Collection workbench",
  "nav.custodyReview": "Custody review",
};
