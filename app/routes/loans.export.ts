import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { translator } from "~/infra/i18n";
import { exportLoans } from "~/services/loans/loan-export.server";
import { parseLoanBookQuery } from "~/services/loans/loan-book-schemas";

/**
 * XLSX export of the loan book with the page's filters. Personal data is masked unless the user may
 * unmask (the department: every row; a branch: its own rows); every export is audit-logged.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:view");
  const query = parseLoanBookQuery(new URL(request.url).searchParams);
  if (!query.ok) {
    return new Response(translator(user.locale)("loans.filter.invalid"), { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const file = await exportLoans(auditContextFor(request, user), user, query.filter, user.locale);
  return new Response(file.body, {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="${file.fileName}"`,
      "Cache-Control": "no-store",
      "X-Row-Count": String(file.rowCount),
    },
  });
}
