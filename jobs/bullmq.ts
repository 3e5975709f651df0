// JobQueue on BullMQ: one BullMQ queue per job name. Producers (web process) use createBullmqQueue;
// the worker process (jobs/worker.ts) runs createBullmqWorkers. Delayed jobs use deterministic ids
// (see jobIdFor), recurring jobs are BullMQ job schedulers (upsertJobScheduler).
import { Queue, Worker, type Job, type JobsOptions, type RedisOptions } from "bullmq";
import { Redis } from "ioredis";
import {
  assertValidId,
  consoleLogger,
  errorMessage,
  jobIdFor,
  registryByName,
  type JobDefinition,
  type JobLogger,
  type JobRegistry,
} from "./define";
import { KEEP_COMPLETED_MS, KEEP_FAILED_MS, type JobCounts, type JobQueue } from "./queue";

export const DEFAULT_PREFIX = "npl";

export interface BullmqOptions {
  /** Redis key prefix (default "npl"); tests use a unique one per run. */
  prefix?: string;
  logger?: JobLogger;
}

/** ioredis options for a redis:// or rediss:// URL, as BullMQ needs them (maxRetriesPerRequest: null). */
export function redisOptions(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new Error(`REDIS_URL must be redis:// or rediss://, got ${url.protocol}`);
  const db = url.pathname.replace(/^\//, "");
  return {
    host: url.hostname || "127.0.0.1",
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === "rediss:" ? { tls: { servername: url.hostname } } : {}),
    maxRetriesPerRequest: null,
  };
}

function jobOptions(def: JobDefinition): JobsOptions {
  return {
    attempts: def.attempts,
    backoff: { type: "exponential", delay: def.backoffMs },
    removeOnComplete: { age: KEEP_COMPLETED_MS / 1000 },
    removeOnFail: { age: KEEP_FAILED_MS / 1000 },
  };
}

export function createBullmqQueue(redisUrl: string, registry: JobRegistry, options: BullmqOptions = {}): JobQueue {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const byName = registryByName(registry);
  // One shared connection for all producer queues (BullMQ does not close a connection it was given).
  const connection = new Redis(redisOptions(redisUrl));
  const queues = new Map<string, Queue>();
  let closed = false;

  function queueFor(name: string): Queue {
    if (closed) throw new Error("job queue is closed");
    if (!byName.has(name)) throw new Error(`unknown job ${name} (not in the job registry)`);
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix });
      queues.set(name, queue);
    }
    return queue;
  }

  async function removeIfPresent(queue: Queue, jobId: string): Promise<void> {
    const job = await queue.getJob(jobId);
    if (!job) return;
    if ((await job.getState()) === "active") throw new Error(`job ${jobId} is running and cannot be moved or cancelled`);
    await job.remove();
  }

  const add = async (def: JobDefinition, payload: unknown, delayMs: number | undefined, jobId: string | undefined) => {
    const data: unknown = def.payload.parse(payload);
    const id = jobId ?? jobIdFor(def, data);
    assertValidId("job id", id);
    const job = await queueFor(def.name).add(def.name, data, { ...jobOptions(def), jobId: id, delay: Math.max(0, delayMs ?? 0) });
    return { id: job.id ?? id };
  };

  return {
    enqueue: (def, payload, opts) => add(def, payload, opts?.delayMs, opts?.jobId),

    async reschedule(def, jobId, payload, delayMs) {
      assertValidId("job id", jobId);
      def.payload.parse(payload); // fail before removing anything
      await removeIfPresent(queueFor(def.name), jobId);
      await add(def, payload, delayMs, jobId);
    },

    async cancel(def, jobId) {
      await removeIfPresent(queueFor(def.name), jobId);
    },

    async schedule(def, schedulerId, when, payload) {
      assertValidId("scheduler id", schedulerId);
      if (!when.everyMs === !when.pattern) throw new Error("schedule: give exactly one of everyMs or pattern");
      const data: unknown = def.payload.parse(payload);
      const repeat = when.everyMs ? { every: when.everyMs } : { pattern: when.pattern, ...(when.tz ? { tz: when.tz } : {}) };
      await queueFor(def.name).upsertJobScheduler(schedulerId, repeat, { name: def.name, data, opts: jobOptions(def) });
    },

    async unschedule(def, schedulerId) {
      await queueFor(def.name).removeJobScheduler(schedulerId);
    },

    async counts() {
      const result: Record<string, JobCounts> = {};
      for (const name of byName.keys()) {
        const c = await queueFor(name).getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized");
        result[name] = {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          completed: c.completed ?? 0,
          failed: c.failed ?? 0,
        };
      }
      return result;
    },

    async failed(name, limit) {
      if (limit <= 0) return [];
      const jobs = await queueFor(name).getFailed(0, limit - 1);
      return jobs.map((job: Job) => ({
        id: String(job.id),
        name: job.name,
        failedReason: job.failedReason,
        attemptsMade: job.attemptsMade,
        timestamp: job.finishedOn ?? job.timestamp,
      }));
    },

    async retry(name, jobId) {
      const job = await queueFor(name).getJob(jobId);
      if (!job) throw new Error(`job ${jobId} of ${name} not found`);
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...queues.values()].map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

export interface BullmqWorkers {
  /** Graceful: stops taking jobs and waits for the active ones to finish. */
  close(): Promise<void>;
  readonly workers: readonly Worker[];
}

export function createBullmqWorkers(
  redisUrl: string,
  registry: JobRegistry,
  options: BullmqOptions & { concurrency?: number } = {},
): BullmqWorkers {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const logger = options.logger ?? consoleLogger({ component: "worker" });
  const workers: Worker[] = [];
  for (const def of registryByName(registry).values()) {
    const worker = new Worker(
      def.name,
      async (job: Job) => {
        const jobId = String(job.id);
        const payload: unknown = def.payload.parse(job.data);
        await def.handler(payload, { jobId, attempt: job.attemptsMade + 1, logger: withJob(logger, def.name, jobId) });
      },
      { connection: redisOptions(redisUrl), prefix, concurrency: options.concurrency ?? 1 },
    );
    worker.on("failed", (job, error) => {
      logger.warn("job attempt failed", { job: def.name, jobId: job?.id, attemptsMade: job?.attemptsMade, error: errorMessage(error) });
    });
    worker.on("error", (error) => logger.error("worker error", { job: def.name, error: errorMessage(error) }));
    workers.push(worker);
  }
  let closing: Promise<void> | undefined;
  return {
    workers,
    close: () => (closing ??= Promise.all(workers.map((w) => w.close())).then(() => undefined)),
  };
}

function withJob(logger: JobLogger, job: string, jobId: string): JobLogger {
  return {
    info: (m, meta) => logger.info(m, { job, jobId, ...meta }),
    warn: (m, meta) => logger.warn(m, { job, jobId, ...meta }),
    error: (m, meta) => logger.error(m, { job, jobId, ...meta }),
  };
}
