import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { FieldError, FormError, SubmitButton, useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { todayInChina } from "~/domain/calendar";
import { difficulties, fiveTiers, loanStatuses } from "~/domain/loan";
import { runForm } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, isMessageKey } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { newRunFormSchema, selectionOfForm } from "~/services/pricing/pricing-schemas";
import { listPricingRuns, pricingFormOptions, pricingRunChoices, runPricing } from "~/services/pricing/pricing.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:manage");
  const page = Number(new URL(request.url).searchParams.get("page") ?? "1") || 1;
  const [runs, options, choices] = await Promise.all([listPricingRuns(user, page), pricingFormOptions(user), pricingRunChoices(user)]);
  return { ...runs, options, choices, today: todayInChina(new Date()) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "loans:manage");
  return runForm(await request.formData(), newRunFormSchema, async (input) => {
    const result = await runPricing(auditContextFor(request, user), user, selectionOfForm(input));
    return redirectWithToast(`/pricing/${result.run.number}`, { kind: "success", key: "pricing.toast.created" });
  });
}

const input = "w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm";

function NewRunForm() {
  const t = useT();
  const { options, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const form = useSchemaForm(newRunFormSchema, actionData);
  const [mode, setMode] = useState(form.value("mode", "numbers"));
  // The loan numbers' errors may name the unknown numbers (params come with the refusal).
  const loanNumberErrors = (form.errors.loan_numbers ?? []).map((m) => (isMessageKey(m) ? t(m, actionData?.formErrorParams) : m));
  const select = (name: "branch" | "region" | "five_tier" | "difficulty" | "status", label: string, values: { value: string; label: string }[]) => (
    <div className="mb-4">
      <label htmlFor={`f-${name}`} className="mb-1 block text-sm font-medium text-slate-700">{label}</label>
      <select id={`f-${name}`} name={name} defaultValue={form.value(name, "")} className={input}>
        <option value="">{t("pricing.filter.any")}</option>
        {values.map((v) => <option key={v.value} value={v.value}>{v.label}</option>)}
      </select>
      <FieldError messages={form.errors[name]} />
    </div>
  );
  return (
    <Form method="post" noValidate onSubmit={form.onSubmit} data-testid="new-pricing-run">
      <FormError state={actionData && !actionData.fieldErrors ? actionData : undefined} />
      <fieldset className="mb-4 flex flex-wrap gap-6 text-sm">
        <legend className="mb-1 block text-sm font-medium text-slate-700">{t("pricing.new.mode")}</legend>
        {(["numbers", "filter"] as const).map((m) => (
          <label key={m} className="flex items-center gap-2">
            <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} data-testid={`mode-${m}`} />
            {t(`pricing.new.mode.${m}`)}
          </label>
        ))}
      </fieldset>
      {mode === "numbers" ? (
        <div className="mb-4">
          <label htmlFor="f-loan_numbers" className="mb-1 block text-sm font-medium text-slate-700">{t("pricing.new.loanNumbers")}</label>
          <textarea
            id="f-loan_numbers" name="loan_numbers" rows={6} defaultValue={form.value("loan_numbers", "")}
            aria-invalid={loanNumberErrors.length ? true : undefined}
            className="w-full rounded border border-slate-300 px-3 py-2 font-mono text-sm aria-[invalid]:border-red-500"
          />
          {loanNumberErrors.length ? <p className="mt-1 text-sm text-red-700" role="alert" data-testid="field-error">{loanNumberErrors.join(" ")}</p> : null}
        </div>
      ) : (
        <>
          <p className="mb-3 text-sm text-slate-600">{t("pricing.new.filterHint")}</p>
          <div className="grid gap-x-4 md:grid-cols-5">
            {select("branch", t("pricing.filter.branch"), options.branches.map((b) => ({ value: b.code, label: `${b.code} ${b.name}` })))}
            {select("region", t("pricing.filter.region"), options.regions.map((r) => ({ value: r, label: r })))}
            {select("five_tier", t("pricing.filter.fiveTier"), fiveTiers.map((v) => ({ value: v, label: t(`pricing.fiveTier.${v}`) })))}
            {select("difficulty", t("pricing.filter.difficulty"), difficulties.map((v) => ({ value: v, label: t(`pricing.difficulty.${v}`) })))}
            {select("status", t("pricing.filter.status"), loanStatuses.map((v) => ({ value: v, label: t(`pricing.status.${v}`) })))}
          </div>
        </>
      )}
      <div className="mb-4 max-w-xs">
        <label htmlFor="f-pricing_date" className="mb-1 block text-sm font-medium text-slate-700">{t("pricing.pricingDate")}<span className="text-red-600"> *</span></label>
        <input id="f-pricing_date" name="pricing_date" type="date" defaultValue={form.value("pricing_date", today)} className={input} />
        <FieldError messages={form.errors.pricing_date} />
      </div>
      <SubmitButton>{t("pricing.new.submit")}</SubmitButton>
    </Form>
  );
}

function CompareForm() {
  const t = useT();
  const { choices } = useLoaderData<typeof loader>();
  if (choices.length < 2) return <p className="text-sm text-slate-500">{t("pricing.compare.pick")}</p>;
  const label = (c: (typeof choices)[number]) => `#${c.number} · ${c.pricingDate} · ${t("pricing.loanCount")} ${c.loanCount}`;
  return (
    <Form method="get" action="/pricing/compare" className="flex flex-wrap items-end gap-3" data-testid="compare-form">
      {(["a", "b"] as const).map((side, i) => (
        <div key={side}>
          <label htmlFor={`compare-${side}`} className="mb-1 block text-sm font-medium text-slate-700">{t(`pricing.compare.${side}`)}</label>
          <select id={`compare-${side}`} name={side} defaultValue={String(choices[i === 0 ? 1 : 0]!.number)} className={input}>
            {choices.map((c) => <option key={c.id} value={c.number}>{label(c)}</option>)}
          </select>
        </div>
      ))}
      <button type="submit" className="rounded border border-slate-300 bg-white px-4 py-2 text-sm">{t("pricing.compare.submit")}</button>
    </Form>
  );
}

export default function PricingRuns() {
  const t = useT();
  const locale = useLocale();
  const { runs, page, pages, total } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle>{t("pricing.title")}</PageTitle>
      <p className="mb-4 text-sm text-slate-600">{t("pricing.intro")}</p>
      <Card title={t("pricing.new.title")}>
        <NewRunForm />
      </Card>
      <Card title={t("pricing.runs")} testId="pricing-runs">
        <Table
          testId="pricing-runs-table"
          head={[t("pricing.runNumber"), t("pricing.pricingDate"), t("pricing.settingsVersion"), t("pricing.loanCount"), t("pricing.totalClaim"), t("pricing.totalPrice"), t("pricing.createdBy"), t("pricing.createdAt")]}
        >
          {runs.map((r) => (
            <tr key={r.id} data-testid="pricing-run-row" data-run-number={r.number}>
              <td className={cell}><Link to={`/pricing/${r.number}`} className="text-blue-700 hover:underline">#{r.number}</Link></td>
              <td className={cell}>{r.pricingDate}</td>
              <td className={cell}>{r.settingsVersion}</td>
              <td className={`${cell} text-right`}>{r.loanCount}</td>
              <td className={`${cell} text-right`}>{formatCny(locale, r.totalClaim)}</td>
              <td className={`${cell} text-right`}>{formatCny(locale, r.totalPrice)}</td>
              <td className={cell}>{r.createdBy ?? "—"}</td>
              <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, r.createdAt)}</td>
            </tr>
          ))}
        </Table>
        {runs.length === 0 ? <p className="py-4 text-sm text-slate-500">{t("pricing.noRuns")}</p> : null}
        <Pager page={page} pages={pages} total={total} />
      </Card>
      <Card title={t("pricing.compare.title")}>
        <CompareForm />
      </Card>
    </>
  );
}
