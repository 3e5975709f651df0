import { describe, expect, it } from "vitest";
import { lapseDuringCustody, liabilityFor } from "~/domain/liability";

// R8: a lapse during custody is a liability event: an internal contractor loses the whole performance
// deposit and owes the loan's priced value; an agency owes principal + interest (deposit first, then a claim).
describe("only a lapse during custody is the custodian's", () => {
  const custody = { startDay: "2026-12-01", endDay: "2028-11-30" };
  it.each([
    ["2026-11-30", false, "expired the day before custody started (lapsed on the start day)"],
    ["2026-12-01", true, "its last day was custody's first day"],
    ["2028-11-29", true, "lapsed on custody's last day"],
    ["2028-11-30", false, "lapsed the day after custody ended"],
  ])("last day %s → liable: %s (%s)", (expiry, liable) => {
    expect(lapseDuringCustody(expiry, custody, "2029-01-01")).toBe(liable);
  });

  it("not before it has happened, and while custody runs (no end yet)", () => {
    expect(lapseDuringCustody("2027-03-01", { startDay: "2026-12-01", endDay: null }, "2027-03-01")).toBe(false);
    expect(lapseDuringCustody("2027-03-01", { startDay: "2026-12-01", endDay: null }, "2027-03-02")).toBe(true);
  });
});

describe("what a confirmed lapse costs", () => {
  const loan = { pricedValue: 1_234_567n, principal: 5_000_000n, interest: 800_000n };

  it("internal contractor: the whole deposit held (¥50,000) is forfeited and the priced value ¥12,345.67 is owed", () => {
    expect(liabilityFor({ kind: "internal", depositHeld: 5_000_000n, loan })).toEqual({ forfeit: 5_000_000n, compensation: 1_234_567n, fromDeposit: 0n, claim: 1_234_567n });
  });

  it("agency: principal + interest ¥58,000 from a ¥200,000 bond, nothing left to claim", () => {
    expect(liabilityFor({ kind: "agency", depositHeld: 20_000_000n, loan })).toEqual({ forfeit: 0n, compensation: 5_800_000n, fromDeposit: 5_800_000n, claim: 0n });
  });

  it("agency: a bond smaller than the compensation goes to zero and the rest is a claim", () => {
    expect(liabilityFor({ kind: "agency", depositHeld: 1_000_000n, loan })).toEqual({ forfeit: 0n, compensation: 5_800_000n, fromDeposit: 1_000_000n, claim: 4_800_000n });
    expect(() => liabilityFor({ kind: "agency", depositHeld: -1n, loan })).toThrow(RangeError);
  });
});
