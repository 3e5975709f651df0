import { isMessageKey, type Translate } from "~/infra/i18n";
import type { ContractDocument, DocumentBlock } from "~/services/custody/contract-document.server";

/**
 * The contract as a document (the model of services/custody/contract-document.server.ts): the
 * printable page shows it on its own; the text is already in the document's language (Chinese).
 * Plain black on white so it prints as it looks.
 */

function Block({ block }: { block: DocumentBlock }) {
  switch (block.kind) {
    case "paragraph":
      return <p className="mb-2 leading-7">{block.text}</p>;
    case "list":
      return (
        <ol className="mb-2 list-decimal space-y-1 pl-6 leading-7">
          {block.items.map((item, i) => (
            <li key={i}>{item}</li>
          ))}
        </ol>
      );
    case "facts":
      return (
        <dl className="mb-2 grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1 leading-7">
          {block.rows.map((row, i) => (
            <div key={i} className="contents">
              <dt className="text-slate-600">{row.label}</dt>
              <dd>{row.value}</dd>
            </div>
          ))}
        </dl>
      );
    case "table":
      return (
        <table className="mb-3 w-full border-collapse text-sm" data-testid="contract-document-loans">
          <thead>
            <tr>
              {block.head.map((h, i) => (
                <th key={i} className={`border border-slate-400 px-2 py-1 font-medium ${block.numeric[i] ? "text-right" : "text-left"}`}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {block.rows.map((row, r) => (
              <tr key={r} data-testid="contract-document-loan">
                {row.map((cell, i) => (
                  <td key={i} className={`border border-slate-400 px-2 py-1 ${block.numeric[i] ? "whitespace-nowrap text-right tabular-nums" : ""}`}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
          {block.footer ? (
            <tfoot>
              <tr className="font-medium">
                {block.footer.map((cell, i) => (
                  <td key={i} className={`border border-slate-400 px-2 py-1 ${block.numeric[i] ? "whitespace-nowrap text-right tabular-nums" : ""}`}>{cell}</td>
                ))}
              </tr>
            </tfoot>
          ) : null}
        </table>
      );
    case "signatures":
      return (
        <div className="mt-2 grid gap-6 sm:grid-cols-2 print:grid-cols-2">
          {block.parties.map((party, i) => (
            <div key={i} className="rounded border border-slate-300 p-3" data-testid="contract-document-signature" data-signed={party.signed ? "true" : "false"}>
              <p className="mb-2 font-medium">{party.role}</p>
              <dl className="grid grid-cols-[6rem_1fr] gap-x-3 gap-y-1 text-sm">
                {party.rows.map((row, r) => (
                  <div key={r} className="contents">
                    <dt className="text-slate-600">{row.label}</dt>
                    <dd>{row.value}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))}
        </div>
      );
  }
}

export function ContractDocumentView({ document }: { document: ContractDocument }) {
  return (
    <article lang={document.locale} className="contract-document mx-auto max-w-3xl bg-white p-8 text-[15px] text-black print:max-w-none print:p-0" data-testid="contract-document-text">
      <header className="mb-6 text-center">
        <h1 className="text-2xl font-semibold tracking-widest" data-testid="contract-document-title">{document.title}</h1>
        <p className="mt-2 text-sm text-slate-600" data-testid="contract-document-number">{document.numberLine}</p>
      </header>
      <p className="mb-4 leading-7">{document.preamble}</p>
      {document.sections.map((section) => (
        <section key={section.key} className="mb-5 break-inside-avoid-page" data-testid={`contract-section-${section.key}`}>
          <h2 className="mb-2 text-lg font-semibold">{section.heading}</h2>
          {section.blocks.map((block, i) => (
            <Block key={i} block={block} />
          ))}
        </section>
      ))}
      <footer className="mt-8 border-t border-slate-300 pt-3 text-xs text-slate-600">{document.footer}</footer>
    </article>
  );
}

// ---- labels shared by the contract pages ----------------------------------------------------------

export const contractStatusTones: Record<string, "slate" | "green" | "red" | "amber" | "blue"> = {
  AWAITING_SIGNATURE: "amber",
  AWAITING_COUNTERSIGNATURE: "amber",
  AWAITING_DEPOSIT: "blue",
  ACTIVE: "green",
  ENDED: "slate",
};

/** A label of the contract pages' area by group and value (`contractPages.status.ACTIVE`), or the value itself when unknown. */
export function contractLabel(t: Translate, group: "status" | "kind" | "loanStatus" | "paymentStatus" | "method", value: string): string {
  const key = `contractPages.${group}.${value}`;
  return isMessageKey(key) ? t(key) : value;
}
