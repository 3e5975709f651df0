import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiCustodyLoan, custodyLoanDetailSchema } from "~/services/api/openapi-custody-work";
import { custodyLoanView } from "~/services/custody/workbench.server";

/**
 * GET /api/v1/custody/loans/{loanNumber} (custody:work): the loan with the borrower in full, for the
 * custodian during the term only (anyone else: 404 custody.loanNotFound); each call is one audit entry.
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const view = await custodyLoanView(auditContextFor(request, user), user, params.loanNumber ?? "");
  return apiJson(custodyLoanDetailSchema.parse(apiCustodyLoan(view)), { headers: { "Cache-Control": "no-store, private" } });
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
