import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { audienceLabel, tenderStatusLabel, tenderStatusTones } from "~/components/tender-helpers";
import { can } from "~/domain/access";
import { requireUser } from "~/infra/auth.server";
import { formatCny, formatDateTime } from "~/infra/i18n";
import { isTenderStaff } from "~/services/tenders/tender-page.server";
import { tenderListQuerySchema, type TenderStatus } from "~/services/tenders/tender-schemas";
import { listTenders } from "~/services/tenders/tenders.server";

/** /tenders — the tenders the user may see (staff: all; bidders: published ones for their audience), newest first. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const params = new URL(request.url).searchParams;
  const query = tenderListQuerySchema.parse({ status: params.get("status") ?? undefined, page: params.get("page") ?? undefined });
  const result = await listTenders(user, query);
  return {
    ...result,
    pages: Math.max(1, Math.ceil(result.total / result.pageSize)),
    status: query.status ?? null,
    staff: isTenderStaff(user),
    canManage: can(user.roles, "tenders:manage"),
  };
}

const staffTabs: (TenderStatus | "all")[] = ["all", "DRAFT", "PUBLISHED", "CLOSED", "CANCELLED"];
const bidderTabs: (TenderStatus | "all")[] = ["all", "PUBLISHED", "CLOSED"];

export default function TenderList() {
  const t = useT();
  const locale = useLocale();
  const { tenders, page, pages, total, status, staff, canManage } = useLoaderData<typeof loader>();
  const tabs = staff ? staffTabs : bidderTabs;
  const current = status ?? "all";
  return (
    <>
      <PageTitle
        actions={
          canManage ? (
            <Link to="/tenders/new" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800" data-testid="new-tender">
              {t("tenderPages.list.new")}
            </Link>
          ) : null
        }
      >
        {t("tenderPages.list.title")}
      </PageTitle>
      <nav className="mb-4 flex flex-wrap gap-1 border-b border-slate-200" aria-label={t("tenderPages.list.tabs")} data-testid="tender-tabs">
        {tabs.map((key) => (
          <Link
            key={key}
            to={key === "all" ? "/tenders" : `?status=${key}`}
            aria-current={current === key ? "page" : undefined}
            data-testid={`tender-tab-${key}`}
            className={`-mb-px rounded-t border px-4 py-2 text-sm ${current === key ? "border-slate-200 border-b-white bg-white font-medium text-slate-900" : "border-transparent text-blue-700 hover:underline"}`}
          >
            {key === "all" ? t("tenderPages.list.all") : tenderStatusLabel(t, key)}
          </Link>
        ))}
      </nav>
      <Card>
        <Table
          testId="tenders-table"
          head={[
            t("tenderPages.col.number"), t("tenderPages.col.title"), t("tenderPages.col.audience"), t("tenderPages.col.registration"),
            t("tenderPages.col.auction"), t("tenderPages.col.deposit"), t("tenderPages.col.lots"), t("tenderPages.col.registrations"), t("tenderPages.col.status"),
          ]}
        >
          {tenders.map((tender) => (
            <tr key={tender.id} data-testid="tender-row" data-tender-id={tender.id} data-status={tender.status}>
              <td className={`${cell} whitespace-nowrap`}>
                <Link to={`/tenders/${tender.id}`} className="text-blue-700 hover:underline" data-testid="tender-link">
                  {tender.number ?? t("tenderPages.draftNumber")}
                </Link>
              </td>
              <td className={cell}>{tender.title}</td>
              <td className={cell}>{audienceLabel(t, tender.audience)}</td>
              <td className={`${cell} whitespace-nowrap text-xs`}>
                {formatDateTime(locale, tender.registrationOpensAt)}
                <br />– {formatDateTime(locale, tender.registrationClosesAt)}
              </td>
              <td className={`${cell} whitespace-nowrap text-xs`}>
                {formatDateTime(locale, tender.auctionStartsAt)}
                <br />– {formatDateTime(locale, tender.auctionEndsAt)}
              </td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, tender.bidDeposit)}</td>
              <td className={`${cell} text-right`}>{tender.lotCount}</td>
              <td className={`${cell} text-right`}>{tender.registrationCount}</td>
              <td className={cell}>
                <Badge tone={tenderStatusTones[tender.status] ?? "slate"}>{tenderStatusLabel(t, tender.status)}</Badge>
              </td>
            </tr>
          ))}
        </Table>
        {tenders.length === 0 ? <p className="py-4 text-sm text-slate-500" data-testid="no-tenders">{t("tenderPages.list.none")}</p> : null}
        <Pager page={page} pages={pages} total={total} />
      </Card>
    </>
  );
}
