import { describe, expect, it } from "vitest";
import { defaultSettings, loanRateOn, settingsSchema, versionInForce } from "~/domain/settings";
import { settingsFormSchema, settingsToForm } from "~/services/settings/settings-form";

describe("settings defaults are rules.md's", () => {
  it("validate against the settings schema", () => expect(settingsSchema.parse(defaultSettings)).toEqual(defaultSettings));
  it("carry the documented numbers", () => {
    expect(defaultSettings.bidDepositFen).toBe("500000"); // ¥5,000 bid deposit (R3)
    expect(defaultSettings.agencyBondFen).toBe("20000000"); // ¥200,000 bond (R4)
    expect(defaultSettings.agencyFeeRate).toBe("0.12"); // 12% fee (R6)
    expect(defaultSettings.limitationRewardFen).toBe("2000"); // ¥20 per preserved limitation (R6)
    expect(defaultSettings.lateInterestFromDays).toBe(5); // 5 or more days (R7)
    expect(defaultSettings.deductionAfterDays).toBe(10); // more than 10 days (R7)
    expect(defaultSettings.interestDayBasis).toBe(360);
    expect(defaultSettings.limitationAlertDays).toEqual([90, 30, 7]); // R8
  });
});

describe("which version is in force", () => {
  const v = (version: number, from: string, status = "APPROVED") => ({ id: `v${version}`, version, effectiveFrom: new Date(`${from}T00:00:00Z`), status });
  const versions = [v(1, "2000-01-01"), v(2, "2026-12-01"), v(3, "2026-11-01", "PENDING"), v(4, "2026-12-01", "REJECTED")];
  it("the latest approved effective date not after the moment", () => {
    expect(versionInForce(versions, new Date("2026-11-30T23:59:59Z"))?.version).toBe(1);
    expect(versionInForce(versions, new Date("2026-12-01T00:00:00Z"))?.version).toBe(2);
  });
  it("pending and rejected versions never apply", () => {
    expect(versionInForce([v(1, "2000-01-01", "PENDING")], new Date())).toBeNull();
  });
});

describe("the current loan rate is a schedule", () => {
  const schedule = { loanRateSchedule: [{ effectiveFrom: "2024-01-01", annualRate: "0.0435" }, { effectiveFrom: "2026-07-01", annualRate: "0.0400" }] };
  it("uses the rate effective on the day", () => {
    expect(loanRateOn(schedule, "2026-06-30")).toEqual({ numerator: 87n, denominator: 2000n });
    expect(loanRateOn(schedule, "2026-07-01")).toEqual({ numerator: 1n, denominator: 25n });
  });
  it("has no rate before its first entry", () => expect(() => loanRateOn(schedule, "2023-12-31")).toThrow());
});

describe("the settings form", () => {
  const form = (overrides: Record<string, string>) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ ...settingsToForm(defaultSettings), effectiveFrom: "2026-12-01", reason: "调整", ...overrides })) fd.append(k, v);
    return Object.fromEntries(fd.entries());
  };
  it("round-trips the defaults", () => {
    const parsed = settingsFormSchema.parse(form({}));
    expect(parsed.values).toEqual(defaultSettings);
  });
  it("accepts percentages and stores exact decimals", () => {
    expect(settingsFormSchema.parse(form({ agencyFeeRate: "15%" })).values.agencyFeeRate).toBe("0.15");
  });
  it("names the bad field in the user's terms", () => {
    const result = settingsFormSchema.safeParse(form({ bidDepositFen: "5000.5", "ratioHard.upTo5": "abc", antiSnipingMinutes: "x" }));
    expect(result.success).toBe(false);
    const fields = Object.fromEntries(result.error!.issues.map((i) => [String(i.path[0]), i.message]));
    expect(fields).toMatchObject({ bidDepositFen: "settings.invalidFen", "ratioHard.upTo5": "settings.invalidRate", antiSnipingMinutes: "settings.invalidValue" });
  });
  it("parses the rate schedule one line per entry", () => {
    const parsed = settingsFormSchema.parse(form({ loanRateSchedule: "2000-01-01 4.35%\n2026-12-01 0.04" }));
    expect(parsed.values.loanRateSchedule).toEqual([{ effectiveFrom: "2000-01-01", annualRate: "0.0435" }, { effectiveFrom: "2026-12-01", annualRate: "0.04" }]);
  });
});
