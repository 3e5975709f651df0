import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { apiCustodyLoanRow, custodyLoanListSchema } from "~/services/api/openapi-custody-work";
import { myCustodyLoans } from "~/services/custody/workbench.server";

/** GET /api/v1/custody/loans (custody:work): my loans in custody during the term, borrowers masked. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const rows = await myCustodyLoans(user);
  return apiJson(custodyLoanListSchema.parse({ items: rows.map(apiCustodyLoanRow) }));
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
