import { describe, expect, it } from "vitest";
import { addYears, daysBetween, parseTapeDay, todayInChina, wholeYearsBetween } from "~/domain/calendar";

describe("tape days", () => {
  it.each([
    ["2024-03-15", "2024-03-15"],
    ["2024/3/5", "2024-03-05"],
    ["2024年3月5日", "2024-03-05"],
    ["20240305", "2024-03-05"],
    ["２０２４－０３－０５", "2024-03-05"],
    ["2024-02-29", "2024-02-29"],
  ])("%s is %s", (input, day) => {
    expect(parseTapeDay(input)).toEqual({ ok: true, day });
  });

  it.each(["2023-02-29", "2024-09-31", "2024-13-01", "2024-00-10", "2024/2/30"])("%s is not a calendar date", (input) => {
    expect(parseTapeDay(input)).toEqual({ ok: false, code: "notACalendarDate" });
  });

  it.each(["", "tomorrow", "15/03/2024", "2024-3", null, 12.5, true])("%j is not a date", (input) => {
    expect(parseTapeDay(input)).toEqual({ ok: false, code: "invalid" });
  });

  it("reads Excel date cells and serial numbers", () => {
    expect(parseTapeDay(new Date(Date.UTC(2024, 2, 15)))).toEqual({ ok: true, day: "2024-03-15" });
    expect(parseTapeDay(45366)).toEqual({ ok: true, day: "2024-03-15" });
    expect(parseTapeDay(45366.5)).toEqual({ ok: false, code: "invalid" });
  });
});

describe("day arithmetic", () => {
  it("adds years, 29 February falling back to 28 February", () => {
    expect(addYears("2024-03-15", 3)).toBe("2027-03-15");
    expect(addYears("2024-02-29", 3)).toBe("2027-02-28");
    expect(addYears("2024-02-29", 4)).toBe("2028-02-29");
  });
  it("counts days and completed years", () => {
    expect(daysBetween("2024-01-01", "2024-03-01")).toBe(60);
    expect(daysBetween("2024-03-01", "2024-01-01")).toBe(-60);
    expect(wholeYearsBetween("2020-06-30", "2022-06-29")).toBe(1);
    expect(wholeYearsBetween("2020-06-30", "2022-06-30")).toBe(2);
    expect(wholeYearsBetween("2024-02-29", "2025-02-28")).toBe(1);
    expect(wholeYearsBetween("2026-01-01", "2025-01-01")).toBe(0);
  });
  it("today is China's calendar day", () => {
    expect(todayInChina(new Date("2026-11-23T15:59:59Z"))).toBe("2026-11-23");
    expect(todayInChina(new Date("2026-11-23T16:00:00Z"))).toBe("2026-11-24");
  });
});
