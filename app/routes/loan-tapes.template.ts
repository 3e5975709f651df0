import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/infra/auth.server";
import { loanTapeTemplate } from "~/services/loans/loan-tape-template.server";

/** The XLSX loan-tape template: bilingual headers, an example row and an instructions sheet (loans:import). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:import");
  const file = await loanTapeTemplate(user);
  return new Response(file.bytes, {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="loan-tape-template.xlsx"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      "Cache-Control": "no-store",
    },
  });
}
