import { Form } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, Table, cell } from "~/components/page";
import { formatDateTime, type MessageKey, type Translate } from "~/infra/i18n";
import type { LimitationPanelData, TimelineEvent } from "~/services/loans/limitation.server";

/**
 * The limitation (诉讼时效) panel of the loan page: the clock from its anchor to the expiry with
 * today and the alert days, the loan's dated facts on a timeline, the interruptions with their
 * evidence and decisions, the form to record one and the department's verify / reject buttons.
 */

const statusTone = { PENDING: "amber", VERIFIED: "green", REJECTED: "red" } as const;

export function interruptionStatusBadge(t: Translate, status: string) {
  const tone = statusTone[status as keyof typeof statusTone] ?? "slate";
  return <Badge tone={tone}>{t(`interruption.status.${status}` as MessageKey)}</Badge>;
}

export function expiryBadge(t: Translate, s: { daysLeft: number; bucket: number | null; lapsed: boolean }) {
  if (s.lapsed) return <Badge tone="red">{t("limitation.lapsedFor", { days: -s.daysLeft })}</Badge>;
  const tone = s.bucket === null ? "slate" : s.bucket <= 7 ? "red" : s.bucket <= 30 ? "amber" : "blue";
  return <Badge tone={tone}>{t("limitation.daysLeft", { days: s.daysLeft })}</Badge>;
}

function eventLabel(t: Translate, e: TimelineEvent): string {
  if (e.kind === "interruption") return t("limitation.event.interruption", { kind: t(`interruption.kind.${e.interruptionKind ?? ""}` as MessageKey) });
  if (e.kind === "alert") return t("limitation.event.alert", { days: e.days ?? 0 });
  return t(`limitation.event.${e.kind}` as MessageKey);
}

const dotColour: Record<TimelineEvent["kind"], string> = {
  disbursed: "bg-slate-400",
  matures: "bg-slate-500",
  extendedMaturity: "bg-slate-500",
  lastPayment: "bg-green-600",
  lastInterruption: "bg-blue-400",
  interruption: "bg-blue-600",
  today: "bg-black",
  alert: "bg-amber-500",
  expiry: "bg-red-600",
};

function Clock({ data }: { data: LimitationPanelData }) {
  const t = useT();
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return (
    <div className="mb-6" aria-label={t("limitation.clock")}>
      <div className="mb-1 flex justify-between text-xs text-slate-500">
        <span>{data.anchor.day} · {t(`limitation.anchorSource.${data.anchor.source}`)}</span>
        <span>{data.expiresOn} · {t("limitation.event.expiry")}</span>
      </div>
      <div className="relative h-3 rounded bg-slate-100">
        <div className={`absolute inset-y-0 left-0 rounded ${data.lapsed ? "bg-red-300" : "bg-blue-200"}`} style={{ width: pct(data.clock.todayPosition) }} />
        {data.clock.alerts.map((a) => (
          <div key={a.days} className="absolute -top-1 h-5 w-0.5 bg-amber-500" style={{ left: pct(a.position) }} title={`${t("limitation.event.alert", { days: a.days })} · ${a.day}`} />
        ))}
        <div className="absolute -top-2 h-7 w-1 rounded bg-black" style={{ left: pct(data.clock.todayPosition) }} title={`${t("limitation.event.today")} · ${data.today}`} data-testid="limitation-today" />
      </div>
      <div className="relative mt-1 h-4 text-[10px] text-amber-700">
        {data.clock.alerts.map((a) => (
          <span key={a.days} className="absolute -translate-x-1/2 whitespace-nowrap" style={{ left: pct(a.position) }}>
            {a.days}
          </span>
        ))}
      </div>
    </div>
  );
}

function Timeline({ events }: { events: TimelineEvent[] }) {
  const t = useT();
  return (
    <ol className="mb-6 border-l-2 border-slate-200 pl-4" data-testid="limitation-timeline">
      {events.map((e, i) => (
        <li key={`${e.kind}-${e.day}-${i}`} className={`relative mb-2 text-sm ${e.kind === "today" ? "font-semibold" : ""}`}>
          <span className={`absolute -left-[1.4rem] top-1.5 h-3 w-3 rounded-full ring-2 ring-white ${dotColour[e.kind]}`} />
          <span className="mr-3 font-mono text-slate-600">{e.day}</span>
          <span>{eventLabel(t, e)}</span>
          {e.kind === "interruption" && e.status ? <span className="ml-2">{interruptionStatusBadge(t, e.status)}</span> : null}
        </li>
      ))}
    </ol>
  );
}

function DecideForm({ action, id }: { action: string; id: string }) {
  const t = useT();
  return (
    <Form method="post" action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="intent" value="decide" />
      <input type="hidden" name="id" value={id} />
      <input name="note" maxLength={500} placeholder={t("interruption.decisionNote")} aria-label={t("interruption.decisionNote")} className="w-40 rounded border border-slate-300 px-2 py-1 text-sm" />
      <button type="submit" name="decision" value="verify" data-testid="verify-interruption" className="rounded bg-blue-700 px-3 py-1 text-sm text-white hover:bg-blue-800">
        {t("interruption.verify")}
      </button>
      <button type="submit" name="decision" value="reject" data-testid="reject-interruption" className="rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50">
        {t("interruption.reject")}
      </button>
    </Form>
  );
}

function RecordForm({ data, action }: { data: LimitationPanelData; action: string }) {
  const t = useT();
  const input = "w-full rounded border border-slate-300 px-3 py-2 text-sm";
  const label = "mb-1 block text-sm font-medium text-slate-700";
  return (
    <Form method="post" action={action} encType="multipart/form-data" className="mt-4 rounded border border-slate-200 bg-slate-50 p-4" data-testid="interruption-form">
      <h3 className="mb-1 font-medium">{t("interruption.record")}</h3>
      <p className="mb-3 text-xs text-slate-600">{t("interruption.pendingHint")}</p>
      <input type="hidden" name="intent" value="record" />
      <div className="grid gap-x-4 md:grid-cols-2">
        <div className="mb-3">
          <label htmlFor="interruption-kind" className={label}>{t("interruption.field.kind")} <span className="text-red-600">*</span></label>
          <select id="interruption-kind" name="kind" required className={`${input} bg-white`}>
            {data.interruptionKinds.map((k) => (
              <option key={k} value={k}>{t(`interruption.kind.${k}` as MessageKey)}</option>
            ))}
          </select>
        </div>
        <div className="mb-3">
          <label htmlFor="interruption-day" className={label}>{t("interruption.field.occurredOn")} <span className="text-red-600">*</span></label>
          <input id="interruption-day" name="occurredOn" type="date" required min={data.disbursedOn} max={data.today} defaultValue={data.today} className={input} />
        </div>
        <div className="mb-3">
          <label htmlFor="interruption-evidence" className={label}>{t("interruption.field.evidence")} <span className="text-red-600">*</span></label>
          <input id="interruption-evidence" name="evidence" type="file" required accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg" className="w-full text-sm" />
        </div>
        <div className="mb-3">
          <label htmlFor="interruption-note" className={label}>{t("interruption.field.note")}</label>
          <input id="interruption-note" name="note" maxLength={500} className={input} />
        </div>
      </div>
      <button type="submit" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">{t("interruption.submit")}</button>
    </Form>
  );
}

export function LimitationPanel({ data }: { data: LimitationPanelData }) {
  const t = useT();
  const locale = useLocale();
  const action = `/loans/${encodeURIComponent(data.loanNumber)}/interruptions`;
  return (
    <Card title={t("limitation.panelTitle")} testId="limitation-panel">
      <dl className="mb-4 grid gap-x-6 gap-y-2 text-sm md:grid-cols-3">
        <div>
          <dt className="text-slate-500">{t("limitation.expiresOn")}</dt>
          <dd className="flex items-center gap-2">
            <span className="font-mono text-base font-semibold" data-testid="limitation-expiry">{data.expiresOn}</span>
            {expiryBadge(t, data)}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">{t("limitation.anchor")}</dt>
          <dd><span className="font-mono">{data.anchor.day}</span> · {t(`limitation.anchorSource.${data.anchor.source}`)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">{t("limitation.period")}</dt>
          <dd>{t("limitation.years", { years: data.limitationYears })}</dd>
        </div>
      </dl>
      <Clock data={data} />
      <h3 className="mb-2 font-medium">{t("limitation.timeline")}</h3>
      <Timeline events={data.timeline} />
      <h3 className="mb-2 font-medium">{t("interruption.title")}</h3>
      {data.interruptions.length === 0 ? (
        <p className="text-sm text-slate-500">{t("interruption.none")}</p>
      ) : (
        <Table
          testId="interruptions"
          head={[t("interruption.col.kind"), t("interruption.col.occurredOn"), t("interruption.col.evidence"), t("interruption.col.status"), t("interruption.col.recordedBy"), t("interruption.col.decision")]}
        >
          {data.interruptions.map((i) => (
            <tr key={i.id} data-testid="interruption-row">
              <td className={cell}>
                {t(`interruption.kind.${i.kind}` as MessageKey)}
                {i.note ? <div className="text-xs text-slate-500">{i.note}</div> : null}
              </td>
              <td className={`${cell} font-mono`}>{i.occurredOn}</td>
              <td className={cell}>
                {i.evidence ? (
                  <a href={`/files/${i.evidence.fileId}`} target="_blank" rel="noreferrer" className="text-blue-700 underline" data-testid="interruption-evidence">
                    {i.evidence.name}
                  </a>
                ) : "—"}
              </td>
              <td className={cell}>{interruptionStatusBadge(t, i.status)}</td>
              <td className={cell}>
                {i.recordedBy}
                <div className="text-xs text-slate-500">{formatDateTime(locale, i.recordedAt)}</div>
              </td>
              <td className={cell}>
                {i.decidedBy ? (
                  <>
                    {i.decidedBy}
                    <div className="text-xs text-slate-500">{formatDateTime(locale, i.decidedAt)}</div>
                    {i.decisionNote ? <div className="text-xs text-slate-600">{i.decisionNote}</div> : null}
                  </>
                ) : i.canDecide ? (
                  <DecideForm action={action} id={i.id} />
                ) : (
                  <span className="text-xs text-slate-500">{i.status === "PENDING" ? t("interruption.awaiting") : "—"}</span>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {data.canRecord ? <RecordForm data={data} action={action} /> : null}
    </Card>
  );
}
