import { UserError } from "~/domain/errors";
import { audited, type AuditContext } from "~/infra/audit.server";
import { getQueue, jobs } from "~/infra/queue.server";

const jobNames = new Set(Object.values(jobs).map((j) => j.name));

/** Per job: counts, and the latest failed runs with their errors. */
export async function jobOverview(failedPerJob = 20) {
  const queue = getQueue();
  const counts = await queue.counts();
  const failed = await Promise.all(Object.values(jobs).map(async (j) => [j.name, await queue.failed(j.name, failedPerJob)] as const));
  return { counts, failed: Object.fromEntries(failed) };
}

/** Re-runs a failed job (its attempts start again); recorded in the audit trail. */
export async function retryFailedJob(context: AuditContext, name: string, jobId: string) {
  if (!jobNames.has(name)) throw new UserError("jobs.unknown", { status: 404 });
  await getQueue().retry(name, jobId);
  await audited(context, async (_tx, audit) => {
    await audit({ action: "job.retry", entityType: "Job", entityId: jobId, after: { name } });
  });
}
