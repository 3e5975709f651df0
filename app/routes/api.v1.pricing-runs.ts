import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { apiError, apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { translator } from "~/infra/i18n";
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

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new UserError("pricing.api.invalidJson");
  }
}

/**
 * POST /api/v1/pricing-runs `{ "loan_numbers": [...] }` or `{ "filter": {...} }`, optional "pricing_date"
 * → 201 the run with every loan's claim, age, band, difficulty, ratio and price (loans:manage).
 */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:manage");
  if (request.method !== "POST") {
    return apiError(405, "method_not_allowed", translator(user.locale)("pricing.api.methodNotAllowed"), undefined, { Allow: "GET, POST" });
  }
  const input = pricingRunRequestSchema.parse(await jsonBody(request));
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
