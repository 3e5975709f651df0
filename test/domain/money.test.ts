import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MoneyParseError, applyRate, formatRate, formatSummary, formatYuan, interestFor, parsePositiveYuan, parseRate, parseYuan, rate, roundHalfUp, toYuanString,
} from "~/domain/money";

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof MoneyParseError) return e.code;
    throw e;
  }
  return "no error";
};

describe("parsing yuan as people type them (loan-tape.md: `1,234.5` → 123450)", () => {
  it.each([
    ["1234", 123400n],
    ["1,234.5", 123450n],
    ["¥1,234.56", 123456n],
    ["￥1,234.56", 123456n],
    [" 1234.56 ", 123456n],
    ["１２３４．５６", 123456n],
    ["１，２３４", 123400n],
    ["0.05", 5n],
    [".5", 50n],
    ["12.", 1200n],
    ["1,000,000", 100000000n],
    ["0", 0n],
  ])("%s → %s fen", (text, fen) => expect(parseYuan(text)).toBe(fen));

  it.each([
    ["-1", "money.negative"],
    ["¥-5.00", "money.negative"],
    ["1.234", "money.tooManyDecimals"],
    ["", "money.empty"],
    ["   ", "money.empty"],
    ["abc", "money.invalid"],
    ["12a", "money.invalid"],
    ["1,23,4", "money.invalid"],
    ["1e5", "money.invalid"],
    [".", "money.invalid"],
    ["--1", "money.invalid"],
    ["NaN", "money.invalid"],
  ])("%j is refused: %s", (text, expected) => expect(code(() => parseYuan(text))).toBe(expected));

  it("negatives only where allowed", () => {
    expect(parseYuan("-1,234.5", { allowNegative: true })).toBe(-123450n);
    expect(parseYuan("-0", { allowNegative: false })).toBe(0n);
  });
});

describe("amounts that must be positive (a package target, a reserve)", () => {
  it("gives the fen of a positive amount and null for zero, a negative or junk", () => {
    expect(parsePositiveYuan("¥400,000.00")).toBe(40_000_000n);
    expect(parsePositiveYuan("0.01")).toBe(1n);
    expect(parsePositiveYuan("0")).toBeNull();
    expect(parsePositiveYuan("-5")).toBeNull();
    expect(parsePositiveYuan("12.345")).toBeNull();
    expect(parsePositiveYuan("abc")).toBeNull();
  });
});

describe("formatting", () => {
  it.each([
    [123456n, "¥1,234.56", "1234.56"],
    [5n, "¥0.05", "0.05"],
    [100n, "¥1.00", "1.00"],
    [-123456n, "-¥1,234.56", "-1234.56"],
    [123456789012345678n, "¥1,234,567,890,123,456.78", "1234567890123456.78"],
  ])("%s fen → %s (API %s)", (fen, display, api) => {
    expect(formatYuan(fen)).toBe(display);
    expect(toYuanString(fen)).toBe(api);
  });

  it("summaries in 万元 round half up: ¥1,234,567.89 → 123.46万元", () => {
    expect(formatSummary(123456789n, "zh-CN")).toBe("123.46万元");
    expect(formatSummary(123450000n, "zh-CN")).toBe("123.45万元");
    expect(formatSummary(123455000n, "zh-CN")).toBe("123.46万元");
    expect(formatSummary(123456789n, "en")).toBe("¥1.23M");
  });
});

describe("one rounding, half up (四舍五入)", () => {
  it.each([
    [5n, 10n, 1n],
    [4n, 10n, 0n],
    [15n, 10n, 2n],
    [-5n, 10n, -1n],
    [-4n, 10n, 0n],
    [1n, 3n, 0n],
    [2n, 3n, 1n],
  ])("%s / %s → %s", (n, d, q) => expect(roundHalfUp(n, d)).toBe(q));
});

describe("rates are exact", () => {
  it.each([
    ["0.0435", 87n, 2000n],
    ["4.35%", 87n, 2000n],
    ["435bp", 87n, 2000n],
    ["12%", 3n, 25n],
    ["５%", 1n, 20n],
  ])("%s = %s/%s", (text, n, d) => expect(parseRate(text)).toEqual({ numerator: n, denominator: d }));

  it("refuses junk and negative rates", () => {
    expect(() => parseRate("-1%")).toThrow();
    expect(() => parseRate("abc")).toThrow();
  });

  it("prints back as a decimal", () => {
    expect(formatRate(parseRate("4.35%"))).toBe("0.0435");
    expect(formatRate(parseRate("4.35%"), true)).toBe("4.35%");
  });

  it("R1 price = round(claim × ratio): ¥123,456.78 × 30% = ¥37,037.03 (37,037.034 rounds down)", () => {
    expect(applyRate(12345678n, parseRate("30%"))).toBe(3703703n);
  });

  it("R7 late interest = amount × annual rate × days / 360: ¥100,000 × 4.35% × 5 / 360 = ¥60.42", () => {
    // 100000 × 0.0435 × 5 / 360 = 60.416666… → 60.42
    expect(interestFor(10000000n, parseRate("4.35%"), 5, 360)).toBe(6042n);
  });

  it("rounds once at the end, not per step: ¥0.01 × 4.35% × 360 / 360 is ¥0.00, and × 100 days is still one rounding", () => {
    expect(interestFor(1n, parseRate("4.35%"), 360, 360)).toBe(0n);
    expect(interestFor(1000n, parseRate("4.35%"), 100, 360)).toBe(roundHalfUp(1000n * 435n * 100n, 10000n * 360n));
  });
});

describe("properties", () => {
  const fen = fc.bigInt({ min: 0n, max: 10n ** 15n });

  it("format → parse round-trips every amount", () => {
    fc.assert(fc.property(fen, (f) => parseYuan(formatYuan(f)) === f && parseYuan(toYuanString(f)) === f));
  });

  it("negative amounts round-trip where negatives are allowed", () => {
    fc.assert(fc.property(fen, (f) => parseYuan(formatYuan(-f), { allowNegative: true }) === -f));
  });

  it("half-up rounding is within half a unit and ties go away from zero", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (n, d) => {
        const q = roundHalfUp(n, d);
        const twiceError = (q * d - n) * 2n; // 2 × (q − n/d) × d
        const abs = twiceError < 0n ? -twiceError : twiceError;
        if (abs > d) return false;
        if (abs === d) return n >= 0n ? q * d > n : q * d < n; // a tie rounds away from zero
        return true;
      }),
    );
  });

  it("interest is monotonic in days and never negative", () => {
    fc.assert(
      fc.property(fen, fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 0, max: 2000 }), (amount, days, bp) => {
        const r = rate(BigInt(bp), 10000n);
        const a = interestFor(amount, r, days, 360);
        const b = interestFor(amount, r, days + 1, 360);
        return a >= 0n && b >= a;
      }),
    );
  });
});
