// Live events: the in-process bus, and the Redis bus with two instances standing for two web processes
// (real Redis: TEST_REDIS_URL; required when CI=true).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  closeLiveEvents,
  createInProcessLiveEvents,
  createRedisLiveEvents,
  getLiveEvents,
  publish,
  subscribe,
  type LiveEvent,
  type LiveEventBus,
} from "~/infra/live-events.server";

const redisUrl = process.env.TEST_REDIS_URL;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 10 });

it("has a Redis to test against when CI=true", () => {
  expect(process.env.CI !== "true" || Boolean(redisUrl)).toBe(true);
});

describe("in-process live events", () => {
  let bus: LiveEventBus;
  afterEach(async () => {
    await bus?.close();
  });

  it("delivers to the channel's subscribers, in order, and not after unsubscribe", async () => {
    bus = createInProcessLiveEvents();
    const a: LiveEvent[] = [];
    const b: LiveEvent[] = [];
    const other: LiveEvent[] = [];
    const offA = bus.subscribe("lot:1", (e) => a.push(e));
    bus.subscribe("lot:1", (e) => b.push(e));
    bus.subscribe("lot:2", (e) => other.push(e));
    await offA.ready;

    for (let i = 1; i <= 50; i++) await bus.publish("lot:1", { type: "bid", data: { n: i }, id: String(i) });
    await waitFor(() => expect(b).toHaveLength(50));
    expect(a.map((e) => e.id)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
    expect(b).toEqual(a);
    expect(a[0]).toEqual({ type: "bid", data: { n: 1 }, id: "1" });
    expect(other).toHaveLength(0);

    offA();
    offA(); // idempotent
    await bus.publish("lot:1", { type: "closed", data: null });
    await waitFor(() => expect(b).toHaveLength(51));
    await wait(20);
    expect(a).toHaveLength(50);
  });

  it("delivers asynchronously, after publish returns, and keeps order across channels", async () => {
    bus = createInProcessLiveEvents();
    const seen: string[] = [];
    bus.subscribe("x", (e) => seen.push(`x${String(e.data)}`));
    bus.subscribe("y", (e) => seen.push(`y${String(e.data)}`));
    void bus.publish("x", { type: "t", data: 1 });
    void bus.publish("y", { type: "t", data: 2 });
    void bus.publish("x", { type: "t", data: 3 });
    expect(seen).toEqual([]);
    await waitFor(() => expect(seen).toEqual(["x1", "y2", "x3"]));
  });

  it("serializes bigints as strings and gives each listener its own copy", async () => {
    bus = createInProcessLiveEvents();
    const got: LiveEvent[] = [];
    bus.subscribe("c", (e) => {
      (e.data as { amount: string }).amount = "tampered";
    });
    bus.subscribe("c", (e) => got.push(e));
    await bus.publish("c", { type: "bid", data: { amount: 12300000n, at: new Date("2025-01-02T03:04:05Z") } });
    await waitFor(() => expect(got).toHaveLength(1));
    expect(got[0]?.data).toEqual({ amount: "12300000", at: "2025-01-02T03:04:05.000Z" });
  });

  it("a throwing listener does not stop the others", async () => {
    bus = createInProcessLiveEvents();
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const got: LiveEvent[] = [];
    bus.subscribe("c", () => {
      throw new Error("boom");
    });
    bus.subscribe("c", (e) => got.push(e));
    await bus.publish("c", { type: "t", data: 1 });
    await waitFor(() => expect(got).toHaveLength(1));
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });

  it("refuses bad input and use after close", async () => {
    bus = createInProcessLiveEvents();
    await expect(bus.publish("", { type: "t", data: 1 })).rejects.toThrow(/channel/);
    await expect(bus.publish("c", { type: "", data: 1 })).rejects.toThrow(/type/);
    await bus.close();
    await expect(bus.publish("c", { type: "t", data: 1 })).rejects.toThrow(/closed/);
    expect(() => bus.subscribe("c", () => undefined)).toThrow(/closed/);
  });

  it("the process bus is in-process without REDIS_URL and closeLiveEvents replaces it", async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      await closeLiveEvents();
      const first = getLiveEvents();
      const got: LiveEvent[] = [];
      const off = subscribe("lot:9", (e) => got.push(e));
      await off.ready;
      await publish("lot:9", { type: "bid", data: { amount: 5n } });
      await waitFor(() => expect(got).toEqual([{ type: "bid", data: { amount: "5" } }]));
      off();
      await closeLiveEvents();
      expect(getLiveEvents()).not.toBe(first);
      await closeLiveEvents();
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });
});

describe.runIf(redisUrl)("Redis live events (real Redis, two processes)", () => {
  const url = redisUrl ?? "";
  const prefix = `npl-test-${process.pid}-${Date.now()}`;
  let a: LiveEventBus;
  let b: LiveEventBus;

  beforeAll(() => {
    a = createRedisLiveEvents(url, { prefix });
    b = createRedisLiveEvents(url, { prefix });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("an event published on A reaches A's and B's subscribers exactly once, in order", async () => {
    const onA: LiveEvent[] = [];
    const onA2: LiveEvent[] = [];
    const onB: LiveEvent[] = [];
    const subs = [a.subscribe("lot:1", (e) => onA.push(e)), a.subscribe("lot:1", (e) => onA2.push(e)), b.subscribe("lot:1", (e) => onB.push(e))];
    await Promise.all(subs.map((s) => s.ready));

    const published = Array.from({ length: 100 }, (_, i) => ({ type: "bid", data: { n: i }, id: `e${i}` }));
    await Promise.all(published.map((e) => a.publish("lot:1", e))); // issued back to back, not awaited one by one
    await waitFor(() => {
      expect(onA).toHaveLength(100);
      expect(onA2).toHaveLength(100);
      expect(onB).toHaveLength(100);
    });
    await wait(100); // nothing more arrives: no double delivery
    expect(onA).toEqual(published);
    expect(onA2).toEqual(published);
    expect(onB).toEqual(published);
    subs.forEach((off) => off());
  });

  it("round-trips bigints as strings across processes", async () => {
    const got: LiveEvent[] = [];
    const off = b.subscribe("lot:2", (e) => got.push(e));
    await off.ready;
    await a.publish("lot:2", { type: "bid.accepted", data: { amount: 123456789012345678901234567890n, bidder: "竞买人1", nested: [1n] } });
    await waitFor(() => expect(got).toHaveLength(1));
    expect(got[0]).toEqual({ type: "bid.accepted", data: { amount: "123456789012345678901234567890", bidder: "竞买人1", nested: ["1"] } });
    off();
  });

  it("keeps channels apart and stops delivering after the last local unsubscribe", async () => {
    const on3: LiveEvent[] = [];
    const on4: LiveEvent[] = [];
    const off3 = b.subscribe("lot:3", (e) => on3.push(e));
    const off4 = b.subscribe("lot:4", (e) => on4.push(e));
    await Promise.all([off3.ready, off4.ready]);
    await a.publish("lot:3", { type: "t", data: 1 });
    await waitFor(() => expect(on3).toHaveLength(1));
    expect(on4).toHaveLength(0);

    off3();
    const again: LiveEvent[] = [];
    const reSub = b.subscribe("lot:3", (e) => again.push(e)); // unsubscribe + subscribe race on one connection
    await reSub.ready;
    await a.publish("lot:3", { type: "t", data: 2 });
    await waitFor(() => expect(again).toHaveLength(1));
    expect(on3).toHaveLength(1);
    reSub();
    off4();
  });

  it("does not cross prefixes (parallel test runs)", async () => {
    const other = createRedisLiveEvents(url, { prefix: `${prefix}-other` });
    try {
      const got: LiveEvent[] = [];
      const off = other.subscribe("lot:1", (e) => got.push(e));
      await off.ready;
      await a.publish("lot:1", { type: "t", data: 1 });
      await wait(100);
      expect(got).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("the process bus uses Redis when REDIS_URL is set", async () => {
    const saved = { redis: process.env.REDIS_URL, prefix: process.env.QUEUE_PREFIX };
    process.env.REDIS_URL = url;
    process.env.QUEUE_PREFIX = prefix;
    try {
      await closeLiveEvents();
      const got: LiveEvent[] = [];
      const off = b.subscribe("lot:5", (e) => got.push(e)); // another "process"
      await off.ready;
      await publish("lot:5", { type: "t", data: 1 });
      await waitFor(() => expect(got).toHaveLength(1));
      off();
    } finally {
      await closeLiveEvents();
      if (saved.redis === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved.redis;
      if (saved.prefix === undefined) delete process.env.QUEUE_PREFIX;
      else process.env.QUEUE_PREFIX = saved.prefix;
    }
  });
});
