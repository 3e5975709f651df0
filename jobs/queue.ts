// The queue interface both runners implement: BullMQ (jobs/bullmq.ts) when REDIS_URL is set, the
// in-process runner (jobs/inprocess.ts) otherwise. Services get one through getQueue()
// (app/infra/queue.server.ts) and never know which.
import type { z } from "zod";
import type { JobDefinition } from "./define";

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** Explicit id; default `${name}__${idempotencyKey(payload)}`. An id that exists is not added again. */
  jobId?: string;
}

export interface ScheduleOptions {
  /** Fixed interval; the first run is immediate (as BullMQ job schedulers do). */
  everyMs?: number;
  /** Cron pattern. The in-process runner supports "m h * * *" with numbers or '*' only. */
  pattern?: string;
  /** IANA time zone for `pattern`, e.g. "Asia/Shanghai" (default: the process's). */
  tz?: string;
}

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

export interface FailedJob {
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  /** When it failed for the last time (ms since epoch). */
  timestamp: number;
}

export interface JobQueue {
  /**
   * Validates the payload against the job's schema and adds the job. Dedupe: when a job with the same
   * id already exists (pending, active, completed within retention, or failed) nothing is added and
   * its id is returned.
   */
  enqueue<S extends z.ZodType>(def: JobDefinition<S>, payload: z.input<S>, opts?: EnqueueOptions): Promise<{ id: string }>;
  /**
   * Moves a job: removes the job with this id (whatever its state, unless it is running — then it
   * throws) and adds it again with this payload, to run in delayMs.
   */
  reschedule<S extends z.ZodType>(def: JobDefinition<S>, jobId: string, payload: z.input<S>, delayMs: number): Promise<void>;
  /** Removes a job that has not started; no-op when there is none; throws when it is running. */
  cancel(def: JobDefinition, jobId: string): Promise<void>;
  /** Creates or replaces (same schedulerId) a recurring job. */
  schedule<S extends z.ZodType>(def: JobDefinition<S>, schedulerId: string, when: ScheduleOptions, payload: z.input<S>): Promise<void>;
  /** Removes a recurring job (its pending next run too). */
  unschedule(def: JobDefinition, schedulerId: string): Promise<void>;
  /** Counts per job name, for every job in the registry. */
  counts(): Promise<Record<string, JobCounts>>;
  /** The most recent failed jobs of one name (after all their attempts). */
  failed(name: string, limit: number): Promise<FailedJob[]>;
  /** Runs a failed job again with a fresh attempts budget. Throws when the job is unknown. */
  retry(name: string, jobId: string): Promise<void>;
  /** Stops taking jobs, clears timers, waits for running handlers, closes connections. */
  close(): Promise<void>;
}

/** How long finished jobs are kept (and so how long their ids dedupe), both runners. */
export const KEEP_COMPLETED_MS = 7 * 24 * 3600_000;
export const KEEP_FAILED_MS = 30 * 24 * 3600_000;
