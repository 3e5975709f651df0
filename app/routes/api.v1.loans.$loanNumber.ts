import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { apiLoan } from "~/services/api/openapi-loans";
import { loanApiError } from "~/services/loans/loan-api.server";
import { getMaskedLoan } from "~/services/loans/loan-book.server";

/** GET /api/v1/loans/{loan_number}: one loan, personal data masked (loans:view). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:view");
  try {
    return apiJson(apiLoan(await getMaskedLoan(user, params.loanNumber ?? "")));
  } catch (error) {
    throw loanApiError(error, user.locale);
  }
});
