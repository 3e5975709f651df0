import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { forbidden, requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import { liabilityNoticesOf, listLiabilityEvents } from "~/services/custody/liability.server";
import { renderNotification } from "~/services/tenders/notifications.server";

/**
 * /custody/liability — R8 liability events the viewer may see (custody:view): a custodian its own
 * contracts' events with its notices; the bank's departments every event. The department decides
 * them on /custody/review.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:view");
  try {
    const events = await listLiabilityEvents(user);
    const custodian = can(user.roles, "custody:work");
    const notices = custodian
      ? (await liabilityNoticesOf(user)).map((n) => ({ id: n.id, text: renderNotification(user.locale, n), createdAt: n.createdAt, readAt: n.readAt }))
      : null;
    return { events, notices, department: can(user.roles, "custody:manage") };
  } catch (error) {
    if (error instanceof UserError && error.status === 403) throw forbidden();
    throw error;
  }
}

const tones: Record<string, "amber" | "green" | "slate"> = { DETECTED: "amber", CONFIRMED: "green", DISMISSED: "slate" };

export default function LiabilityEvents() {
  const t = useT();
  const locale = useLocale();
  const { events, notices, department } = useLoaderData<typeof loader>();
  const money = (fen: bigint | null) => formatCny(locale, fen ?? 0n);
  return (
    <>
      <PageTitle actions={department ? <Link to="/custody/review" className="text-sm text-blue-700 hover:underline">{t("nav.custodyReview")}</Link> : undefined}>
        {t("custody.liability.page.title")}
      </PageTitle>
      <p className="mb-4 text-sm text-slate-600">{t("custody.liability.page.intro")}</p>
      <Card>
        {events.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="liability-events-empty">{t("custody.liability.page.empty")}</p>
        ) : (
          <Table
            testId="liability-events"
            head={[
              t("custody.liability.col.contract"), t("custody.liability.col.custodian"), t("custody.liability.col.loan"), t("custody.liability.col.kind"),
              t("custody.liability.col.day"), t("custody.liability.col.status"), t("custody.liability.col.amounts"),
            ]}
          >
            {events.map((e) => (
              <tr key={e.id} data-testid="liability-event-row" data-event-id={e.id} data-status={e.status}>
                <td className={`${cell} whitespace-nowrap`}>
                  <Link to={`/contracts/${e.contractId}`} className="text-blue-700 hover:underline">{e.contractNumber}</Link>
                </td>
                <td className={cell}>{e.custodianName}</td>
                <td className={`${cell} whitespace-nowrap`}>{e.loanNumber}</td>
                <td className={cell}>
                  {t(`custody.liability.kind.${e.kind}` as MessageKey)}
                  {e.note ? <p className="mt-1 text-xs text-slate-600">{e.note}</p> : null}
                </td>
                <td className={`${cell} whitespace-nowrap`}>{e.occurredOn}</td>
                <td className={cell}>
                  <Badge tone={tones[e.status] ?? "slate"}>{t(`custody.liability.status.${e.status}` as MessageKey)}</Badge>
                  {e.decidedAt ? <p className="mt-1 text-xs text-slate-500">{formatDateTime(locale, e.decidedAt)}</p> : null}
                  {e.decisionNote ? <p className="mt-1 text-xs text-slate-600">{e.decisionNote}</p> : null}
                </td>
                <td className={cell} data-testid="liability-event-amounts">
                  {e.status === "CONFIRMED"
                    ? t("custody.liability.amounts", { forfeit: money(e.forfeit), compensation: money(e.compensation), fromDeposit: money(e.fromDeposit), claim: money(e.claim) })
                    : "—"}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      {notices ? (
        <Card title={t("custody.liability.page.notices")} testId="liability-notices">
          {notices.length === 0 ? (
            <p className="text-sm text-slate-500">{t("custody.liability.page.noNotices")}</p>
          ) : (
            <ul className="space-y-2 text-sm">
              {notices.map((n) => (
                <li key={n.id} data-testid="liability-notice">
                  <span className="text-xs text-slate-500">{formatDateTime(locale, n.createdAt)}</span> {n.text}
                </li>
              ))}
            </ul>
          )}
        </Card>
      ) : null}
    </>
  );
}
