import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { FullTimeApply } from "~/components/full-time-apply";
import type { SectionState } from "~/components/liability-review";
import { UserError } from "~/domain/errors";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { redirectWithToast } from "~/infra/session.server";
import { fullTimeCard, handleFullTimeApply } from "~/services/custody/full-time.server";
import { useLocale, useT } from "~/components/i18n";
import { expiryBadge } from "~/components/loan-limitation";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import { myCustodyLoans } from "~/services/custody/workbench.server";

/** /custody: the collection workbench — the custodian's loans in custody during the term (custody:work). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:work");
  const [rows, fullTime] = await Promise.all([myCustodyLoans(user), fullTimeCard(user)]);
  return { rows, fullTime };
}

/** The one form of the workbench: a staff custodian's application to collect full time. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "custody:work");
  const formData = await request.formData();
  try {
    const applied = await handleFullTimeApply(auditContextFor(request, user), user, formData, new Date());
    return redirectWithToast("/custody", { kind: "success", key: applied.toast.key, params: applied.toast.params });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const state: SectionState = { intent: "fulltime-apply", target: "fulltime", ...userErrorState(error) };
    return data(state, { status: error.status });
  }
}

export default function CustodyWorkbench() {
  const t = useT();
  const locale = useLocale();
  const { rows, fullTime } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as SectionState | undefined;
  return (
    <div>
      <PageTitle>{t("custody.workbench.title")}</PageTitle>
      <p className="mb-4 text-sm text-slate-600">{t("custody.workbench.intro")}</p>
      <Card>
        {rows.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="custody-empty">{t("custody.workbench.empty")}</p>
        ) : (
          <Table
            testId="custody-loans"
            head={[
              t("custody.workbench.col.loanNumber"),
              t("custody.workbench.col.contract"),
              t("custody.workbench.col.borrower"),
              t("custody.workbench.col.principal"),
              t("custody.workbench.col.expiry"),
              t("custody.workbench.col.lastActivity"),
              t("custody.workbench.col.agreement"),
            ]}
          >
            {rows.map((r) => (
              <tr key={`${r.contractId}-${r.loanNumber}`} data-testid="custody-loan-row">
                <td className={`${cell} font-mono`}>
                  <Link to={`/custody/loans/${encodeURIComponent(r.loanNumber)}`} className="text-blue-700 underline" data-testid="custody-loan-link">
                    {r.loanNumber}
                  </Link>
                </td>
                <td className={`${cell} font-mono`}>
                  <Link to={`/contracts/${r.contractId}`} className="text-blue-700 underline">{r.contractNumber}</Link>
                </td>
                <td className={cell}>{r.borrower}</td>
                <td className={`${cell} text-right font-mono`}>{formatCny(locale, r.principal)}</td>
                <td className={cell}>
                  <span className="mr-2 font-mono">{r.expiresOn}</span>
                  {expiryBadge(t, r)}
                </td>
                <td className={cell}>
                  {r.lastActivity ? (
                    <>
                      {t(`custody.activity.kind.${r.lastActivity.kind}` as MessageKey)}
                      <div className="text-xs text-slate-500">{formatDateTime(locale, r.lastActivity.at)}</div>
                    </>
                  ) : (
                    <span className="text-slate-400">{t("custody.workbench.noActivity")}</span>
                  )}
                </td>
                <td className={cell}>
                  {r.openAgreement ? <Badge tone="green">{t("custody.workbench.agreementOpen")}</Badge> : "—"}
                  {r.missedInstalments > 0 ? (
                    <span className="ml-1" data-testid="custody-missed">
                      <Badge tone="red">{t("custody.workbench.missed", { count: r.missedInstalments })}</Badge>
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      <FullTimeApply card={fullTime} result={result} />
      <p className="text-sm">
        <Link to="/custody/liability" className="text-blue-700 hover:underline" data-testid="liability-link">{t("custody.workbench.liabilityLink")}</Link>
      </p>
    </div>
  );
}
