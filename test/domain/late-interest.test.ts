import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "~/domain/calendar";
import { deductible, forcedDeduction, lateInterest, matchRemittance, remittanceDelay, topUpDueOn } from "~/domain/late-interest";
import { defaultSettings } from "~/domain/settings";

// R7: delay = remitted_on − collected_on (unremitted: today), calendar days. "5 or more" days late costs
// amount × annual rate (in force on collected_on) × delay / 360, rounded once half up; "more than 10"
// days late, or a loss of funds, allows a forced deduction from the performance deposit.
const settings = defaultSettings; // 5 / 10 / 360 / top-up 10 days; 4.35% since 2000-01-01

describe("remittance delay", () => {
  it("counts calendar days from collection to the bank receiving it", () => {
    expect(remittanceDelay("2026-03-01", "2026-03-01", "2026-04-01")).toBe(0);
    expect(remittanceDelay("2026-02-27", "2026-03-02", "2026-04-01")).toBe(3); // across the end of February (2026 is common)
  });

  it("unremitted money runs until today", () => {
    expect(remittanceDelay("2026-03-01", null, "2026-03-12")).toBe(11);
  });

  it("refuses a remittance before the collection (and an unremitted collection dated after today)", () => {
    expect(() => remittanceDelay("2026-03-05", "2026-03-04", "2026-04-01")).toThrow(RangeError);
    expect(() => remittanceDelay("2026-03-05", null, "2026-03-04")).toThrow(RangeError);
  });
});

describe("late interest on ¥100,000 collected 2026-03-01 at 4.35%", () => {
  const amount = 10_000_000n; // ¥100,000 in fen
  it.each([
    ["2026-03-05", 4, 0n, "4 < 5: nothing"],
    ["2026-03-06", 5, 6_042n, "100,000 × 0.0435 × 5 / 360 = 60.41666… → ¥60.42 (5 or more is inclusive)"],
    ["2026-03-11", 10, 12_083n, "100,000 × 0.0435 × 10 / 360 = 120.8333… → ¥120.83"],
    ["2026-03-12", 11, 13_292n, "100,000 × 0.0435 × 11 / 360 = 132.91666… → ¥132.92"],
  ])("remitted %s: delay %i → %i fen (%s)", (remittedOn, delay, interest) => {
    expect(lateInterest({ amount, collectedOn: "2026-03-01", remittedOn, today: "2026-06-01" }, settings)).toEqual({ delay, rate: "0.0435", interest });
  });

  it("accrues on unremitted money up to today", () => {
    expect(lateInterest({ amount, collectedOn: "2026-03-01", remittedOn: null, today: "2026-03-12" }, settings).interest).toBe(13_292n);
  });

  it("rounds once, not per day: 5 days is ¥60.42, not 5 × round(¥12.0833) = ¥60.40", () => {
    expect(lateInterest({ amount, collectedOn: "2026-03-01", remittedOn: "2026-03-06", today: "2026-06-01" }, settings).interest).not.toBe(5n * 1_208n);
  });

  it("rounds an exact half fen up: ¥240 × 0.0435 × 5 / 360 = 14.5 fen → 15 fen", () => {
    expect(lateInterest({ amount: 24_000n, collectedOn: "2026-03-01", remittedOn: "2026-03-06", today: "2026-06-01" }, settings).interest).toBe(15n);
  });

  it("refuses a negative amount", () => {
    expect(() => lateInterest({ amount: -1n, collectedOn: "2026-03-01", remittedOn: "2026-03-06", today: "2026-06-01" }, settings)).toThrow(RangeError);
  });
});

describe("across a rate change (4.35%, then 3.85% from 2026-03-05)", () => {
  const schedule = {
    ...settings,
    loanRateSchedule: [
      { effectiveFrom: "2000-01-01", annualRate: "0.0435" },
      { effectiveFrom: "2026-03-05", annualRate: "0.0385" },
    ],
  };
  const amount = 10_000_000n;

  it("collected 2026-03-04, remitted 2026-03-15 (11 days, after the change): 4.35% for the whole delay → ¥132.92", () => {
    expect(lateInterest({ amount, collectedOn: "2026-03-04", remittedOn: "2026-03-15", today: "2026-06-01" }, schedule)).toEqual({ delay: 11, rate: "0.0435", interest: 13_292n });
  });

  it("collected 2026-03-05 (the change's first day), remitted 2026-03-16: 100,000 × 0.0385 × 11 / 360 = 117.6388… → ¥117.64", () => {
    expect(lateInterest({ amount, collectedOn: "2026-03-05", remittedOn: "2026-03-16", today: "2026-06-01" }, schedule)).toEqual({ delay: 11, rate: "0.0385", interest: 11_764n });
  });

  it("refuses a collection day with no rate in force", () => {
    expect(() => lateInterest({ amount, collectedOn: "1999-12-31", remittedOn: "2000-01-10", today: "2026-06-01" }, schedule)).toThrow(RangeError);
  });
});

describe("forced deduction (强行扣收)", () => {
  it.each([
    [10, false, false, "10 is not more than 10"],
    [11, false, true, "more than 10"],
    [0, true, true, "a recorded loss of funds, at any delay"],
  ])("delay %i, loss of funds %s → deductible %s (%s)", (delay, lossOfFunds, expected) => {
    expect(deductible({ delay, lossOfFunds }, settings)).toBe(expected);
  });

  it("refuses a negative or fractional delay", () => {
    expect(() => deductible({ delay: -1, lossOfFunds: false }, settings)).toThrow(RangeError);
    expect(() => deductible({ delay: 1.5, lossOfFunds: false }, settings)).toThrow(RangeError);
  });

  it("deposit ¥15,000; unremitted ¥20,000 + interest ¥132.92: the deposit goes to zero, ¥5,132.92 is a claim", () => {
    expect(forcedDeduction({ unremitted: 2_000_000n, lateInterest: 13_292n, depositHeld: 1_500_000n })).toEqual({ total: 2_013_292n, fromDeposit: 1_500_000n, claim: 513_292n });
  });

  it("a deposit large enough covers it all, no claim", () => {
    expect(forcedDeduction({ unremitted: 2_000_000n, lateInterest: 13_292n, depositHeld: 5_000_000n })).toEqual({ total: 2_013_292n, fromDeposit: 2_013_292n, claim: 0n });
  });

  it("refuses negative amounts and a negative deposit", () => {
    expect(() => forcedDeduction({ unremitted: -1n, lateInterest: 0n, depositHeld: 0n })).toThrow(RangeError);
    expect(() => forcedDeduction({ unremitted: 0n, lateInterest: -1n, depositHeld: 0n })).toThrow(RangeError);
    expect(() => forcedDeduction({ unremitted: 1n, lateInterest: 0n, depositHeld: -1n })).toThrow(RangeError);
  });

  it("the top-up is due 10 days after the deduction", () => {
    expect(topUpDueOn("2026-03-12", settings)).toBe("2026-03-22");
    expect(topUpDueOn("2026-02-25", settings)).toBe("2026-03-07");
  });
});

describe("matching a remittance to recoveries", () => {
  const recoveries = [
    { id: "r-b", collectedOn: "2026-03-03", outstanding: 300_000n },
    { id: "r-a", collectedOn: "2026-03-01", outstanding: 200_000n },
    { id: "r-c", collectedOn: "2026-03-05", outstanding: 500_000n },
  ];

  it("FIFO: ¥6,000 pays the oldest (¥2,000) and the next (¥3,000) in full and ¥1,000 of the third", () => {
    expect(matchRemittance(recoveries, { amount: 600_000n })).toEqual({
      allocations: [
        { recoveryId: "r-a", amount: 200_000n },
        { recoveryId: "r-b", amount: 300_000n },
        { recoveryId: "r-c", amount: 100_000n },
      ],
      unapplied: 0n,
    });
  });

  it("FIFO ties on the collection day keep the order given; nothing-outstanding recoveries get no line", () => {
    const same = [
      { id: "x2", collectedOn: "2026-03-01", outstanding: 100n },
      { id: "x0", collectedOn: "2026-03-01", outstanding: 0n },
      { id: "x1", collectedOn: "2026-03-01", outstanding: 100n },
    ];
    expect(matchRemittance(same, { amount: 150n })).toEqual({ allocations: [{ recoveryId: "x2", amount: 100n }, { recoveryId: "x1", amount: 50n }], unapplied: 0n });
  });

  it("named recoveries only, in the order named (not the order collected)", () => {
    expect(matchRemittance(recoveries, { amount: 600_000n, named: ["r-c", "r-a"] })).toEqual({
      allocations: [
        { recoveryId: "r-c", amount: 500_000n },
        { recoveryId: "r-a", amount: 100_000n },
      ],
      unapplied: 0n,
    });
  });

  it("over-payment: everything outstanding is paid and the rest is unapplied", () => {
    expect(matchRemittance(recoveries, { amount: 1_200_000n })).toEqual({
      allocations: [
        { recoveryId: "r-a", amount: 200_000n },
        { recoveryId: "r-b", amount: 300_000n },
        { recoveryId: "r-c", amount: 500_000n },
      ],
      unapplied: 200_000n,
    });
    expect(matchRemittance(recoveries, { amount: 400_000n, named: ["r-a"] })).toEqual({ allocations: [{ recoveryId: "r-a", amount: 200_000n }], unapplied: 200_000n });
  });

  it("an empty list of names is FIFO", () => {
    expect(matchRemittance(recoveries, { amount: 100n, named: [] })).toEqual({ allocations: [{ recoveryId: "r-a", amount: 100n }], unapplied: 0n });
  });

  it("refuses an unknown or repeated name, repeated recovery ids and negative amounts", () => {
    expect(() => matchRemittance(recoveries, { amount: 100n, named: ["r-z"] })).toThrow(RangeError);
    expect(() => matchRemittance(recoveries, { amount: 100n, named: ["r-a", "r-a"] })).toThrow(RangeError);
    expect(() => matchRemittance([...recoveries, recoveries[0]!], { amount: 100n })).toThrow(RangeError);
    expect(() => matchRemittance(recoveries, { amount: -1n })).toThrow(RangeError);
    expect(() => matchRemittance([{ id: "n", collectedOn: "2026-03-01", outstanding: -1n }], { amount: 1n })).toThrow(RangeError);
  });
});

describe("properties", () => {
  const fen = fc.bigInt({ min: 0n, max: 10n ** 11n });
  const recoveriesArb = fc.uniqueArray(
    fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), collectedOn: fc.integer({ min: 0, max: 60 }).map((d) => addDays("2026-01-01", d)), outstanding: fen }),
    { selector: (r) => r.id, maxLength: 8 },
  );

  it("allocations + unapplied = the remittance; none exceeds its recovery's outstanding; named ones only", () => {
    fc.assert(
      fc.property(recoveriesArb, fen, fc.boolean(), fc.nat(), (recoveries, amount, useNames, seed) => {
        const named = useNames ? recoveries.filter((_, i) => (seed >> i) & 1).map((r) => r.id) : undefined;
        const { allocations, unapplied } = matchRemittance(recoveries, { amount, named });
        expect(allocations.reduce((s, a) => s + a.amount, 0n) + unapplied).toBe(amount);
        expect(unapplied).toBeGreaterThanOrEqual(0n);
        for (const a of allocations) {
          const r = recoveries.find((x) => x.id === a.recoveryId)!;
          expect(a.amount).toBeGreaterThan(0n);
          expect(a.amount).toBeLessThanOrEqual(r.outstanding);
          if (named && named.length > 0) expect(named).toContain(a.recoveryId);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("late interest is non-decreasing in the delay", () => {
    fc.assert(
      fc.property(fen, fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), (amount, d1, d2) => {
        const [short, long] = d1 <= d2 ? [d1, d2] : [d2, d1];
        const at = (d: number) => lateInterest({ amount, collectedOn: "2026-03-01", remittedOn: addDays("2026-03-01", d), today: "2027-12-31" }, settings).interest;
        expect(at(short)).toBeLessThanOrEqual(at(long));
      }),
      { numRuns: 300 },
    );
  });

  it("a forced deduction: fromDeposit + claim = total, fromDeposit ≤ deposit, nothing negative", () => {
    fc.assert(
      fc.property(fen, fen, fen, (unremitted, interest, depositHeld) => {
        const d = forcedDeduction({ unremitted, lateInterest: interest, depositHeld });
        expect(d.total).toBe(unremitted + interest);
        expect(d.fromDeposit + d.claim).toBe(d.total);
        expect(d.fromDeposit).toBeLessThanOrEqual(depositHeld);
        expect(d.fromDeposit).toBeGreaterThanOrEqual(0n);
        expect(d.claim).toBeGreaterThanOrEqual(0n);
      }),
      { numRuns: 300 },
    );
  });
});
