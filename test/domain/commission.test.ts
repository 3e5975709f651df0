import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agencyFee, endOfTermAdjustment, internalBonus, limitationRewards, payoutDue, reachesBonusThreshold } from "~/domain/commission";
import { roundHalfUp } from "~/domain/money";
import { defaultSettings } from "~/domain/settings";

// R6 with the default settings: bonus from 5% of the task; 10% up to half the task, 20% up to the task,
// 40% beyond it. Agencies: 12% fee, ¥20 per preserved limitation, 5% of any excess, 2% of any shortfall.
const yuan = (y: number) => BigInt(Math.round(y * 100));
const T = yuan(1_000_000);

describe("R6 internal bonus, worked examples with T = ¥1,000,000", () => {
  it.each([
    [40_000, 0, "c = 4% < 5%: no bonus"],
    [50_000, 5_000, "c = exactly 5% counts: 10% × 50,000"],
    [500_000, 50_000, "exactly 50%: 10% × 500,000"],
    [800_000, 110_000, "10% × 500,000 + 20% × 300,000"],
    [1_000_000, 150_000, "exactly 100%: 10% × 500,000 + 20% × 500,000"],
    [1_200_000, 230_000, "10% × 500,000 + 20% × 500,000 + 40% × 200,000"],
  ])("R = ¥%d → ¥%d (%s)", (R, bonus) => {
    expect(internalBonus(yuan(R), T, defaultSettings)).toBe(yuan(bonus));
  });
});

describe("R6 threshold: c = R / T compared exactly, 5% or more earns the bonus", () => {
  it("1 fen below 5% (¥49,999.99) → 0; exactly 5% (¥50,000.00) → ¥5,000", () => {
    expect(internalBonus(yuan(49_999.99), T, defaultSettings)).toBe(0n);
    expect(reachesBonusThreshold(yuan(49_999.99), T, defaultSettings)).toBe(false);
    expect(reachesBonusThreshold(yuan(50_000), T, defaultSettings)).toBe(true);
    expect(internalBonus(yuan(50_000), T, defaultSettings)).toBe(yuan(5_000));
  });

  it("no float: T = ¥3.00 (300 fen), 5% is 15 fen: 14 fen → 0, 15 fen → 10% × 15 = 1.5 → 2 fen", () => {
    expect(internalBonus(14n, 300n, defaultSettings)).toBe(0n);
    expect(internalBonus(15n, 300n, defaultSettings)).toBe(2n);
  });

  it("the threshold is a setting: at 10%, ¥50,000 of ¥1,000,000 earns nothing", () => {
    expect(internalBonus(yuan(50_000), T, { ...defaultSettings, bonusThreshold: "0.1" })).toBe(0n);
    expect(internalBonus(yuan(100_000), T, { ...defaultSettings, bonusThreshold: "0.1" })).toBe(yuan(10_000));
  });
});

describe("R6 tier edges are continuous (1 fen either side of 50% and 100%)", () => {
  it.each([
    ["¥499,999.99", "10% × 4,999,999.9 fen", 50_000, 499_999.99],
    ["¥500,000.01", "5,000,000 + 20% × 1 fen = 5,000,000.2 fen", 50_000, 500_000.01],
    ["¥999,999.99", "5,000,000 + 20% × 49,999,999 fen = 14,999,999.8 fen", 150_000, 999_999.99],
    ["¥1,000,000.01", "15,000,000 + 40% × 1 fen = 15,000,000.4 fen", 150_000, 1_000_000.01],
  ])("R = %s: %s → ¥%d", (_label, _exact, bonus, R) => {
    expect(internalBonus(yuan(R), T, defaultSettings)).toBe(yuan(bonus));
  });
});

describe("R6 rounding: the exact total is rounded once, half up", () => {
  it("a half fen rounds up: R = ¥50,000.05 → 10% = 500,000.5 fen → ¥5,000.01", () => {
    expect(internalBonus(yuan(50_000.05), T, defaultSettings)).toBe(yuan(5_000.01));
  });

  it("an odd task makes 0.5T half a fen: T = ¥1,000,000.01, R = ¥1,000,000.02 → ¥150,000.01, not ¥150,000.00 as part by part", () => {
    // 10% × 50,000,000.5 = 5,000,000.05; 20% × 50,000,000.5 = 10,000,000.1; 40% × 1 = 0.4 (fen).
    // Part by part: 5,000,000 + 10,000,000 + 0 = 15,000,000. Once: 15,000,000.55 → 15,000,001.
    const oddT = yuan(1_000_000.01);
    const R = yuan(1_000_000.02);
    const partByPart = roundHalfUp(oddT, 20n) + roundHalfUp(oddT, 10n) + roundHalfUp(4n * (R - oddT), 10n);
    expect(partByPart).toBe(15_000_000n);
    expect(internalBonus(R, oddT, defaultSettings)).toBe(15_000_001n);
  });

  it("with R below half an odd task, 10% × R is rounded once: T = 1,001 fen, R = 405 fen → 40.5 → 41 fen", () => {
    expect(internalBonus(405n, 1_001n, defaultSettings)).toBe(41n);
  });
});

describe("R6 refusals", () => {
  it("a task of zero (or less) is refused: there is no c = R / 0", () => {
    expect(() => internalBonus(yuan(1_000), 0n, defaultSettings)).toThrow(RangeError);
    expect(() => internalBonus(0n, 0n, defaultSettings)).toThrow(RangeError);
    expect(() => internalBonus(yuan(1_000), -1n, defaultSettings)).toThrow(RangeError);
  });
  it("a negative recovered total is refused; zero recovered earns nothing", () => {
    expect(() => internalBonus(-1n, T, defaultSettings)).toThrow(RangeError);
    expect(internalBonus(0n, T, defaultSettings)).toBe(0n);
  });
});

describe("R6 bonus properties", () => {
  // Independent reference for the default rates, in twentieths of a fen: 20 × (10% × min(R, T/2)) = min(2R, T), etc.
  const reference = (R: bigint, T: bigint) => {
    if (R * 20n < T) return 0n;
    const m = R < T ? R : T;
    const twentieths = (2n * R < T ? 2n * R : T) + (4n * m - 2n * T > 0n ? 4n * m - 2n * T : 0n) + 8n * (R > T ? R - T : 0n);
    return roundHalfUp(twentieths, 20n);
  };
  const task = fc.bigInt({ min: 1n, max: 10n ** 12n });
  const recovered = fc.bigInt({ min: 0n, max: 3n * 10n ** 12n });

  it("matches an independent reference calculation to the fen", () => {
    fc.assert(
      fc.property(recovered, task, (R, T) => {
        expect(internalBonus(R, T, defaultSettings)).toBe(reference(R, T));
      }),
      { numRuns: 500 },
    );
  });

  it("is never negative, never more than 40% of R, and non-decreasing in R", () => {
    fc.assert(
      fc.property(recovered, fc.bigInt({ min: 0n, max: 10n ** 10n }), task, (R, more, T) => {
        const bonus = internalBonus(R, T, defaultSettings);
        expect(bonus).toBeGreaterThanOrEqual(0n);
        expect(bonus * 10n).toBeLessThanOrEqual(4n * R + 5n); // 40% × R, plus at most half a fen of rounding
        expect(internalBonus(R + more, T, defaultSettings)).toBeGreaterThanOrEqual(bonus);
      }),
      { numRuns: 500 },
    );
  });
});

describe("R6 payout: bonus to date − bonus already paid; a reversal carries forward, never claws back", () => {
  it("quarter 1 earns ¥5,000 → pays ¥5,000; quarter 2 a reversal lowers it to ¥3,000 → pays 0, carries ¥2,000; quarter 3 earns ¥10,000 → pays ¥5,000", () => {
    const q1 = payoutDue(yuan(5_000), 0n);
    expect(q1).toEqual({ payout: yuan(5_000), carriedForward: 0n });
    const q2 = payoutDue(yuan(3_000), yuan(5_000));
    expect(q2).toEqual({ payout: 0n, carriedForward: yuan(2_000) });
    const q3 = payoutDue(yuan(10_000), yuan(5_000));
    expect(q3).toEqual({ payout: yuan(5_000), carriedForward: 0n });
  });

  it("nothing new earned, nothing paid; negative totals are refused", () => {
    expect(payoutDue(yuan(5_000), yuan(5_000))).toEqual({ payout: 0n, carriedForward: 0n });
    expect(() => payoutDue(-1n, 0n)).toThrow(RangeError);
    expect(() => payoutDue(0n, -1n)).toThrow(RangeError);
  });

  it("property: over any sequence of quarters, cash paid = the highest bonus earned so far, never taken back", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 10n }), { maxLength: 12 }), (earnedByQuarter) => {
        let paid = 0n;
        let highest = 0n;
        for (const earned of earnedByQuarter) {
          const { payout, carriedForward } = payoutDue(earned, paid);
          expect(payout).toBeGreaterThanOrEqual(0n);
          expect(carriedForward).toBeGreaterThanOrEqual(0n);
          expect(payout === 0n || carriedForward === 0n).toBe(true);
          expect(payout - carriedForward).toBe(earned - paid);
          paid += payout;
          highest = earned > highest ? earned : highest;
          expect(paid).toBe(highest);
          expect(paid - earned).toBe(carriedForward);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("R6 agency fee: 12% of verified principal + interest, rounded once", () => {
  it.each([
    [100_000, 12_000],
    [0, 0],
    [1_234.56, 148.15], // 14,814.72 fen → 14,815
    [0.04, 0], // 0.48 fen → 0
    [0.05, 0.01], // 0.6 fen → 1
  ])("¥%d verified → fee ¥%d", (amount, fee) => {
    expect(agencyFee(yuan(amount), defaultSettings)).toBe(yuan(fee));
  });
  it("12% of whole fen is never exactly half a fen; at a 12.5% rate, 12.5% × 4 fen = 0.5 → 1 fen and × 12 fen = 1.5 → 2 fen", () => {
    expect(agencyFee(4n, { agencyFeeRate: "0.125" })).toBe(1n);
    expect(agencyFee(12n, { agencyFeeRate: "0.125" })).toBe(2n);
    expect(agencyFee(yuan(1_000), { agencyFeeRate: "12.5%" })).toBe(yuan(125));
  });
  it("the rate is a setting; a negative amount is refused", () => {
    expect(agencyFee(yuan(100_000), { agencyFeeRate: "0.1" })).toBe(yuan(10_000));
    expect(() => agencyFee(-1n, defaultSettings)).toThrow(RangeError);
  });
});

describe("R6 limitation rewards: ¥20 per loan whose limitation was kept alive", () => {
  it.each([
    [0, 0],
    [1, 20],
    [37, 740],
  ])("%d loans → ¥%d", (count, reward) => {
    expect(limitationRewards(count, defaultSettings)).toBe(yuan(reward));
  });
  it("the count is a non-negative integer", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => limitationRewards(bad, defaultSettings)).toThrow(RangeError);
  });
  it("the reward is a setting", () => expect(limitationRewards(3, { limitationRewardFen: "5000" })).toBe(yuan(150)));
});

describe("R6 agency at term end: 5% of an excess, 2% of a shortfall", () => {
  it("T = ¥1,000,000, R = ¥1,200,000: bonus 5% × 200,000 = ¥10,000", () => {
    expect(endOfTermAdjustment(yuan(1_200_000), T, defaultSettings)).toEqual({ kind: "bonus", amount: yuan(10_000) });
  });
  it("T = ¥1,000,000, R = ¥900,000: penalty 2% × 100,000 = ¥2,000", () => {
    expect(endOfTermAdjustment(yuan(900_000), T, defaultSettings)).toEqual({ kind: "penalty", amount: yuan(2_000) });
  });
  it("exactly on task: nothing either way", () => {
    expect(endOfTermAdjustment(T, T, defaultSettings)).toEqual({ kind: "none", amount: 0n });
  });
  it("rounded once, half up: an excess of 10 fen → 5% = 0.5 fen → 1 fen; a shortfall of 25 fen → 2% = 0.5 fen → 1 fen", () => {
    expect(endOfTermAdjustment(T + 10n, T, defaultSettings)).toEqual({ kind: "bonus", amount: 1n });
    expect(endOfTermAdjustment(T - 25n, T, defaultSettings)).toEqual({ kind: "penalty", amount: 1n });
  });
  it("nothing recovered: the whole task is short (2% × ¥1,000,000 = ¥20,000); a task of zero or a negative R is refused", () => {
    expect(endOfTermAdjustment(0n, T, defaultSettings)).toEqual({ kind: "penalty", amount: yuan(20_000) });
    expect(() => endOfTermAdjustment(0n, 0n, defaultSettings)).toThrow(RangeError);
    expect(() => endOfTermAdjustment(-1n, T, defaultSettings)).toThrow(RangeError);
  });
});
