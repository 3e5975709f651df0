import type { LoaderFunctionArgs } from "@remix-run/node";
import { toYuanString } from "~/domain/money";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { apiRunSummary, apiSkipped, pricingRunDetailSchema, pricingRunQuerySchema } from "~/services/api/openapi-pricing";
import { pricingRun } from "~/services/pricing/pricing.server";

const apiPricesPageSize = 500;

/** GET /api/v1/pricing-runs/{id}: one run (by id or number) with a page of its prices (loans:manage). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:manage");
  const query = pricingRunQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const view = await pricingRun(user, params.id ?? "", query.page, { q: query.q, pageSize: apiPricesPageSize });
  return apiJson(
    pricingRunDetailSchema.parse({
      ...apiRunSummary(view.run),
      total_effective_price: toYuanString(view.run.totalEffectivePrice),
      ratio_table: view.ratios ? { claim_basis: view.ratios.claimBasis, recoverable: view.ratios.ratioRecoverable, hard: view.ratios.ratioHard } : null,
      skipped: view.skipped.map(apiSkipped),
      prices: view.prices.map((p) => ({
        loan_number: p.loanNumber, borrower: p.borrower, claim: toYuanString(p.claim), age_years: p.ageYears, band: p.band,
        difficulty: p.difficulty, ratio: p.ratio, price: toYuanString(p.price), effective_price: toYuanString(p.effectivePrice),
        in_force: p.inForce, override_count: p.overrideCount,
        override: p.override ? { price: toYuanString(p.override.price), reason: p.override.reason, by: p.override.by, at: p.override.at.toISOString() } : null,
      })),
      page: view.page, page_size: view.pageSize, total: view.total, pages: view.pages,
    }),
  );
});
