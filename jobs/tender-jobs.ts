// The auction's close (issue 6, item 5): one delayed job per lot with a deterministic id
// (`tenders.closeLot__<lotId>`), moved on every anti-sniping extension, plus a sweeper every 60 s that
// closes any OPEN lot past its close whose job was lost. Both call closeLot, which is idempotent: a lot
// already closed is left alone, a lot not yet due is rescheduled.
import { z } from "zod";
import { defineJob } from "./define";

/** A close result for the JSON log (money as decimal fen strings, dates ISO). */
function logged(result: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(result).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v]),
  );
}

export const closeLotJob = defineJob({
  name: "tenders.closeLot",
  payload: z.object({ lotId: z.string().min(1) }),
  attempts: 5,
  backoffMs: 2_000,
  idempotencyKey: (p) => p.lotId,
  async handler({ lotId }, ctx) {
    // Imported at run time: the services import this definition to schedule it.
    const { closeLot } = await import("~/services/tenders/lot-close.server");
    ctx.logger.info("lot close", logged(await closeLot(lotId, new Date())));
  },
});

/** The deterministic id of a lot's close job (the same as the queue's default id for the payload). */
export const closeLotJobId = (lotId: string) => `${closeLotJob.name}__${lotId}`;

export const sweepLotsJob = defineJob({
  name: "tenders.sweepLots",
  payload: z.object({}),
  attempts: 1,
  backoffMs: 0,
  // Recurring: the scheduler gives each run its own id; a manual enqueue dedupes within the minute.
  idempotencyKey: () => new Date().toISOString().slice(0, 16),
  async handler(_payload, ctx) {
    const { sweepDueLots } = await import("~/services/tenders/lot-close.server");
    const results = await sweepDueLots(new Date());
    if (results.length > 0) ctx.logger.info("lots swept", { closed: results.length, results: results.map(logged) });
  },
});
