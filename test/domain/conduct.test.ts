import { describe, expect, it } from "vitest";
import { checkContact, chinaMinuteOfDay, contactDay, inQuietHours, type ConductRules } from "~/domain/conduct";

// Conduct (domain README): only the debtor or a guarantor; no contact between 22:00 and 08:00 China
// time; at most 3 effective contacts per debtor per day.
const rules: ConductRules = { quietFrom: "22:00", quietUntil: "08:00", maxContactsPerDay: 3 };

/** An instant at a China wall-clock time on 2026-11-24 (UTC+8). */
const china = (hhmm: string, day = "2026-11-24") => new Date(`${day}T${hhmm}:00+08:00`);

describe("quiet hours 22:00–08:00 China time", () => {
  it.each([
    ["21:59", true],
    ["22:00", false],
    ["23:59", false],
    ["00:00", false],
    ["07:59", false],
    ["08:00", true],
    ["12:00", true],
  ])("a call to the debtor at %s is allowed: %s", (time, allowed) => {
    expect(checkContact({ at: china(time), party: "debtor", contactsToday: 0 }, rules).allowed).toBe(allowed);
  });

  it("names the hours when it refuses", () => {
    expect(checkContact({ at: china("22:00"), party: "guarantor", contactsToday: 0 }, rules)).toEqual({ allowed: false, reason: "quiet_hours", from: "22:00", until: "08:00" });
  });

  it("reads the clock in China time whatever the server's zone: 14:00 UTC is 22:00 in China", () => {
    expect(chinaMinuteOfDay(new Date("2026-11-24T14:00:00Z"))).toBe(22 * 60);
    expect(inQuietHours(new Date("2026-11-24T13:59:59Z"), rules)).toBe(false);
    expect(inQuietHours(new Date("2026-11-24T14:00:00Z"), rules)).toBe(true);
  });

  it("takes other hours from the settings, also within one day, and none when from = until", () => {
    expect(inQuietHours(china("12:30"), { quietFrom: "12:00", quietUntil: "13:00" })).toBe(true);
    expect(inQuietHours(china("13:00"), { quietFrom: "12:00", quietUntil: "13:00" })).toBe(false);
    expect(inQuietHours(china("03:00"), { quietFrom: "00:00", quietUntil: "00:00" })).toBe(false);
    expect(() => inQuietHours(china("03:00"), { quietFrom: "24:00", quietUntil: "08:00" })).toThrow(RangeError);
  });
});

describe("at most 3 effective contacts per debtor per day", () => {
  it("allows the 3rd and refuses the 4th", () => {
    expect(checkContact({ at: china("10:00"), party: "debtor", contactsToday: 2 }, rules)).toEqual({ allowed: true });
    expect(checkContact({ at: china("10:00"), party: "debtor", contactsToday: 3 }, rules)).toEqual({ allowed: false, reason: "daily_limit", limit: 3 });
  });

  it("counts by China day: 23:30 UTC on the 23rd is already the 24th in China", () => {
    expect(contactDay(new Date("2026-11-23T23:30:00Z"))).toBe("2026-11-24");
    expect(contactDay(new Date("2026-11-23T15:59:59Z"))).toBe("2026-11-23");
  });
});

describe("only the debtor or a guarantor", () => {
  it("refuses a third party first, whatever the time or count", () => {
    expect(checkContact({ at: china("23:00"), party: "third_party", contactsToday: 5 }, rules)).toEqual({ allowed: false, reason: "not_a_party" });
    expect(checkContact({ at: china("09:00"), party: "guarantor", contactsToday: 0 }, rules)).toEqual({ allowed: true });
  });
});
