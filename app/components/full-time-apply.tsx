import { Form, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { formatDateTime, type MessageKey } from "~/infra/i18n";
import type { FullTimeCard } from "~/services/custody/full-time.server";
import type { SectionState } from "./liability-review";

/**
 * The custodian's full-time card on the /custody workbench (issue 7 item 2): contracts held, the
 * threshold in force (setting fullTimeMinPackages), the latest application's status and, when the
 * user may apply, the form (reason) posting intent=fulltime-apply to the page's action
 * (handleFullTimeApply). Not shown to agencies (only staff contractors collect full time).
 */

const tones: Record<string, "amber" | "green" | "red"> = { PENDING: "amber", APPROVED: "green", REJECTED: "red" };
const input = "w-full rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";
const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";

export function FullTimeApply({ card, result }: { card: FullTimeCard; result?: SectionState }) {
  const t = useT();
  const locale = useLocale();
  const busy = useNavigation().state === "submitting";
  if (!card.staff) return null;
  const mine = result?.intent === "fulltime-apply" ? result : undefined;
  return (
    <Card title={t("custody.fullTime.card.title")} testId="fulltime-card">
      <p className="mb-3 text-sm text-slate-700" data-testid="fulltime-count" data-count={card.count} data-threshold={card.threshold}>
        {t("custody.fullTime.card.count", { count: card.count, threshold: card.threshold })}
      </p>
      <div className="mb-3 text-sm" data-testid="fulltime-status" data-status={card.latest?.status ?? "NONE"}>
        {card.latest ? (
          <>
            <Badge tone={tones[card.latest.status] ?? "amber"}>{t(`custody.fullTime.status.${card.latest.status}` as MessageKey)}</Badge>{" "}
            <span className="text-slate-500">{formatDateTime(locale, card.latest.decidedAt ?? card.latest.appliedAt)}</span>
            {card.latest.decisionNote ? <p className="mt-1 text-slate-600">{card.latest.decisionNote}</p> : null}
          </>
        ) : (
          <span className="text-slate-500">{t("custody.fullTime.card.none")}</span>
        )}
      </div>
      <Refusal message={mine?.formError} params={mine?.formErrorParams} testId="fulltime-apply-error" />
      {card.mayApply ? (
        <Form method="post" className="flex flex-col gap-2">
          <input type="hidden" name="intent" value="fulltime-apply" />
          <label className="text-sm" htmlFor="fulltime-reason">{t("custody.fullTime.card.reason")}</label>
          <textarea
            id="fulltime-reason" name="reason" rows={3} maxLength={1000} required className={input}
            data-testid="fulltime-reason" aria-invalid={mine?.fieldErrors?.reason ? true : undefined}
          />
          <FieldErrors field="reason" messages={mine?.fieldErrors?.reason} />
          <div>
            <button type="submit" className={button} disabled={busy} data-testid="fulltime-apply">{t("custody.fullTime.card.apply")}</button>
          </div>
        </Form>
      ) : null}
    </Card>
  );
}
