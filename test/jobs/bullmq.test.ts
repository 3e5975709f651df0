// Real jobs through BullMQ against the real Redis (TEST_REDIS_URL; required when CI=true).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createBullmqQueue, createBullmqWorkers, redisOptions, type BullmqWorkers } from "../../jobs/bullmq";
import { defineJob, silentLogger, type JobContext } from "../../jobs/define";
import type { JobQueue } from "../../jobs/queue";
import { purgeExpiredSessions } from "../../jobs/registry";
import { seedSessions, sessionRows } from "./sessions-fixture";

const redisUrl = process.env.TEST_REDIS_URL;

it("has a Redis to test against when CI=true", () => {
  expect(process.env.CI !== "true" || Boolean(redisUrl)).toBe(true);
});

describe.runIf(redisUrl)("BullMQ job queue (real Redis)", () => {
  const prefix = `npl-test-${process.pid}-${Date.now()}`;
  const runs: { name: string; payload: unknown; ctx: JobContext }[] = [];
  const runsOf = (name: string) => runs.filter((r) => r.name === name);
  let failing = true;

  const send = defineJob({
    name: "test.send",
    payload: z.object({ to: z.string(), n: z.number().default(1) }),
    idempotencyKey: (p) => `${p.to}:${p.n}`,
    handler: async (payload, ctx) => void runs.push({ name: "test.send", payload, ctx }),
  });
  const flaky = defineJob({
    name: "test.flaky",
    payload: z.object({ k: z.string() }),
    attempts: 3,
    backoffMs: 50,
    idempotencyKey: (p) => p.k,
    handler: async (payload, ctx) => {
      runs.push({ name: "test.flaky", payload, ctx });
      if (failing) throw new Error(`boom ${payload.k}`);
    },
  });
  const tick = defineJob({
    name: "test.tick",
    payload: z.object({}),
    idempotencyKey: () => "tick",
    handler: async (payload, ctx) => void runs.push({ name: "test.tick", payload, ctx }),
  });
  const registry = { send, flaky, tick, purgeExpiredSessions };
  let queue: JobQueue;
  let workers: BullmqWorkers;
  const url = redisUrl ?? "";

  beforeAll(async () => {
    queue = createBullmqQueue(url, registry, { prefix, logger: silentLogger });
    workers = createBullmqWorkers(url, registry, { prefix, logger: silentLogger });
    await Promise.all(workers.workers.map((w) => w.waitUntilReady()));
  });

  afterAll(async () => {
    await workers?.close();
    await queue?.close();
    const redis = new Redis(redisOptions(url));
    try {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      await redis.quit();
    }
  });

  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const waitFor = (check: () => void | Promise<void>, timeout = 5000) => vi.waitFor(check, { timeout, interval: 25 });

  it("runs a delayed job with a deterministic id once, even when enqueued twice", async () => {
    const first = await queue.enqueue(send, { to: "a" }, { delayMs: 300 });
    const second = await queue.enqueue(send, { to: "a" }, { delayMs: 10 });
    expect(first.id).toBe("test.send__a_1");
    expect(second.id).toBe(first.id);
    expect((await queue.counts())["test.send"]?.delayed).toBe(1);
    await wait(150);
    expect(runsOf("test.send")).toHaveLength(0); // the second enqueue did not shorten the delay
    await waitFor(() => expect(runsOf("test.send")).toHaveLength(1));
    expect(runsOf("test.send")[0]).toMatchObject({ payload: { to: "a", n: 1 }, ctx: { jobId: first.id, attempt: 1 } });
    await queue.enqueue(send, { to: "a" }); // completed ids are kept, so this is a no-op too
    await wait(300);
    expect(runsOf("test.send")).toHaveLength(1);
  });

  it("reschedule moves a delayed job; cancel removes one", async () => {
    const { id } = await queue.enqueue(send, { to: "b" }, { delayMs: 60_000 });
    await queue.reschedule(send, id, { to: "b", n: 2 }, 100);
    await waitFor(() => expect(runsOf("test.send").filter((r) => r.ctx.jobId === id)).toHaveLength(1));
    expect(runsOf("test.send").find((r) => r.ctx.jobId === id)?.payload).toEqual({ to: "b", n: 2 });

    const c = await queue.enqueue(send, { to: "c" }, { delayMs: 200 });
    await queue.cancel(send, c.id);
    await wait(500);
    expect(runsOf("test.send").filter((r) => r.ctx.jobId === c.id)).toHaveLength(0);
    expect((await queue.counts())["test.send"]).toMatchObject({ delayed: 0, waiting: 0, active: 0 });
  });

  it("retries a failing job `attempts` times, lists it as failed, and retry() runs it again", async () => {
    const { id } = await queue.enqueue(flaky, { k: "x" });
    await waitFor(async () => expect(await queue.failed("test.flaky", 10)).toHaveLength(1));
    const [failed] = await queue.failed("test.flaky", 10);
    expect(failed).toMatchObject({ id, name: "test.flaky", failedReason: "boom x", attemptsMade: 3 });
    expect(runsOf("test.flaky").map((r) => r.ctx.attempt)).toEqual([1, 2, 3]);
    expect((await queue.counts())["test.flaky"]?.failed).toBe(1);

    failing = false;
    await queue.retry("test.flaky", id);
    await waitFor(async () => expect((await queue.counts())["test.flaky"]).toMatchObject({ failed: 0, completed: 1 }));
    expect(runsOf("test.flaky")).toHaveLength(4);
  });

  it("a job scheduler with every: 200 ms fires repeatedly, until removed", async () => {
    await queue.schedule(tick, "tick-every-200", { everyMs: 200 }, {});
    await waitFor(() => expect(runsOf("test.tick").length).toBeGreaterThanOrEqual(3), 3000);
    expect(new Set(runsOf("test.tick").map((r) => r.ctx.jobId)).size).toBe(runsOf("test.tick").length);
    await queue.unschedule(tick, "tick-every-200");
    await wait(300); // a run already promoted may still finish
    const settled = runsOf("test.tick").length;
    await wait(500);
    expect(runsOf("test.tick")).toHaveLength(settled);
  });

  it("sessions.purgeExpired is idempotent: a second run leaves the same rows as the first", async () => {
    await seedSessions();
    const first = await queue.enqueue(purgeExpiredSessions, { day: "2026-01-01" });
    expect(first.id).toBe("sessions.purgeExpired__2026-01-01");
    await waitFor(async () => expect((await queue.counts())["sessions.purgeExpired"]?.completed).toBe(1));
    const afterFirst = await sessionRows();
    expect(afterFirst.map((s) => s.id)).toEqual(["active", "recent-expired", "recent-revoked"]);
    await queue.enqueue(purgeExpiredSessions, { day: "2026-01-01" }, { jobId: "purge-second-run" });
    await waitFor(async () => expect((await queue.counts())["sessions.purgeExpired"]?.completed).toBe(2));
    expect(await sessionRows()).toEqual(afterFirst);
  });
});
