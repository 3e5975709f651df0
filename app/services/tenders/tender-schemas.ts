import { z } from "zod";
import { parsePositiveYuan, parseRate } from "~/domain/money";

/**
 * The inputs of tenders, registration and bid deposits (issue 6, items 1–3), one zod schema per input
 * shared by the API, the forms and the services. Messages are i18n keys (auction.tender.*,
 * auction.deposit.*). No server imports.
 */

export const tenderAudiences = ["STAFF", "AGENCY", "BOTH"] as const;
export type TenderAudience = (typeof tenderAudiences)[number];

export const tenderStatuses = ["DRAFT", "PUBLISHED", "OPEN", "CLOSED", "CANCELLED"] as const;
export type TenderStatus = (typeof tenderStatuses)[number];

/** An instant as the API and forms send it (ISO 8601 with an offset, or a datetime-local value read as China time). */
const instant = (key: string) =>
  z.preprocess(
    (value) => {
      if (value instanceof Date) return value;
      if (typeof value !== "string" || !value.trim()) return undefined;
      const text = value.trim();
      // A datetime-local value (no offset) is China time (UTC+8).
      const withOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}+08:00` : text;
      const date = new Date(withOffset);
      return Number.isNaN(date.getTime()) ? value : date;
    },
    z.date({ error: key }),
  );

const position = z.string().trim().min(1).max(100);

/** An optional amount in yuan ("5000" or "5000.00", at most 2 decimals, > 0); empty means "the setting in force". */
const optionalYuan = (key: string) =>
  z.preprocess(
    (value) => (typeof value === "string" && !value.trim() ? undefined : typeof value === "number" ? String(value) : value),
    z
      .string({ error: key })
      .trim()
      .refine((v) => parsePositiveYuan(v) !== null, { error: key })
      .optional(),
  );

/** An optional exact rate as a decimal ("0.005"), 0 ≤ rate < 1; empty means "the setting in force". */
const optionalRate = z.preprocess(
  (value) => (typeof value === "string" && !value.trim() ? undefined : typeof value === "number" ? String(value) : value),
  z
    .string({ error: "auction.tender.invalidIncrementRate" })
    .trim()
    .refine((v) => {
      try {
        const r = parseRate(v);
        return r.numerator >= 0n && r.numerator < r.denominator;
      } catch {
        return false;
      }
    }, { error: "auction.tender.invalidIncrementRate" })
    .optional(),
);

/** POST /api/v1/tenders and the new-tender form: a draft tender from approved packages (each a lot). */
export const createTenderSchema = z
  .object({
    title: z.string({ error: "auction.tender.titleRequired" }).trim().min(1, { error: "auction.tender.titleRequired" }).max(200, { error: "auction.tender.titleTooLong" }),
    description: z.string().trim().max(5000, { error: "auction.tender.descriptionTooLong" }).default(""),
    package_ids: z
      .array(z.string().trim().min(1))
      .min(1, { error: "auction.tender.noPackages" })
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, { error: "auction.tender.duplicatePackages" })
      .meta({ description: "Approved packages, in lot order (lot 1, 2, …)." }),
    audience: z.enum(tenderAudiences, { error: "auction.tender.invalidAudience" }).meta({ description: "Who may bid: STAFF, AGENCY or BOTH." }),
    excluded_positions: z.array(position).max(100).default([]).meta({ description: "Positions excluded on top of the setting's." }),
    registration_opens_at: instant("auction.tender.invalidTime"),
    registration_closes_at: instant("auction.tender.invalidTime"),
    auction_starts_at: instant("auction.tender.invalidTime"),
    auction_ends_at: instant("auction.tender.invalidTime"),
    // The tender's own terms (issue 6 item 1); each left out takes the setting in force.
    bid_deposit: optionalYuan("auction.tender.invalidBidDeposit").meta({ description: "Bid deposit in yuan, e.g. \"5000.00\"; default: the setting in force." }),
    increment_minimum: optionalYuan("auction.tender.invalidIncrementMinimum").meta({ description: "Minimum increment in yuan; default: the setting." }),
    increment_rate: optionalRate.meta({ description: "Increment as a share of the reserve, e.g. \"0.005\"; default: the setting." }),
    increment_round_up_to: optionalYuan("auction.tender.invalidIncrementRounding").meta({ description: "Increments are rounded up to a multiple of this, in yuan; default: the setting." }),
    anti_sniping_minutes: z.preprocess(
      (value) => (typeof value === "string" ? (value.trim() ? Number(value.trim()) : undefined) : value),
      z.number({ error: "auction.tender.invalidAntiSniping" }).int({ error: "auction.tender.invalidAntiSniping" }).min(1, { error: "auction.tender.invalidAntiSniping" }).max(60, { error: "auction.tender.invalidAntiSniping" }).optional(),
    ).meta({ description: "Anti-sniping window in minutes (1–60); default: the setting." }),
  })
  .superRefine((input, ctx) => {
    const t = (d: Date) => d.getTime();
    if (t(input.registration_closes_at) <= t(input.registration_opens_at)) {
      ctx.addIssue({ code: "custom", message: "auction.tender.registrationWindowInvalid", path: ["registration_closes_at"] });
    }
    if (t(input.auction_ends_at) <= t(input.auction_starts_at)) {
      ctx.addIssue({ code: "custom", message: "auction.tender.auctionWindowInvalid", path: ["auction_ends_at"] });
    }
    if (t(input.registration_opens_at) > t(input.auction_starts_at)) {
      ctx.addIssue({ code: "custom", message: "auction.tender.registrationAfterAuction", path: ["registration_opens_at"] });
    }
    if (t(input.registration_closes_at) > t(input.auction_ends_at)) {
      ctx.addIssue({ code: "custom", message: "auction.tender.registrationAfterAuction", path: ["registration_closes_at"] });
    }
  });
export type CreateTenderInput = z.infer<typeof createTenderSchema>;

/** GET /api/v1/tenders and the list page. */
export const tenderListQuerySchema = z.object({
  status: z.enum(tenderStatuses).optional().catch(undefined),
  page: z.coerce.number().int().min(1).catch(1).default(1),
});
export type TenderListQuery = z.infer<typeof tenderListQuerySchema>;

export const stripeMethods = ["card", "alipay", "wechat_pay"] as const;

/** POST …/deposit/stripe: the Stripe payment method types to offer (the operator's account decides what works). */
export const startStripeDepositSchema = z.object({
  methods: z.array(z.enum(stripeMethods, { error: "form.invalidChoice" })).min(1).max(3).default(["card"]),
});
export type StartStripeDepositInput = z.infer<typeof startStripeDepositSchema>;

export const offlineDepositMethods = ["BANK_TRANSFER", "PAYROLL"] as const;
export type OfflineDepositMethod = (typeof offlineDepositMethods)[number];

/** POST …/deposit/offline: the bidder declares a bank transfer or a payroll deduction. */
export const declareOfflineDepositSchema = z.object({
  method: z.enum(offlineDepositMethods, { error: "auction.deposit.invalidMethod" }).meta({ description: "BANK_TRANSFER or PAYROLL." }),
});
export type DeclareOfflineDepositInput = z.infer<typeof declareOfflineDepositSchema>;

/** POST …/deposits/{id}/confirm (finance): the voucher number (凭证号) of the money received. */
export const confirmOfflineDepositSchema = z.object({
  voucher_number: z
    .string({ error: "auction.deposit.voucherRequired" })
    .trim()
    .min(1, { error: "auction.deposit.voucherRequired" })
    .max(64, { error: "auction.deposit.voucherTooLong" }),
});
export type ConfirmOfflineDepositInput = z.infer<typeof confirmOfflineDepositSchema>;

/** POST /api/v1/notifications/read: some notifications, or all of them. */
export const markReadSchema = z.object({
  ids: z.array(z.string().min(1)).max(500).optional(),
  all: z.boolean().default(false),
});
export type MarkReadInput = z.infer<typeof markReadSchema>;
