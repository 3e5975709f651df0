// The loan-tape import job: validates a submitted tape whole, then writes it all or nothing
// (app/services/loans/import.server.ts). Idempotent: a tape already imported or rejected is left
// alone, and a crash half-way leaves nothing written (one transaction). On the last attempt a
// failure is recorded on the tape (status failed) so the user is not left waiting.
import { z } from "zod";
import { defineJob } from "./define";

export const importLoanTape = defineJob({
  name: "loans.importTape",
  payload: z.object({ tapeId: z.string().min(1) }),
  attempts: 2,
  backoffMs: 5_000,
  idempotencyKey: (p) => p.tapeId,
  async handler({ tapeId }, ctx) {
    // Imported at run time: the service imports this definition to enqueue it.
    const { processLoanTape, markLoanTapeFailed } = await import("~/services/loans/import.server");
    try {
      const result = await processLoanTape(tapeId);
      ctx.logger.info("loan tape processed", { tapeId, ...result });
    } catch (error) {
      if (ctx.attempt >= importLoanTape.attempts) await markLoanTapeFailed(tapeId, error);
      throw error;
    }
  },
});
