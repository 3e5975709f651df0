// The once-a-day jobs that run on the bank's calendar: their payload is the China day the run is for,
// which is also its idempotency key (a second run of the same day is the same job).
import { z } from "zod";
import { todayInChina } from "~/domain/calendar";
import { defineJob, type JobContext } from "./define";

export const chinaRunDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .default(() => todayInChina(new Date()));

/** A daily job keyed by its China day, three tries a minute apart and more. */
export function defineChinaDailyJob(name: string, run: (day: string, ctx: JobContext) => Promise<void>) {
  return defineJob({
    name,
    payload: z.object({
      /** The China day the run is for: its idempotency key. */
      day: chinaRunDay,
    }),
    attempts: 3,
    backoffMs: 60_000,
    idempotencyKey: (p) => p.day,
    handler: ({ day }, ctx) => run(day, ctx),
  });
}
