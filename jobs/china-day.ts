// The payload field of the once-a-day jobs that run on the bank's calendar: the China day the run is
// for, which is also its idempotency key (a second run of the same day is the same job).
import { z } from "zod";
import { todayInChina } from "~/domain/calendar";

export const chinaRunDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .default(() => todayInChina(new Date()));
