import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ContractDocumentView } from "~/components/contract-document";
import { useT } from "~/components/i18n";
import { UserError } from "~/domain/errors";
import { forbidden, notFound, requirePermission } from "~/infra/auth.server";
import { contractDocument } from "~/services/custody/contract-document.server";

/**
 * /contracts/{contractId}/document: the contract as a printable Chinese document (清收承包协议 /
 * 债权托管协议). The toolbar and the app's header and navigation are not printed.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:view");
  const contractId = params.contractId ?? "";
  try {
    return { contractId, document: await contractDocument(user, contractId, "zh-CN") };
  } catch (error) {
    if (error instanceof UserError && error.status === 403) throw forbidden();
    if (error instanceof UserError && error.status === 404) throw notFound();
    if (error instanceof UserError) throw new Response(error.key, { status: error.status });
    throw error;
  }
}

/** Print: only the document — no app header, navigation, toast or toolbar; A4 margins. */
const printCss = `
@media print {
  @page { size: A4; margin: 18mm 16mm; }
  body { background: #fff !important; }
  body > div > header, [data-testid="toast"], .contract-toolbar { display: none !important; }
  main { max-width: none !important; padding: 0 !important; margin: 0 !important; }
}
`;

export default function ContractDocumentPage() {
  const t = useT();
  const { contractId, document } = useLoaderData<typeof loader>();
  return (
    <div data-testid="contract-document-page">
      <style>{printCss}</style>
      <div className="contract-toolbar mb-4 flex flex-wrap items-center gap-3 print:hidden">
        <button
          type="button" onClick={() => window.print()}
          className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800" data-testid="contract-print"
        >
          {t("contractPages.print.print")}
        </button>
        <a href={`/contracts/${contractId}/document.pdf`} download className="text-sm text-blue-700 hover:underline" data-testid="contract-pdf">{t("contractPages.print.pdf")}</a>
        <Link to={`/contracts/${contractId}`} className="text-sm text-blue-700 hover:underline" data-testid="contract-back">{t("contractPages.print.back")}</Link>
      </div>
      <div className="rounded border border-slate-200 shadow-sm print:rounded-none print:border-0 print:shadow-none">
        <ContractDocumentView document={document} />
      </div>
    </div>
  );
}
