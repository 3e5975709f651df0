import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/infra/auth.server";
import { contentDisposition, download } from "~/infra/file-response.server";
import { contractDocument } from "~/services/custody/contract-document.server";
import { contractFont, contractPdf } from "~/services/custody/contract-pdf.server";

/**
 * /contracts/{contractId}/document.pdf: the contract as a PDF download (the same document as the
 * printable page), named after the contract number. Refusals are plain text with their status: 404
 * for a contract the user may not see, 503 when the server has no Chinese font.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:view");
  return download(user.locale, async () => {
    const document = await contractDocument(user, params.contractId ?? "", "zh-CN");
    const bytes = await contractPdf(document, contractFont());
    return new Response(new Uint8Array(bytes), {
      headers: {
        "Content-Type": "application/pdf",
        "Content-Length": String(bytes.length),
        "Content-Disposition": contentDisposition("attachment", `${document.number}.pdf`),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
      },
    });
  });
}
