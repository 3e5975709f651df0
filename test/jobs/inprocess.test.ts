import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { defineJob, silentLogger, type JobContext } from "../../jobs/define";
import { createInProcessQueue, nextCronTime } from "../../jobs/inprocess";
import type { JobQueue } from "../../jobs/queue";
import { purgeExpiredSessions } from "../../jobs/registry";
import { seedSessions, sessionRows } from "./sessions-fixture";

function recorder() {
  const runs: { payload: unknown; ctx: JobContext }[] = [];
  return { runs, record: (payload: unknown, ctx: JobContext) => void runs.push({ payload, ctx }) };
}

describe("in-process job queue", () => {
  const rec = recorder();
  let failing = true;
  const send = defineJob({
    name: "test.send",
    payload: z.object({ to: z.string(), n: z.number().default(1) }),
    idempotencyKey: (p) => `${p.to}:${p.n}`,
    handler: async (p, ctx) => rec.record(p, ctx),
  });
  const flaky = defineJob({
    name: "test.flaky",
    payload: z.object({ k: z.string() }),
    attempts: 3,
    backoffMs: 100,
    idempotencyKey: (p) => p.k,
    handler: async (p, ctx) => {
      rec.record(p, ctx);
      if (failing) throw new Error(`boom ${p.k}`);
    },
  });
  let queue: JobQueue;

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse("2026-03-01T00:00:00Z") });
    rec.runs.length = 0;
    failing = true;
    queue = createInProcessQueue({ send, flaky }, { logger: silentLogger });
  });
  afterEach(async () => {
    await queue.close();
    vi.useRealTimers();
  });

  it("runs a delayed job when it is due, with its context", async () => {
    const { id } = await queue.enqueue(send, { to: "a" }, { delayMs: 1000 });
    expect(id).toBe("test.send__a_1"); // deterministic, ':' replaced (BullMQ refuses ':' in custom ids)
    expect((await queue.counts())["test.send"]).toMatchObject({ delayed: 1, completed: 0 });
    await vi.advanceTimersByTimeAsync(999);
    expect(rec.runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(rec.runs).toEqual([{ payload: { to: "a", n: 1 }, ctx: expect.objectContaining({ jobId: id, attempt: 1 }) }]);
    expect((await queue.counts())["test.send"]).toMatchObject({ delayed: 0, waiting: 0, active: 0, completed: 1 });
  });

  it("dedupes by deterministic id while pending and after completion", async () => {
    const first = await queue.enqueue(send, { to: "a", n: 2 }, { delayMs: 500 });
    const second = await queue.enqueue(send, { to: "a", n: 2 }, { delayMs: 10 });
    expect(second.id).toBe(first.id);
    await vi.advanceTimersByTimeAsync(600);
    expect(rec.runs).toHaveLength(1);
    await queue.enqueue(send, { to: "a", n: 2 });
    await vi.advanceTimersByTimeAsync(600);
    expect(rec.runs).toHaveLength(1);
    await queue.enqueue(send, { to: "a", n: 2 }, { jobId: "explicit-id" });
    await vi.advanceTimersByTimeAsync(1);
    expect(rec.runs).toHaveLength(2);
  });

  it("refuses a payload that does not match the schema", async () => {
    await expect(queue.enqueue(send, { to: 5 } as never)).rejects.toThrow();
    await expect(queue.enqueue(send, { to: "a" }, { jobId: "a:b" })).rejects.toThrow(/must not contain ':'/);
  });

  it("reschedule moves a delayed job (same id, new payload and time); cancel removes it", async () => {
    const { id } = await queue.enqueue(send, { to: "b" }, { delayMs: 1000 });
    await queue.reschedule(send, id, { to: "b", n: 9 }, 5000);
    await vi.advanceTimersByTimeAsync(4999);
    expect(rec.runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(rec.runs.map((r) => [r.payload, r.ctx.jobId])).toEqual([[{ to: "b", n: 9 }, id]]);

    const c = await queue.enqueue(send, { to: "c" }, { delayMs: 100 });
    await queue.cancel(send, c.id);
    await vi.advanceTimersByTimeAsync(1000);
    expect(rec.runs).toHaveLength(1);
  });

  it("retries with exponential backoff, then lists the job as failed; retry() runs it again", async () => {
    const { id } = await queue.enqueue(flaky, { k: "x" });
    await vi.advanceTimersByTimeAsync(0);
    expect(rec.runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(rec.runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // retry 1 after 100 ms
    expect(rec.runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(rec.runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // retry 2 after 200 ms
    expect(rec.runs.map((r) => r.ctx.attempt)).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(rec.runs).toHaveLength(3);
    const failed = await queue.failed("test.flaky", 10);
    expect(failed).toEqual([{ id, name: "test.flaky", failedReason: "boom x", attemptsMade: 3, timestamp: Date.parse("2026-03-01T00:00:00.300Z") }]);
    expect((await queue.counts())["test.flaky"]).toMatchObject({ failed: 1 });

    // a failed id still dedupes; retry() is the way to run it again
    await queue.enqueue(flaky, { k: "x" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(rec.runs).toHaveLength(3);
    failing = false;
    await queue.retry("test.flaky", id);
    await vi.advanceTimersByTimeAsync(0);
    expect(rec.runs).toHaveLength(4);
    expect(await queue.failed("test.flaky", 10)).toEqual([]);
    expect((await queue.counts())["test.flaky"]).toMatchObject({ failed: 0, completed: 1 });
    await expect(queue.retry("test.flaky", "nope")).rejects.toThrow(/not found/);
  });

  it("recurs every N ms (first run immediately) until unscheduled; upsert replaces", async () => {
    await queue.schedule(send, "tick", { everyMs: 1000 }, { to: "tick" });
    await vi.advanceTimersByTimeAsync(0);
    expect(rec.runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3001); // a job added inside a timer starts 1 ms later (as in Node)
    expect(rec.runs).toHaveLength(4);
    expect(new Set(rec.runs.map((r) => r.ctx.jobId)).size).toBe(4);
    await queue.schedule(send, "tick", { everyMs: 5000 }, { to: "tock" });
    await vi.advanceTimersByTimeAsync(4999);
    expect(rec.runs.map((r) => (r.payload as { to: string }).to)).toEqual(["tick", "tick", "tick", "tick", "tock"]);
    await queue.unschedule(send, "tick");
    await vi.advanceTimersByTimeAsync(20_000);
    expect(rec.runs).toHaveLength(5);
  });

  it("recurs daily on a cron pattern in a time zone", async () => {
    // 2026-03-01T00:00Z is 08:00 in Shanghai; 03:00 Shanghai is 19:00Z.
    await queue.schedule(send, "nightly", { pattern: "0 3 * * *", tz: "Asia/Shanghai" }, { to: "night" });
    await vi.advanceTimersByTimeAsync(19 * 3600_000 - 1);
    expect(rec.runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2); // the scheduler fires at 19:00:00.000, its job starts 1 ms later
    expect(rec.runs).toHaveLength(1);
    expect(rec.runs[0]?.ctx.jobId).toBe(`repeat__nightly__${Date.parse("2026-03-01T19:00:00Z")}`);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(rec.runs).toHaveLength(2);
    await expect(queue.schedule(send, "bad", { pattern: "*/5 * * * *" }, { to: "x" })).rejects.toThrow(/unsupported cron/);
  });

  it("close() clears timers and waits for running handlers", async () => {
    vi.useRealTimers();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const slow = defineJob({
      name: "test.slow",
      payload: z.object({}),
      idempotencyKey: () => "only",
      handler: async () => {
        await gate;
        finished = true;
      },
    });
    const q = createInProcessQueue({ slow, send }, { logger: silentLogger });
    await q.enqueue(slow, {});
    await q.enqueue(send, { to: "later" }, { delayMs: 5_000 });
    await vi.waitFor(async () => expect((await q.counts())["test.slow"]?.active).toBe(1));
    let closed = false;
    const closing = q.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(finished).toBe(true);
    expect(rec.runs).toHaveLength(0); // the delayed job never ran
    await expect(q.enqueue(send, { to: "x" })).rejects.toThrow(/closed/);
  });
});

describe("nextCronTime", () => {
  const t = (iso: string) => Date.parse(iso);
  it("finds the next daily occurrence, strictly after the given time", () => {
    expect(nextCronTime("0 3 * * *", t("2026-01-01T00:00:00Z"), "Asia/Shanghai")).toBe(t("2026-01-01T19:00:00Z"));
    expect(nextCronTime("0 3 * * *", t("2026-01-01T18:59:30Z"), "Asia/Shanghai")).toBe(t("2026-01-01T19:00:00Z"));
    expect(nextCronTime("0 3 * * *", t("2026-01-01T19:00:00Z"), "Asia/Shanghai")).toBe(t("2026-01-02T19:00:00Z"));
    expect(nextCronTime("30 * * * *", t("2026-01-01T10:31:00Z"), "UTC")).toBe(t("2026-01-01T11:30:00Z"));
    // DST: 02:30 does not exist in New York on 2026-03-08, so the next 02:30 is on the 9th
    expect(nextCronTime("30 2 * * *", t("2026-03-08T05:00:00Z"), "America/New_York")).toBe(t("2026-03-09T06:30:00Z"));
  });
  it("rejects patterns it does not support", () => {
    expect(() => nextCronTime("0 3 1 * *", 0)).toThrow(/unsupported/);
    expect(() => nextCronTime("61 3 * * *", 0)).toThrow(/unsupported/);
    expect(() => nextCronTime("0 3 * *", 0)).toThrow(/unsupported/);
  });
});

describe("sessions.purgeExpired (in-process)", () => {
  it("is idempotent: a second run leaves the same rows as the first", async () => {
    await seedSessions();
    const queue = createInProcessQueue({ purgeExpiredSessions }, { logger: silentLogger });
    try {
      const first = await queue.enqueue(purgeExpiredSessions, { day: "2026-01-01" });
      expect(first.id).toBe("sessions.purgeExpired__2026-01-01");
      await vi.waitFor(async () => expect((await queue.counts())["sessions.purgeExpired"]?.completed).toBe(1));
      const afterFirst = await sessionRows();
      expect(afterFirst.map((s) => s.id)).toEqual(["active", "recent-expired", "recent-revoked"]);
      await queue.enqueue(purgeExpiredSessions, { day: "2026-01-02" });
      await vi.waitFor(async () => expect((await queue.counts())["sessions.purgeExpired"]?.completed).toBe(2));
      expect(await sessionRows()).toEqual(afterFirst);
    } finally {
      await queue.close();
    }
  });
});
