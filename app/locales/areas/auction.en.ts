import type { auctionZhCN } from "./auction.zh-CN";

export const auctionEn: Record<keyof typeof auctionZhCN, string> = {
  "auction.refused.invalid_amount": "Invalid amount: enter an amount above zero with at most two decimals.",
  "auction.refused.not_open": "Bidding has not started yet; it opens at {opensAt}.",
  "auction.refused.closed": "Bidding closed at {closedAt}; no more bids are taken.",
  "auction.refused.not_eligible": "You are not eligible for this tender: {reasons}",
  "auction.refused.not_qualified": "You have no confirmed bid deposit for this tender yet, so you cannot bid.",
  "auction.refused.own_high_bid": "You already hold the highest bid; there is no need to raise it (the next minimum would be ¥{minimum}).",
  "auction.refused.below_minimum": "The bid is below the minimum of ¥{minimum}.",
};
