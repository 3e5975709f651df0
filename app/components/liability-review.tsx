import { Form, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, Table, cell } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import type { LiabilityQueue } from "~/services/custody/liability.server";
import { DecisionForm } from "~/components/decision-form";

/**
 * The department's liability section of /custody/review (R8): each DETECTED event with what
 * confirming it now would cost, a note, confirm / dismiss; and a form to record the loss of a
 * foreclosed asset. Posts to the page's action: intent=liability-confirm|liability-dismiss + eventId
 * + note, intent=liability-asset-loss + loan ("<contractId>:<loanId>") + occurredOn + note.
 * `result` is the page's action data (shown when its intent and target are this section's).
 */

export interface SectionState {
  intent?: string | null;
  target?: string;
  formError?: string;
  formErrorParams?: Record<string, string | number>;
  fieldErrors?: Record<string, string[]>;
}

const smallButton = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50 disabled:opacity-60";
const dangerButton = "rounded bg-red-700 px-2 py-1 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60";
const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";
const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";

const mine = (result: SectionState | undefined, intents: string[], target?: string) =>
  result && typeof result.intent === "string" && intents.includes(result.intent) && (target === undefined || result.target === target) ? result : undefined;

export function LiabilityReview({ queue, result }: { queue: LiabilityQueue; result?: SectionState }) {
  const t = useT();
  const locale = useLocale();
  const busy = useNavigation().state === "submitting";
  const money = (fen: bigint) => formatCny(locale, fen);
  const lossResult = mine(result, ["liability-asset-loss"], "asset-loss");
  return (
    <Card title={t("custody.liability.review.title")} testId="liability-review">
      {queue.rows.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="liability-empty">{t("custody.liability.review.empty")}</p>
      ) : (
        <Table
          testId="liability-table"
          head={[
            t("custody.liability.col.contract"), t("custody.liability.col.custodian"), t("custody.liability.col.loan"), t("custody.liability.col.kind"),
            t("custody.liability.col.day"), t("custody.liability.col.cost"), t("custody.liability.col.decision"),
          ]}
        >
          {queue.rows.map((row) => {
            const rowResult = mine(result, ["liability-confirm", "liability-dismiss"], row.id);
            return (
              <tr key={row.id} data-testid="liability-row" data-event-id={row.id} data-kind={row.kind}>
                <td className={`${cell} whitespace-nowrap`}>
                  <a href={`/contracts/${row.contractId}`} className="text-blue-700 hover:underline">{row.contractNumber}</a>
                </td>
                <td className={cell}>{row.custodianName}</td>
                <td className={`${cell} whitespace-nowrap`}>{row.loanNumber}</td>
                <td className={cell}>
                  <Badge tone="red">{t(`custody.liability.kind.${row.kind}` as MessageKey)}</Badge>
                  {row.note ? <p className="mt-1 text-xs text-slate-600">{row.note}</p> : null}
                </td>
                <td className={`${cell} whitespace-nowrap`}>
                  {row.occurredOn}
                  <p className="text-xs text-slate-500">{formatDateTime(locale, row.detectedAt)}</p>
                </td>
                <td className={cell} data-testid="liability-cost">
                  <p>
                    {row.custodianKind === "AGENCY"
                      ? t("custody.liability.cost.agency", { compensation: money(row.preview.compensation), fromDeposit: money(row.preview.fromDeposit), claim: money(row.preview.claim) })
                      : t("custody.liability.cost.internal", { forfeit: money(row.preview.forfeit), compensation: money(row.preview.compensation) })}
                  </p>
                  <p className="text-xs text-slate-500">{t("custody.liability.cost.deposit", { held: money(row.depositHeld) })}</p>
                </td>
                <td className={cell}>
                  <DecisionForm
                    idName="eventId" id={row.id} noteLabel={t("custody.liability.note")} noteTestId="liability-note" noteMaxLength={1000}
                    state={rowResult} busy={busy} errorTestId="liability-error"
                    buttons={[
                      { intent: "liability-confirm", label: t("custody.liability.confirm"), className: dangerButton, testId: "liability-confirm" },
                      { intent: "liability-dismiss", label: t("custody.liability.dismiss"), className: smallButton, testId: "liability-dismiss" },
                    ]}
                  />
                </td>
              </tr>
            );
          })}
        </Table>
      )}

      <h3 className="mb-2 mt-6 font-medium">{t("custody.liability.assetLoss.title")}</h3>
      {queue.loans.length === 0 ? (
        <p className="text-sm text-slate-500">{t("custody.liability.assetLoss.none")}</p>
      ) : (
        <Form method="post" className="grid gap-3 md:grid-cols-4" data-testid="liability-asset-loss-form">
          <input type="hidden" name="intent" value="liability-asset-loss" />
          <label className="flex flex-col gap-1 text-sm">
            {t("custody.liability.assetLoss.loan")}
            <select name="loan" className={input} data-testid="liability-loss-loan" aria-invalid={lossResult?.fieldErrors?.loan ? true : undefined}>
              {queue.loans.map((l) => (
                <option key={`${l.contractId}:${l.loanId}`} value={`${l.contractId}:${l.loanId}`}>
                  {l.contractNumber} · {l.loanNumber}
                </option>
              ))}
            </select>
            <FieldErrors field="loan" messages={lossResult?.fieldErrors?.loan} params={lossResult?.formErrorParams} />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            {t("custody.liability.assetLoss.day")}
            <input
              type="date" name="occurredOn" max={queue.today} required className={input} data-testid="liability-loss-day"
              aria-invalid={lossResult?.fieldErrors?.occurredOn ? true : undefined}
            />
            <FieldErrors field="occurredOn" messages={lossResult?.fieldErrors?.occurredOn} params={lossResult?.formErrorParams} />
          </label>
          <label className="flex flex-col gap-1 text-sm md:col-span-2">
            {t("custody.liability.assetLoss.note")}
            <textarea name="note" rows={2} maxLength={1000} required className={input} data-testid="liability-loss-note" aria-invalid={lossResult?.fieldErrors?.note ? true : undefined} />
            <FieldErrors field="note" messages={lossResult?.fieldErrors?.note} params={lossResult?.formErrorParams} />
          </label>
          <div className="md:col-span-4">
            <Refusal message={lossResult?.formError} params={lossResult?.formErrorParams} testId="liability-loss-error" />
            <button type="submit" className={button} disabled={busy} data-testid="liability-loss-submit">{t("custody.liability.assetLoss.submit")}</button>
          </div>
        </Form>
      )}
    </Card>
  );
}
