/** Tenders and the live auction ([AUCTION]). Keys are shared with auction.en.ts. */
export const auctionZhCN = {
  "auction.refused.invalid_amount": "出价金额无效：请输入大于零、最多两位小数的金额。",
  "auction.refused.not_open": "竞价尚未开始，开始时间：{opensAt}。",
  "auction.refused.closed": "竞价已于 {closedAt} 结束，不再接受出价。",
  "auction.refused.not_eligible": "您不符合本次竞标的参与条件：{reasons}",
  "auction.refused.not_qualified": "您尚未交纳本次竞标的竞标定金（或定金尚未确认），暂不能出价。",
  "auction.refused.own_high_bid": "您已是当前最高出价人，无需再次加价（最低加价后金额为 {minimum} 元）。",
  "auction.refused.below_minimum": "出价低于最低可出价金额 {minimum} 元。",
} as const;
