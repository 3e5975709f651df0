import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bidderAliases,
  bidIncrement,
  bidRefusalKey,
  closeAfterBid,
  closeLot,
  evaluateBid,
  idempotencyCheck,
  isOpen,
  minimumNextBid,
  nextBidderAfterRenege,
  parseBidAmount,
  type Bidder,
  type BidRecord,
  type LotState,
} from "~/domain/auction";
import { defaultSettings } from "~/domain/settings";

// R3 with the default settings: increment max(¥1,000, 0.5% × reserve) rounded up to ¥100; anti-sniping 5 minutes.
const yuan = (y: number) => BigInt(Math.round(y * 100));
const at = (iso: string) => new Date(iso);
const startsAt = at("2026-12-01T02:00:00Z"); // 10:00 China time
const closesAt = at("2026-12-01T08:00:00Z"); // 16:00 China time
const before = (ms: number) => new Date(closesAt.getTime() - ms);
const min = (m: number, s = 0) => (m * 60 + s) * 1000;

const lot = (over: Partial<LotState> = {}): LotState => ({ reserve: yuan(250_000), highBid: null, startsAt, closesAt, ...over });
const bidder = (bidderId: string, over: Partial<Bidder> = {}): Bidder => ({ bidderId, qualified: true, eligibility: { eligible: true }, ...over });
const noon = at("2026-12-01T04:00:00Z");

describe("R3 increment = max(¥1,000, 0.5% × reserve), rounded up to ¥100", () => {
  it.each([
    [100_000, 1_000], // 0.5% = ¥500 → the minimum
    [200_000, 1_000], // 0.5% = ¥1,000 exactly: the minimum, not ¥1,100
    [200_000.01, 1_100], // 0.5% = ¥1,000.00005 → up to ¥1,100
    [250_000, 1_300], // 0.5% = ¥1,250 → ¥1,300
    [333_333.33, 1_700], // 0.5% = ¥1,666.66665 → ¥1,700
    [400_000, 2_000], // 0.5% = ¥2,000 exactly: stays
    [420_000, 2_100], // 0.5% = ¥2,100 exactly: stays
    [420_000.01, 2_200], // one fen more: the next ¥100
    [1_000_000, 5_000],
    [0.01, 1_000],
  ])("reserve ¥%d → increment ¥%d", (reserve, increment) => {
    expect(bidIncrement(yuan(reserve), defaultSettings)).toBe(yuan(increment));
  });

  it("all three numbers are settings: 1%, no minimum, rounded up to the fen", () => {
    const settings = { incrementMinimumFen: "0", incrementRate: "0.01", incrementRoundUpToFen: "0" };
    expect(bidIncrement(yuan(12_345.67), settings)).toBe(12_346n); // 12,345.67 fen → 12,346
    expect(bidIncrement(yuan(250_000), { ...defaultSettings, incrementMinimumFen: "500000", incrementRoundUpToFen: "100000" })).toBe(yuan(5_000));
  });

  it("is exact for any reserve: a multiple of the step, ≥ the minimum and ≥ 0.5% × reserve, less than one step above the larger", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 13n }), (reserve) => {
        const inc = bidIncrement(reserve, defaultSettings);
        const larger = reserve * 5n > 100_000n * 1000n ? reserve * 5n : 100_000n * 1000n; // in thousandths of a fen
        expect(inc % 10_000n).toBe(0n);
        expect(inc * 1000n >= larger).toBe(true);
        expect(inc * 1000n < larger + 10_000n * 1000n).toBe(true);
      }),
    );
  });

  it("refuses a negative reserve", () => expect(() => bidIncrement(-1n, defaultSettings)).toThrow(RangeError));
});

describe("R3 minimum next bid", () => {
  it("first bid: the reserve itself", () => expect(minimumNextBid({ reserve: yuan(250_000), highBid: null }, defaultSettings)).toBe(yuan(250_000)));
  it("later bids: high + increment of the reserve (¥251,300 + ¥1,300)", () =>
    expect(minimumNextBid({ reserve: yuan(250_000), highBid: yuan(251_300) }, defaultSettings)).toBe(yuan(252_600)));
});

describe("R3 reserve edges", () => {
  it("a first bid of exactly the reserve is accepted; one fen less is refused with the minimum", () => {
    expect(evaluateBid(lot(), bidder("a"), { amount: yuan(250_000) }, noon, defaultSettings)).toMatchObject({ accepted: true, amount: yuan(250_000), outbid: null, nextMinimum: yuan(251_300) });
    expect(evaluateBid(lot(), bidder("a"), { amount: yuan(249_999.99) }, noon, defaultSettings)).toEqual({ accepted: false, reason: "below_minimum", minimum: yuan(250_000) });
  });

  it("a later bid of high + increment is accepted; one fen less is refused", () => {
    const state = lot({ highBid: { bidderId: "a", amount: yuan(250_000) } });
    expect(evaluateBid(state, bidder("b"), { amount: yuan(251_300) }, noon, defaultSettings)).toMatchObject({
      accepted: true, outbid: { bidderId: "a", amount: yuan(250_000) }, nextMinimum: yuan(252_600),
    });
    expect(evaluateBid(state, bidder("b"), { amount: yuan(251_299.99) }, noon, defaultSettings)).toEqual({ accepted: false, reason: "below_minimum", minimum: yuan(251_300) });
  });

  it("any amount above the minimum is accepted (not only multiples of the increment)", () => {
    expect(evaluateBid(lot(), bidder("a"), { amount: yuan(250_000.01) }, noon, defaultSettings).accepted).toBe(true);
  });
});

describe("R3 anti-sniping: a bid with less than 5 minutes left moves the close to 5 minutes after it", () => {
  const bidAt = (now: Date) => evaluateBid(lot(), bidder("a"), { amount: yuan(250_000) }, now, defaultSettings);
  it("5:01 before the close: no extension", () => expect(bidAt(before(min(5, 1)))).toMatchObject({ accepted: true, closesAt, extended: false }));
  it("exactly 5:00 before the close is not in the last 5 minutes: no extension", () =>
    expect(bidAt(before(min(5)))).toMatchObject({ accepted: true, closesAt, extended: false }));
  it("4:59 before the close: the close moves 1 s later, to 5:00 after the bid", () =>
    expect(bidAt(before(min(4, 59)))).toMatchObject({ accepted: true, closesAt: at("2026-12-01T08:00:01Z"), extended: true }));
  it("1 ms before the close: the close moves to 4:59.999 later", () =>
    expect(bidAt(before(1))).toMatchObject({ accepted: true, closesAt: new Date(closesAt.getTime() - 1 + min(5)), extended: true }));
  it("the window is a setting", () => {
    expect(closeAfterBid(closesAt, before(min(9)), { antiSnipingMinutes: 10 })).toEqual(new Date(closesAt.getTime() + min(1)));
    expect(closeAfterBid(closesAt, before(min(9)), defaultSettings)).toEqual(closesAt);
  });
  it("extensions chain: a bid 4:59 before the moved close moves it again", () => {
    const first = bidAt(before(min(4, 59)));
    if (!first.accepted) throw new Error("expected acceptance");
    const second = evaluateBid(
      lot({ closesAt: first.closesAt, highBid: { bidderId: "a", amount: yuan(250_000) } }),
      bidder("b"),
      { amount: yuan(251_300) },
      new Date(first.closesAt.getTime() - min(4, 59)),
      defaultSettings,
    );
    expect(second).toMatchObject({ accepted: true, extended: true, closesAt: at("2026-12-01T08:00:02Z") });
  });
});

describe("R3 refusals, each with its reason", () => {
  it("before the start: not_open (the start itself is open)", () => {
    expect(evaluateBid(lot(), bidder("a"), { amount: yuan(250_000) }, new Date(startsAt.getTime() - 1), defaultSettings)).toEqual({ accepted: false, reason: "not_open", opensAt: startsAt });
    expect(evaluateBid(lot(), bidder("a"), { amount: yuan(250_000) }, startsAt, defaultSettings).accepted).toBe(true);
  });
  it("at or after the close: closed (the server clock decides; closesAt itself is closed)", () => {
    expect(evaluateBid(lot(), bidder("a"), { amount: yuan(250_000) }, closesAt, defaultSettings)).toEqual({ accepted: false, reason: "closed", closedAt: closesAt });
    expect(evaluateBid(lot(), bidder("a"), { amount: yuan(250_000) }, new Date(closesAt.getTime() + 1), defaultSettings)).toMatchObject({ reason: "closed" });
    expect(isOpen(lot(), before(1))).toBe(true);
    expect(isOpen(lot(), closesAt)).toBe(false);
  });
  it("a lot the close job already closed is closed whatever the clock says", () =>
    expect(evaluateBid(lot({ closed: true }), bidder("a"), { amount: yuan(250_000) }, noon, defaultSettings)).toMatchObject({ reason: "closed" }));
  it("no confirmed bid deposit: not_qualified", () =>
    expect(evaluateBid(lot(), bidder("a", { qualified: false }), { amount: yuan(250_000) }, noon, defaultSettings)).toEqual({ accepted: false, reason: "not_qualified" }));
  it("not eligible: not_eligible with the eligibility reasons", () =>
    expect(evaluateBid(lot(), bidder("a", { eligibility: { eligible: false, reasons: ["position_excluded"] } }), { amount: yuan(250_000) }, noon, defaultSettings)).toEqual({
      accepted: false, reason: "not_eligible", reasons: ["position_excluded"],
    }));
  it("the leader may not raise their own high bid: own_high_bid (with the minimum others must reach)", () =>
    expect(evaluateBid(lot({ highBid: { bidderId: "a", amount: yuan(250_000) } }), bidder("a"), { amount: yuan(300_000) }, noon, defaultSettings)).toEqual({
      accepted: false, reason: "own_high_bid", minimum: yuan(251_300),
    }));
  it.each([0n, -1n])("amount %s fen: invalid_amount", (amount) =>
    expect(evaluateBid(lot(), bidder("a"), { amount }, noon, defaultSettings)).toEqual({ accepted: false, reason: "invalid_amount" }));
  it("the first problem wins: invalid_amount, not_open, closed, not_eligible, not_qualified, own_high_bid, below_minimum", () => {
    const everything = bidder("a", { qualified: false, eligibility: { eligible: false, reasons: ["staff_left"] } });
    const led = lot({ highBid: { bidderId: "a", amount: yuan(250_000) } });
    expect(evaluateBid(led, everything, { amount: 0n }, closesAt, defaultSettings)).toMatchObject({ reason: "invalid_amount" });
    expect(evaluateBid(led, everything, { amount: 1n }, new Date(startsAt.getTime() - 1), defaultSettings)).toMatchObject({ reason: "not_open" });
    expect(evaluateBid(led, everything, { amount: 1n }, closesAt, defaultSettings)).toMatchObject({ reason: "closed" });
    expect(evaluateBid(led, everything, { amount: 1n }, noon, defaultSettings)).toMatchObject({ reason: "not_eligible" });
    expect(evaluateBid(led, bidder("a", { qualified: false }), { amount: 1n }, noon, defaultSettings)).toMatchObject({ reason: "not_qualified" });
    expect(evaluateBid(led, bidder("a"), { amount: 1n }, noon, defaultSettings)).toMatchObject({ reason: "own_high_bid" });
    expect(evaluateBid(led, bidder("b"), { amount: 1n }, noon, defaultSettings)).toMatchObject({ reason: "below_minimum" });
  });
  it("each reason has an i18n key", () => expect(bidRefusalKey("below_minimum")).toBe("auction.refused.below_minimum"));
});

describe("the API's amount", () => {
  it.each([
    ["123000.00", 12_300_000n],
    ["123000", 12_300_000n],
    ["¥123,000.5", 12_300_050n],
    ["１２３０００．００", 12_300_000n],
  ])("%s → %s fen", (text, fen) => expect(parseBidAmount(text)).toEqual({ ok: true, amount: fen }));
  it.each(["123000.001", "0", "0.00", "-5", "abc", ""])("%j → invalid_amount (not whole fen, not positive, or junk)", (text) =>
    expect(parseBidAmount(text)).toEqual({ ok: false, reason: "invalid_amount" }));
});

describe("idempotency (the service enforces it; the domain says what a repeated key means)", () => {
  const first = { idempotencyKey: "k1", lotId: "lot1", bidderId: "a", amount: yuan(250_000) };
  it("unknown key: new; same key, same request: replay; same key, anything different: conflict", () => {
    expect(idempotencyCheck(null, first)).toBe("new");
    expect(idempotencyCheck(first, { ...first })).toBe("replay");
    expect(idempotencyCheck(first, { ...first, amount: yuan(251_300) })).toBe("conflict");
    expect(idempotencyCheck(first, { ...first, lotId: "lot2" })).toBe("conflict");
    expect(idempotencyCheck(first, { ...first, bidderId: "b" })).toBe("conflict");
  });
});

// A worked auction, reserve ¥250,000: 竞买人1 = wang, 竞买人2 = li, 竞买人3 = zhao.
const t = (m: number) => new Date(startsAt.getTime() + min(m));
const bids: BidRecord[] = [
  { bidderId: "wang", amount: yuan(250_000), placedAt: t(1) },
  { bidderId: "li", amount: yuan(251_300), placedAt: t(2) },
  { bidderId: "wang", amount: yuan(252_600), placedAt: t(3) },
  { bidderId: "zhao", amount: yuan(260_000), placedAt: t(4) },
];
const shuffled = [bids[2]!, bids[0]!, bids[3]!, bids[1]!];

describe("R3 at the close", () => {
  it("the highest bid wins, in any order given: price, premium, premium rate, distinct bidders", () => {
    expect(closeLot(shuffled, yuan(250_000))).toEqual({
      outcome: "sold", winner: "zhao", winningBid: bids[3], price: yuan(260_000), premium: yuan(10_000), premiumRate: 0.04, bidders: 3,
    });
  });
  it("sold at the reserve: premium 0", () =>
    expect(closeLot([bids[0]!], yuan(250_000))).toMatchObject({ outcome: "sold", winner: "wang", premium: 0n, premiumRate: 0, bidders: 1 }));
  it("no bid: unsold", () => expect(closeLot([], yuan(250_000))).toEqual({ outcome: "unsold", bidders: 0 }));
  it("defensively, equal amounts: the earlier bid wins, then the order given", () => {
    const tie = [
      { bidderId: "late", amount: yuan(300_000), placedAt: t(9) },
      { bidderId: "early", amount: yuan(300_000), placedAt: t(8) },
    ];
    expect(closeLot(tie, yuan(250_000))).toMatchObject({ winner: "early" });
    expect(closeLot([{ ...tie[0]!, placedAt: t(8) }, tie[1]!], yuan(250_000))).toMatchObject({ winner: "late" });
  });
});

describe("public bid history aliases", () => {
  it("竞买人1, 竞买人2 … in order of first bid, whatever order the bids are given in", () => {
    expect(bidderAliases(shuffled)).toEqual(new Map([["wang", "竞买人1"], ["li", "竞买人2"], ["zhao", "竞买人3"]]));
  });
  it("stable: later bids never rename earlier bidders", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "c", "d", "e"), { minLength: 1, maxLength: 30 }), fc.nat(30), (ids, cut) => {
        const all = ids.map((bidderId, i) => ({ bidderId, amount: BigInt(i + 1), placedAt: t(i) }));
        const early = bidderAliases(all.slice(0, cut));
        const later = bidderAliases(all);
        for (const [id, alias] of early) expect(later.get(id)).toBe(alias);
        expect(new Set(later.values()).size).toBe(later.size);
      }),
    );
  });
});

describe("R4 next bidder after a renege", () => {
  it("zhao reneges: wang at wang's own highest bid (¥252,600), not li", () =>
    expect(nextBidderAfterRenege(bids, ["zhao"])).toEqual({ bidderId: "wang", amount: yuan(252_600), bid: bids[2] }));
  it("zhao and wang renege: li at ¥251,300", () => expect(nextBidderAfterRenege(shuffled, ["zhao", "wang"])).toMatchObject({ bidderId: "li", amount: yuan(251_300) }));
  it("nobody left: null", () => expect(nextBidderAfterRenege(bids, new Set(["zhao", "wang", "li"]))).toBeNull());
});

// ---- properties over any sequence of bids ------------------------------------------------------

const attemptArb = fc.record({
  bidderId: fc.constantFrom("a", "b", "c", "d"),
  // relative to the minimum, in steps of ¥100 (−2 … +5), or an arbitrary amount
  amount: fc.oneof(
    { arbitrary: fc.integer({ min: -2, max: 5 }).map((k) => ({ relative: BigInt(k) * 10_000n })), weight: 4 },
    { arbitrary: fc.bigInt({ min: -100n, max: 10n ** 9n }).map((v) => ({ absolute: v })), weight: 1 },
  ),
  // mostly seconds to minutes apart (so bids land in the last 5 minutes and extend), sometimes a long pause past the close
  advanceMs: fc.oneof({ arbitrary: fc.integer({ min: 0, max: min(3) }), weight: 9 }, { arbitrary: fc.integer({ min: 0, max: min(40) }), weight: 1 }),
  qualified: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
});

describe("R3 invariants under any sequence of bids", () => {
  it("accepted bids strictly increase, each ≥ its minimum, only while open; the close never moves earlier; the winner is the highest accepted bid", () => {
    let acceptedTotal = 0;
    let extensions = 0;
    let refusedAfterClose = 0;
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 9n }), fc.array(attemptArb, { maxLength: 80, size: "max" }), (reserve, attempts) => {
        let state: LotState = { reserve, highBid: null, startsAt, closesAt: t(60) };
        let now = new Date(startsAt.getTime() - min(1));
        const accepted: BidRecord[] = [];
        for (const attempt of attempts) {
          now = new Date(now.getTime() + attempt.advanceMs);
          const minimum = minimumNextBid({ reserve, highBid: state.highBid?.amount ?? null }, defaultSettings);
          const amount = "relative" in attempt.amount ? minimum + attempt.amount.relative : attempt.amount.absolute;
          const decision = evaluateBid(state, bidder(attempt.bidderId, { qualified: attempt.qualified }), { amount }, now, defaultSettings);
          if (!decision.accepted) {
            if (decision.reason === "closed") refusedAfterClose += 1;
            continue;
          }
          acceptedTotal += 1;
          if (decision.extended) extensions += 1;
          expect(isOpen(state, now)).toBe(true);
          expect(amount >= minimum).toBe(true);
          expect(decision.closesAt.getTime() >= state.closesAt.getTime()).toBe(true);
          expect(decision.closesAt.getTime() - now.getTime() >= min(5)).toBe(true);
          const last = accepted.at(-1);
          if (last) expect(amount > last.amount).toBe(true);
          accepted.push({ bidderId: attempt.bidderId, amount, placedAt: now });
          state = { ...state, highBid: { bidderId: attempt.bidderId, amount }, closesAt: decision.closesAt };
        }
        const result = closeLot([...accepted].reverse(), reserve);
        const best = accepted.at(-1);
        if (!best) expect(result).toEqual({ outcome: "unsold", bidders: 0 });
        else expect(result).toMatchObject({ outcome: "sold", winner: best.bidderId, price: best.amount, premium: best.amount - reserve });
      }),
    );
    // the runs were not vacuous: bids were accepted, closes were extended, late bids were refused
    expect(acceptedTotal).toBeGreaterThan(100);
    expect(extensions).toBeGreaterThan(10);
    expect(refusedAfterClose).toBeGreaterThan(10);
  });

  it("the next bidder after a renege is never one who reneged, and bids the most among the others", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ bidderId: fc.constantFrom("a", "b", "c", "d"), amount: fc.bigInt({ min: 1n, max: 10n ** 6n }) }), { maxLength: 20 }),
        fc.subarray(["a", "b", "c", "d"]),
        (raw, reneged) => {
          const all = raw.map((b, i) => ({ ...b, placedAt: t(i) }));
          const next = nextBidderAfterRenege(all, reneged);
          const others = all.filter((b) => !reneged.includes(b.bidderId));
          if (others.length === 0) {
            expect(next).toBeNull();
            return;
          }
          expect(next).not.toBeNull();
          expect(reneged).not.toContain(next!.bidderId);
          expect(next!.amount).toBe(others.reduce((m, b) => (b.amount > m ? b.amount : m), 0n));
          expect(next!.amount).toBe(others.filter((b) => b.bidderId === next!.bidderId).reduce((m, b) => (b.amount > m ? b.amount : m), 0n));
        },
      ),
    );
  });
});
