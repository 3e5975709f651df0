import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { toYuanString } from "~/domain/money";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { priceOverrideResultSchema } from "~/services/api/openapi-pricing";
import { priceOverrideSchema } from "~/services/pricing/pricing-schemas";
import { findLoanPrice, overridePrice } from "~/services/pricing/pricing.server";

/**
 * POST /api/v1/pricing-runs/{id}/prices/{loan_number}/override `{ "price": "123.45", "reason": "…" }`:
 * the department overrides one price of a run with a reason (loans:manage; audit-logged).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:manage");
  const body = await postedJson(request, user);
  const input = priceOverrideSchema.parse(body);
  const { run, loanPrice } = await findLoanPrice(user, params.id ?? "", params.loanNumber ?? "");
  const result = await overridePrice(auditContextFor(request, user), user, loanPrice.id, input);
  return apiJson(
    priceOverrideResultSchema.parse({
      run_id: run.id, run_number: run.number, loan_number: loanPrice.loanNumber, computed_price: toYuanString(loanPrice.price),
      previous_price: toYuanString(result.before), effective_price: toYuanString(result.price), reason: result.override.reason, in_force: result.inForce,
    }),
  );
});

/** An override is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
