/**
 * R3 tender and auction, as pure rules: the bid increment, the minimum next bid, whether one bid is
 * accepted (and how it moves the close), who wins at the close, the public bidder aliases and the
 * next bidder after a winner reneges. Money is fen in bigints; no float touches an amount.
 *
 * Decisions at the edges (documented here and in the tests):
 * - Increment = max(minimum, rate × reserve) rounded UP to the step (¥100 by default); an exact
 *   multiple of the step stays as it is (¥400,000 → ¥2,000, not ¥2,100). A step of 0 means "up to
 *   the whole fen". The increment depends on the reserve only, so it is the same all auction long.
 * - Time: the server clock decides. A lot is open from `startsAt` (inclusive) to `closesAt`
 *   (exclusive): a bid at `closesAt` itself is "closed".
 * - Anti-sniping: a bid is "in the last N minutes" when closesAt − now < N minutes, strictly. A bid
 *   exactly 5:00 before the close does not extend it; 4:59 before moves the close to now + 5:00.
 * - The leader may NOT raise their own high bid ("own_high_bid"): R3 only asks for strictly
 *   increasing bids, but a self-raise only costs the leader money and, near the close, would let one
 *   bidder keep extending the auction alone. A double-click with a fresh idempotency key is refused too.
 * - Refusals are checked in this order, the first one wins: invalid_amount, not_open, closed,
 *   not_eligible, not_qualified, own_high_bid, below_minimum.
 */
import { parseRate, parseYuan, type Fen } from "./money";
import type { Settings } from "./settings";

export type IncrementSettings = Pick<Settings, "incrementMinimumFen" | "incrementRate" | "incrementRoundUpToFen">;
export type AuctionSettings = IncrementSettings & Pick<Settings, "antiSnipingMinutes">;

const MINUTE_MS = 60_000;

/** ⌈numerator / denominator⌉ for non-negative numerator and positive denominator. */
function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/**
 * R3 increment: max(¥1,000, 0.5% × reserve) rounded up to ¥100 (all three from settings), exact.
 * ¥100,000 → ¥1,000; ¥250,000 → ¥1,300; ¥333,333.33 → ¥1,700; ¥1,000,000 → ¥5,000.
 */
export function bidIncrement(reserve: Fen, settings: IncrementSettings): Fen {
  if (reserve < 0n) throw new RangeError("a reserve is not negative");
  const minimum = BigInt(settings.incrementMinimumFen);
  const rate = parseRate(settings.incrementRate);
  const step = BigInt(settings.incrementRoundUpToFen) > 0n ? BigInt(settings.incrementRoundUpToFen) : 1n;
  // rate × reserve is reserve × n / d fen; rounded up to the step in one exact division.
  const byRate = ceilDiv(reserve * rate.numerator, rate.denominator * step) * step;
  const larger = byRate > minimum ? byRate : minimum;
  return ceilDiv(larger, step) * step;
}

export interface LotPrice {
  reserve: Fen;
  /** The current high bid's amount, or null before the first bid. */
  highBid: Fen | null;
}

/** First bid ≥ reserve; each later bid ≥ current high + increment. */
export function minimumNextBid(lot: LotPrice, settings: IncrementSettings): Fen {
  return lot.highBid === null ? lot.reserve : lot.highBid + bidIncrement(lot.reserve, settings);
}

// ---- one bid ------------------------------------------------------------------------------------

export interface HighBid {
  bidderId: string;
  amount: Fen;
}

/** What the service loads, inside the same transaction that records the bid. */
export interface LotState {
  reserve: Fen;
  highBid: HighBid | null;
  startsAt: Date;
  /** The current close, already moved by earlier extensions. */
  closesAt: Date;
  /** The close job has run (sold or unsold): refused as "closed" whatever the clock says. */
  closed?: boolean;
}

export interface Bidder {
  bidderId: string;
  /** A confirmed bid deposit for this tender (R3: only then may they bid). */
  qualified: boolean;
  /** checkEligibility's answer plus the tender's own audience and exclusions; the reason codes are shown to the bidder. */
  eligibility: { eligible: true } | { eligible: false; reasons: readonly string[] };
}

/** A bid as the service receives it: the idempotency key is the service's to enforce (see idempotencyCheck). */
export interface BidAttempt {
  amount: Fen;
  idempotencyKey?: string;
}

export type BidRefusalReason =
  | "invalid_amount"
  | "not_open"
  | "closed"
  | "not_eligible"
  | "not_qualified"
  | "own_high_bid"
  | "below_minimum";

export type BidRefusal =
  | { accepted: false; reason: "invalid_amount" }
  | { accepted: false; reason: "not_open"; opensAt: Date }
  | { accepted: false; reason: "closed"; closedAt: Date }
  | { accepted: false; reason: "not_eligible"; reasons: readonly string[] }
  | { accepted: false; reason: "not_qualified" }
  | { accepted: false; reason: "own_high_bid"; minimum: Fen }
  | { accepted: false; reason: "below_minimum"; minimum: Fen };

export interface BidAcceptance {
  accepted: true;
  amount: Fen;
  /** The close after this bid: unchanged, or now + antiSnipingMinutes. */
  closesAt: Date;
  extended: boolean;
  /** The bid this one outbids (to tell that bidder), or null for the first bid. */
  outbid: HighBid | null;
  /** What the next bid must reach now (for the pre-filled form). */
  nextMinimum: Fen;
}

export type BidDecision = BidAcceptance | BidRefusal;

/** i18n key of a refusal, in the style of `eligibility.reason.*`. */
export function bidRefusalKey(reason: BidRefusalReason): `auction.refused.${BidRefusalReason}` {
  return `auction.refused.${reason}`;
}

/** A lot takes bids from startsAt (inclusive) to closesAt (exclusive). */
export function isOpen(lot: Pick<LotState, "startsAt" | "closesAt" | "closed">, now: Date): boolean {
  return !lot.closed && now.getTime() >= lot.startsAt.getTime() && now.getTime() < lot.closesAt.getTime();
}

/**
 * Anti-sniping: a bid with less than N minutes left (strictly) moves the close to now + N minutes.
 * 5:00 before the close: unchanged; 4:59 before: close + 1 s.
 */
export function closeAfterBid(closesAt: Date, now: Date, settings: Pick<Settings, "antiSnipingMinutes">): Date {
  const window = settings.antiSnipingMinutes * MINUTE_MS;
  return closesAt.getTime() - now.getTime() < window ? new Date(now.getTime() + window) : closesAt;
}

/** R3: is this bid accepted now, and if so where does the close move? (Pure: the service applies it atomically.) */
export function evaluateBid(lot: LotState, bidder: Bidder, bid: BidAttempt, now: Date, settings: AuctionSettings): BidDecision {
  if (typeof bid.amount !== "bigint" || bid.amount <= 0n) return { accepted: false, reason: "invalid_amount" };
  if (now.getTime() < lot.startsAt.getTime()) return { accepted: false, reason: "not_open", opensAt: lot.startsAt };
  if (lot.closed || now.getTime() >= lot.closesAt.getTime()) return { accepted: false, reason: "closed", closedAt: lot.closesAt };
  if (!bidder.eligibility.eligible) return { accepted: false, reason: "not_eligible", reasons: [...bidder.eligibility.reasons] };
  if (!bidder.qualified) return { accepted: false, reason: "not_qualified" };
  const minimum = minimumNextBid({ reserve: lot.reserve, highBid: lot.highBid?.amount ?? null }, settings);
  if (lot.highBid && lot.highBid.bidderId === bidder.bidderId) return { accepted: false, reason: "own_high_bid", minimum };
  if (bid.amount < minimum) return { accepted: false, reason: "below_minimum", minimum };
  const closesAt = closeAfterBid(lot.closesAt, now, settings);
  return {
    accepted: true,
    amount: bid.amount,
    closesAt,
    extended: closesAt.getTime() !== lot.closesAt.getTime(),
    outbid: lot.highBid,
    nextMinimum: bid.amount + bidIncrement(lot.reserve, settings),
  };
}

/** The API's amount (`"123000.00"`, or what a person types: `¥123,000`) → fen, or invalid_amount (junk, negative, zero, > 2 decimals). */
export function parseBidAmount(input: string): { ok: true; amount: Fen } | { ok: false; reason: "invalid_amount" } {
  try {
    const amount = parseYuan(input);
    return amount > 0n ? { ok: true, amount } : { ok: false, reason: "invalid_amount" };
  } catch {
    return { ok: false, reason: "invalid_amount" };
  }
}

/** What the service stores with an idempotency key, to answer a retry with the first answer. */
export interface IdempotentBid {
  idempotencyKey: string;
  lotId: string;
  bidderId: string;
  amount: Fen;
}

/**
 * A retry with the same key and the same request replays the first decision; the same key with a
 * different lot, bidder or amount is a conflict (the client reused a key), never a second bid.
 */
export function idempotencyCheck(previous: IdempotentBid | null | undefined, request: IdempotentBid): "new" | "replay" | "conflict" {
  if (!previous) return "new";
  return previous.lotId === request.lotId && previous.bidderId === request.bidderId && previous.amount === request.amount ? "replay" : "conflict";
}

// ---- the close ----------------------------------------------------------------------------------

/** An accepted bid as stored. */
export interface BidRecord {
  bidderId: string;
  amount: Fen;
  placedAt: Date;
}

/** Highest amount first; equal amounts (which strictly increasing bids never produce): earlier first, then input order. */
function ranked<B extends BidRecord>(bids: readonly B[]): B[] {
  return bids
    .map((bid, index) => ({ bid, index }))
    .sort((a, b) =>
      a.bid.amount !== b.bid.amount
        ? a.bid.amount > b.bid.amount ? -1 : 1
        : a.bid.placedAt.getTime() - b.bid.placedAt.getTime() || a.index - b.index,
    )
    .map((x) => x.bid);
}

export type LotResult<B extends BidRecord = BidRecord> =
  | {
      outcome: "sold";
      winner: string;
      winningBid: B;
      price: Fen;
      /** price − reserve */
      premium: Fen;
      /** premium / reserve, for display (0 when the reserve is 0). */
      premiumRate: number;
      /** Distinct bidders who placed an accepted bid. */
      bidders: number;
    }
  | { outcome: "unsold"; bidders: 0 };

/** R3 at the close: the highest accepted bid wins (in any order given); no bid → unsold. */
export function closeLot<B extends BidRecord>(bids: readonly B[], reserve: Fen): LotResult<B> {
  const [best] = ranked(bids);
  if (!best) return { outcome: "unsold", bidders: 0 };
  const premium = best.amount - reserve;
  return {
    outcome: "sold",
    winner: best.bidderId,
    winningBid: best,
    price: best.amount,
    premium,
    premiumRate: reserve === 0n ? 0 : Number(premium) / Number(reserve),
    bidders: new Set(bids.map((b) => b.bidderId)).size,
  };
}

/** The public history's names: 竞买人1, 竞买人2 … in order of each bidder's first bid (stable for the lot). */
export function bidderAliases(bids: readonly BidRecord[]): Map<string, string> {
  const byTime = bids
    .map((bid, index) => ({ bid, index }))
    .sort((a, b) => a.bid.placedAt.getTime() - b.bid.placedAt.getTime() || a.index - b.index);
  const aliases = new Map<string, string>();
  for (const { bid } of byTime) if (!aliases.has(bid.bidderId)) aliases.set(bid.bidderId, `竞买人${aliases.size + 1}`);
  return aliases;
}

/**
 * R4 after a renege: the next-highest distinct bidder (not among those who reneged), at that bidder's
 * own highest bid; null when nobody is left.
 */
export function nextBidderAfterRenege<B extends BidRecord>(bids: readonly B[], reneged: Iterable<string>): { bidderId: string; amount: Fen; bid: B } | null {
  const out = new Set(reneged);
  const next = ranked(bids).find((b) => !out.has(b.bidderId));
  return next ? { bidderId: next.bidderId, amount: next.amount, bid: next } : null;
}
