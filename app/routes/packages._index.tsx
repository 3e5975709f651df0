import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { can } from "~/domain/access";
import { requirePermission } from "~/infra/auth.server";
import { formatCny, formatDate, isMessageKey, type MessageKey, type Translate } from "~/infra/i18n";
import { listPackages } from "~/services/packages/package-queries.server";

/** The tabs: each a status filter (all = every status; approved includes the packages in a tender). */
const tabs = [
  { key: "DRAFT", label: "packagePages.tab.draft", statuses: ["DRAFT"] },
  { key: "SUBMITTED", label: "packagePages.tab.submitted", statuses: ["SUBMITTED"] },
  { key: "APPROVED", label: "packagePages.tab.approved", statuses: ["APPROVED", "IN_TENDER"] },
  { key: "all", label: "packagePages.tab.all", statuses: undefined },
] as const satisfies readonly { key: string; label: MessageKey; statuses: readonly string[] | undefined }[];
type Tab = (typeof tabs)[number]["key"];

const isTab = (value: string | null): value is Tab => tabs.some((t) => t.key === value);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "packages:view");
  const params = new URL(request.url).searchParams;
  const status = params.get("status");
  const tab: Tab = isTab(status) ? status : "all";
  const bundle = params.get("bundle")?.trim() || null;
  const page = Number(params.get("page") ?? "1") || 1;
  const statuses = tabs.find((t) => t.key === tab)?.statuses;
  const result = await listPackages(user, { status: statuses ? [...statuses] : undefined, bundle: bundle ?? undefined, page });
  return { ...result, tab, bundle, canManage: can(user.roles, "packages:manage") };
}

const statusTones: Record<string, "slate" | "green" | "red" | "amber" | "blue"> = {
  DRAFT: "slate", SUBMITTED: "amber", APPROVED: "green", IN_TENDER: "blue", DISCARDED: "red",
};

function statusLabel(t: Translate, status: string): string {
  const key = `packages.status.${status}`;
  return isMessageKey(key) ? t(key) : status;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const signedPercent = (share: number) => `${share > 0 ? "+" : share < 0 ? "−" : "±"}${Math.abs(share * 100).toFixed(1)}%`;

export default function PackageList() {
  const t = useT();
  const locale = useLocale();
  const { packages, page, pages, total, tab, bundle, canManage } = useLoaderData<typeof loader>();
  const tabLink = (key: Tab) => {
    const params = new URLSearchParams();
    if (key !== "all") params.set("status", key);
    if (bundle) params.set("bundle", bundle);
    const query = params.toString();
    return query ? `?${query}` : "/packages";
  };
  const bundleLink = (bundleId: string) => {
    const params = new URLSearchParams({ bundle: bundleId });
    if (tab !== "all") params.set("status", tab);
    return `?${params.toString()}`;
  };
  return (
    <>
      <PageTitle
        actions={
          canManage ? (
            <Link to="/packages/new" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800" data-testid="new-package">
              {t("packagePages.new")}
            </Link>
          ) : null
        }
      >
        {t("packagePages.title")}
      </PageTitle>
      <nav className="mb-4 flex flex-wrap gap-1 border-b border-slate-200" aria-label={t("packagePages.tabs")} data-testid="package-tabs">
        {tabs.map((item) => (
          <Link
            key={item.key}
            to={tabLink(item.key)}
            aria-current={tab === item.key ? "page" : undefined}
            data-testid={`package-tab-${item.key}`}
            className={`-mb-px rounded-t border px-4 py-2 text-sm ${tab === item.key ? "border-slate-200 border-b-white bg-white font-medium text-slate-900" : "border-transparent text-blue-700 hover:underline"}`}
          >
            {t(item.label)}
          </Link>
        ))}
      </nav>
      {bundle ? (
        <p className="mb-4 text-sm text-slate-600" data-testid="bundle-filter">
          {t("packagePages.bundleFilter", { bundle: bundle.slice(-8) })}{" "}
          <Link to={tabLink(tab)} className="text-blue-700 hover:underline">{t("packagePages.clearFilter")}</Link>
        </p>
      ) : null}
      <Card>
        <Table
          testId="packages-table"
          head={[
            t("packagePages.col.package"), t("packagePages.col.bundleDate"), t("packagePages.col.region"), t("packagePages.col.loans"),
            t("packagePages.col.total"), t("packagePages.col.hardShare"), t("packagePages.col.deviation"), t("packagePages.col.status"),
            t("packagePages.col.people"),
          ]}
        >
          {packages.map((p) => (
            <tr key={p.id} data-testid="package-row" data-package-id={p.id} data-status={p.status}>
              <td className={cell}>
                <Link to={`/packages/${p.id}`} className="whitespace-nowrap text-blue-700 hover:underline">
                  {p.label}
                </Link>
                {p.isRemainder ? <div><Badge tone="amber">{t("packages.remainder")}</Badge></div> : null}
              </td>
              <td className={`${cell} whitespace-nowrap`}>
                <Link to={bundleLink(p.bundleId)} className="text-blue-700 hover:underline" title={t("packagePages.sameBundle")}>
                  {formatDate(locale, p.createdAt)}
                </Link>
              </td>
              <td className={cell}>{p.region ?? t("packagePages.mixed")}</td>
              <td className={`${cell} text-right`}>{p.loanCount}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, p.total)}</td>
              <td className={`${cell} text-right`}>{percent(p.quality.hardShare)}</td>
              <td className={`${cell} text-right`}>
                <span className={p.quality.violations.length ? "text-amber-800" : undefined}>{signedPercent(p.quality.deviation)}</span>
              </td>
              <td className={cell}>
                <Badge tone={statusTones[p.status] ?? "slate"}>{statusLabel(t, p.status)}</Badge>
              </td>
              <td className={`${cell} text-xs text-slate-600`}>
                {p.submittedBy ? <div>{t("packagePages.submittedBy", { name: p.submittedBy })}</div> : null}
                {p.decidedBy ? <div>{t("packagePages.decidedBy", { name: p.decidedBy })}</div> : null}
                {!p.submittedBy && !p.decidedBy ? t("common.none") : null}
              </td>
            </tr>
          ))}
        </Table>
        {packages.length === 0 ? <p className="py-4 text-sm text-slate-500" data-testid="no-packages">{t("packagePages.none")}</p> : null}
        <Pager page={page} pages={pages} total={total} />
      </Card>
    </>
  );
}
