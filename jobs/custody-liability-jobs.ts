// [CUSTODY] liability jobs (issue 7 item 5, R8): the daily detection of limitations that lapsed during
// custody. Idempotent: an event is recorded once per contract, loan and expiry (unique index), so a
// second run of the same day, or a retry after a crash half-way, records nothing more.
import { defineChinaDailyJob } from "./china-day";

/** Daily: every loan in custody (or returned after a term) whose limitation lapsed during custody becomes a DETECTED liability event. */
export const detectLapsesJob = defineChinaDailyJob("custody.detectLapses", async (_day, ctx) => {
  // Imported at run time: the definitions are loaded by the registry before the services.
  const { detectLapses } = await import("~/services/custody/liability.server");
  const result = await detectLapses(new Date());
  if (result.created.length) ctx.logger.info("limitation lapses detected", { created: result.created.length, existing: result.existing });
});
