// [SETTLE] statement jobs (R9): every day after the quarter ends, the statements of every period that
// ended without one (and the FINAL one of an ENDED contract). Idempotent: a statement is written once
// per contract, kind, year and quarter (unique index), so a second run of the same day, or a retry after
// a crash half-way, writes nothing more.
import { defineChinaDailyJob } from "./china-day";

/** Daily (01:00 China time): generateDueStatements(day). */
export const quarterlyStatementsJob = defineChinaDailyJob("settlement.quarterlyStatements", async (day, ctx) => {
  // Imported at run time: the definitions are loaded by the registry before the services.
  const { generateDueStatements } = await import("~/services/settlement/statements.server");
  const result = await generateDueStatements(day, new Date());
  if (result.generated) ctx.logger.info("settlement statements generated", { day, generated: result.generated });
});
