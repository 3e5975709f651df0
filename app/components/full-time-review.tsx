import { useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Card, Table, cell } from "~/components/page";
import { formatDateTime } from "~/infra/i18n";
import type { FullTimeApplicationView } from "~/services/custody/full-time.server";
import { DecisionForm } from "~/components/decision-form";
import type { SectionState } from "./liability-review";

/**
 * The department's full-time section of /custody/review (issue 7 item 2): each PENDING application
 * with the applicant, the contracts held (when applying and now) and the reason; approve or reject
 * (a note is required to reject), posting intent=fulltime-approve|fulltime-reject + applicationId +
 * note to the page's action (handleFullTimeIntent). The applicant's own application has no buttons.
 */

const smallButton = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50 disabled:opacity-60";
const primary = "rounded bg-blue-700 px-2 py-1 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";

export function FullTimeReview({ applications, result }: { applications: FullTimeApplicationView[]; result?: SectionState }) {
  const t = useT();
  const locale = useLocale();
  const busy = useNavigation().state === "submitting";
  return (
    <Card title={t("custody.fullTime.review.title")} testId="fulltime-review">
      {applications.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="fulltime-empty">{t("custody.fullTime.review.empty")}</p>
      ) : (
        <Table
          testId="fulltime-table"
          head={[t("custody.fullTime.col.applicant"), t("custody.fullTime.col.contracts"), t("custody.fullTime.col.reason"), t("custody.fullTime.col.appliedAt"), t("custody.liability.col.decision")]}
        >
          {applications.map((a) => {
            const mine = result && (result.intent === "fulltime-approve" || result.intent === "fulltime-reject") && result.target === a.id ? result : undefined;
            return (
              <tr key={a.id} data-testid="fulltime-row" data-application-id={a.id}>
                <td className={cell}>
                  {a.applicant}
                  <p className="text-xs text-slate-500">{a.applicantEmail}</p>
                </td>
                <td className={`${cell} text-right`}>
                  {a.contractCount}
                  {a.contractsNow !== a.contractCount ? <span className="text-xs text-slate-500"> → {a.contractsNow}</span> : null}
                </td>
                <td className={`${cell} whitespace-pre-line`}>{a.reason}</td>
                <td className={`${cell} whitespace-nowrap text-xs`}>{formatDateTime(locale, a.appliedAt)}</td>
                <td className={cell}>
                  {a.canDecide ? (
                    <DecisionForm
                      idName="applicationId" id={a.id} noteLabel={t("custody.fullTime.note")} noteTestId="fulltime-note" noteMaxLength={1000}
                      state={mine} busy={busy} errorTestId="fulltime-error"
                      buttons={[
                        { intent: "fulltime-approve", label: t("custody.fullTime.approve"), className: primary, testId: "fulltime-approve" },
                        { intent: "fulltime-reject", label: t("custody.fullTime.reject"), className: smallButton, testId: "fulltime-reject" },
                      ]}
                    />
                  ) : (
                    <span className="text-xs text-slate-500">{t("custody.fullTime.ownApplication")}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </Table>
      )}
    </Card>
  );
}
