import { describe, expect, it } from "vitest";
import { addMonths, checkEligibility } from "~/domain/eligibility";

const today = new Date("2026-11-22T00:00:00Z");
const rules = { excludedPositions: ["行长", "管片稽核员"], termEnd: addMonths(today, 24), today };
const staff = (employmentStatus: string | null, position: string | null = "客户经理") =>
  ({ kind: "staff", employmentStatus, position, disabled: false }) as const;
const agency = (licenceValidUntil: string | null, bannedUntil: string | null = null) =>
  ({
    kind: "agency",
    licenceValidUntil: licenceValidUntil ? new Date(`${licenceValidUntil}T00:00:00Z`) : null,
    bannedUntil: bannedUntil ? new Date(`${bannedUntil}T00:00:00Z`) : null,
    disabled: false,
  }) as const;

describe("R3 eligibility of internal staff", () => {
  it("staff on payroll may bid", () => expect(checkEligibility(staff("ON_PAYROLL"), rules)).toEqual({ eligible: true }));
  it("retired staff may bid", () => expect(checkEligibility(staff("RETIRED"), rules)).toEqual({ eligible: true }));
  it("staff who left may not", () =>
    expect(checkEligibility(staff("LEFT"), rules)).toEqual({ eligible: false, reasons: ["staff_left"] }));
  it("the president (行长) is excluded by position", () =>
    expect(checkEligibility(staff("ON_PAYROLL", "行长"), rules)).toEqual({ eligible: false, reasons: ["position_excluded"] }));
  it("an area auditor (管片稽核员) is excluded by position", () =>
    expect(checkEligibility(staff("RETIRED", "管片稽核员"), rules)).toEqual({ eligible: false, reasons: ["position_excluded"] }));
  it("the excluded positions are a setting, not a constant", () =>
    expect(checkEligibility(staff("ON_PAYROLL", "行长"), { ...rules, excludedPositions: [] })).toEqual({ eligible: true }));
});

describe("R3 eligibility of agencies: licence valid through the contract term, no active ban", () => {
  it("a licence valid to the last day of the term qualifies", () =>
    expect(checkEligibility(agency("2028-11-22"), rules)).toEqual({ eligible: true }));
  it("a licence ending one day before the term ends does not", () =>
    expect(checkEligibility(agency("2028-11-21"), rules)).toEqual({ eligible: false, reasons: ["licence_expires_before_term_end"] }));
  it("no licence on record does not", () =>
    expect(checkEligibility(agency(null), rules)).toEqual({ eligible: false, reasons: ["licence_missing"] }));
  it("an active ban does not, an expired ban does", () => {
    expect(checkEligibility(agency("2030-01-01", "2026-12-01"), rules)).toEqual({ eligible: false, reasons: ["agency_banned"] });
    expect(checkEligibility(agency("2030-01-01", "2026-11-01"), rules)).toEqual({ eligible: true });
  });
});

describe("addMonths", () => {
  it("keeps the day of month", () => expect(addMonths(today, 24).toISOString().slice(0, 10)).toBe("2028-11-22"));
  it("clamps to the end of a shorter month", () =>
    expect(addMonths(new Date("2024-01-31T00:00:00Z"), 1).toISOString().slice(0, 10)).toBe("2024-02-29"));
});
