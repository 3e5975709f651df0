import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { apiLoanTapeStatus } from "~/services/api/openapi-loan-tapes";
import { loanTapeStatus } from "~/services/loans/import.server";

/** GET /api/v1/loan-tapes/{id}: status, progress, problems in the token user's language, counts (loans:import). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:import");
  return apiJson(apiLoanTapeStatus(await loanTapeStatus(user, params.id ?? "")));
});
