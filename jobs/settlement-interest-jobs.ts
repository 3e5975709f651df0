// [SETTLE] late-interest job (R7): the daily accrual of every contract's late interest on remittances.
// Idempotent by construction: an accrual posts only the difference between the cumulative late interest
// as of the day and what is booked, so a second run of the same day (or a retry after a crash half-way:
// each chunk of contracts is one transaction) posts nothing more.
import { z } from "zod";
import { chinaRunDay } from "./china-day";
import { defineJob } from "./define";

/** Daily (00:30 China time): accrue late interest as of `day` on every contract with recoveries. */
export const accrueLateInterestJob = defineJob({
  name: "settlement.accrueLateInterest",
  payload: z.object({
    /** The China day the run is for: its idempotency key. */
    day: chinaRunDay,
  }),
  attempts: 3,
  backoffMs: 60_000,
  idempotencyKey: (p) => p.day,
  async handler(payload, ctx) {
    // Imported at run time: the definitions are loaded by the registry before the services.
    const { accrueLateInterest } = await import("~/services/settlement/late-interest.server");
    const result = await accrueLateInterest(payload.day, new Date());
    ctx.logger.info("late interest accrued", { day: payload.day, contracts: result.contracts, posted: result.posted, total: result.total.toString() });
  },
});
