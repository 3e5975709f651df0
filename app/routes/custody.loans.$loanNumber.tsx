import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useLocale, useT } from "~/components/i18n";
import { LimitationPanel, interruptionStatusBadge } from "~/components/loan-limitation";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requirePermission } from "~/infra/auth.server";
import { defaultMaxBytes } from "~/infra/files.server";
import { formatCny, formatDateTime, isMessageKey, type MessageKey, type Params } from "~/infra/i18n";
import { formDataOf, readLimitedBody } from "~/infra/request-body.server";
import { redirectWithToast } from "~/infra/session.server";
import { recordActivity } from "~/services/custody/activities.server";
import { activityFormSchema, activityKinds, chinaLocalToInstant, instantToChinaLocal } from "~/services/custody/activity-schemas";
import { custodyLoanView } from "~/services/custody/workbench.server";
import { contactParties } from "~/domain/conduct";

/**
 * /custody/loans/:loanNumber — the custodian's loan page: the borrower in full (each view one audit
 * entry, no caching), the limitation panel, the activity log and the form to record an activity
 * against the conduct rules in force. Anyone but the custodian during the term gets a 404.
 */

const maxBodyBytes = defaultMaxBytes + 64 * 1024;
const tooLarge = () => new UserError("files.tooLarge", { field: "evidence", params: { max: `${defaultMaxBytes / (1024 * 1024)} MB` }, status: 413 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:work");
  try {
    const view = await custodyLoanView(auditContextFor(request, user), user, params.loanNumber ?? "");
    return data({ view, nowLocal: instantToChinaLocal(new Date()) }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    throw error;
  }
}

interface ActionResult {
  error?: { key: string; params?: Params };
  values?: Record<string, string>;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "custody:work");
  const loanNumber = params.loanNumber ?? "";
  const here = `/custody/loans/${encodeURIComponent(loanNumber)}`;
  let values: Record<string, string> = {};
  try {
    const formData = await formDataOf(request, await readLimitedBody(request, maxBodyBytes, tooLarge));
    values = Object.fromEntries([...formData.entries()].filter(([, v]) => typeof v === "string") as [string, string][]);
    if (formData.get("intent") !== "record") throw new UserError("form.invalidChoice");
    const parsed = activityFormSchema.safeParse(values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return data<ActionResult>({ error: { key: issue.message }, values }, { status: 400 });
    }
    const input = parsed.data;
    const file = formData.get("evidence");
    let evidence: { bytes: Uint8Array; originalName: string } | null = null;
    if (file instanceof File && file.size > 0) {
      if (file.size > defaultMaxBytes) throw tooLarge();
      evidence = { bytes: new Uint8Array(await file.arrayBuffer()), originalName: file.name };
    }
    await recordActivity(auditContextFor(request, user), user, loanNumber, {
      kind: input.kind,
      party: input.party || null,
      at: input.at ? chinaLocalToInstant(input.at) : null,
      effective: input.effective === "on" || input.effective === "true",
      outcome: input.outcome ?? "",
      note: input.note ?? null,
      evidence,
    });
    return redirectWithToast(here, { kind: "success", key: "custody.activity.recorded" });
  } catch (error) {
    if (error instanceof UserError) {
      if (error.status === 404) throw notFound();
      return data<ActionResult>({ error: { key: error.key, params: error.options.params }, values }, { status: error.status });
    }
    throw error;
  }
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-medium" data-testid={testId}>{children}</dd>
    </div>
  );
}

export default function CustodyLoanPage() {
  const t = useT();
  const locale = useLocale();
  const { view, nowLocal } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const { loan, contract, conduct } = view;
  const value = (name: string, fallback = "") => result?.values?.[name] ?? fallback;
  const errorText = result?.error ? (isMessageKey(result.error.key) ? t(result.error.key as MessageKey, result.error.params) : result.error.key) : null;
  const loanPath = `/custody/loans/${encodeURIComponent(loan.loanNumber)}`;

  return (
    <div>
      <PageTitle
        actions={
          <div className="flex gap-3 text-sm">
            <Link to={`${loanPath}/agreements`} className="text-blue-700 underline" data-testid="agreements-link">{t("custody.loan.agreementsLink")}</Link>
            <Link to="/custody" className="text-blue-700 underline">{t("custody.loan.backToList")}</Link>
          </div>
        }
      >
        {t("custody.loan.title", { loanNumber: loan.loanNumber })}
      </PageTitle>

      <Card title={t("custody.loan.personalData")} testId="custody-personal-data">
        <p className="mb-3 rounded bg-amber-50 px-3 py-2 text-xs text-amber-800">{t("custody.loan.privacyNote")}</p>
        <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-3">
          <Fact label={t("custody.loan.borrowerName")} testId="custody-borrower-name">{loan.borrowerName}</Fact>
          <Fact label={t("custody.loan.borrowerId")} testId="custody-borrower-id"><span className="font-mono">{loan.borrowerIdNumber}</span></Fact>
          <Fact label={t("custody.loan.phone")} testId="custody-phone"><span className="font-mono">{loan.phone ?? "—"}</span></Fact>
          <Fact label={t("custody.loan.guarantor")}>{loan.guarantorName ?? "—"}</Fact>
          <Fact label={t("custody.loan.branch")}>{loan.branchName}</Fact>
          <Fact label={t("custody.loan.contract")}>
            <Link to={`/contracts/${contract.id}`} className="font-mono text-blue-700 underline">{contract.number}</Link>
          </Fact>
          <Fact label={t("custody.loan.principal")}><span className="font-mono">{formatCny(locale, view.custody.principal)}</span></Fact>
          <Fact label={t("custody.loan.interest")}><span className="font-mono">{formatCny(locale, view.custody.interest)}</span></Fact>
          <Fact label={t("custody.loan.term")}>
            {formatDateTime(locale, contract.custodyStartsAt)} – {formatDateTime(locale, contract.custodyEndsAt)}
          </Fact>
        </dl>
        {view.openAgreement ? <div className="mt-3"><Badge tone="green">{t("custody.loan.openAgreement")}</Badge></div> : null}
      </Card>

      <LimitationPanel data={view.limitation} />

      <Card title={t("custody.activity.recordTitle")} testId="activity-form-card">
        <p className="mb-1 text-sm text-slate-700" data-testid="conduct-rules">
          {t("custody.activity.rulesHint", { from: conduct.quietFrom, until: conduct.quietUntil, max: conduct.maxContactsPerDay })}
        </p>
        <p className="mb-3 text-sm text-slate-600" data-testid="contacts-today">
          {t("custody.activity.todayCount", { day: conduct.day, count: conduct.effectiveContactsToday, max: conduct.maxContactsPerDay })}
        </p>
        {errorText ? (
          <p className="mb-3 rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" role="alert" data-testid="activity-error">{errorText}</p>
        ) : null}
        {/* Remounted once an activity is recorded: the fields (and the chosen file) start afresh for the next one. */}
        <Form key={view.activities.length} method="post" encType="multipart/form-data" className="grid gap-3 md:grid-cols-2">
          <input type="hidden" name="intent" value="record" />
          <label className="block text-sm">
            <span className="mb-1 block text-slate-600">{t("custody.activity.field.kind")}</span>
            <select name="kind" defaultValue={value("kind", "call")} className="w-full rounded border border-slate-300 px-2 py-1.5" data-testid="activity-kind">
              {activityKinds.map((k) => (
                <option key={k} value={k}>{t(`custody.activity.kind.${k}` as MessageKey)}</option>
              ))}
            </select>
          </label>
          <label className="block text-sm">
            <span className="mb-1 block text-slate-600">{t("custody.activity.field.party")}</span>
            <select name="party" defaultValue={value("party", "debtor")} className="w-full rounded border border-slate-300 px-2 py-1.5" data-testid="activity-party">
              {contactParties.map((p) => (
                <option key={p} value={p}>{t(`custody.activity.party.${p}` as MessageKey)}</option>
              ))}
              <option value="">{t("custody.activity.party.none")}</option>
            </select>
          </label>
          <label className="block text-sm">
            <span className="mb-1 block text-slate-600">{t("custody.activity.field.at")}</span>
            <input
              type="datetime-local" name="at" defaultValue={value("at", nowLocal)} max={nowLocal}
              className="w-full rounded border border-slate-300 px-2 py-1.5" data-testid="activity-at"
            />
          </label>
          <label className="flex items-center gap-2 self-end text-sm">
            <input type="checkbox" name="effective" defaultChecked={result?.values ? value("effective") === "on" : true} data-testid="activity-effective" />
            <span>{t("custody.activity.field.effective")}</span>
          </label>
          <label className="block text-sm md:col-span-2">
            <span className="mb-1 block text-slate-600">{t("custody.activity.field.outcome")}</span>
            <textarea name="outcome" rows={2} maxLength={500} defaultValue={value("outcome")} className="w-full rounded border border-slate-300 px-2 py-1.5" data-testid="activity-outcome" />
          </label>
          <label className="block text-sm md:col-span-2">
            <span className="mb-1 block text-slate-600">{t("custody.activity.field.evidence")}</span>
            <input type="file" name="evidence" accept="application/pdf,image/png,image/jpeg" className="block text-sm" data-testid="activity-evidence" />
            <span className="mt-1 block text-xs text-slate-500">{t("custody.activity.evidenceHint")}</span>
          </label>
          <div className="md:col-span-2">
            <button
              type="submit" disabled={navigation.state === "submitting"}
              className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-50" data-testid="activity-submit"
            >
              {t("custody.activity.submit")}
            </button>
          </div>
        </Form>
      </Card>

      <Card title={t("custody.activity.title")} testId="activity-log">
        {view.activities.length === 0 ? (
          <p className="text-sm text-slate-500">{t("custody.activity.none")}</p>
        ) : (
          <Table
            head={[
              t("custody.activity.col.at"), t("custody.activity.col.kind"), t("custody.activity.col.party"), t("custody.activity.col.effective"),
              t("custody.activity.col.outcome"), t("custody.activity.col.evidence"), t("custody.activity.col.recordedBy"),
            ]}
          >
            {view.activities.map((a) => (
              <tr key={a.id} data-testid="activity-row">
                <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, a.at)}</td>
                <td className={cell} data-testid="activity-row-kind">{t(`custody.activity.kind.${a.kind}` as MessageKey)}</td>
                <td className={cell}>{a.party ? t(`custody.activity.party.${a.party}` as MessageKey) : "—"}</td>
                <td className={cell}>{a.party ? (a.effective ? t("custody.activity.yes") : t("custody.activity.no")) : "—"}</td>
                <td className={cell}>
                  {a.outcome || "—"}
                  {a.note ? <div className="text-xs text-slate-500">{a.note}</div> : null}
                </td>
                <td className={cell}>
                  {a.evidence ? (
                    <a href={`/files/${encodeURIComponent(a.evidence.fileId)}`} className="block text-xs text-blue-700 hover:underline" data-testid="activity-evidence-link">
                      {a.evidence.name}
                    </a>
                  ) : null}
                  {a.interruption ? interruptionStatusBadge(t, a.interruption.status) : a.evidence ? null : "—"}
                </td>
                <td className={cell}>{a.recordedBy}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
