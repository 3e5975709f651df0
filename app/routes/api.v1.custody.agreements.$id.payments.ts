import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { parseYuan } from "~/domain/money";
import { agreementPaymentSchema, apiAgreementPayment } from "~/services/api/openapi-custody-agreements";
import { agreementPaymentRequestSchema } from "~/services/custody/agreement-schemas";
import { recordAgreementPayment } from "~/services/custody/agreements.server";

/**
 * POST /api/v1/custody/agreements/{id}/payments (custody:work, the custodian during the term):
 * `{ "paid_on": "YYYY-MM-DD", "amount": "10500.00" }` → the payment (201).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const body = agreementPaymentRequestSchema.parse(await postedJson(request, user));
  const payment = await recordAgreementPayment(auditContextFor(request, user), user, params.id ?? "", { paidOn: body.paid_on, amount: parseYuan(body.amount) }, new Date());
  return apiJson(agreementPaymentSchema.parse(apiAgreementPayment(payment)), { status: 201 });
});

/** The payments are in GET /custody/loans/{loanNumber}/agreements. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
