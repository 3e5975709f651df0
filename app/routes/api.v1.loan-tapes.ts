import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiLoanTapeList, loanTapeCreatedSchema } from "~/services/api/openapi-loan-tapes";
import { readTapeUpload, recentLoanTapes, submitLoanTape } from "~/services/loans/import.server";

/** GET /api/v1/loan-tapes: the most recent tapes (loans:import). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:import");
  return apiJson(apiLoanTapeList(await recentLoanTapes(user, 50)));
});

/** POST /api/v1/loan-tapes: multipart `file` (CSV/XLSX) or JSON `{ rows }` → 202 `{ id }` (loans:import). */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:import");
  if (request.method !== "POST") return methodNotAllowed(user.locale, "GET, POST");
  const input = await readTapeUpload(request);
  const { id } = await submitLoanTape(auditContextFor(request, user), user, input);
  return apiJson(loanTapeCreatedSchema.parse({ id }), { status: 202, headers: { Location: `/api/v1/loan-tapes/${id}` } });
});
