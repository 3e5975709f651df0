import { describe, expect, it } from "vitest";
import {
  RevalidationGate, displayParams, followMinimum, formatBidTime, initialAmount, typeAmount, type GateTimers,
} from "~/components/live-lot";

/** Timers driven by hand: `advance(ms)` runs what is due. */
function fakeTimers() {
  let now = 0;
  let serial = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: GateTimers = {
    set: (fn, ms) => {
      serial += 1;
      due.set(serial, { at: now + ms, fn });
      return serial;
    },
    clear: (handle) => void due.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now && due.has(id)) {
        due.delete(id);
        t.fn();
      }
    }
  };
  return { timers, advance, pending: () => due.size };
}

describe("RevalidationGate", () => {
  it("debounces a burst of events into one reload", () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const gate = new RevalidationGate(() => (runs += 1), 100, timers);
    gate.request();
    advance(50);
    gate.request();
    advance(50);
    gate.request();
    expect(runs).toBe(0);
    advance(100);
    expect(runs).toBe(1);
    expect(gate.busy).toBe(true);
  });

  it("never starts a second reload while one is in flight; events meanwhile give one more after it", () => {
    const { timers, advance, pending } = fakeTimers();
    let runs = 0;
    const gate = new RevalidationGate(() => (runs += 1), 100, timers);
    gate.request();
    advance(100);
    expect(runs).toBe(1);
    gate.request();
    gate.request();
    advance(500);
    expect(runs).toBe(1);
    expect(pending()).toBe(1); // only the watchdog of the reload in flight
    gate.done();
    advance(100);
    expect(runs).toBe(2);
    gate.done();
    advance(1000);
    expect(runs).toBe(2);
  });

  it("a reload never reported done counts as done after maxFlightMs", () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const gate = new RevalidationGate(() => (runs += 1), 100, timers, 5000);
    gate.request();
    advance(100);
    gate.request();
    advance(4000);
    expect(runs).toBe(1);
    advance(1000);
    expect(gate.busy).toBe(false);
    advance(100);
    expect(runs).toBe(2);
  });

  it("done() without a reload in flight changes nothing; dispose() drops what is pending", () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const gate = new RevalidationGate(() => (runs += 1), 100, timers);
    gate.done();
    advance(200);
    expect(runs).toBe(0);
    gate.request();
    gate.dispose();
    advance(200);
    expect(runs).toBe(0);
  });
});

describe("the bid amount field", () => {
  it("follows the new minimum while untouched", () => {
    let field = initialAmount("100000.00");
    field = followMinimum(field, "101000.00");
    expect(field).toEqual({ value: "101000.00", edited: false, minimum: "101000.00" });
  });

  it("keeps what the user typed when the minimum moves", () => {
    let field = typeAmount(initialAmount("100000.00"), "150000");
    field = followMinimum(field, "101000.00");
    expect(field).toEqual({ value: "150000", edited: true, minimum: "101000.00" });
  });

  it("is unchanged when the minimum is the same", () => {
    const field = typeAmount(initialAmount("100000.00"), "");
    expect(followMinimum(field, "100000.00")).toBe(field);
  });
});

describe("displayParams", () => {
  it("shows the refusal's times in China time and leaves the rest", () => {
    expect(displayParams("zh-CN", { closedAt: "2026-11-24T08:00:00.000Z", minimum: "101000.00" })).toEqual({
      closedAt: "2026/11/24 16:00",
      minimum: "101000.00",
    });
    expect(displayParams("en", undefined)).toBeUndefined();
  });
});

describe("formatBidTime", () => {
  it("is China time to the second", () => {
    expect(formatBidTime("zh-CN", "2026-11-24T08:00:05.000Z")).toBe("2026/11/24 16:00:05");
  });
});
