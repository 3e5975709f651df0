import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/infra/auth.server";
import { contentDisposition, download } from "~/infra/file-response.server";
import { contractFont } from "~/services/custody/contract-pdf.server";
import { statementExport, statementPdf } from "~/services/settlement/statement-export.server";

/** /settlement/statements/{id}.pdf: the 清收手续费清单 as a PDF (404 for a statement the user may not see, 503 without a Chinese font). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  return download(user.locale, async () => {
    const document = await statementExport(user, params.statementId ?? "");
    const bytes = await statementPdf(document, contractFont());
    return new Response(new Uint8Array(bytes), {
      headers: {
        "Content-Type": "application/pdf",
        "Content-Length": String(bytes.length),
        "Content-Disposition": contentDisposition("attachment", `清收手续费清单-${document.number}.pdf`),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
      },
    });
  });
}
