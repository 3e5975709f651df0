// `npm run worker`: the BullMQ worker process. Needs REDIS_URL. Runs every job of the registry,
// upserts the recurring job schedulers, and on SIGINT/SIGTERM finishes the active jobs, closes its
// connections and exits 0.
import { createBullmqQueue, createBullmqWorkers, DEFAULT_PREFIX } from "./bullmq";
import { consoleLogger } from "./define";
import { jobs, recurringJobs } from "./registry";

const logger = consoleLogger({ component: "worker" });

async function main() {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    console.error("npm run worker needs REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379). Without Redis, `npm start` runs jobs in-process.");
    process.exit(1);
  }
  const prefix = process.env.QUEUE_PREFIX || DEFAULT_PREFIX;
  const queue = createBullmqQueue(redisUrl, jobs, { prefix, logger });
  for (const r of recurringJobs) {
    await queue.schedule(r.job, r.schedulerId, r.when, r.payload);
    logger.info("job scheduler upserted", { job: r.job.name, schedulerId: r.schedulerId, ...r.when });
  }
  const workers = createBullmqWorkers(redisUrl, jobs, { prefix, logger });
  logger.info("worker started", { prefix, jobs: Object.values(jobs).map((j) => j.name) });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("worker stopping; waiting for active jobs", { signal });
    try {
      await workers.close();
      await queue.close();
      // Jobs publish live updates (a lot closed); its Redis connections would keep the process alive.
      const { closeLiveEvents } = await import("~/infra/live-events.server");
      await closeLiveEvents();
      const { prisma } = await import("~/infra/db.server");
      await prisma.$disconnect();
      logger.info("worker stopped");
      process.exit(0);
    } catch (error) {
      logger.error("worker did not stop cleanly", { error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  logger.error("worker failed to start", { error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});
