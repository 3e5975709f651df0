import { z } from "zod";
import { isCalendarDay } from "~/domain/calendar";
import { MoneyParseError, parseYuan, type Fen } from "~/domain/money";
import { loanFilterSchema } from "~/services/loans/loan-filter";

/**
 * The inputs of pricing (R1), one zod schema per input shared by the API, the forms (browser and
 * server) and the service. Messages are i18n keys.
 */

export const pricingDaySchema = z
  .string({ error: "pricing.error.invalidDate" })
  .trim()
  .refine(isCalendarDay, { error: "pricing.error.invalidDate" })
  .meta({ description: "A calendar day, YYYY-MM-DD (China time). Default: today." });

const moneyErrors: Record<MoneyParseError["code"], string> = {
  "money.empty": "pricing.error.priceRequired",
  "money.invalid": "pricing.error.priceInvalid",
  "money.negative": "pricing.error.pricePositive",
  "money.tooManyDecimals": "pricing.error.priceDecimals",
};

/**
 * An overriding price as people type it (`1234.5`, `¥1,234.56`). It must be more than zero: a
 * loan worth nothing is left out of a package, it is not given away at ¥0.00.
 */
export function parseOverridePrice(text: string): { ok: true; fen: Fen } | { ok: false; error: string } {
  try {
    const fen = parseYuan(text);
    return fen > 0n ? { ok: true, fen } : { ok: false, error: "pricing.error.pricePositive" };
  } catch (error) {
    if (error instanceof MoneyParseError) return { ok: false, error: moneyErrors[error.code] };
    throw error;
  }
}

const priceText = z
  .string({ error: "pricing.error.priceRequired" })
  .trim()
  .superRefine((value, ctx) => {
    const parsed = parseOverridePrice(value);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
  })
  .meta({ description: "The new price: yuan with at most two decimals, e.g. \"1234.56\"; more than zero and not more than the claim." });

export const overrideReasonSchema = z
  .string({ error: "pricing.error.reasonRequired" })
  .trim()
  .min(1, { error: "pricing.error.reasonRequired" })
  .max(500, { error: "pricing.error.reasonTooLong" });

/** POST /api/v1/pricing-runs/{id}/prices/{loan_number}/override, and the override form of a price row. */
export const priceOverrideSchema = z.object({ price: priceText, reason: overrideReasonSchema });
export type PriceOverrideInput = z.infer<typeof priceOverrideSchema>;

export const priceOverrideFormSchema = priceOverrideSchema.extend({ loanPriceId: z.string().min(1) });

/** Loan numbers typed one a line, or separated by commas, semicolons or spaces; duplicates dropped. */
export function splitLoanNumbers(text: string): string[] {
  return [...new Set(text.split(/[\s,，、;；]+/).map((s) => s.trim()).filter(Boolean))];
}

/** POST /api/v1/pricing-runs: exactly one of loan_numbers and filter. */
export const pricingRunRequestSchema = z
  .object({
    loan_numbers: z.array(z.string().trim().min(1).max(64)).max(100_000).optional().meta({ description: "The loans to price, by loan number." }),
    filter: loanFilterSchema.optional().meta({ description: "Or: every loan matching the loan book's filters ({} is the whole book)." }),
    pricing_date: pricingDaySchema.optional(),
  })
  .superRefine((input, ctx) => {
    if ((input.loan_numbers === undefined) === (input.filter === undefined)) {
      ctx.addIssue({ code: "custom", path: ["loan_numbers"], message: "pricing.error.selectOne" });
    }
  });
export type PricingRunRequest = z.infer<typeof pricingRunRequestSchema>;

const blankToUndefined = (value: unknown) => (value === "" ? undefined : value);
const optionalFilter = <S extends z.ZodType>(schema: S) => z.preprocess(blankToUndefined, schema);

/** The "new run" form: a list of loan numbers, or the loan book's filters; and the pricing date. */
export const newRunFormSchema = z
  .object({
    mode: z.enum(["numbers", "filter"], { error: "form.invalidChoice" }),
    loan_numbers: z.string().max(2_000_000, { error: "form.tooLong" }).optional(),
    branch: optionalFilter(loanFilterSchema.shape.branch),
    region: optionalFilter(loanFilterSchema.shape.region),
    five_tier: optionalFilter(loanFilterSchema.shape.five_tier),
    difficulty: optionalFilter(loanFilterSchema.shape.difficulty),
    status: optionalFilter(loanFilterSchema.shape.status),
    pricing_date: pricingDaySchema,
  })
  .superRefine((input, ctx) => {
    if (input.mode === "numbers" && splitLoanNumbers(input.loan_numbers ?? "").length === 0) {
      ctx.addIssue({ code: "custom", path: ["loan_numbers"], message: "pricing.error.noLoanNumbers" });
    }
  });
export type NewRunForm = z.infer<typeof newRunFormSchema>;

/** The form's input as the service's selection. */
export function selectionOfForm(input: NewRunForm) {
  if (input.mode === "numbers") return { loanNumbers: splitLoanNumbers(input.loan_numbers ?? ""), pricingDate: input.pricing_date };
  const { branch, region, five_tier, difficulty, status } = input;
  const filter = Object.fromEntries(Object.entries({ branch, region, five_tier, difficulty, status }).filter(([, v]) => v !== undefined));
  return { filter: loanFilterSchema.parse(filter), pricingDate: input.pricing_date };
}
