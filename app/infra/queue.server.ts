// The job queue for services: BullMQ when REDIS_URL is set (jobs run in `npm run worker`), else the
// in-process runner (jobs run inside this process, recurring schedules started here once).
import { createBullmqQueue } from "../../jobs/bullmq";
import { createInProcessQueue } from "../../jobs/inprocess";
import type { JobQueue } from "../../jobs/queue";
import { jobs, recurringJobs } from "../../jobs/registry";
import { getEnv } from "./env.server";

export type { JobQueue } from "../../jobs/queue";
export { jobs } from "../../jobs/registry";

declare global {
  // One queue per process, kept across module reloads in development.
  var __jobQueue: JobQueue | undefined;
}

export function getQueue(): JobQueue {
  if (globalThis.__jobQueue) return globalThis.__jobQueue;
  const { redisUrl } = getEnv();
  if (redisUrl) {
    globalThis.__jobQueue = createBullmqQueue(redisUrl, jobs, { prefix: process.env.QUEUE_PREFIX || undefined });
  } else {
    const queue = createInProcessQueue(jobs);
    globalThis.__jobQueue = queue;
    for (const r of recurringJobs) {
      queue.schedule(r.job, r.schedulerId, r.when, r.payload).catch((error: unknown) => console.error("in-process schedule failed", r.schedulerId, error));
    }
  }
  return globalThis.__jobQueue;
}

/** Starts the in-process runner and its recurring schedules when there is no Redis; a no-op otherwise. */
export function startEmbeddedJobs(): void {
  if (!getEnv().redisUrl) getQueue();
}
