// A job queue that records what services ask of it (enqueue, reschedule) instead of running jobs,
// installed as the process's queue for one test file.
import { afterAll, beforeAll } from "vitest";
import type { JobQueue } from "../../jobs/queue";
import { closeLiveEvents } from "~/infra/live-events.server";

export type QueueCall = { op: string; name: string; jobId?: string; payload: unknown; delayMs?: number };

/** Installs the recording queue for this file (restoring the real one after) and returns it with its calls. */
export function installRecordingQueue(): { calls: QueueCall[]; queue: JobQueue } {
  const calls: QueueCall[] = [];
  const queue = {
    async reschedule(def: { name: string }, jobId: string, payload: unknown, delayMs: number) {
      calls.push({ op: "reschedule", name: def.name, jobId, payload, delayMs });
    },
    async enqueue(def: { name: string }, payload: unknown, opts: { delayMs?: number; jobId?: string } = {}) {
      calls.push({ op: "enqueue", name: def.name, jobId: opts.jobId, payload, delayMs: opts.delayMs });
      return { id: opts.jobId ?? def.name };
    },
    async close() {},
  } as unknown as JobQueue;
  const saved = globalThis.__jobQueue;
  beforeAll(() => {
    globalThis.__jobQueue = queue;
  });
  afterAll(async () => {
    globalThis.__jobQueue = saved;
    await closeLiveEvents();
  });
  return { calls, queue };
}
