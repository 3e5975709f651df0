import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FieldError, FormError, SubmitButton, TextField, useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { can } from "~/domain/access";
import type { Settings } from "~/domain/settings";
import { UserError } from "~/domain/errors";
import { runForm, userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { formatDate, type MessageKey } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { choices, fieldKind, ratioBands, settingKeys, settingsFormSchema, settingsToForm } from "~/services/settings/settings-form";
import { decideSettings, proposeSettings, settingsAt, settingsHistory } from "~/services/settings/settings.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settings:manage");
  const [inForce, history] = await Promise.all([settingsAt(new Date()), settingsHistory()]);
  return { inForce, history, form: settingsToForm(inForce.values), userId: user.id, canApprove: can(user.roles, "settings:approve") };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "settings:manage");
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "propose") {
    return runForm(formData, settingsFormSchema, async (input) => {
      await proposeSettings(auditContextFor(request, user), user, input);
      return redirectWithToast("/settings", { kind: "success", key: "settings.proposed" });
    });
  }
  if (intent === "approve" || intent === "reject") {
    try {
      await decideSettings(auditContextFor(request, user), user, String(formData.get("id") ?? ""), intent === "approve" ? "APPROVED" : "REJECTED", String(formData.get("note") ?? "").slice(0, 500));
      return redirectWithToast("/settings", { kind: "success", key: intent === "approve" ? "settings.approved" : "settings.rejected" });
    } catch (error) {
      if (error instanceof UserError) return data(userErrorState(error), { status: error.status });
      throw error;
    }
  }
  return data({ formError: "form.invalidChoice" }, { status: 400 });
}

function changes(from: Settings, to: Settings): (keyof Settings)[] {
  return (Object.keys(to) as (keyof Settings)[]).filter((k) => JSON.stringify(from[k]) !== JSON.stringify(to[k]));
}

export default function SettingsPage() {
  const t = useT();
  const locale = useLocale();
  const { inForce, history, form: current, userId, canApprove } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const form = useSchemaForm(settingsFormSchema, actionData && "values" in actionData && actionData.values?.intent === "propose" ? actionData : undefined);
  const label = (key: string) => t(`setting.${key}` as MessageKey);
  const pending = history.filter((v) => v.status === "PENDING");
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
      <PageTitle>{t("settings.title")}</PageTitle>
      <p className="mb-4 text-sm text-slate-600" data-testid="settings-in-force">
        {t("settings.inForce", { version: inForce.version, date: formatDate(locale, inForce.effectiveFrom) })}
      </p>
      <FormError state={actionData && !("fieldErrors" in actionData && actionData.fieldErrors) ? actionData : undefined} />
      {pending.map((v) => (
        <Card key={v.id} title={`${t("settings.version")} ${v.version} · ${t("settings.status.PENDING")}`} testId={`pending-${v.version}`}>
          <p className="text-sm">{t("settings.effectiveFrom")}: {formatDate(locale, v.effectiveFrom)} · {t("settings.proposedBy")}: {v.proposedBy} · {v.reason}</p>
          <p className="mt-2 text-sm font-medium">{t("settings.changes")}</p>
          <ul className="list-inside list-disc text-sm" data-testid="pending-changes">
            {changes(inForce.values, v.values).map((k) => (
              <li key={k}>{label(k)}: {JSON.stringify(inForce.values[k])} → {JSON.stringify(v.values[k])}</li>
            ))}
            {changes(inForce.values, v.values).length === 0 ? <li>{t("settings.noChanges")}</li> : null}
          </ul>
          {canApprove && v.proposedById !== userId ? (
            <Form method="post" className="mt-4 flex flex-wrap items-end gap-2">
              <input type="hidden" name="id" value={v.id} />
              <input name="note" placeholder={t("settings.note")} aria-label={t("settings.note")} className="rounded border border-slate-300 px-2 py-1 text-sm" />
              <SubmitButton name="intent" value="approve">{t("settings.approve")}</SubmitButton>
              <SubmitButton name="intent" value="reject" variant="secondary">{t("settings.reject")}</SubmitButton>
            </Form>
          ) : null}
        </Card>
      ))}
      <Card title={t("settings.propose")} testId="propose-settings">
        <Form method="post" noValidate onSubmit={form.onSubmit}>
          <input type="hidden" name="intent" value="propose" />
          <div className="grid gap-x-6 md:grid-cols-2">
            <TextField name="effectiveFrom" type="date" label={t("settings.effectiveFrom")} defaultValue={form.value("effectiveFrom", today)} errors={form.errors.effectiveFrom} required />
            <TextField name="reason" label={t("settings.reason")} defaultValue={form.value("reason")} errors={form.errors.reason} required />
            {settingKeys.map((key) => {
              const kind = fieldKind(key);
              const id = `f-${key}`;
              if (kind === "ratios") {
                return (
                  <div key={key} className="mb-4">
                    <span className="mb-1 block text-sm font-medium text-slate-700">{label(key)}</span>
                    <div className="grid grid-cols-4 gap-2">
                      {ratioBands.map((b) => (
                        <input key={b} name={`${key}.${b}`} aria-label={`${label(key)} ${b}`} defaultValue={form.value(`${key}.${b}`, current[`${key}.${b}`])} className="rounded border border-slate-300 px-2 py-1 text-sm" />
                      ))}
                    </div>
                    <FieldError messages={ratioBands.flatMap((b) => form.errors[`${key}.${b}`] ?? [])} />
                  </div>
                );
              }
              if (kind === "schedule") {
                return (
                  <div key={key} className="mb-4">
                    <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">{label(key)}</label>
                    <textarea id={id} name={key} rows={3} defaultValue={form.value(key, current[key])} className="w-full rounded border border-slate-300 px-2 py-1 font-mono text-sm" />
                    <FieldError messages={form.errors[key]} />
                  </div>
                );
              }
              if (kind === "boolean" || kind === "choice") {
                const options = kind === "boolean" ? ["true", "false"] : (choices[key] ?? []);
                return (
                  <div key={key} className="mb-4">
                    <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">{label(key)}</label>
                    <select id={id} name={key} defaultValue={form.value(key, current[key])} className="w-full rounded border border-slate-300 bg-white px-2 py-2 text-sm">
                      {options.map((o) => <option key={o} value={o}>{o === "true" ? t("common.yes") : o === "false" ? t("common.no") : o}</option>)}
                    </select>
                    <FieldError messages={form.errors[key]} />
                  </div>
                );
              }
              return <TextField key={key} name={key} label={label(key)} defaultValue={form.value(key, current[key])} errors={form.errors[key]} />;
            })}
          </div>
          <SubmitButton>{t("settings.submit")}</SubmitButton>
        </Form>
      </Card>
      <Card title={t("settings.history")} testId="settings-history">
        <Table head={[t("settings.version"), t("settings.effectiveFrom"), t("settings.status"), t("settings.proposedBy"), t("settings.decidedBy"), t("settings.reason")]}>
          {history.map((v) => (
            <tr key={v.id}>
              <td className={cell}>{v.version}</td>
              <td className={cell}>{formatDate(locale, v.effectiveFrom)}</td>
              <td className={cell}><Badge tone={v.status === "APPROVED" ? "green" : v.status === "REJECTED" ? "red" : "amber"}>{t(`settings.status.${v.status}` as MessageKey)}</Badge></td>
              <td className={cell}>{v.proposedBy ?? "—"}</td>
              <td className={cell}>{v.decidedBy ?? "—"}{v.decisionNote ? ` · ${v.decisionNote}` : ""}</td>
              <td className={cell}>{v.reason}</td>
            </tr>
          ))}
        </Table>
      </Card>
    </>
  );
}
