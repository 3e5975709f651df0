// Every job the product runs, and the recurring schedules. Job handlers stay thin: validate, call a
// service (or one idempotent query), log.
import { z } from "zod";
import { prisma } from "~/infra/db.server";
import { defineJob, type JobDefinition } from "./define";
import { importLoanTape } from "./loan-tape-job";
import { expireAwardsJob, refundTenderDepositsJob } from "./tender-award-jobs";
import { closeLotJob, sweepLotsJob } from "./tender-jobs";
import { endDueCustodyJob } from "./custody-contract-jobs";
import { detectLapsesJob } from "./custody-liability-jobs";
import { limitationAlertsJob } from "./custody-work-jobs";
import { accrueLateInterestJob } from "./settlement-interest-jobs";
import { quarterlyStatementsJob } from "./settlement-statement-jobs";
import type { ScheduleOptions } from "./queue";

const DAY_MS = 24 * 3600_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The UTC day a once-a-day job runs for: its idempotency key. */
const runDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .default(() => utcDay(Date.now()));

/**
 * Deletes session rows that expired, or were revoked, more than `olderThanDays` days ago. Sessions
 * are not money or audit data (sign-ins and sign-outs are audited separately), so old rows may go.
 * Idempotent: a second run finds nothing more to delete. One run per UTC day (`day` is the key).
 */
export const purgeExpiredSessions = defineJob({
  name: "sessions.purgeExpired",
  payload: z.object({
    olderThanDays: z.number().int().min(1).max(3650).default(30),
    day: runDay,
  }),
  attempts: 3,
  backoffMs: 5_000,
  idempotencyKey: (p) => p.day,
  async handler({ olderThanDays }, ctx) {
    const cutoff = new Date(Date.now() - olderThanDays * DAY_MS);
    const { count } = await prisma.session.deleteMany({
      where: { OR: [{ expiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] },
    });
    ctx.logger.info("purged expired sessions", { deleted: count, cutoff: cutoff.toISOString() });
  },
});

/** Delivers one outbox email (SMTP, or kept in the outbox without SMTP_URL). Idempotent per message. */
export const sendEmail = defineJob({
  name: "email.send",
  payload: z.object({ outboxId: z.string().min(1) }),
  attempts: 5,
  backoffMs: 30_000,
  idempotencyKey: (p) => p.outboxId,
  async handler({ outboxId }, ctx) {
    const { deliverOutboxEmail } = await import("~/services/email/outbox.server");
    ctx.logger.info("email", { outboxId, result: await deliverOutboxEmail(outboxId) });
  },
});

/**
 * Nightly: walks the audit hash chain; on a break, emails every admin (through email.send).
 * One run per day; a second run of the same day finds the job id taken.
 */
export const verifyAuditTrail = defineJob({
  name: "audit.verify",
  payload: z.object({
    day: runDay,
  }),
  attempts: 3,
  backoffMs: 60_000,
  idempotencyKey: (p) => p.day,
  async handler(_payload, ctx) {
    const { verifyChainAndAlert } = await import("~/services/audit/nightly-verify.server");
    // Imported at run time: the queue module imports this registry.
    const { getQueue } = await import("~/infra/queue.server");
    const { broken, outboxIds } = await verifyChainAndAlert();
    for (const outboxId of outboxIds) await getQueue().enqueue(sendEmail, { outboxId });
    ctx.logger[broken ? "error" : "info"]("audit chain verified", { broken, alerts: outboxIds.length });
  },
});

/** Daily: recomputes stored limitation expiries when the limitationYears setting in force changed. Idempotent. */
export const refreshLimitation = defineJob({
  name: "limitation.refresh",
  payload: z.object({ day: runDay }),
  attempts: 3,
  backoffMs: 60_000,
  idempotencyKey: (p) => p.day,
  async handler(_payload, ctx) {
    const { refreshLimitationClocks } = await import("~/services/loans/limitation.server");
    ctx.logger.info("limitation clocks refreshed", { ...(await refreshLimitationClocks(new Date())) });
  },
});

export const jobs = {
  purgeExpiredSessions,
  sendEmail,
  verifyAuditTrail,
  refreshLimitation,
  importLoanTape,
  closeLotJob,
  sweepLotsJob,
  expireAwardsJob,
  refundTenderDepositsJob,
  endDueCustodyJob,
  limitationAlertsJob,
  detectLapsesJob,
  accrueLateInterestJob,
  quarterlyStatementsJob,
} satisfies Record<string, JobDefinition>;

export interface RecurringJob {
  job: JobDefinition;
  schedulerId: string;
  when: ScheduleOptions;
  payload: unknown;
}

/** Set up by the BullMQ worker (jobs/worker.ts) or by getQueue() for the in-process runner. */
export const recurringJobs: RecurringJob[] = [
  { job: purgeExpiredSessions, schedulerId: "sessions-purge-daily", when: { pattern: "0 3 * * *", tz: "Asia/Shanghai" }, payload: {} },
  { job: verifyAuditTrail, schedulerId: "audit-verify-nightly", when: { pattern: "30 2 * * *", tz: "Asia/Shanghai" }, payload: {} },
  { job: refreshLimitation, schedulerId: "limitation-refresh-daily", when: { pattern: "5 0 * * *", tz: "Asia/Shanghai" }, payload: {} },
  // Custody: loans return at the end of the term (access itself ends at the instant); lapses are
  // detected after the nightly limitation refresh; alerts go out in the morning, China time.
  { job: endDueCustodyJob, schedulerId: "custody-end-due-daily", when: { pattern: "15 0 * * *", tz: "Asia/Shanghai" }, payload: {} },
  { job: detectLapsesJob, schedulerId: "custody-detect-lapses-daily", when: { pattern: "20 0 * * *", tz: "Asia/Shanghai" }, payload: {} },
  { job: limitationAlertsJob, schedulerId: "custody-limitation-alerts-daily", when: { pattern: "0 8 * * *", tz: "Asia/Shanghai" }, payload: {} },
  // Settlement: late interest accrues for the China day after contracts ended (00:15); the statements
  // of quarters that ended (and the final statement of contracts that ended) follow once it is booked.
  { job: accrueLateInterestJob, schedulerId: "settlement-late-interest-daily", when: { pattern: "30 0 * * *", tz: "Asia/Shanghai" }, payload: {} },
  { job: quarterlyStatementsJob, schedulerId: "settlement-statements-daily", when: { pattern: "0 1 * * *", tz: "Asia/Shanghai" }, payload: {} },
  // Safety nets: a lot whose close job was lost is closed, an award past its signing deadline lapses.
  { job: sweepLotsJob, schedulerId: "tenders-sweep-lots", when: { everyMs: 60_000 }, payload: {} },
  { job: expireAwardsJob, schedulerId: "tenders-expire-awards", when: { everyMs: 60_000 }, payload: {} },
];
