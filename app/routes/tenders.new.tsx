import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { audienceLabel, splitLines } from "~/components/tender-helpers";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { parseForm, type ActionFormState } from "~/infra/forms";
import { formatCny, formatDateTime } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { newTenderOptions } from "~/services/tenders/tender-page.server";
import { createTenderSchema, tenderAudiences } from "~/services/tenders/tender-schemas";
import { createTender } from "~/services/tenders/tenders.server";

/**
 * /tenders/new (tenders:manage): a draft tender from approved packages (each a lot, reserve = the
 * package total), its audience, extra excluded positions, its windows in China time and its auction
 * terms (bid deposit, increment rule, anti-sniping window), pre-filled with the settings in force;
 * the rest of the settings (contract term, signing days, excluded positions) is shown read-only.
 */

/** The form as posted: checkboxes (one value or several) and one excluded position per line, then the service's schema. */
const newTenderFormSchema = z.preprocess((raw) => {
  if (typeof raw !== "object" || raw === null) return raw;
  const values = raw as Record<string, unknown>;
  const ids = values.package_ids;
  const positions = values.excluded_positions;
  return {
    ...values,
    package_ids: Array.isArray(ids) ? ids : typeof ids === "string" && ids ? [ids] : [],
    excluded_positions: typeof positions === "string" ? splitLines(positions) : Array.isArray(positions) ? positions : [],
  };
}, createTenderSchema);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "tenders:manage");
  return newTenderOptions(user);
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "tenders:manage");
  const parsed = parseForm(newTenderFormSchema, await request.formData());
  if (!parsed.ok) return data<ActionFormState>({ fieldErrors: parsed.fieldErrors, values: parsed.values }, { status: 400 });
  try {
    const tender = await createTender(auditContextFor(request, user), user, parsed.data);
    return redirectWithToast(`/tenders/${tender.id}`, { kind: "success", key: "tenderPages.toast.created", params: { title: tender.title } });
  } catch (error) {
    if (error instanceof UserError) return data<ActionFormState>(userErrorState(error, parsed.values), { status: error.status });
    throw error;
  }
}

const fields = [
  "title", "description", "package_ids", "audience", "excluded_positions", "registration_opens_at", "registration_closes_at", "auction_starts_at", "auction_ends_at",
  "bid_deposit", "increment_minimum", "increment_rate", "increment_round_up_to", "anti_sniping_minutes",
] as const;

function Field({ name, label, required, hint, children, errors, params }: { name: string; label: string; required?: boolean; hint?: string; children: ReactNode; errors?: string[]; params?: Record<string, string | number> }) {
  return (
    <div className="mb-4">
      <label htmlFor={`f-${name}`} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
        {required ? <span className="text-red-600"> *</span> : null}
      </label>
      {children}
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldErrors field={name} messages={errors} params={params} />
    </div>
  );
}

const input = "w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-blue-600 focus:outline-none aria-[invalid]:border-red-500";

export default function NewTender() {
  const t = useT();
  const locale = useLocale();
  const { candidates, settings } = useLoaderData<typeof loader>();
  const server = useActionData<typeof action>();
  const { errors, onSubmit, value, values } = useSchemaForm(newTenderFormSchema, server);
  const busy = useNavigation().state === "submitting";
  const chosen = new Set(values("package_ids"));
  const params = server?.formErrorParams;
  const otherErrors = Object.entries(errors).filter(([k]) => !(fields as readonly string[]).includes(k)).flatMap(([, v]) => v);
  const money = (fen: bigint) => formatCny(locale, fen);
  const invalid = (name: string) => (errors[name]?.length ? true : undefined);
  const timeField = (name: (typeof fields)[number], label: string) => (
    <Field name={name} label={label} required errors={errors[name]} params={params}>
      <input id={`f-${name}`} name={name} type="datetime-local" defaultValue={value(name)} aria-invalid={invalid(name)} className={input} data-testid={`input-${name}`} />
    </Field>
  );
  const termField = (name: (typeof fields)[number], label: string, fallback: string, hint: string) => (
    <Field name={name} label={label} hint={hint} errors={errors[name]} params={params}>
      <input id={`f-${name}`} name={name} inputMode="decimal" defaultValue={value(name, fallback)} aria-invalid={invalid(name)} className={input} data-testid={`input-${name}`} />
    </Field>
  );
  return (
    <>
      <PageTitle actions={<Link to="/tenders" className="text-sm text-blue-700 hover:underline">{t("tenderPages.back")}</Link>}>
        {t("tenderPages.new.title")}
      </PageTitle>

      <Form method="post" onSubmit={onSubmit} noValidate data-testid="new-tender-form">
        <Refusal message={server?.formError} params={params} />
        {otherErrors.length ? <Refusal message={otherErrors.join(" ")} /> : null}
        <Card title={t("tenderPages.new.basics")}>
          <Field name="title" label={t("tenderPages.new.titleLabel")} required errors={errors.title} params={params}>
            <input id="f-title" name="title" defaultValue={value("title")} aria-invalid={invalid("title")} className={input} data-testid="input-title" />
          </Field>
          <Field name="description" label={t("tenderPages.new.description")} errors={errors.description} params={params}>
            <textarea id="f-description" name="description" rows={3} defaultValue={value("description")} aria-invalid={invalid("description")} className={input} data-testid="input-description" />
          </Field>
          <Field name="audience" label={t("tenderPages.terms.audience")} required errors={errors.audience} params={params}>
            <select id="f-audience" name="audience" defaultValue={value("audience", "BOTH")} aria-invalid={invalid("audience")} className={`${input} bg-white`} data-testid="input-audience">
              {tenderAudiences.map((a) => (
                <option key={a} value={a}>{audienceLabel(t, a)}</option>
              ))}
            </select>
          </Field>
          <Field name="excluded_positions" label={t("tenderPages.new.excludedPositions")} hint={t("tenderPages.new.excludedHint")} errors={errors.excluded_positions} params={params}>
            <textarea id="f-excluded_positions" name="excluded_positions" rows={3} defaultValue={value("excluded_positions")} aria-invalid={invalid("excluded_positions")} className={input} data-testid="input-excluded_positions" />
          </Field>
        </Card>

        <Card title={t("tenderPages.new.settingsTitle")} testId="tender-settings">
          <p className="mb-3 text-xs text-slate-500">{t("tenderPages.new.settingsHint")}</p>
          <div className="grid gap-x-6 md:grid-cols-3">
            {termField("bid_deposit", t("tenderPages.terms.bidDeposit"), toYuanString(settings.bidDeposit), t("tenderPages.new.yuanHint"))}
            {termField("increment_minimum", t("tenderPages.new.incrementMinimum"), toYuanString(settings.incrementMinimum), t("tenderPages.new.yuanHint"))}
            {termField("increment_rate", t("tenderPages.new.incrementRate"), settings.incrementRate, t("tenderPages.new.rateHint"))}
            {termField("increment_round_up_to", t("tenderPages.new.incrementRoundUpTo"), toYuanString(settings.incrementRoundUpTo), t("tenderPages.new.yuanHint"))}
            {termField("anti_sniping_minutes", t("tenderPages.terms.antiSniping"), String(settings.antiSnipingMinutes), t("tenderPages.new.minutesHint"))}
          </div>
          <dl className="grid gap-x-6 gap-y-3 border-t border-slate-100 pt-3 text-sm md:grid-cols-3">
            <div><dt className="text-slate-500">{t("tenderPages.terms.contractTerm")}</dt><dd>{t("tenderPages.terms.months", { months: settings.contractTermMonths })}</dd></div>
            <div><dt className="text-slate-500">{t("tenderPages.terms.signingDays")}</dt><dd>{t("tenderPages.terms.days", { days: settings.signingDays })}</dd></div>
            <div>
              <dt className="text-slate-500">{t("tenderPages.terms.settingExcluded")}</dt>
              <dd>{settings.excludedPositions.length ? settings.excludedPositions.join("、") : t("common.none")}</dd>
            </div>
            <div><dt className="text-slate-500">{t("tenderPages.terms.settingsVersion")}</dt><dd>{settings.version}</dd></div>
          </dl>
        </Card>

        <Card title={t("tenderPages.new.windows")}>
          <p className="mb-3 text-xs text-slate-500">{t("tenderPages.new.chinaTime")}</p>
          <div className="grid gap-x-6 md:grid-cols-2">
            {timeField("registration_opens_at", t("tenderPages.new.registrationOpensAt"))}
            {timeField("registration_closes_at", t("tenderPages.new.registrationClosesAt"))}
            {timeField("auction_starts_at", t("tenderPages.new.auctionStartsAt"))}
            {timeField("auction_ends_at", t("tenderPages.new.auctionEndsAt"))}
          </div>
        </Card>

        <Card title={t("tenderPages.new.packages", { count: candidates.length })} testId="package-candidates">
          <p className="mb-3 text-xs text-slate-500">{t("tenderPages.new.packagesHint")}</p>
          <FieldErrors field="package_ids" messages={errors.package_ids} params={params} />
          <Table head={["", t("tenderPages.col.package"), t("tenderPages.col.loans"), t("tenderPages.col.total"), t("tenderPages.col.region"), t("tenderPages.col.reserve"), t("tenderPages.new.approvedAt")]}>
            {candidates.map((p) => (
              <tr key={p.id}>
                <td className={cell}>
                  <input
                    type="checkbox" name="package_ids" value={p.id} id={`pkg-${p.id}`} defaultChecked={chosen.has(p.id)}
                    data-testid="package-option" data-package-number={p.number}
                  />
                </td>
                <td className={`${cell} whitespace-nowrap`}>
                  <label htmlFor={`pkg-${p.id}`}>{p.number}</label>{" "}
                  <Link to={`/packages/${p.id}`} className="text-xs text-blue-700 hover:underline">{t("tenderPages.new.view")}</Link>
                </td>
                <td className={`${cell} text-right`}>{p.loanCount}</td>
                <td className={`${cell} whitespace-nowrap text-right`}>{money(p.total)}</td>
                <td className={cell}>{p.region ?? t("tenderPages.mixed")}</td>
                <td className={`${cell} whitespace-nowrap text-right`}>{money(p.reserve)}</td>
                <td className={`${cell} whitespace-nowrap text-xs`}>{formatDateTime(locale, p.approvedAt)}</td>
              </tr>
            ))}
          </Table>
          {candidates.length === 0 ? <p className="py-3 text-sm text-slate-500" data-testid="no-candidates">{t("tenderPages.new.noCandidates")}</p> : null}
        </Card>

        <button type="submit" disabled={busy} className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60" data-testid="create-tender">
          {t("tenderPages.new.submit")}
        </button>
      </Form>
    </>
  );
}
