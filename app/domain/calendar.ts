/**
 * Calendar days of the bank (`YYYY-MM-DD`, China time, no zone): how tapes write them, and the day
 * arithmetic the limitation clock and pricing ages use.
 */

const DAY_MS = 86_400_000;
/** 1899-12-30: day 0 of Excel's 1900 date system (its phantom 29 Feb 1900 is absorbed for serials ≥ 61). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

export type DayParse = { ok: true; day: string } | { ok: false; code: "invalid" | "notACalendarDate" };

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function fromParts(year: number, month: number, day: number): DayParse {
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1 || day > 31) {
    return month < 1 || month > 12 || day < 1 || day > 31 ? { ok: false, code: "notACalendarDate" } : { ok: false, code: "invalid" };
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return { ok: false, code: "notACalendarDate" };
  return { ok: true, day: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
}

function toHalfwidthDigits(text: string): string {
  return text.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30)).replace(/[\uFF0D\uFF0F]/g, (c) => (c === "\uFF0D" ? "-" : "/"));
}

/**
 * A day as a tape gives it: `2024-03-15`, `2024/3/15`, `2024年3月15日`, `20240315`, an Excel serial
 * number (45366), or a Date (an Excel date cell, UTC midnight). `2023-02-29` and `2024-09-31` are
 * refused as not calendar dates.
 */
export function parseTapeDay(value: unknown): DayParse {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { ok: false, code: "invalid" };
    // Excel date cells arrive as UTC instants; a time part (e.g. from a time zone shift) is rounded to the nearest day.
    const rounded = new Date(Math.round(value.getTime() / DAY_MS) * DAY_MS);
    return fromParts(rounded.getUTCFullYear(), rounded.getUTCMonth() + 1, rounded.getUTCDate());
  }
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 1 || value > 120_000) return { ok: false, code: "invalid" };
    const date = new Date(EXCEL_EPOCH_MS + value * DAY_MS);
    return fromParts(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  }
  if (typeof value !== "string") return { ok: false, code: "invalid" };
  const text = toHalfwidthDigits(value).trim();
  let match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (match) return fromParts(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{4}-\d{2}-\d{2})T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (match) return parseTapeDay(match[1]);
  return { ok: false, code: "invalid" };
}

export function isCalendarDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && parseTapeDay(text).ok;
}

function toUtc(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a day: ${JSON.stringify(day)}`);
  return Date.parse(`${day}T00:00:00Z`);
}

const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function addDays(day: string, days: number): string {
  return fromUtc(toUtc(day) + days * DAY_MS);
}

/** The same day N years on; 29 February becomes 28 February in a common year (the month's last day). */
export function addYears(day: string, years: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const year = y + years;
  const lastDay = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return `${pad(year, 4)}-${pad(m)}-${pad(Math.min(d, lastDay))}`;
}

/** to − from in calendar days. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** Completed years from `from` to `to` (0 when `to` is not after `from`). */
export function wholeYearsBetween(from: string, to: string): number {
  if (to <= from) return 0;
  const [fy, fm, fd] = from.split("-").map(Number) as [number, number, number];
  const [ty, tm, td] = to.split("-").map(Number) as [number, number, number];
  let years = ty - fy;
  if (tm < fm || (tm === fm && td < fd)) years -= 1;
  // Born on 29 February: the anniversary in a common year is 28 February.
  if (fm === 2 && fd === 29 && tm === 2 && td === 28 && years >= 0 && addYears(from, years + 1) === to) years += 1;
  return Math.max(0, years);
}

/** The bank's calendar day (China Standard Time, UTC+8, no daylight saving) at an instant. */
export function todayInChina(now: Date): string {
  return fromUtc(now.getTime() + 8 * 3_600_000);
}

/** Midnight of a bank day, as an instant (for settingsAt and date comparisons). */
export function startOfChinaDay(day: string): Date {
  return new Date(toUtc(day) - 8 * 3_600_000);
}
