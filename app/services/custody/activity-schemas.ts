import { z } from "zod";
import { contactKinds, contactParties, otherActivityKinds } from "~/domain/conduct";

/**
 * The one input of "record a collection activity" (issue 7, item 3), shared by the workbench form,
 * the action and the API operation. `at` is the instant it happened: the form's datetime-local
 * value is China time (UTC+8, no daylight saving); the API takes an ISO 8601 instant with its offset.
 */

export const activityKinds = [...contactKinds, ...otherActivityKinds] as const;
export type ActivityKind = (typeof activityKinds)[number];

/** Kinds whose evidence is a limitation interruption (R8) once the department verifies it. */
export const interruptionKindOf: Partial<Record<ActivityKind, "notice_receipt" | "lawsuit" | "payment_order">> = {
  collection_notice: "notice_receipt",
  lawsuit: "lawsuit",
  payment_order: "payment_order",
};

export const activityTextMax = 500;

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** "2026-12-20T21:59" read as China time → the instant (13:59Z); null when not a valid datetime-local value. */
export function chinaLocalToInstant(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - CHINA_OFFSET_MS;
  const back = new Date(ms + CHINA_OFFSET_MS);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi) return null;
  return new Date(ms);
}

/** The instant as a datetime-local value in China time: 13:59Z → "2026-12-20T21:59". */
export function instantToChinaLocal(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}

const text = z.string().trim().max(activityTextMax, { error: "custody.activity.textTooLong" });

/** The workbench form (FormData values are strings; the checkbox is "on" when ticked). */
export const activityFormSchema = z.object({
  kind: z.enum(activityKinds, { error: "custody.activity.invalidKind" }),
  party: z.union([z.enum(contactParties, { error: "custody.activity.invalidParty" }), z.literal("")]).optional(),
  at: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || chinaLocalToInstant(v) !== null, { error: "custody.activity.invalidAt" }),
  effective: z.string().optional(),
  outcome: text.optional(),
  note: text.optional(),
});
export type ActivityFormInput = z.infer<typeof activityFormSchema>;

/** POST /api/v1/custody/loans/{loanNumber}/activities (JSON; the evidence, if any, base64 encoded). */
export const activityRequestSchema = z
  .object({
    kind: z.enum(activityKinds, { error: "custody.activity.invalidKind" }).meta({
      description: "Contacts (checked against the conduct rules): call, sms, visit, letter, collection_notice. Others: lawyer_letter, lawsuit, payment_order.",
    }),
    party: z.enum(contactParties, { error: "custody.activity.invalidParty" }).nullable().optional().meta({
      description: "Contacts only: debtor or guarantor (third_party is refused). Ignored for other kinds.",
    }),
    at: z.iso.datetime({ offset: true, error: "custody.activity.invalidAt" }).optional().meta({
      description: "When it happened, ISO 8601 with offset (e.g. 2026-12-20T21:59:00+08:00). Default: now. Not in the future, not before custody started.",
    }),
    effective: z.boolean().optional().default(false).meta({ description: "An effective contact (reached the person) counts toward the daily limit." }),
    outcome: text.optional().default(""),
    note: text.nullable().optional(),
    evidence: z
      .object({
        file_name: z.string().trim().min(1).max(200),
        content_base64: z.string().min(1).meta({ description: "The file's bytes, base64 (PDF, PNG or JPEG, at most 10 MB)." }),
      })
      .nullable()
      .optional()
      .meta({
        description: "collection_notice: the signed receipt; lawsuit / payment_order: the filing. With evidence these become a PENDING limitation interruption the department verifies.",
      }),
  })
  .meta({ id: "CollectionActivityRequest" });
export type ActivityRequest = z.infer<typeof activityRequestSchema>;
