import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { contractLabel, contractStatusTones } from "~/components/contract-document";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { forbidden, requirePermission } from "~/infra/auth.server";
import { formatCny, formatDate, formatDateTime } from "~/infra/i18n";
import { contractStatuses, isContractStatus, listContracts } from "~/services/custody/contract-views.server";

/** /contracts — custody contracts: the custodian's own, or every contract for the bank's departments (custody:view). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:view");
  const raw = new URL(request.url).searchParams.get("status");
  const status = isContractStatus(raw) ? raw : null;
  try {
    return { contracts: await listContracts(user, { status }), status };
  } catch (error) {
    if (error instanceof UserError && error.status === 403) throw forbidden();
    throw error;
  }
}

/** A numeric column's heading, aligned with its figures. */
function Right({ children }: { children: string }) {
  return <span className="block text-right">{children}</span>;
}

export default function ContractList() {
  const t = useT();
  const locale = useLocale();
  const { contracts, status } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle>{t("contractPages.list.title")}</PageTitle>
      <Form method="get" className="mb-4 flex items-end gap-2" data-testid="contract-filter">
        <label className="text-sm">
          <span className="mb-1 block text-slate-700">{t("contractPages.list.filter")}</span>
          <select name="status" defaultValue={status ?? ""} className="rounded border border-slate-300 bg-white px-2 py-1 text-sm" data-testid="contract-filter-status">
            <option value="">{t("contractPages.list.all")}</option>
            {contractStatuses.map((s) => (
              <option key={s} value={s}>{contractLabel(t, "status", s)}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50">{t("contractPages.list.apply")}</button>
      </Form>
      <Card>
        <Table
          testId="contracts-table"
          head={[
            t("contractPages.col.number"), t("contractPages.col.custodian"), t("contractPages.col.kind"), t("contractPages.col.package"), <Right key="l">{t("contractPages.col.loans")}</Right>,
            <Right key="t">{t("contractPages.col.task")}</Right>, <Right key="d">{t("contractPages.col.deposit")}</Right>, t("contractPages.col.term"), t("contractPages.col.status"), t("contractPages.col.createdAt"),
          ]}
        >
          {contracts.map((c) => (
            <tr key={c.id} data-testid="contract-row" data-contract-id={c.id} data-status={c.status}>
              <td className={`${cell} whitespace-nowrap`}>
                <Link to={`/contracts/${c.id}`} className="text-blue-700 hover:underline" data-testid="contract-link">{c.number}</Link>
              </td>
              <td className={cell}>{c.custodianName}</td>
              <td className={cell}>{contractLabel(t, "kind", c.custodianKind)}</td>
              <td className={`${cell} whitespace-nowrap`}>{c.packageNumber ?? ""}</td>
              <td className={`${cell} text-right`}>{c.loanCount}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, c.task)}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, c.performanceDeposit)}</td>
              <td className={`${cell} whitespace-nowrap text-xs`}>
                {c.custodyStartsAt && c.custodyEndsAt
                  ? t("contractPages.facts.termWindow", { from: formatDate(locale, c.custodyStartsAt), until: formatDate(locale, c.custodyEndsAt) })
                  : t("contractPages.facts.months", { months: c.termMonths })}
              </td>
              <td className={cell}><Badge tone={contractStatusTones[c.status] ?? "slate"}>{contractLabel(t, "status", c.status)}</Badge></td>
              <td className={`${cell} whitespace-nowrap text-xs`}>{formatDateTime(locale, c.createdAt)}</td>
            </tr>
          ))}
        </Table>
        {contracts.length === 0 ? <p className="py-3 text-sm text-slate-500" data-testid="contracts-empty">{t("contractPages.list.empty")}</p> : null}
      </Card>
    </>
  );
}
