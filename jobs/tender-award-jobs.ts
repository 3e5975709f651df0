// [AUCTION] award jobs (issue 6, item 6): the sweeper that reneges awards whose signing deadline
// passed (every 60 s), and the refund of a tender's bid deposits once every lot is decided. Both are
// idempotent: a second run finds nothing more to do (services/tenders/awards.server.ts, refunds.server.ts).
import { z } from "zod";
import { defineJob } from "./define";

/** Refunds the losers' deposits of one tender (every lot decided). One job per tender id. */
export const refundTenderDepositsJob = defineJob({
  name: "tenders.refundDeposits",
  payload: z.object({ tenderId: z.string().min(1) }),
  attempts: 5,
  backoffMs: 30_000,
  idempotencyKey: (p) => p.tenderId,
  async handler({ tenderId }, ctx) {
    // Imported at run time: the services import this definition to enqueue it.
    const { refundTenderDeposits } = await import("~/services/tenders/refunds.server");
    const { systemContext } = await import("~/infra/audit.server");
    const run = await refundTenderDeposits(systemContext("tenders.refundDeposits"), tenderId);
    ctx.logger.info("tender deposits refunded", {
      tenderId, requested: run.requested.length, providerRefunds: run.providerRefunds.length, kept: run.kept.length, forfeited: run.forfeited.length,
    });
    // A Stripe refund the provider refused or could not be reached for: retry the job (the service re-asks only those).
    if (run.providerErrors.length) throw new Error(`refunds not accepted by the provider: ${run.providerErrors.map((e) => `${e.depositId}: ${e.message}`).join("; ")}`);
  },
});

/** Enqueues the refund of a tender's deposits (after acceptAward returned tenderDecided, or from the sweeper). */
export async function enqueueTenderRefunds(tenderId: string): Promise<void> {
  const { getQueue } = await import("~/infra/queue.server");
  await getQueue().enqueue(refundTenderDepositsJob, { tenderId });
}

/** Every 60 s: PENDING awards past their deadline are reneged (forfeit, next bidder or returned). */
export const expireAwardsJob = defineJob({
  name: "tenders.expireAwards",
  payload: z.object({
    /** The minute the run is for: its idempotency key. */
    minute: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
      .default(() => new Date().toISOString().slice(0, 16)),
  }),
  attempts: 3,
  backoffMs: 10_000,
  idempotencyKey: (p) => p.minute,
  async handler(_payload, ctx) {
    const { expireAwards } = await import("~/services/tenders/awards.server");
    const result = await expireAwards(new Date());
    for (const tenderId of result.decidedTenderIds) await enqueueTenderRefunds(tenderId);
    if (result.reneged.length) {
      ctx.logger.info("awards expired", {
        reneged: result.reneged.length, forfeited: result.forfeited.toString(), offered: result.offered.length, returned: result.returned.length,
        refundsFor: result.decidedTenderIds,
      });
    }
  },
});
