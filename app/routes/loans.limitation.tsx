import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { expiryBadge } from "~/components/loan-limitation";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { can } from "~/domain/access";
import { requirePermission } from "~/infra/auth.server";
import { formatDateTime, type MessageKey } from "~/infra/i18n";
import { expiringLoans, limitationOverview, pendingInterruptions, type ExpiringLoanRow } from "~/services/loans/limitation.server";

/** 诉讼时效: loans running out within each alert threshold of the setting, the lapsed ones, and interruptions awaiting verification. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:view");
  const url = new URL(request.url);
  const overview = await limitationOverview(user);
  const thresholds = overview.within.map((w) => w.days);
  const view = url.searchParams.get("view") === "lapsed" ? "lapsed" : "expiring";
  const asked = Number(url.searchParams.get("days"));
  const days = thresholds.includes(asked) ? asked : (thresholds[0] ?? 90);
  const page = Math.max(1, Math.floor(Number(url.searchParams.get("page")) || 1));
  const list = await expiringLoans(user, { withinDays: days, page: view === "expiring" ? page : 1, lapsedPage: view === "lapsed" ? page : 1 });
  const pending = can(user.roles, "loans:manage") ? await pendingInterruptions(user) : null;
  return { overview, view, days, list, pending };
}

function LoanRows({ rows }: { rows: ExpiringLoanRow[] }) {
  const t = useT();
  return (
    <Table
      testId="limitation-loans"
      head={[t("limitation.col.loanNumber"), t("limitation.col.borrower"), t("limitation.col.branch"), t("limitation.col.anchor"), t("limitation.col.expiry"), t("limitation.col.daysLeft")]}
    >
      {rows.length === 0 ? (
        <tr>
          <td className={cell} colSpan={6}>{t("limitation.empty")}</td>
        </tr>
      ) : null}
      {rows.map((r) => (
        <tr key={r.loanNumber} data-testid="limitation-loan-row">
          <td className={cell}>
            <Link to={`/loans/${encodeURIComponent(r.loanNumber)}`} className="font-mono text-blue-700 underline">{r.loanNumber}</Link>
          </td>
          <td className={cell}>{r.borrower}</td>
          <td className={cell}>{r.branchName} <span className="text-xs text-slate-500">{r.branchCode}</span></td>
          <td className={cell}>
            <span className="font-mono">{r.anchorDay}</span>
            <div className="text-xs text-slate-500">{t(`limitation.anchorSource.${r.anchorSource}`)}</div>
          </td>
          <td className={`${cell} font-mono`}>{r.expiresOn}</td>
          <td className={cell}>{expiryBadge(t, { daysLeft: r.daysLeft, bucket: r.bucket, lapsed: r.daysLeft < 0 })}</td>
        </tr>
      ))}
    </Table>
  );
}

export default function LimitationPage() {
  const t = useT();
  const locale = useLocale();
  const { overview, view, days, list, pending } = useLoaderData<typeof loader>();
  const tab = (active: boolean) => `rounded-t border-b-2 px-4 py-2 text-sm ${active ? "border-blue-700 font-semibold text-blue-800" : "border-transparent text-slate-600 hover:text-slate-900"}`;
  const shown = view === "lapsed" ? list.lapsed : list.expiring;
  return (
    <>
      <PageTitle>{t("limitation.title")}</PageTitle>
      <p className="mb-4 text-sm text-slate-600">{t("limitation.intro", { today: overview.today })}</p>
      <nav className="mb-4 flex flex-wrap gap-1 border-b border-slate-200" data-testid="limitation-tabs">
        {overview.within.map((w) => (
          <Link key={w.days} to={`?days=${w.days}`} className={tab(view === "expiring" && days === w.days)} data-testid={`limitation-tab-${w.days}`}>
            {t("limitation.within", { days: w.days })} <span className="ml-1 rounded bg-slate-100 px-1.5 text-xs">{w.count}</span>
          </Link>
        ))}
        <Link to="?view=lapsed" className={tab(view === "lapsed")} data-testid="limitation-tab-lapsed">
          {t("limitation.lapsedTab")} <span className="ml-1 rounded bg-red-100 px-1.5 text-xs text-red-800">{overview.lapsed}</span>
        </Link>
      </nav>
      <Card testId={view === "lapsed" ? "limitation-lapsed" : "limitation-expiring"}>
        <LoanRows rows={shown.rows} />
        <Pager page={shown.page} pages={shown.pageCount} total={shown.total} />
      </Card>
      {pending ? (
        <Card title={t("limitation.pendingTitle")} testId="limitation-pending">
          {pending.length === 0 ? (
            <p className="text-sm text-slate-500">{t("limitation.noPending")}</p>
          ) : (
            <Table head={[t("limitation.col.loanNumber"), t("limitation.col.borrower"), t("interruption.col.kind"), t("interruption.col.occurredOn"), t("interruption.col.evidence"), t("interruption.col.recordedBy"), t("limitation.col.expiry")]}>
              {pending.map((p) => (
                <tr key={p.id} data-testid="pending-interruption-row">
                  <td className={cell}>
                    <Link to={`/loans/${encodeURIComponent(p.loanNumber)}`} className="font-mono text-blue-700 underline">{p.loanNumber}</Link>
                  </td>
                  <td className={cell}>{p.borrower}</td>
                  <td className={cell}>{t(`interruption.kind.${p.kind}` as MessageKey)}</td>
                  <td className={`${cell} font-mono`}>{p.occurredOn}</td>
                  <td className={cell}>
                    <a href={`/files/${p.evidenceFileId}`} target="_blank" rel="noreferrer" className="text-blue-700 underline">{t("files.view")}</a>
                  </td>
                  <td className={cell}>
                    {p.recordedBy}
                    <div className="text-xs text-slate-500">{formatDateTime(locale, p.recordedAt)}</div>
                  </td>
                  <td className={`${cell} font-mono`}>{p.expiresOn}</td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
      ) : null}
    </>
  );
}
