import { describe, expect, it } from "vitest";
import { contractNumber, contractTerms, custodyWindow, parseTerms, topUpOwed } from "~/domain/contract";
import { defaultSettings } from "~/domain/settings";

describe("contract terms (R4, R5)", () => {
  it("staff: winning price ¥300,000 → performance deposit ¥15,000 (5%), task = winning price, 24 months, internal commission tiers", () => {
    const terms = contractTerms({ kind: "staff", winningPrice: 30_000_000n, day: "2026-11-24" }, defaultSettings, 1);
    expect(terms).toMatchObject({
      kind: "staff", settingsVersion: 1, winningPrice: "30000000", task: "30000000", termMonths: 24, performanceDeposit: "1500000",
      depositRule: { kind: "rate", rate: "0.05" }, creditBidDeposit: true, commission: { kind: "internal" },
    });
  });

  it("agency: the fixed bond ¥200,000 whatever the price, agency fee terms", () => {
    const cheap = contractTerms({ kind: "agency", winningPrice: 1_000_000n, day: "2026-11-24" }, defaultSettings, 3);
    const dear = contractTerms({ kind: "agency", winningPrice: 900_000_000n, day: "2026-11-24" }, defaultSettings, 3);
    expect([cheap.performanceDeposit, dear.performanceDeposit]).toEqual(["20000000", "20000000"]);
    expect(cheap).toMatchObject({ settingsVersion: 3, depositRule: { kind: "bond", bond: "20000000" }, commission: { kind: "agency", feeRate: defaultSettings.agencyFeeRate } });
  });

  it("the terms follow the settings given (a 6% rate, a 36-month term) and survive a JSON round trip unchanged", () => {
    const terms = contractTerms({ kind: "staff", winningPrice: 30_000_000n, day: "2026-11-24" }, { ...defaultSettings, internalDepositRate: "0.06", contractTermMonths: 36 }, 2);
    expect([terms.performanceDeposit, terms.termMonths, terms.settingsVersion]).toEqual(["1800000", 36, 2]);
    expect(parseTerms(JSON.stringify(terms))).toEqual(terms);
  });

  it("limitation alert days are listed once each, largest first", () => {
    const terms = contractTerms({ kind: "staff", winningPrice: 1n, day: "2026-11-24" }, { ...defaultSettings, limitationAlertDays: [7, 90, 30, 7] }, 1);
    expect(terms.limitation.alertDays).toEqual([90, 30, 7]);
  });
});

describe("contract number, custody window, top-up", () => {
  it("CTR-YYYY-NNN, three digits at least", () => {
    expect(contractNumber(2026, 1)).toBe("CTR-2026-001");
    expect(contractNumber(2026, 42)).toBe("CTR-2026-042");
    expect(contractNumber(2027, 1234)).toBe("CTR-2027-1234");
  });

  it("the term is 24 months from the start instant, the end exclusive (same day of month, or the month's last)", () => {
    const start = new Date("2026-11-24T03:15:00Z");
    expect(custodyWindow(start, 24)).toEqual({ startsAt: start, endsAt: new Date("2028-11-24T03:15:00Z") });
    // 31 Aug 08:00 China time + 6 months → 28 Feb 08:00 China time (the month's last day).
    expect(custodyWindow(new Date("2026-08-31T00:00:00Z"), 6).endsAt.toISOString()).toBe("2027-02-28T00:00:00.000Z");
    // 20:00 UTC on 31 Jan is 1 Feb 04:00 in China: the China day counts → 1 Mar 04:00 China time.
    expect(custodyWindow(new Date("2027-01-31T20:00:00Z"), 1).endsAt.toISOString()).toBe("2027-02-28T20:00:00.000Z");
  });

  it("top-up owed = deposit − held, never negative", () => {
    expect(topUpOwed(1_500_000n, 500_000n)).toBe(1_000_000n); // ¥15,000 − ¥5,000 = ¥10,000
    expect(topUpOwed(20_000_000n, 500_000n)).toBe(19_500_000n); // ¥200,000 − ¥5,000 = ¥195,000
    expect(topUpOwed(1_500_000n, 1_500_000n)).toBe(0n);
    expect(topUpOwed(100_000n, 500_000n)).toBe(0n); // a bid deposit above a small 5% deposit
  });
});
