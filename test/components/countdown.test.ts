import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CountdownView, clockOffset, countdownParts, formatCountdown } from "~/components/countdown";
import { translator } from "~/infra/i18n";

const zh = translator("zh-CN");
const en = translator("en");
const base = Date.parse("2026-03-01T02:00:00.000Z");

describe("countdownParts", () => {
  it("splits the time left into days, hours, minutes and seconds", () => {
    expect(countdownParts(((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000)).toEqual({ days: 2, hours: 3, minutes: 4, seconds: 5 });
  });
  it("rounds a part second up so that the last second still shows 00:00:01", () => {
    expect(countdownParts(1)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 1 });
    expect(countdownParts(59_001)).toEqual({ days: 0, hours: 0, minutes: 1, seconds: 0 });
  });
  it("is null once the time has passed or is not a time", () => {
    expect(countdownParts(0)).toBeNull();
    expect(countdownParts(-5000)).toBeNull();
    expect(countdownParts(Number.NaN)).toBeNull();
  });
});

describe("formatCountdown", () => {
  it("shows HH:MM:SS under a day", () => {
    expect(formatCountdown(zh, base + (3600 + 61) * 1000, base)).toBe("剩余 01:01:01");
    expect(formatCountdown(en, base + 59 * 1000, base)).toBe("00:00:59 left");
  });
  it("shows the days above a day", () => {
    expect(formatCountdown(zh, base + (26 * 3600) * 1000, base)).toBe("剩余 1 天 02:00:00");
  });
  it("says 已截止 when the time is reached or passed", () => {
    expect(formatCountdown(zh, base, base)).toBe("已截止");
    expect(formatCountdown(zh, base - 1, base)).toBe("已截止");
    expect(formatCountdown(en, base - 1, base)).toBe("Closed");
  });
});

describe("clockOffset", () => {
  it("is the server's time minus the browser's", () => {
    expect(clockOffset(new Date(base), base - 90_000)).toBe(90_000);
    expect(clockOffset(new Date(base).toISOString(), base + 5_000)).toBe(-5_000);
    expect(clockOffset("not a date", base)).toBe(0);
  });
});

describe("<Countdown>", () => {
  it("renders the time left at the server's time (the markup hydration must match)", () => {
    const html = renderToStaticMarkup(
      createElement(CountdownView, { t: zh, until: new Date(base + 90_000), serverTime: new Date(base).toISOString(), testId: "lot-countdown" }),
    );
    expect(html).toContain('data-testid="lot-countdown"');
    expect(html).toContain('data-state="running"');
    expect(html).toContain("剩余 00:01:30");
  });
  it("renders 已截止 when the server's time is past", () => {
    const html = renderToStaticMarkup(createElement(CountdownView, { t: zh, until: new Date(base), serverTime: new Date(base + 1000), testId: "x" }));
    expect(html).toContain('data-state="ended"');
    expect(html).toContain("已截止");
  });
});
