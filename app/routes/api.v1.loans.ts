import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { apiLoan, loanPageSchema } from "~/services/api/openapi-loans";
import { searchLoans } from "~/services/loans/loan-book.server";
import { parseLoanBookQuery } from "~/services/loans/loan-book-schemas";

/** GET /api/v1/loans: the loan book with its filters, 50 a page, personal data masked (loans:view). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "loans:view");
  const query = parseLoanBookQuery(new URL(request.url).searchParams);
  if (!query.ok) throw query.error; // 400 invalid_input with the fields, in the user's language
  const result = await searchLoans(user, query.filter, query.page);
  return apiJson(
    loanPageSchema.parse({
      items: result.rows.map(apiLoan),
      page: result.page,
      page_size: result.pageSize,
      total: result.total,
      pages: result.pages,
    }),
  );
});
