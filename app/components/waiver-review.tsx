import { Link, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Card, Table, cell } from "~/components/page";
import { formatCny, formatDateTime } from "~/infra/i18n";
import type { PendingWaiver } from "~/services/custody/waivers.server";
import { DecisionForm } from "~/components/decision-form";

/**
 * The department's waivers section of /custody/review (R5): each PENDING waiver with what the loan
 * owed, what the schedule collects, the waiver, the reason and the requester; approve or reject
 * (a note is required to reject) posting `intent=waiver-approve|waiver-reject` and `waiverId` to the
 * review page's action, which hands them to handleWaiverIntent (app/services/custody/waivers.server.ts).
 *
 * `refusal`: the action's refusal for one waiver (target = its id), shown in its row.
 */
export function WaiverReview({
  waivers,
  refusal,
}: {
  waivers: PendingWaiver[];
  refusal?: { target?: string | null; message: string; params?: Record<string, string | number> } | null;
}) {
  const t = useT();
  const locale = useLocale();
  const busy = useNavigation().state === "submitting";
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <Card title={t("custodyAgreements.review.title")} testId="waiver-review">
      {waivers.length === 0 ? (
        <p className="text-sm text-slate-500">{t("custodyAgreements.review.none")}</p>
      ) : (
        <Table
          head={[
            t("custodyAgreements.review.col.loan"),
            t("custodyAgreements.review.col.contract"),
            t("custodyAgreements.review.col.outstanding"),
            t("custodyAgreements.review.col.waiver"),
            t("custodyAgreements.review.col.reason"),
            t("custodyAgreements.review.col.requester"),
            t("custodyAgreements.review.col.decision"),
          ]}
        >
          {waivers.map((w) => (
            <tr key={w.id} data-testid="waiver-row">
              <td className={cell}>
                <Link to={`/custody/loans/${encodeURIComponent(w.loanNumber)}/agreements`} className="text-blue-700 hover:underline" data-testid="waiver-loan">{w.loanNumber}</Link>
                <div className="text-xs text-slate-500">{w.signedOn}</div>
              </td>
              <td className={cell}>
                <Link to={`/contracts/${w.contractId}`} className="text-blue-700 hover:underline">{w.contractNumber}</Link>
              </td>
              <td className={cell}>
                <div>{t("custodyAgreements.review.principal")} {money(w.outstanding.principal)} → {money(w.scheduled.principal)}</div>
                <div>{t("custodyAgreements.review.interest")} {money(w.outstanding.interest)} → {money(w.scheduled.interest)}</div>
              </td>
              <td className={cell} data-testid="waiver-amounts">
                <div>{t("custodyAgreements.review.principal")} {money(w.waiver.principal)}</div>
                <div>{t("custodyAgreements.review.interest")} {money(w.waiver.interest)}</div>
              </td>
              <td className={`${cell} max-w-xs whitespace-pre-line`}>{w.reason}</td>
              <td className={cell}>
                {w.requestedBy}
                <div className="text-xs text-slate-500">{formatDateTime(locale, w.requestedAt)}</div>
              </td>
              <td className={cell}>
                {w.canDecide ? (
                  <DecisionForm
                    idName="waiverId" id={w.id} noteLabel={t("custodyAgreements.review.note")} noteTestId="waiver-note" noteMaxLength={500}
                    state={refusal && refusal.target === w.id ? { formError: refusal.message, formErrorParams: refusal.params } : undefined}
                    busy={busy} errorTestId="waiver-error"
                    buttons={[
                      { intent: "waiver-approve", label: t("custodyAgreements.review.approve"), className: "rounded bg-green-700 px-3 py-1 text-sm text-white hover:bg-green-800 disabled:opacity-60", testId: "waiver-approve" },
                      { intent: "waiver-reject", label: t("custodyAgreements.review.reject"), className: "rounded bg-red-700 px-3 py-1 text-sm text-white hover:bg-red-800 disabled:opacity-60", testId: "waiver-reject" },
                    ]}
                  />
                ) : (
                  <span className="text-sm text-slate-500">{t("custodyAgreements.review.ownRequest")}</span>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
