import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiTopUp, topUpListSchema, topUpSchema } from "~/services/api/openapi-custody-contracts";
import { declareOfflineTopUpSchema, startStripeTopUpSchema, topUpRequestSchema } from "~/services/custody/contract-schemas";
import { declareOfflineTopUp, listTopUps, startStripeTopUp } from "~/services/custody/deposit-topup.server";

/**
 * POST /api/v1/contracts/{id}/deposit (custody:work, the custodian; after signing, before custody):
 * `{ "method": "stripe", "methods"?: [...] }` → the top-up with its `client_secret` (confirmed only by
 * the verified webhook), or `{ "method": "bank_transfer" | "payroll" }` → DECLARED, for finance.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const body = topUpRequestSchema.parse(await postedJson(request, user, "GET, POST"));
  const ctx = auditContextFor(request, user);
  const contractId = params.id ?? "";
  const payment =
    body.method === "stripe"
      ? await startStripeTopUp(ctx, user, contractId, startStripeTopUpSchema.parse({ methods: body.methods }))
      : await declareOfflineTopUp(ctx, user, contractId, declareOfflineTopUpSchema.parse({ method: body.method.toUpperCase() }));
  return apiJson(topUpSchema.parse(apiTopUp(payment, { withSecret: true })));
});

/** GET /api/v1/contracts/{id}/deposit (custody:view, who may see the contract): the top-ups, oldest first. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:view");
  const payments = await listTopUps(user, params.id ?? "");
  return apiJson(topUpListSchema.parse({ items: payments.map((p) => apiTopUp(p)) }));
});
