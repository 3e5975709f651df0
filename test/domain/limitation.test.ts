import { describe, expect, it } from "vitest";
import { expiryOf, limitationAnchor, limitationStatus } from "~/domain/limitation";

// R8: expiry = last interruption + 3 years (setting); alerts at 90, 30 and 7 days before.
const facts = { lastInterruptionOn: null, lastPaymentOn: null, maturesOn: "2022-05-20", extendedMaturity: null };

describe("R8 limitation clock", () => {
  it("runs from the last interruption: 2024-03-15 + 3 years = 2027-03-15", () => {
    expect(expiryOf({ ...facts, lastInterruptionOn: "2024-03-15" }, 3)).toBe("2027-03-15");
  });
  it("without an interruption, from the last payment, else from the day the loan fell due", () => {
    expect(limitationAnchor(facts)).toEqual({ day: "2022-05-20", source: "maturity" });
    expect(limitationAnchor({ ...facts, extendedMaturity: "2023-05-20" })).toEqual({ day: "2023-05-20", source: "maturity" });
    expect(limitationAnchor({ ...facts, lastPaymentOn: "2023-01-10" })).toEqual({ day: "2023-01-10", source: "payment" });
    expect(limitationAnchor({ ...facts, lastPaymentOn: "2023-01-10", lastInterruptionOn: "2022-12-01" })).toEqual({ day: "2023-01-10", source: "payment" });
  });
  it("a 29 February interruption expires on 28 February", () => {
    expect(expiryOf({ ...facts, lastInterruptionOn: "2024-02-29" }, 3)).toBe("2027-02-28");
  });
  it.each([
    ["2026-12-14", 91, null, false],
    ["2026-12-15", 90, 90, false],
    ["2027-02-12", 31, 90, false],
    ["2027-02-13", 30, 30, false],
    ["2027-03-08", 7, 7, false],
    ["2027-03-15", 0, 7, false],
    ["2027-03-16", -1, null, true],
  ])("on %s: %i days left, alert %s, lapsed %s", (today, daysLeft, bucket, lapsed) => {
    expect(limitationStatus("2027-03-15", today, [90, 30, 7])).toEqual({ daysLeft, bucket, lapsed });
  });
});
