// [SETTLE] late-interest job (R7): the daily accrual of every contract's late interest on remittances.
// Idempotent by construction: an accrual posts only the difference between the cumulative late interest
// as of the day and what is booked, so a second run of the same day (or a retry after a crash half-way:
// each chunk of contracts is one transaction) posts nothing more.
import { defineChinaDailyJob } from "./china-day";

/** Daily (00:30 China time): accrue late interest as of `day` on every contract with recoveries. */
export const accrueLateInterestJob = defineChinaDailyJob("settlement.accrueLateInterest", async (day, ctx) => {
  // Imported at run time: the definitions are loaded by the registry before the services.
  const { accrueLateInterest } = await import("~/services/settlement/late-interest.server");
  const result = await accrueLateInterest(day, new Date());
  ctx.logger.info("late interest accrued", { day, contracts: result.contracts, posted: result.posted, total: result.total.toString() });
});
