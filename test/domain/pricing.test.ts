import { describe, expect, it } from "vitest";
import { ageBand, priceLoan, type PriceableLoan } from "~/domain/pricing";
import { defaultSettings } from "~/domain/settings";
import { suggestDifficulty } from "~/domain/difficulty";

// R1 with the default ratio table: recoverable 30/20/12/6 %, hard 8/5/3/1 %.
const loan = (over: Partial<PriceableLoan> = {}): PriceableLoan => ({
  principal: 8_000_000n, interestOnBalance: 1_500_000n, interestOffBalance: 500_000n, // claim ¥100,000.00
  maturesOn: "2020-06-30", extendedMaturity: null, difficulty: "recoverable", ...over,
});

describe("R1 age bands: ≤2 | 2<age≤5 | 5<age≤10 | >10 whole years", () => {
  it.each([[0, "upTo2"], [2, "upTo2"], [3, "upTo5"], [5, "upTo5"], [6, "upTo10"], [10, "upTo10"], [11, "over10"]])("age %i → %s", (age, band) => {
    expect(ageBand(age)).toBe(band);
  });
});

describe("R1 price = round(claim × ratio), at every band edge", () => {
  // Overdue since 2020-06-30: on 2022-06-30 the loan is exactly 2 years old, a day later still 2.
  it.each([
    ["2022-06-30", "recoverable", 2, "upTo2", "0.3", 3_000_000n],
    ["2023-06-29", "recoverable", 2, "upTo2", "0.3", 3_000_000n],
    ["2023-06-30", "recoverable", 3, "upTo5", "0.2", 2_000_000n],
    ["2025-06-30", "recoverable", 5, "upTo5", "0.2", 2_000_000n],
    ["2026-06-30", "recoverable", 6, "upTo10", "0.12", 1_200_000n],
    ["2030-06-30", "recoverable", 10, "upTo10", "0.12", 1_200_000n],
    ["2031-06-30", "recoverable", 11, "over10", "0.06", 600_000n],
    ["2022-06-30", "hard", 2, "upTo2", "0.08", 800_000n],
    ["2023-06-30", "hard", 3, "upTo5", "0.05", 500_000n],
    ["2026-06-30", "hard", 6, "upTo10", "0.03", 300_000n],
    ["2031-06-30", "hard", 11, "over10", "0.01", 100_000n],
  ] as const)("priced on %s, %s: age %i, band %s, ratio %s → %s fen", (day, difficulty, age, band, ratio, price) => {
    expect(priceLoan(loan({ difficulty }), defaultSettings, day)).toEqual({ claim: 10_000_000n, ageYears: age, band, difficulty, ratio, price });
  });

  it("ages from the extended maturity when there is one", () => {
    expect(priceLoan(loan({ extendedMaturity: "2021-06-30" }), defaultSettings, "2023-06-30").ageYears).toBe(2);
  });

  it("rounds once, half up: ¥12,345.67 × 12% = ¥1,481.48; ¥0.25 × 30% = 7.5 fen → 8 fen", () => {
    const a = priceLoan(loan({ principal: 1_234_567n, interestOnBalance: 0n, interestOffBalance: 0n }), defaultSettings, "2027-01-01");
    expect([a.ratio, a.price]).toEqual(["0.12", 148_148n]);
    const b = priceLoan(loan({ principal: 25n, interestOnBalance: 0n, interestOffBalance: 0n }), defaultSettings, "2021-01-01");
    expect([b.ratio, b.price]).toEqual(["0.3", 8n]);
  });

  it("claim basis 'principal' leaves the interest out", () => {
    expect(priceLoan(loan(), { ...defaultSettings, claimBasis: "principal" }, "2021-01-01")).toMatchObject({ claim: 8_000_000n, price: 2_400_000n });
  });
});

describe("difficulty suggestion (domain README step 2)", () => {
  it.each(["death", "bankruptcy", "conviction", "guarantor_unable", "enforcement_terminated"])("%s → hard", (reason) => {
    expect(suggestDifficulty({ difficultyReason: reason, litigation: "none" })).toBe("hard");
  });
  it("enforcement terminated by the court → hard; otherwise recoverable", () => {
    expect(suggestDifficulty({ difficultyReason: null, litigation: "enforcement_terminated" })).toBe("hard");
    expect(suggestDifficulty({ difficultyReason: "other", litigation: "in_suit" })).toBe("recoverable");
    expect(suggestDifficulty({ difficultyReason: null, litigation: "none" })).toBe("recoverable");
  });
});
