import { z } from "zod";
import { toYuanString, type Fen } from "~/domain/money";
import { priceOverrideSchema, pricingRunRequestSchema } from "~/services/pricing/pricing-schemas";
import type { OpenApiArea } from "./openapi-area";

/**
 * The pricing operations of /api/v1 (R1): create and read pricing runs, override a price. Money is
 * yuan with two decimals ("1234.56"), ratios are exact decimal strings ("0.3" = 30%).
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Money: yuan as a string with two decimals, e.g. \"1234.56\"." });
const ratio = z.string().regex(/^\d+(\.\d+)?$/).meta({ description: "An exact decimal ratio, e.g. \"0.3\" for 30%." });
const band = z.enum(["upTo2", "upTo5", "upTo10", "over10"]).meta({ description: "Age band: ≤2 | 2<age≤5 | 5<age≤10 | >10 whole years overdue." });
const difficulty = z.enum(["recoverable", "hard"]);
const ratios = z.object({ upTo2: ratio, upTo5: ratio, upTo10: ratio, over10: ratio });

export const pricingRunSummarySchema = z
  .object({
    id: z.string(),
    number: z.number().int().meta({ description: "Sequential run number." }),
    pricing_date: z.string().meta({ description: "YYYY-MM-DD: ages are counted to this day; the settings version in force on it is used." }),
    settings_version: z.number().int(),
    claim_basis: z.enum(["principal", "principal+interest"]),
    loan_count: z.number().int(),
    total_claim: yuan,
    total_price: yuan.meta({ description: "Sum of the computed prices (overrides not included)." }),
    created_by: z.string().nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "PricingRunSummary" });

const skippedSchema = z.object({
  loan_number: z.string(),
  status: z.string(),
  reason: z.enum(["locked", "closed"]).meta({ description: "locked: in a package, tender or custody (keeps its price); closed: recovered or written off." }),
});

export const computedPriceSchema = z
  .object({
    loan_number: z.string(),
    claim: yuan,
    age_years: z.number().int(),
    band,
    difficulty,
    ratio,
    price: yuan,
  })
  .meta({ id: "ComputedPrice" });

export const pricingRunCreatedSchema = pricingRunSummarySchema
  .extend({
    prices: z.array(computedPriceSchema),
    skipped: z.array(skippedSchema).meta({ description: "Selected loans that were not priced, with the reason." }),
  })
  .meta({ id: "PricingRunCreated" });

export const pricingRunPageSchema = z
  .object({
    items: z.array(pricingRunSummarySchema),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    pages: z.number().int(),
  })
  .meta({ id: "PricingRunPage", description: "Newest first." });

const overrideInfo = z.object({ price: yuan, reason: z.string(), by: z.string().nullable(), at: z.iso.datetime() });

export const runPriceSchema = computedPriceSchema
  .extend({
    borrower: z.string().meta({ description: "Masked for individuals (王*明)." }),
    effective_price: yuan.meta({ description: "The latest override, else the computed price." }),
    in_force: z.boolean().meta({ description: "Whether this is the loan's price in force (the latest run that priced it)." }),
    override: overrideInfo.nullable().meta({ description: "The latest override, if any." }),
    override_count: z.number().int(),
  })
  .meta({ id: "RunPrice" });

export const pricingRunDetailSchema = pricingRunSummarySchema
  .extend({
    total_effective_price: yuan,
    ratio_table: z
      .object({ claim_basis: z.enum(["principal", "principal+interest"]), recoverable: ratios, hard: ratios })
      .nullable()
      .meta({ description: "The settings version's claim basis and ratio table the run used." }),
    skipped: z.array(skippedSchema),
    prices: z.array(runPriceSchema),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    pages: z.number().int(),
  })
  .meta({ id: "PricingRun", description: "One run with one page of its prices (by loan number)." });

export const priceOverrideResultSchema = z
  .object({
    run_id: z.string(),
    run_number: z.number().int(),
    loan_number: z.string(),
    computed_price: yuan,
    previous_price: yuan.meta({ description: "The effective price before this override." }),
    effective_price: yuan,
    reason: z.string(),
    in_force: z.boolean().meta({ description: "True when the loan's current price changed; false for an older run's price (only that run's record changes)." }),
  })
  .meta({ id: "PriceOverrideResult" });

export const pricingRunQuerySchema = z.object({
  page: z.coerce.number().int().min(1).catch(1).default(1),
  q: z.string().trim().max(100).optional().meta({ description: "Loan number (prefix) or borrower name (contains)." }),
});
export const pricingRunsQuerySchema = z.object({ page: z.coerce.number().int().min(1).catch(1).default(1) });

// ---- shaping ---------------------------------------------------------------------------------------

interface RunRow {
  id: string;
  number: number;
  pricingDate: string;
  settingsVersion: number;
  claimBasis: string;
  loanCount: number;
  totalClaim: Fen;
  totalPrice: Fen;
  createdAt: Date;
  createdBy?: string | null;
}

export function apiRunSummary(run: RunRow) {
  return {
    id: run.id, number: run.number, pricing_date: run.pricingDate, settings_version: run.settingsVersion, claim_basis: run.claimBasis,
    loan_count: run.loanCount, total_claim: toYuanString(run.totalClaim), total_price: toYuanString(run.totalPrice),
    created_by: run.createdBy ?? null, created_at: run.createdAt.toISOString(),
  };
}

export function apiComputedPrice(p: { loanNumber: string; claim: Fen; ageYears: number; band: string; difficulty: string; ratio: string; price: Fen }) {
  return { loan_number: p.loanNumber, claim: toYuanString(p.claim), age_years: p.ageYears, band: p.band, difficulty: p.difficulty, ratio: p.ratio, price: toYuanString(p.price) };
}

export function apiSkipped(s: { loanNumber: string; status: string; reason: string }) {
  return { loan_number: s.loanNumber, status: s.status, reason: s.reason };
}

// ---- the document ----------------------------------------------------------------------------------

const runIdParameter = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The run's id or its number." };

export const pricingApi: OpenApiArea = {
  schemas: {
    PricingRunRequest: pricingRunRequestSchema,
    PricingRunSummary: pricingRunSummarySchema,
    ComputedPrice: computedPriceSchema,
    PricingRunCreated: pricingRunCreatedSchema,
    PricingRunPage: pricingRunPageSchema,
    RunPrice: runPriceSchema,
    PricingRun: pricingRunDetailSchema,
    PriceOverrideRequest: priceOverrideSchema,
    PriceOverrideResult: priceOverrideResultSchema,
  },
  paths: ({ ref, json, errors, queryParameters }) => ({
    "/pricing-runs": {
      get: {
        operationId: "listPricingRuns",
        summary: "Pricing runs, newest first (loans:manage)",
        parameters: queryParameters(pricingRunsQuerySchema),
        responses: { "200": json(ref("PricingRunPage"), "One page of runs"), ...errors(401, 403, 429) },
      },
      post: {
        operationId: "createPricingRun",
        summary: "Price a selection of loans (R1) (loans:manage)",
        description:
          "Exactly one of `loan_numbers` and `filter`. Unknown loan numbers or an empty selection refuse the whole run (400). " +
          "Loans in a package, tender or custody, and recovered or written-off loans, are skipped and listed in `skipped`. " +
          "Every priced loan's price in force becomes this run's price. One transaction, one audit entry (`pricing.run`).",
        requestBody: { required: true, content: { "application/json": { schema: ref("PricingRunRequest") } } },
        responses: { "201": json(ref("PricingRunCreated"), "The run with every loan's price"), ...errors(400, 401, 403, 429) },
      },
    },
    "/pricing-runs/{id}": {
      get: {
        operationId: "getPricingRun",
        summary: "One pricing run with its prices (effective price and overrides), 500 a page",
        parameters: [runIdParameter, ...queryParameters(pricingRunQuerySchema)],
        responses: { "200": json(ref("PricingRun"), "The run"), ...errors(401, 403, 404, 429) },
      },
    },
    "/pricing-runs/{id}/prices/{loan_number}/override": {
      post: {
        operationId: "overridePrice",
        summary: "Override one loan's price in a run, with a reason (loans:manage)",
        description:
          "Appends an override (the latest counts). When the run's price is the loan's price in force the loan's price changes too; " +
          "an older run's price changes only that run's record. The price must be more than zero and at most the claim. Audit-logged (`pricing.override`).",
        parameters: [runIdParameter, { name: "loan_number", in: "path", required: true, schema: { type: "string" } }],
        requestBody: { required: true, content: { "application/json": { schema: ref("PriceOverrideRequest") } } },
        responses: { "200": json(ref("PriceOverrideResult"), "The overridden price"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
  }),
};
