import { z } from "zod";
import { isCalendarDay } from "~/domain/calendar";

/**
 * The inputs of liability events (R8) and full-time applications (issue 7 items 2 and 5), one zod
 * schema per input shared by the API, the forms and the services. Messages are i18n keys
 * (custody.liability.*, custody.fullTime.*). No server imports.
 */

const id = z.string().trim().min(1, { error: "form.invalidChoice" }).max(64, { error: "form.invalidChoice" });
const note = z.string().trim().max(1000, { error: "custody.liability.noteTooLong" });

/** POST /custody/liability-events/{id}/decision and the review page: confirm, or dismiss with a reason. */
export const decideLiabilitySchema = z
  .object({
    decision: z.enum(["confirm", "dismiss"], { error: "custody.liability.invalidDecision" }).meta({
      description: "confirm: the deposit is forfeited / drawn and the compensation booked (one journal entry); dismiss: nothing is booked (a note is required).",
    }),
    note: note.optional().default("").meta({ description: "Why; required to dismiss." }),
  })
  .refine((v) => v.decision !== "dismiss" || v.note !== "", { error: "custody.liability.noteRequired", path: ["note"] })
  .meta({ id: "LiabilityDecisionRequest" });
export type DecideLiabilityInput = z.infer<typeof decideLiabilitySchema>;

/** POST /custody/liability-events (department): the loss of a foreclosed asset (抵债资产) of a loan of a contract, during its term. */
export const assetLossSchema = z
  .object({
    contract_id: id,
    loan_id: id,
    occurred_on: z
      .string({ error: "custody.liability.invalidDay" })
      .trim()
      .refine(isCalendarDay, { error: "custody.liability.invalidDay" })
      .meta({ description: "The day of the loss (YYYY-MM-DD, China calendar), within the custody term, not in the future." }),
    note: z.string({ error: "custody.liability.noteRequired" }).trim().min(1, { error: "custody.liability.noteRequired" }).max(1000, { error: "custody.liability.noteTooLong" }),
  })
  .meta({ id: "AssetLossRequest" });
export type AssetLossInput = z.infer<typeof assetLossSchema>;

/** POST /custody/full-time-applications (a staff custodian): why they want to collect full time. */
export const fullTimeApplySchema = z
  .object({
    reason: z
      .string({ error: "custody.fullTime.reasonRequired" })
      .trim()
      .min(1, { error: "custody.fullTime.reasonRequired" })
      .max(1000, { error: "custody.fullTime.reasonTooLong" }),
  })
  .meta({ id: "FullTimeApplyRequest" });
export type FullTimeApplyInput = z.infer<typeof fullTimeApplySchema>;

/** POST /custody/full-time-applications/{id}/decision (department, not the applicant). */
export const decideFullTimeSchema = z
  .object({
    decision: z.enum(["approve", "reject"], { error: "custody.fullTime.invalidDecision" }),
    note: z.string().trim().max(1000, { error: "custody.liability.noteTooLong" }).optional().default("").meta({ description: "Required to reject." }),
  })
  .refine((v) => v.decision !== "reject" || v.note !== "", { error: "custody.fullTime.noteRequired", path: ["note"] })
  .meta({ id: "FullTimeDecisionRequest" });
export type DecideFullTimeInput = z.infer<typeof decideFullTimeSchema>;

export const liabilityKinds = ["LIMITATION_LAPSE", "ASSET_LOSS"] as const;
export const liabilityStatuses = ["DETECTED", "CONFIRMED", "DISMISSED"] as const;
export const fullTimeStatuses = ["PENDING", "APPROVED", "REJECTED"] as const;
