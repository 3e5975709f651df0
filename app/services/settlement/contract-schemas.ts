import { z } from "zod";

/**
 * The inputs of the settlement contract operations (R7 forced deduction, loss of funds, close-out),
 * one zod schema per input shared by the API, the page's forms and the services. Messages are i18n
 * keys (settlement.contracts.*). No server imports.
 */

const id = z.string().trim().min(1, { error: "form.invalidChoice" }).max(64, { error: "form.invalidChoice" });

/** A list of ids from a JSON array or from repeated form fields (one value arrives as a string). */
const idList = z.preprocess(
  (v) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v.filter((x) => x !== "") : [v]),
  z.array(id).max(1000, { error: "settlement.contracts.tooManyRecoveries" }),
);

/** POST /contracts/{id}/deductions and the deduction form (department). */
export const forceDeductionSchema = z
  .object({
    recovery_ids: idList.optional().default([]).meta({
      description: "The recoveries to deduct (ids). Empty or absent: every deductible recovery of the contract (more than `deductionAfterDays` late, or a recorded loss of funds).",
    }),
    reason: z
      .string({ error: "settlement.contracts.reasonRequired" })
      .trim()
      .min(1, { error: "settlement.contracts.reasonRequired" })
      .max(1000, { error: "settlement.contracts.reasonTooLong" })
      .meta({ description: "Why the department deducts (shown to the custodian)." }),
  })
  .meta({ id: "ForcedDeductionRequest" });
export type ForceDeductionInput = z.infer<typeof forceDeductionSchema>;

/** POST /recoveries/{id}/loss and the loss-of-funds form (department). */
export const lossOfFundsSchema = z
  .object({
    note: z
      .string({ error: "settlement.contracts.lossNoteRequired" })
      .trim()
      .min(1, { error: "settlement.contracts.lossNoteRequired" })
      .max(1000, { error: "settlement.contracts.reasonTooLong" })
      .meta({ description: "What happened to the money (挪用、遗失…)." }),
  })
  .meta({ id: "LossOfFundsRequest" });
export type LossOfFundsInput = z.infer<typeof lossOfFundsSchema>;

/** POST /contracts/{id}/close-out and the close-out form (finance). */
export const closeOutSchema = z
  .object({
    voucher_number: z
      .string({ error: "settlement.contracts.voucherRequired" })
      .trim()
      .min(1, { error: "settlement.contracts.voucherRequired" })
      .max(64, { error: "settlement.contracts.voucherTooLong" })
      .meta({ description: "The voucher (凭证号) of the refund of the deposit balance (required even when nothing is refunded)." }),
  })
  .meta({ id: "CloseOutRequest" });
export type CloseOutInput = z.infer<typeof closeOutSchema>;
