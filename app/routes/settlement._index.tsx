import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { formatBp } from "~/domain/settlement-views";
import { forbidden, requirePermission } from "~/infra/auth.server";
import { formatCny } from "~/infra/i18n";
import { settlementOverview } from "~/services/settlement/settlement-views.server";

/**
 * /settlement — the settlement overview (settlement:view): every custody contract the viewer may see
 * (a custodian its own; the bank's departments and the branch all) with task, verified recoveries and
 * % of task, unremitted money, late remittances, late interest booked, deductions and the deposit held;
 * and a scorecard per custodian. Each contract links to /settlement/contracts/{id}.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  try {
    return await settlementOverview(user, todayInChina(new Date()));
  } catch (error) {
    if (error instanceof UserError && error.status === 403) throw forbidden();
    throw error;
  }
}

const right = `${cell} text-right tabular-nums whitespace-nowrap`;

export default function SettlementOverview() {
  const t = useT();
  const locale = useLocale();
  const { rows, scorecard, today } = useLoaderData<typeof loader>();
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <>
      <PageTitle actions={<Link to="/settlement/statements" className="text-sm text-blue-700 hover:underline">{t("nav.statements")}</Link>}>
        {t("settlement.contracts.overview.title")}
      </PageTitle>
      <p className="mb-4 text-sm text-slate-600">{t("settlement.contracts.overview.intro", { today })}</p>
      <Card title={t("settlement.contracts.overview.contracts")} testId="settlement-contracts">
        {rows.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="settlement-empty">{t("settlement.contracts.overview.empty")}</p>
        ) : (
          <Table
            head={[
              t("settlement.contracts.col.contract"), t("settlement.contracts.col.custodian"), t("settlement.contracts.col.status"), t("settlement.contracts.col.task"),
              t("settlement.contracts.col.recovered"), t("settlement.contracts.col.percent"), t("settlement.contracts.col.unremitted"), t("settlement.contracts.col.late"),
              t("settlement.contracts.col.lateInterest"), t("settlement.contracts.col.deductions"), t("settlement.contracts.col.deposit"),
            ]}
          >
            {rows.map((r) => (
              <tr key={r.id} data-testid={`settlement-row-${r.number}`}>
                <td className={`${cell} whitespace-nowrap`}>
                  <Link to={`/settlement/contracts/${r.id}`} className="text-blue-700 hover:underline">{r.number}</Link>
                </td>
                <td className={cell}>{r.custodianName}</td>
                <td className={cell}>
                  {r.closed ? <Badge tone="slate">{t("settlement.contracts.status.closed")}</Badge> : <Badge tone={r.status === "ACTIVE" ? "green" : "amber"}>{t(r.status === "ACTIVE" ? "settlement.contracts.status.ACTIVE" : "settlement.contracts.status.ENDED")}</Badge>}
                </td>
                <td className={right}>{money(r.task)}</td>
                <td className={right} data-testid="row-recovered">{money(r.recovered)}</td>
                <td className={right} data-testid="row-percent">{formatBp(r.percentBp)}</td>
                <td className={right} data-testid="row-unremitted">{money(r.unremitted)}</td>
                <td className={right} data-testid="row-late">{r.lateRemittances}</td>
                <td className={right} data-testid="row-late-interest">{money(r.lateInterestBooked)}</td>
                <td className={right} data-testid="row-deductions">{money(r.deductions)}</td>
                <td className={right}>{money(r.depositHeld)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      {scorecard.length > 0 ? (
        <Card title={t("settlement.contracts.overview.scorecard")} testId="settlement-scorecard">
          <Table
            head={[
              t("settlement.contracts.col.custodian"), t("settlement.contracts.col.contracts"), t("settlement.contracts.col.task"), t("settlement.contracts.col.recovered"),
              t("settlement.contracts.col.percent"), t("settlement.contracts.col.unremitted"), t("settlement.contracts.col.late"), t("settlement.contracts.col.lateInterest"),
              t("settlement.contracts.col.deductions"),
            ]}
          >
            {scorecard.map((s) => (
              <tr key={s.custodianKey} data-testid="scorecard-row" data-custodian={s.custodianKey}>
                <td className={cell}>{s.custodianName}</td>
                <td className={right}>{s.contracts}</td>
                <td className={right}>{money(s.task)}</td>
                <td className={right}>{money(s.recovered)}</td>
                <td className={right}>{formatBp(s.percentBp)}</td>
                <td className={right}>{money(s.unremitted)}</td>
                <td className={right}>{s.lateRemittances}</td>
                <td className={right}>{money(s.lateInterestBooked)}</td>
                <td className={right}>{money(s.deductions)}</td>
              </tr>
            ))}
          </Table>
        </Card>
      ) : null}
    </>
  );
}
