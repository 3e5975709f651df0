import { z } from "zod";
import { parsePositiveYuan } from "~/domain/money";

/**
 * The inputs of award acceptance, refunds and re-tender (issue 6, items 6–7), one zod schema per
 * input shared by the API, the forms and the services. Messages are i18n keys (auction.award.*,
 * auction.refund.*, auction.retender.*). No server imports.
 */

/** A reserve as people type it: more than zero, at most two decimals; null otherwise. */
export const parseReserve = parsePositiveYuan;

const id = z.string().trim().min(1).max(64);

/** POST /api/v1/awards/{awardId}/accept: nothing in the body; the id comes from the path. */
export const acceptAwardSchema = z.object({ award_id: id });
export type AcceptAwardInput = z.infer<typeof acceptAwardSchema>;

/** POST /api/v1/deposits/{id}/refund-confirm (finance): the voucher number (凭证号) of the offline refund. */
export const confirmOfflineRefundSchema = z.object({
  voucher: z
    .string({ error: "auction.refund.voucherRequired" })
    .trim()
    .min(1, { error: "auction.refund.voucherRequired" })
    .max(64, { error: "auction.refund.voucherTooLong" })
    .meta({ description: "The voucher number of the refund finance made (bank transfer or payroll)." }),
});
export type ConfirmOfflineRefundInput = z.infer<typeof confirmOfflineRefundSchema>;

const reserveText = z
  .string()
  .trim()
  .refine((v) => parseReserve(v) !== null, { error: "auction.retender.invalidReserve" })
  .meta({ description: "Yuan, e.g. \"300000.00\"; lower than the package price needs an approver's approval." });

/**
 * POST /api/v1/tenders/{tenderId}/retender: the unsold or returned lots to offer again, and for
 * some of them a new reserve (keyed by the old lot's id). Without one, a lot's reserve is its package price.
 */
export const retenderSchema = z.object({
  lot_ids: z.array(id).min(1, { error: "auction.retender.noLots" }).max(500),
  reserves: z.record(id, reserveText).optional(),
});
export type RetenderInput = z.infer<typeof retenderSchema>;

/** The parsed reserves of a re-tender input, in fen by old lot id. */
export function retenderReserves(input: RetenderInput): Record<string, bigint> {
  return Object.fromEntries(Object.entries(input.reserves ?? {}).map(([lotId, text]) => [lotId, parseReserve(text)!]));
}
