import { z } from "zod";

/**
 * A bid as the UI form and the API send it: the amount in yuan (`"123000.00"`; parsed exactly by
 * parseBidAmount, never as a float) and the client's idempotency key (API header `Idempotency-Key`;
 * the form sends one per rendering, so a double submit or a retry is answered once).
 */
export const placeBidSchema = z.object({
  amount: z.string().trim().min(1, "auction.refused.invalid_amount").max(40, "auction.refused.invalid_amount"),
  idempotencyKey: z
    .string()
    .trim()
    .min(1, "auction.bid.idempotencyKeyRequired")
    .max(200, "auction.bid.idempotencyKeyInvalid")
    .regex(/^[\x21-\x7e]+$/, "auction.bid.idempotencyKeyInvalid"),
});
export type PlaceBidInput = z.input<typeof placeBidSchema>;
