import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { defaultMaxBytes } from "~/infra/files.server";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import { formDataOf, readLimitedBody } from "~/infra/request-body.server";
import { redirectWithToast } from "~/infra/session.server";
import {
  listRecoveries, registerRecovery, rejectRecovery, reportableLoans, reportRecovery, verifyRecovery, yuanInput, type RecoveryView,
} from "~/services/settlement/recoveries.server";

/**
 * /recoveries (settlement:view) — 收回登记. The custodian reports money it collected (loan, day, principal,
 * interest, payer, evidence) and sees its own recoveries; the branch clerk registers or rejects the
 * REPORTED queue; the auditor verifies or rejects the REGISTERED queue; the department and finance see
 * every recovery read-only. Authorization is the services' (an agency sees only its own).
 */

const intents = ["report", "register", "verify", "reject"] as const;
type Intent = (typeof intents)[number];
const maxBodyBytes = defaultMaxBytes + 64 * 1024;
const tooLarge = () => new UserError("files.tooLarge", { field: "evidence", params: { max: `${defaultMaxBytes / (1024 * 1024)} MB` }, status: 413 });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const custodian = can(user.roles, "custody:work");
  const clerk = can(user.roles, "recoveries:register");
  const auditor = can(user.roles, "recoveries:verify");
  const [recoveries, loans, toRegister, toVerify] = await Promise.all([
    listRecoveries(user),
    custodian ? reportableLoans(user) : Promise.resolve([]),
    clerk ? listRecoveries(user, { status: "REPORTED" }) : Promise.resolve([]),
    auditor ? listRecoveries(user, { status: "REGISTERED" }) : Promise.resolve([]),
  ]);
  // The queues oldest first: the longest waiting is decided first.
  return { may: { report: custodian, register: clerk, verify: auditor }, loans, today: todayInChina(new Date()), recoveries, toRegister: toRegister.reverse(), toVerify: toVerify.reverse() };
}

export interface RecoveriesActionState {
  intent: Intent | null;
  target?: string;
  fieldErrors?: Record<string, string[]>;
  formError?: string;
  formErrorParams?: Record<string, string | number>;
  values?: Record<string, string>;
}

const reportFields = ["loan_number", "collected_on", "principal", "interest", "payer", "evidence", "note"];

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const ctx = auditContextFor(request, user);
  let intent: Intent | null = null;
  let target: string | undefined;
  let values: Record<string, string> = {};
  try {
    const formData = await formDataOf(request, await readLimitedBody(request, maxBodyBytes, tooLarge));
    values = Object.fromEntries([...formData.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
    intent = intents.find((i) => i === values.intent) ?? null;
    target = values.id || undefined;
    if (!intent) throw new UserError("form.invalidChoice");
    if (intent === "report") {
      const file = formData.get("evidence");
      if (file instanceof File && file.size > defaultMaxBytes) throw tooLarge();
      const evidence = file instanceof File && file.size > 0 ? { bytes: new Uint8Array(await file.arrayBuffer()), originalName: file.name } : null;
      const row = await reportRecovery(ctx, user, {
        loanNumber: values.loan_number ?? "", collectedOn: values.collected_on ?? "",
        principal: yuanInput(values.principal || "0", "principal", true), interest: yuanInput(values.interest || "0", "interest", true),
        payer: values.payer ?? "", note: values.note ?? null, evidence,
      });
      return redirectWithToast("/recoveries", { kind: "success", key: "settlement.recoveries.toast.reported", params: { number: row.number } });
    }
    const id = values.id ?? "";
    const row =
      intent === "register"
        ? await registerRecovery(ctx, user, id, { registerReference: values.register_reference ?? "" })
        : intent === "verify"
          ? await verifyRecovery(ctx, user, id)
          : await rejectRecovery(ctx, user, id, { reason: values.reason ?? "" });
    const toast = ({ register: "settlement.recoveries.toast.registered", verify: "settlement.recoveries.toast.verified", reject: "settlement.recoveries.toast.rejected" } as const)[intent];
    return redirectWithToast("/recoveries", { kind: "success", key: toast, params: { number: row.number } });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const field = error.options.field;
    const { evidence: _file, ...kept } = values;
    const state: RecoveriesActionState =
      field && (intent !== "report" || reportFields.includes(field))
        ? { intent, target, fieldErrors: { [field]: [error.key] }, formErrorParams: error.options.params, values: kept }
        : { intent, target, formError: error.key, formErrorParams: error.options.params, values: kept };
    return data(state, { status: error.status });
  }
}

const tones: Record<string, "amber" | "blue" | "green" | "red"> = { REPORTED: "amber", REGISTERED: "blue", VERIFIED: "green", REJECTED: "red" };
const input = "w-full rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";
const button = "rounded bg-blue-700 px-3 py-1 text-sm text-white hover:bg-blue-800 disabled:opacity-50";
const quiet = "rounded border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50 disabled:opacity-50";

export default function RecoveriesPage() {
  const t = useT();
  const page = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>() as RecoveriesActionState | undefined;
  const busy = useNavigation().state !== "idle";
  const report = state?.intent === "report" ? state : undefined;
  const v = (name: string) => report?.values?.[name] ?? "";
  return (
    <div className="space-y-6">
      <PageTitle>{t("settlement.recoveries.page.title")}</PageTitle>
      <p className="-mt-4 text-sm text-slate-600">{t("settlement.recoveries.page.intro")}</p>

      {page.may.report ? (
        <Card title={t("settlement.recoveries.form.title")} testId="recovery-report">
          <p className="mb-3 text-sm text-slate-600">{t("settlement.recoveries.form.hint")}</p>
          <Refusal message={report?.formError} params={report?.formErrorParams} testId="recovery-form-error" />
          <Form method="post" encType="multipart/form-data" className="grid gap-3 md:grid-cols-3" data-testid="recovery-form">
            <input type="hidden" name="intent" value="report" />
            <Field label={t("settlement.recoveries.form.loanNumber")} name="loan_number" state={report}>
              <input id="loan_number" name="loan_number" list="recovery-loans" required defaultValue={v("loan_number")} className={input} aria-invalid={report?.fieldErrors?.loan_number ? true : undefined} />
              <datalist id="recovery-loans">
                {page.loans.map((l) => <option key={`${l.contractNumber}-${l.loanNumber}`} value={l.loanNumber}>{l.contractNumber}</option>)}
              </datalist>
            </Field>
            <Field label={t("settlement.recoveries.form.collectedOn")} name="collected_on" state={report}>
              <input id="collected_on" name="collected_on" type="date" max={page.today} required defaultValue={v("collected_on")} className={input} aria-invalid={report?.fieldErrors?.collected_on ? true : undefined} />
            </Field>
            <Field label={t("settlement.recoveries.form.payer")} name="payer" state={report}>
              <input id="payer" name="payer" required maxLength={100} defaultValue={v("payer")} className={input} aria-invalid={report?.fieldErrors?.payer ? true : undefined} />
            </Field>
            <Field label={t("settlement.recoveries.form.principal")} name="principal" state={report}>
              <input id="principal" name="principal" inputMode="decimal" defaultValue={v("principal")} placeholder="0.00" className={input} aria-invalid={report?.fieldErrors?.principal ? true : undefined} />
            </Field>
            <Field label={t("settlement.recoveries.form.interest")} name="interest" state={report}>
              <input id="interest" name="interest" inputMode="decimal" defaultValue={v("interest")} placeholder="0.00" className={input} aria-invalid={report?.fieldErrors?.interest ? true : undefined} />
            </Field>
            <Field label={t("settlement.recoveries.form.evidence")} name="evidence" state={report}>
              <input id="evidence" name="evidence" type="file" required accept="application/pdf,image/png,image/jpeg" className="text-sm" />
            </Field>
            <div className="md:col-span-3">
              <Field label={t("settlement.recoveries.form.note")} name="note" state={report}>
                <input id="note" name="note" maxLength={500} defaultValue={v("note")} className={input} />
              </Field>
            </div>
            <div>
              <button type="submit" className={button} disabled={busy} data-testid="recovery-submit">{t("settlement.recoveries.form.submit")}</button>
            </div>
          </Form>
        </Card>
      ) : null}

      {page.may.register ? (
        <Card title={t("settlement.recoveries.queue.register")} testId="register-queue">
          <RecoveryTable rows={page.toRegister} state={state} action="register" />
        </Card>
      ) : null}
      {page.may.verify ? (
        <Card title={t("settlement.recoveries.queue.verify")} testId="verify-queue">
          <RecoveryTable rows={page.toVerify} state={state} action="verify" />
        </Card>
      ) : null}
      <Card title={t(page.may.report ? "settlement.recoveries.mine.title" : "settlement.recoveries.all.title")} testId="recovery-list">
        <RecoveryTable rows={page.recoveries} state={state} action={null} />
      </Card>
    </div>
  );
}

function Field({ label, name, state, children }: { label: string; name: string; state: RecoveriesActionState | undefined; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={name} className="mb-1 block text-sm text-slate-700">{label}</label>
      {children}
      <FieldErrors field={name} messages={state?.fieldErrors?.[name]} params={state?.formErrorParams} />
    </div>
  );
}

type Row = Omit<RecoveryView, "reportedAt" | "registeredAt" | "verifiedAt" | "rejectedAt" | "lossRecordedAt"> & {
  reportedAt: string | Date;
  registeredAt: string | Date | null;
  verifiedAt: string | Date | null;
  rejectedAt: string | Date | null;
};

function RecoveryTable({ rows, state, action }: { rows: Row[]; state: RecoveriesActionState | undefined; action: "register" | "verify" | null }) {
  const t = useT();
  const locale = useLocale();
  const busy = useNavigation().state !== "idle";
  if (rows.length === 0) return <p className="text-sm text-slate-500">{t("settlement.recoveries.empty")}</p>;
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <Table
      head={[
        t("settlement.recoveries.col.number"), t("settlement.recoveries.col.contract"), t("settlement.recoveries.col.loan"), t("settlement.recoveries.col.collectedOn"),
        t("settlement.recoveries.col.principal"), t("settlement.recoveries.col.interest"), t("settlement.recoveries.col.amount"), t("settlement.recoveries.col.remitted"),
        t("settlement.recoveries.col.payer"), t("settlement.recoveries.col.evidence"), t("settlement.recoveries.col.status"),
        ...(action ? [t("settlement.recoveries.col.actions")] : []),
      ]}
    >
      {rows.map((r) => {
        const mine = state && state.target === r.id && state.intent !== "report" ? state : undefined;
        return (
          <tr key={r.id} data-testid={action ? `${action}-row-${r.number}` : `recovery-row-${r.number}`}>
            <td className={`${cell} whitespace-nowrap font-mono`}>{r.number}</td>
            <td className={`${cell} whitespace-nowrap`}>{r.contractNumber}</td>
            <td className={`${cell} whitespace-nowrap font-mono`}>{r.loanNumber}</td>
            <td className={`${cell} whitespace-nowrap`}>{r.collectedOn}</td>
            <td className={`${cell} text-right tabular-nums`}>{money(r.principal)}</td>
            <td className={`${cell} text-right tabular-nums`}>{money(r.interest)}</td>
            <td className={`${cell} text-right tabular-nums`}>{money(r.amount)}</td>
            <td className={`${cell} text-right tabular-nums`}>{money(r.remitted)}</td>
            <td className={cell}>{r.payer}</td>
            <td className={cell}>
              {r.evidence ? (
                <a href={`/recoveries/${encodeURIComponent(r.id)}/evidence`} className="text-blue-700 hover:underline">{r.evidence.name}</a>
              ) : "—"}
            </td>
            <td className={cell}>
              <span data-testid={action ? undefined : `recovery-status-${r.number}`} data-status={r.status}>
                <Badge tone={tones[r.status] ?? "slate"}>{t(`settlement.recoveries.status.${r.status}` as MessageKey)}</Badge>
              </span>
              {r.registerReference ? <p className="mt-1 text-xs text-slate-500">{t("settlement.recoveries.registerReference")}: {r.registerReference}</p> : null}
              {r.rejectionReason ? <p className="mt-1 text-xs text-red-700">{r.rejectionReason}</p> : null}
              {r.verifiedAt ? <p className="mt-1 text-xs text-slate-500">{r.verifiedBy} · {formatDateTime(locale, new Date(r.verifiedAt))}</p> : null}
            </td>
            {action ? (
              <td className={cell}>
                <Refusal message={mine?.formError} params={mine?.formErrorParams} testId={`recovery-error-${r.number}`} />
                <Form method="post" className="mb-2 flex flex-col gap-1">
                  <input type="hidden" name="id" value={r.id} />
                  {action === "register" ? (
                    <>
                      <input name="register_reference" maxLength={64} placeholder={t("settlement.recoveries.registerReference")} className={input} aria-label={t("settlement.recoveries.registerReference")} />
                      <FieldErrors field="register_reference" messages={mine?.fieldErrors?.register_reference} params={mine?.formErrorParams} />
                    </>
                  ) : null}
                  <button type="submit" name="intent" value={action} className={button} disabled={busy} data-testid={`${action}-${r.number}`}>
                    {t(action === "register" ? "settlement.recoveries.register" : "settlement.recoveries.verify")}
                  </button>
                </Form>
                <Form method="post" className="flex flex-col gap-1">
                  <input type="hidden" name="id" value={r.id} />
                  <input name="reason" maxLength={500} placeholder={t("settlement.recoveries.reason")} className={input} aria-label={t("settlement.recoveries.reason")} />
                  <FieldErrors field="reason" messages={mine?.fieldErrors?.reason} params={mine?.formErrorParams} />
                  <button type="submit" name="intent" value="reject" className={quiet} disabled={busy} data-testid={`reject-${r.number}`}>{t("settlement.recoveries.reject")}</button>
                </Form>
              </td>
            ) : null}
          </tr>
        );
      })}
    </Table>
  );
}
