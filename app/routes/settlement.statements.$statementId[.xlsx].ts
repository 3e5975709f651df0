import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/infra/auth.server";
import { contentDisposition, download } from "~/infra/file-response.server";
import { statementExport, statementXlsx } from "~/services/settlement/statement-export.server";

/** /settlement/statements/{id}.xlsx: the 清收手续费清单 as a workbook (404 for a statement the user may not see). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  return download(user.locale, async () => {
    const document = await statementExport(user, params.statementId ?? "");
    const bytes = await statementXlsx(document);
    return new Response(new Uint8Array(bytes), {
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Length": String(bytes.length),
        "Content-Disposition": contentDisposition("attachment", `清收手续费清单-${document.number}.xlsx`),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
      },
    });
  });
}
