// [SETTLE] statement jobs (R9): every day after the quarter ends, the statements of every period that
// ended without one (and the FINAL one of an ENDED contract). Idempotent: a statement is written once
// per contract, kind, year and quarter (unique index), so a second run of the same day, or a retry after
// a crash half-way, writes nothing more.
import { z } from "zod";
import { chinaRunDay } from "./china-day";
import { defineJob } from "./define";

/** Daily (01:00 China time): generateDueStatements(day). */
export const quarterlyStatementsJob = defineJob({
  name: "settlement.quarterlyStatements",
  payload: z.object({
    /** The China day the run is for: its idempotency key. */
    day: chinaRunDay,
  }),
  attempts: 3,
  backoffMs: 60_000,
  idempotencyKey: (p) => p.day,
  async handler(payload, ctx) {
    // Imported at run time: the definitions are loaded by the registry before the services.
    const { generateDueStatements } = await import("~/services/settlement/statements.server");
    const result = await generateDueStatements(payload.day, new Date());
    if (result.generated) ctx.logger.info("settlement statements generated", { day: payload.day, generated: result.generated });
  },
});
