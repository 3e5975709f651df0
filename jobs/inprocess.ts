// JobQueue in memory, for `npm start` without REDIS_URL: same semantics as the BullMQ runner for
// delays, deterministic-id dedupe, retries with exponential backoff, the failed list, retry() and
// recurring schedules. Nothing survives a restart (pending delayed jobs are lost; schedules are set
// up again by getQueue()).
//
// Dedupe, explicitly: a job id that is delayed, waiting, running, completed (kept KEEP_COMPLETED_MS)
// or failed (kept KEEP_FAILED_MS) is not added again — as in BullMQ, which keeps finished jobs by id
// until its removeOnComplete/removeOnFail age. reschedule()/cancel() remove the id first.
//
// Jobs run as soon as they are due, each on its own (no per-name concurrency limit, unlike a BullMQ
// worker with concurrency 1). Time is injectable (`now`, `setTimer`, `clearTimer`) so tests are
// deterministic; vitest fake timers work with the defaults too.
import {
  assertValidId,
  backoffDelay,
  consoleLogger,
  errorMessage,
  jobIdFor,
  registryByName,
  type JobDefinition,
  type JobLogger,
  type JobRegistry,
} from "./define";
import { KEEP_COMPLETED_MS, KEEP_FAILED_MS, type FailedJob, type JobCounts, type JobQueue, type ScheduleOptions } from "./queue";

type TimerHandle = unknown;

export interface InProcessOptions {
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => TimerHandle;
  clearTimer?: (handle: TimerHandle) => void;
  logger?: JobLogger;
}

type State = "delayed" | "waiting" | "active" | "completed" | "failed";

interface JobRecord {
  id: string;
  def: JobDefinition;
  payload: unknown;
  state: State;
  attemptsMade: number;
  failedReason?: string;
  finishedOn?: number;
  timer?: TimerHandle;
}

interface Scheduler {
  timer?: TimerHandle;
}

export function createInProcessQueue(registry: JobRegistry, options: InProcessOptions = {}): JobQueue {
  const now = options.now ?? (() => Date.now());
  const setTimer =
    options.setTimer ??
    ((fn: () => void, ms: number) => {
      const t = setTimeout(fn, ms);
      t.unref?.(); // never keeps the process alive on its own
      return t;
    });
  const clearTimer = options.clearTimer ?? ((h: TimerHandle) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const logger = options.logger ?? consoleLogger({ component: "jobs-inprocess" });
  const byName = registryByName(registry);
  const jobs = new Map<string, JobRecord>(); // key: `${name}\n${id}` (ids are per queue, as in BullMQ)
  const schedulers = new Map<string, Scheduler>(); // key: `${name}\n${schedulerId}`
  const running = new Set<Promise<void>>();
  let closed = false;

  const key = (name: string, id: string) => `${name}\n${id}`;

  function known(name: string): JobDefinition {
    const def = byName.get(name);
    if (!def) throw new Error(`unknown job ${name} (not in the job registry)`);
    return def;
  }

  function prune() {
    const t = now();
    for (const [k, job] of jobs) {
      const keep = job.state === "completed" ? KEEP_COMPLETED_MS : job.state === "failed" ? KEEP_FAILED_MS : Infinity;
      if (job.finishedOn !== undefined && t - job.finishedOn > keep) jobs.delete(k);
    }
  }

  function arm(job: JobRecord, delayMs: number) {
    job.state = delayMs > 0 ? "delayed" : "waiting";
    job.timer = setTimer(() => {
      job.timer = undefined;
      if (closed || jobs.get(key(job.def.name, job.id)) !== job) return;
      const run = attempt(job);
      running.add(run);
      void run.finally(() => running.delete(run));
    }, Math.max(0, delayMs));
  }

  async function attempt(job: JobRecord): Promise<void> {
    job.state = "active";
    const log = withJob(logger, job.def.name, job.id);
    try {
      await job.def.handler(job.def.payload.parse(job.payload), { jobId: job.id, attempt: job.attemptsMade + 1, logger: log });
      job.attemptsMade += 1;
      job.state = "completed";
      job.finishedOn = now();
    } catch (error) {
      job.attemptsMade += 1;
      job.failedReason = errorMessage(error);
      if (job.attemptsMade < job.def.attempts && !closed) {
        const wait = backoffDelay(job.def, job.attemptsMade);
        log.warn("job attempt failed; retrying", { attemptsMade: job.attemptsMade, retryInMs: wait, error: job.failedReason });
        arm(job, wait);
      } else {
        job.state = "failed";
        job.finishedOn = now();
        log.error("job failed", { attemptsMade: job.attemptsMade, error: job.failedReason });
      }
    }
  }

  function add(def: JobDefinition, payload: unknown, delayMs: number | undefined, jobId: string | undefined): { id: string } {
    if (closed) throw new Error("job queue is closed");
    known(def.name);
    const data: unknown = def.payload.parse(payload);
    const id = jobId ?? jobIdFor(def, data);
    assertValidId("job id", id);
    prune();
    if (jobs.has(key(def.name, id))) return { id };
    const job: JobRecord = { id, def, payload: data, state: "waiting", attemptsMade: 0 };
    jobs.set(key(def.name, id), job);
    arm(job, delayMs ?? 0);
    return { id };
  }

  function remove(name: string, id: string) {
    const job = jobs.get(key(name, id));
    if (!job) return;
    if (job.state === "active") throw new Error(`job ${id} is running and cannot be moved or cancelled`);
    if (job.timer !== undefined) clearTimer(job.timer);
    jobs.delete(key(name, id));
  }

  function startScheduler(def: JobDefinition, schedulerId: string, when: ScheduleOptions, data: unknown) {
    const scheduler: Scheduler = {};
    schedulers.set(key(def.name, schedulerId), scheduler);
    const fire = (at: number) => {
      if (closed || schedulers.get(key(def.name, schedulerId)) !== scheduler) return;
      add(def, data, 0, `repeat__${schedulerId}__${at}`);
      next(at);
    };
    const next = (after: number) => {
      const at = when.everyMs ? after + when.everyMs : nextCronTime(when.pattern ?? "", after, when.tz);
      scheduler.timer = setTimer(() => fire(at), Math.max(0, at - now()));
    };
    if (when.everyMs) fire(now()); // first run immediately, as BullMQ's `every` schedulers
    else next(now());
  }

  return {
    async enqueue(def, payload, opts) {
      return add(def, payload, opts?.delayMs, opts?.jobId);
    },

    async reschedule(def, jobId, payload, delayMs) {
      assertValidId("job id", jobId);
      def.payload.parse(payload); // fail before removing anything
      remove(def.name, jobId);
      add(def, payload, delayMs, jobId);
    },

    async cancel(def, jobId) {
      remove(def.name, jobId);
    },

    async schedule(def, schedulerId, when, payload) {
      if (closed) throw new Error("job queue is closed");
      known(def.name);
      assertValidId("scheduler id", schedulerId);
      if (!when.everyMs === !when.pattern) throw new Error("schedule: give exactly one of everyMs or pattern");
      if (when.everyMs !== undefined && !(when.everyMs > 0)) throw new Error("schedule: everyMs must be > 0");
      if (when.pattern) nextCronTime(when.pattern, now(), when.tz); // validate now, not at the first run
      const data: unknown = def.payload.parse(payload);
      const existing = schedulers.get(key(def.name, schedulerId));
      if (existing?.timer !== undefined) clearTimer(existing.timer);
      startScheduler(def, schedulerId, when, data);
    },

    async unschedule(def, schedulerId) {
      const existing = schedulers.get(key(def.name, schedulerId));
      if (existing?.timer !== undefined) clearTimer(existing.timer);
      schedulers.delete(key(def.name, schedulerId));
    },

    async counts() {
      prune();
      const result: Record<string, JobCounts> = {};
      for (const name of byName.keys()) result[name] = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
      for (const job of jobs.values()) {
        const c = result[job.def.name];
        if (c) c[job.state] += 1;
      }
      return result;
    },

    async failed(name, limit) {
      known(name);
      prune();
      const failed: FailedJob[] = [];
      for (const job of jobs.values()) {
        if (job.def.name !== name || job.state !== "failed") continue;
        failed.push({ id: job.id, name, failedReason: job.failedReason ?? "", attemptsMade: job.attemptsMade, timestamp: job.finishedOn ?? 0 });
      }
      return failed.sort((a, b) => b.timestamp - a.timestamp).slice(0, Math.max(0, limit));
    },

    async retry(name, jobId) {
      known(name);
      const job = jobs.get(key(name, jobId));
      if (!job) throw new Error(`job ${jobId} of ${name} not found`);
      if (job.state !== "failed") throw new Error(`job ${jobId} of ${name} is ${job.state}, not failed`);
      job.attemptsMade = 0;
      job.failedReason = undefined;
      job.finishedOn = undefined;
      arm(job, 0);
    },

    async close() {
      closed = true;
      for (const s of schedulers.values()) if (s.timer !== undefined) clearTimer(s.timer);
      schedulers.clear();
      for (const job of jobs.values()) if (job.timer !== undefined) clearTimer(job.timer);
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

function withJob(logger: JobLogger, job: string, jobId: string): JobLogger {
  return {
    info: (m, meta) => logger.info(m, { job, jobId, ...meta }),
    warn: (m, meta) => logger.warn(m, { job, jobId, ...meta }),
    error: (m, meta) => logger.error(m, { job, jobId, ...meta }),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localHourMinute(ms: number, tz: string | undefined): { hour: number; minute: number } {
  const k = tz ?? "";
  let f = formatters.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(k, f);
  }
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(ms)) {
    if (part.type === "hour") hour = Number(part.value);
    else if (part.type === "minute") minute = Number(part.value);
  }
  return { hour, minute };
}

/**
 * The first time strictly after `after` matching a cron pattern "m h * * *" (minute and hour each a
 * number or '*'; day, month and weekday must be '*'), in time zone `tz` (default: the process's).
 * Walks minute by minute (at most two days), which stays correct across DST changes.
 */
export function nextCronTime(pattern: string, after: number, tz?: string): number {
  const fields = pattern.trim().split(/\s+/);
  const field = (value: string | undefined, max: number): number | undefined => {
    if (value === "*") return undefined;
    if (value === undefined || !/^\d{1,2}$/.test(value) || Number(value) > max) {
      throw new Error(`unsupported cron pattern ${JSON.stringify(pattern)}: the in-process runner supports "m h * * *"`);
    }
    return Number(value);
  };
  if (fields.length !== 5 || fields.slice(2).some((f) => f !== "*")) {
    throw new Error(`unsupported cron pattern ${JSON.stringify(pattern)}: the in-process runner supports "m h * * *"`);
  }
  const minute = field(fields[0], 59);
  const hour = field(fields[1], 23);
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 2 * 24 * 60 + 120; i += 1, t += 60_000) {
    const local = localHourMinute(t, tz);
    if ((minute === undefined || local.minute === minute) && (hour === undefined || local.hour === hour)) return t;
  }
  throw new Error(`cron pattern ${JSON.stringify(pattern)} has no occurrence within two days`);
}
