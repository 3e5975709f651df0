// [CUSTODY] collection work jobs (issue 7, item 3): the daily R8 limitation alerts (90/30/7 days before
// expiry) for loans in custody. Idempotent: an alert is one LimitationAlert row per loan, expiry and
// threshold (unique), so a second run of the same day, or a retry half-way, sends nothing twice.
import { z } from "zod";
import { todayInChina } from "~/domain/calendar";
import { defineJob } from "./define";

/** Once a day (China time): alerts for the loans in custody that reached a threshold. `day` is the run's key. */
export const limitationAlertsJob = defineJob({
  name: "custody.limitationAlerts",
  payload: z.object({
    day: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .default(() => todayInChina(new Date())),
  }),
  attempts: 3,
  backoffMs: 60_000,
  idempotencyKey: (p) => p.day,
  async handler({ day }, ctx) {
    // Imported at run time: the services import the queue, which imports the registry.
    const { sendLimitationAlerts } = await import("~/services/custody/limitation-alerts.server");
    const run = await sendLimitationAlerts(new Date());
    ctx.logger.info("limitation alerts", { day, today: run.today, sent: run.sent.length, recordedSilently: run.recordedSilently });
  },
});
