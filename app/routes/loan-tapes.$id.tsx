import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { useLocale, useT } from "~/components/i18n";
import { TapeStatusBadge } from "~/components/loan-tape";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { notFound, requirePermission } from "~/infra/auth.server";
import { formatDateTime, formatNumber, isMessageKey, type Translate } from "~/infra/i18n";
import { loanTapeStatus } from "~/services/loans/import.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:import");
  try {
    return { tape: await loanTapeStatus(user, params.id ?? "") };
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    throw error;
  }
}

/** A column as the reader knows it: its header in their language, and its key. */
function columnLabel(t: Translate, column: string | null): string {
  if (!column) return "—";
  const key = `tape.column.${column}`;
  return isMessageKey(key) ? `${t(key)} (${column})` : column;
}

/** Polls the tape about once a second while it is processing; leaving and coming back resumes. */
function usePollWhileProcessing(processing: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [processing, revalidator]);
}

export default function LoanTapePage() {
  const t = useT();
  const locale = useLocale();
  const { tape } = useLoaderData<typeof loader>();
  usePollWhileProcessing(tape.status === "processing");
  const percent = Math.round(tape.progress * 100);
  const more = tape.errorCount - tape.errors.length;
  return (
    <>
      <PageTitle actions={<Link to="/loan-tapes" className="text-sm text-blue-700 hover:underline">{t("tape.back")}</Link>}>
        {t("tape.page.title", { fileName: tape.fileName })}
      </PageTitle>
      <Card testId="tape-summary">
        <dl className="grid gap-x-6 gap-y-2 text-sm md:grid-cols-[max-content_1fr]">
          <dt className="text-slate-500">{t("tape.field.status")}</dt>
          <dd><TapeStatusBadge status={tape.status} /></dd>
          <dt className="text-slate-500">{t("tape.field.uploadedAt")}</dt>
          <dd>{formatDateTime(locale, tape.created)}</dd>
          <dt className="text-slate-500">{t("tape.field.format")}</dt>
          <dd className="uppercase">{tape.format} · {formatNumber(locale, tape.size)} B</dd>
          <dt className="text-slate-500">{t("tape.field.sha256")}</dt>
          <dd className="break-all font-mono text-xs">{tape.sha256}</dd>
        </dl>

        {tape.status === "processing" ? (
          <div className="mt-4" data-testid="tape-progress">
            <div className="h-3 w-full overflow-hidden rounded bg-slate-200" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
              <div className="h-3 bg-blue-600 transition-all" style={{ width: `${percent}%` }} />
            </div>
            <p className="mt-2 text-sm text-slate-700">{tape.progress >= 0.7 ? t("tape.progress.writing") : t("tape.progress.reading", { percent })}</p>
            <p className="text-sm text-slate-500">{t("tape.progress.leave")}</p>
          </div>
        ) : null}

        {tape.status === "imported" ? (
          <div className="mt-4 text-sm" data-testid="tape-imported">
            <p className="text-green-800">
              {t("tape.imported.summary", {
                rows: formatNumber(locale, tape.counts.rows),
                created: formatNumber(locale, tape.counts.created),
                updated: formatNumber(locale, tape.counts.updated),
                unchanged: formatNumber(locale, tape.counts.unchanged),
              })}
            </p>
            <p className="mt-2">
              <Link to="/loans" className="text-blue-700 hover:underline" data-testid="tape-to-loans">{t("tape.toLoanBook")}</Link>
            </p>
          </div>
        ) : null}

        {tape.status === "rejected" ? (
          <p className="mt-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="alert" data-testid="tape-rejected">
            {t("tape.rejected.summary", { count: formatNumber(locale, tape.errorCount) })}
          </p>
        ) : null}

        {tape.status === "failed" ? (
          <p className="mt-4 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="tape-failed">
            {t("tape.failed.summary", { failure: tape.failure ?? "" })}
          </p>
        ) : null}

        {tape.status !== "processing" ? (
          <p className="mt-4 text-sm">
            <Link to="/loan-tapes" className="text-blue-700 hover:underline">{t("tape.uploadAnother")}</Link>
          </p>
        ) : null}
      </Card>

      {tape.errors.length > 0 ? (
        <Card title={t("tape.errors.title")} testId="tape-errors">
          <Table head={[t("tape.errors.row"), t("tape.errors.column"), t("tape.errors.reason")]} testId="tape-error-table">
            {tape.errors.map((e, i) => (
              <tr key={i} data-testid="tape-error" data-row={e.row ?? ""} data-column={e.column ?? ""} data-code={e.code}>
                <td className={`${cell} whitespace-nowrap`}>{e.row ?? t("tape.errors.fileLevel")}</td>
                <td className={`${cell} whitespace-nowrap`}>{columnLabel(t, e.column)}</td>
                <td className={cell}>{e.message}</td>
              </tr>
            ))}
          </Table>
          {more > 0 ? <p className="mt-3 text-sm text-slate-600">{t("tape.errors.more", { count: formatNumber(locale, more) })}</p> : null}
        </Card>
      ) : null}

      {tape.warnings.length > 0 ? (
        <Card title={t("tape.warnings.title")} testId="tape-warnings">
          <ul className="list-inside list-disc text-sm text-slate-700">
            {tape.warnings.map((w, i) => (
              <li key={i}>{w.message}</li>
            ))}
          </ul>
        </Card>
      ) : null}
    </>
  );
}
