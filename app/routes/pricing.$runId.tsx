import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FieldError, FormError, SubmitButton, useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { UserError } from "~/domain/errors";
import { formatRate, parseRate } from "~/domain/money";
import { ageBands } from "~/domain/pricing";
import { runForm } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, type MessageKey, type Translate } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { priceOverrideFormSchema } from "~/services/pricing/pricing-schemas";
import { overridePrice, pricingRun } from "~/services/pricing/pricing.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:manage");
  const url = new URL(request.url);
  const page = Number(url.searchParams.get("page") ?? "1") || 1;
  try {
    return await pricingRun(user, params.runId ?? "", page, { q: url.searchParams.get("q") ?? "" });
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw new Response("Not Found", { status: 404 });
    throw error;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "loans:manage");
  const url = new URL(request.url);
  return runForm(await request.formData(), priceOverrideFormSchema, async (input) => {
    await overridePrice(auditContextFor(request, user), user, input.loanPriceId, input);
    return redirectWithToast(`/pricing/${params.runId}${url.search}`, { kind: "success", key: "pricing.toast.overridden" });
  });
}

type Data = Awaited<ReturnType<typeof loader>>;
type Row = Data["prices"][number];

const percent = (ratio: string) => formatRate(parseRate(ratio), true);

function selectionText(t: Translate, selection: Data["selection"]): string {
  if (selection.loanNumbers !== null) return t("pricing.selection.numbers", { count: selection.loanNumbers });
  const labels: Record<string, MessageKey> = {
    branch: "pricing.filter.branch", region: "pricing.filter.region", five_tier: "pricing.filter.fiveTier",
    difficulty: "pricing.filter.difficulty", status: "pricing.filter.status",
  };
  const entries = Object.entries(selection.filter ?? {}).filter(([, v]) => v !== undefined && v !== "");
  if (entries.length === 0) return t("pricing.selection.all");
  const valueText = (key: string, value: unknown) => {
    if (key === "five_tier") return t(`pricing.fiveTier.${value}` as MessageKey);
    if (key === "difficulty") return t(`pricing.difficulty.${value}` as MessageKey);
    if (key === "status") return t(`pricing.status.${value}` as MessageKey);
    return String(value);
  };
  return t("pricing.selection.filter", { filter: entries.map(([k, v]) => `${labels[k] ? t(labels[k]) : k}: ${valueText(k, v)}`).join("，") });
}

function OverrideForm({ row }: { row: Row }) {
  const t = useT();
  const actionData = useActionData<typeof action>();
  const mine = actionData?.values?.loanPriceId === row.id ? actionData : undefined;
  const form = useSchemaForm(priceOverrideFormSchema, mine);
  if (!row.overridable) return <p className="text-xs text-slate-500">{t("pricing.override.notAllowed")}</p>;
  return (
    <Form method="post" noValidate onSubmit={form.onSubmit} className="min-w-56" data-testid="override-form">
      <FormError state={mine && !mine.fieldErrors ? mine : undefined} />
      <input type="hidden" name="loanPriceId" value={row.id} />
      <div className="flex flex-wrap items-start gap-2">
        <div className="w-28">
          <input
            name="price" inputMode="decimal" aria-label={t("pricing.override.price")} placeholder={t("pricing.override.price")}
            defaultValue={form.value("price")} aria-invalid={form.errors.price?.length ? true : undefined}
            className="w-full rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500"
          />
          <FieldError messages={form.errors.price} />
        </div>
        <div className="flex-1">
          <input
            name="reason" aria-label={t("pricing.override.reason")} placeholder={t("pricing.override.reason")}
            defaultValue={form.value("reason")} aria-invalid={form.errors.reason?.length ? true : undefined}
            className="w-full rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500"
          />
          <FieldError messages={form.errors.reason} />
        </div>
        <SubmitButton variant="secondary">{t("pricing.override.submit")}</SubmitButton>
      </div>
      {row.inForce ? null : <p className="mt-1 text-xs text-amber-800" data-testid="older-run-note">{t("pricing.override.olderRun")}</p>}
    </Form>
  );
}

export default function PricingRunPage() {
  const t = useT();
  const locale = useLocale();
  const { run, ratios, selection, skipped, prices, q, page, pages, total } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle actions={<Link to="/pricing" className="text-sm text-blue-700 hover:underline">{t("pricing.backToRuns")}</Link>}>
        {t("pricing.runTitle", { number: run.number })}
      </PageTitle>
      <Card testId="pricing-run">
        <dl className="grid gap-x-6 gap-y-2 text-sm md:grid-cols-4">
          <div><dt className="text-slate-500">{t("pricing.pricingDate")}</dt><dd data-testid="pricing-date">{run.pricingDate}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.settingsVersion")}</dt><dd data-testid="settings-version">{run.settingsVersion}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.claimBasis")}</dt><dd>{t(`pricing.claimBasis.${run.claimBasis}` as MessageKey)}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.selection")}</dt><dd>{selectionText(t, selection)}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.loanCount")}</dt><dd>{run.loanCount}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.totalClaim")}</dt><dd>{formatCny(locale, run.totalClaim)}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.totalPrice")}</dt><dd data-testid="total-price">{formatCny(locale, run.totalPrice)}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.totalEffectivePrice")}</dt><dd data-testid="total-effective-price">{formatCny(locale, run.totalEffectivePrice)}</dd></div>
          <div><dt className="text-slate-500">{t("pricing.createdBy")}</dt><dd>{run.createdBy ?? "—"} · {formatDateTime(locale, run.createdAt)}</dd></div>
        </dl>
        <h3 className="mb-2 mt-5 text-sm font-semibold">{t("pricing.ratioTable", { version: run.settingsVersion })}</h3>
        {ratios ? (
          <Table testId="ratio-table" head={[t("pricing.col.difficulty"), ...ageBands.map((b) => t(`pricing.band.${b}`))]}>
            {(["recoverable", "hard"] as const).map((d) => (
              <tr key={d}>
                <td className={cell}>{t(`pricing.difficulty.${d}`)}</td>
                {ageBands.map((b) => <td key={b} className={cell}>{percent((d === "hard" ? ratios.ratioHard : ratios.ratioRecoverable)[b])}</td>)}
              </tr>
            ))}
          </Table>
        ) : (
          <p className="text-sm text-slate-500">{t("pricing.ratioTableMissing", { version: run.settingsVersion })}</p>
        )}
        {skipped.length ? (
          <details className="mt-4 text-sm" data-testid="skipped-loans">
            <summary className="cursor-pointer text-amber-800">{t("pricing.skipped", { count: skipped.length })}</summary>
            <ul className="mt-2 list-inside list-disc">
              {skipped.map((s) => (
                <li key={s.loanNumber}>
                  <Link to={`/loans/${encodeURIComponent(s.loanNumber)}`} className="text-blue-700 hover:underline">{s.loanNumber}</Link>
                  {" · "}{t(`pricing.status.${s.status}` as MessageKey)} · {t(`pricing.skipReason.${s.reason}`)}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </Card>
      <Card>
        <Form method="get" className="mb-4 flex gap-2">
          <input name="q" defaultValue={q} placeholder={t("pricing.search")} aria-label={t("pricing.search")} className="flex-1 rounded border border-slate-300 px-3 py-2 text-sm" />
          <button type="submit" className="rounded border border-slate-300 px-4 py-2 text-sm">{t("common.search")}</button>
        </Form>
        <Table
          testId="prices-table"
          head={[t("pricing.col.loan"), t("pricing.col.borrower"), t("pricing.col.claim"), t("pricing.col.age"), t("pricing.col.band"), t("pricing.col.difficulty"), t("pricing.col.ratio"), t("pricing.col.price"), t("pricing.col.effectivePrice"), t("pricing.col.override")]}
        >
          {prices.map((p) => (
            <tr key={p.id} data-testid="price-row" data-loan-number={p.loanNumber}>
              <td className={cell}>
                <Link to={`/loans/${encodeURIComponent(p.loanNumber)}`} className="text-blue-700 hover:underline">{p.loanNumber}</Link>
                {p.loanStatus !== "IN_BOOK" ? <div><Badge>{t(`pricing.status.${p.loanStatus}` as MessageKey)}</Badge></div> : null}
              </td>
              <td className={cell}>{p.borrower}</td>
              <td className={`${cell} text-right whitespace-nowrap`}>{formatCny(locale, p.claim)}</td>
              <td className={`${cell} whitespace-nowrap`}>{t("pricing.ageYears", { years: p.ageYears })}</td>
              <td className={`${cell} whitespace-nowrap`}>{t(`pricing.band.${p.band}`)}</td>
              <td className={cell}>{t(`pricing.difficulty.${p.difficulty}` as MessageKey)}</td>
              <td className={cell}>{percent(p.ratio)}</td>
              <td className={`${cell} text-right whitespace-nowrap`}>{formatCny(locale, p.price)}</td>
              <td className={`${cell} text-right`}>
                <span className="whitespace-nowrap font-medium" data-testid="effective-price">{formatCny(locale, p.effectivePrice)}</span>
                <div>{p.inForce ? <Badge tone="green">{t("pricing.inForce")}</Badge> : <Badge>{t("pricing.notInForce")}</Badge>}</div>
                {p.override ? (
                  <p className="mt-1 text-left text-xs text-slate-600" data-testid="override-info">
                    {t("pricing.overriddenBy", { by: p.override.by ?? "—", at: formatDateTime(locale, p.override.at), count: p.overrideCount, reason: p.override.reason })}
                  </p>
                ) : null}
              </td>
              <td className={cell}><OverrideForm row={p} /></td>
            </tr>
          ))}
        </Table>
        {prices.length === 0 ? <p className="py-4 text-sm text-slate-500">{t("pricing.noPrices")}</p> : null}
        <Pager page={page} pages={pages} total={total} />
      </Card>
    </>
  );
}
