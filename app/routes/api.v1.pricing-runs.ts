import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import {
  apiComputedPrice, apiRunSummary, apiSkipped, pricingRunCreatedSchema, pricingRunPageSchema, pricingRunsQuerySchema,
} from "~/services/api/openapi-pricing";
import { pricingRunRequestSchema } from "~/services/pricing/pricing-schemas";
import { listPricingRuns, runPricing } from "~/services/pricing/pricing.server";

/** GET /api/v1/pricing-runs: the runs, newest first (loans:manage). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:manage");
  const { page } = pricingRunsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const result = await listPricingRuns(user, page);
  return apiJson(
    pricingRunPageSchema.parse({ items: result.runs.map(apiRunSummary), page: result.page, page_size: result.pageSize, total: result.total, pages: result.pages }),
  );
});

/**
 * POST /api/v1/pricing-runs `{ "loan_numbers": [...] }` or `{ "filter": {...} }`, optional "pricing_date"
 * → 201 the run with every loan's claim, age, band, difficulty, ratio and price (loans:manage).
 */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:manage");
  const input = pricingRunRequestSchema.parse(await postedJson(request, user, "GET, POST"));
  const result = await runPricing(auditContextFor(request, user), user, {
    loanNumbers: input.loan_numbers, filter: input.filter, pricingDate: input.pricing_date,
  });
  return apiJson(
    pricingRunCreatedSchema.parse({
      ...apiRunSummary({ ...result.run, createdBy: user.displayName }),
      prices: result.prices.map(apiComputedPrice),
      skipped: result.skipped.map(apiSkipped),
    }),
    { status: 201, headers: { Location: `/api/v1/pricing-runs/${result.run.id}` } },
  );
});
