import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiUnmaskedLoan } from "~/services/api/openapi-loans";
import { loanApiError } from "~/services/loans/loan-api.server";
import { unmaskLoan } from "~/services/loans/unmask.server";

/**
 * POST /api/v1/loans/{loan_number}/unmask: the loan's personal data in full — the department for
 * any loan, a branch for its own loans; every call is one audit entry (`loan.unmask`).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:view");
  if (request.method !== "POST") return methodNotAllowed(user.locale);
  try {
    const unmasked = await unmaskLoan(auditContextFor(request, user), user, params.loanNumber ?? "");
    return apiJson(apiUnmaskedLoan(unmasked));
  } catch (error) {
    throw loanApiError(error, user.locale);
  }
});

/** A GET is not an unmasking. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
