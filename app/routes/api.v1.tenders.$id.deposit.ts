import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiDeposit, depositRequestSchema, depositSchema } from "~/services/api/openapi-tenders";
import { declareOfflineDeposit, startStripeDeposit } from "~/services/tenders/registration.server";
import { declareOfflineDepositSchema, startStripeDepositSchema } from "~/services/tenders/tender-schemas";

/**
 * POST /api/v1/tenders/{id}/deposit (tenders:bid, registered):
 * `{ "method": "stripe", "methods"?: ["card", "alipay", "wechat_pay"] }` → the deposit with its
 * `client_secret` (confirmed only by the verified webhook), or `{ "method": "bank_transfer" | "payroll" }`
 * → the deposit DECLARED, for finance to confirm. Asking again while one is pending returns it.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "tenders:bid");
  const body = depositRequestSchema.parse(await postedJson(request, user));
  const ctx = auditContextFor(request, user);
  const tenderId = params.id ?? "";
  const deposit =
    body.method === "stripe"
      ? await startStripeDeposit(ctx, user, tenderId, startStripeDepositSchema.parse({ methods: body.methods }))
      : await declareOfflineDeposit(ctx, user, tenderId, declareOfflineDepositSchema.parse({ method: body.method.toUpperCase() }));
  return apiJson(depositSchema.parse(apiDeposit(deposit, { withSecret: true })));
});

/** Paying is a POST (the deposits are in GET /tenders/{id}). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
