// [CUSTODY] contract jobs (issue 7, item 2): the end of custody. Access to a loan's personal data ends
// by itself at the contract's custodyEndsAt (inCustodyTerm); this daily run records it — the contract
// ENDED, its loans still in custody RETURNED to the bank — for every contract due by the time it runs.
// Idempotent: an ended contract is skipped, so a rerun or a late run changes nothing more.
import { defineChinaDailyJob } from "./china-day";

/** Once a day (China time): every ACTIVE contract whose custody end has passed → ENDED, loans returned. */
export const endDueCustodyJob = defineChinaDailyJob("custody.endDue", async (day, ctx) => {
  // Imported at run time, as the other jobs do.
  const { endDueCustody } = await import("~/services/custody/contracts.server");
  const result = await endDueCustody(new Date());
  if (result.ended.length) ctx.logger.info("custody ended", { day, contracts: result.ended.length, returnedLoans: result.returnedLoans });
});
