import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { FieldError } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { expiryBadge } from "~/components/loan-limitation";
import { DifficultyStatusBadge, enumLabel } from "~/components/loan-book";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { difficulties, fiveTiers, loanStatuses } from "~/domain/loan";
import { formatSummary } from "~/domain/money";
import { requirePermission } from "~/infra/auth.server";
import { formatCny, type MessageKey } from "~/infra/i18n";
import { filterOptions, searchLoans } from "~/services/loans/loan-book.server";
import { difficultyStatuses, parseLoanBookQuery, queryFieldErrors } from "~/services/loans/loan-book-schemas";

const filterKeys = ["q", "branch", "region", "five_tier", "difficulty", "difficulty_status", "status", "expiring_within_days"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:view");
  const params = new URL(request.url).searchParams;
  const values = Object.fromEntries(filterKeys.map((k) => [k, params.get(k) ?? ""])) as Record<(typeof filterKeys)[number], string>;
  const query = parseLoanBookQuery(params);
  const options = await filterOptions();
  if (!query.ok) return { values, options, errors: queryFieldErrors(query.error), result: null };
  return { values, options, errors: null, result: await searchLoans(user, query.filter, query.page) };
}

export default function LoanBook() {
  const t = useT();
  const locale = useLocale();
  const { values, options, errors, result } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const exportParams = new URLSearchParams(params);
  exportParams.delete("page");
  const input = "w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm aria-[invalid]:border-red-500";
  const choice = (name: (typeof filterKeys)[number], label: MessageKey, items: { value: string; label: string }[]) => (
    <label className="text-xs text-slate-600">
      {t(label)}
      <select name={name} defaultValue={values[name]} aria-invalid={errors?.[name] ? true : undefined} className={input} data-testid={`filter-${name}`}>
        <option value="">{t("common.all")}</option>
        {items.map((i) => <option key={i.value} value={i.value}>{i.label}</option>)}
      </select>
      <FieldError messages={errors?.[name]} />
    </label>
  );
  const enumItems = (group: string, list: readonly string[]) => list.map((v) => ({ value: v, label: enumLabel(t, group, v) }));
  return (
    <>
      <PageTitle
        actions={
          <a href={`/loans/export?${exportParams.toString()}`} className="rounded border border-slate-300 bg-white px-4 py-2 text-sm" data-testid="loan-export" download>
            {t("loans.export")}
          </a>
        }
      >
        {t("loans.title")}
      </PageTitle>
      <Card>
        <Form method="get" className="mb-4 grid gap-3 md:grid-cols-4 lg:grid-cols-9" data-testid="loan-filters">
          <label className="text-xs text-slate-600 lg:col-span-2">
            {t("loans.filter.q")}
            <input name="q" defaultValue={values.q} placeholder={t("loans.filter.qPlaceholder")} aria-invalid={errors?.q ? true : undefined} className={input} data-testid="filter-q" />
            <FieldError messages={errors?.q} />
          </label>
          {choice("branch", "loans.field.branch", options.branches.map((b) => ({ value: b.code, label: `${b.name}（${b.code}）` })))}
          {choice("region", "loans.field.region", options.regions.map((r) => ({ value: r, label: r })))}
          {choice("five_tier", "loans.field.fiveTier", enumItems("fiveTier", fiveTiers))}
          {choice("difficulty", "loans.field.difficulty", enumItems("difficulty", difficulties))}
          {choice("difficulty_status", "loans.field.difficultyStatus", enumItems("difficultyStatus", difficultyStatuses))}
          {choice("status", "loans.field.status", enumItems("status", loanStatuses))}
          <label className="text-xs text-slate-600">
            {t("loans.filter.expiringWithin")}
            <input
              name="expiring_within_days"
              type="number"
              min={0}
              max={3650}
              defaultValue={values.expiring_within_days}
              placeholder={t("loans.filter.days")}
              aria-invalid={errors?.expiring_within_days ? true : undefined}
              className={input}
              data-testid="filter-expiring"
            />
            <FieldError messages={errors?.expiring_within_days} />
          </label>
          <div className="flex items-end gap-2 lg:col-span-9">
            <button type="submit" className="rounded bg-blue-700 px-4 py-1.5 text-sm text-white">{t("common.search")}</button>
            <Link to="/loans" className="px-2 py-1.5 text-sm text-slate-600">{t("loans.filter.reset")}</Link>
          </div>
        </Form>
        {errors ? (
          <div className="mb-4 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="filter-error">
            {t("loans.filter.invalid")}
            {errors.page ? <FieldError messages={errors.page} /> : null}
          </div>
        ) : null}
        {result ? (
          <>
            <p className="mb-3 text-sm text-slate-700" data-testid="loan-summary">
              {t("loans.summary", { count: result.summary.count, principal: formatSummary(result.summary.principal, locale), claim: formatSummary(result.summary.claim, locale) })}
            </p>
            <Table
              testId="loan-table"
              head={[
                t("loans.field.loanNumber"), t("loans.field.borrowerName"), t("loans.field.borrowerIdNumber"), t("loans.field.branch"), t("loans.field.region"),
                t("loans.field.fiveTier"), t("loans.field.difficulty"), t("loans.field.status"), t("loans.field.principal"), t("loans.field.claim"),
                t("loans.field.limitationExpiresOn"), t("loans.field.price"),
              ]}
            >
              {result.rows.map((loan) => (
                <tr key={loan.loanNumber} data-testid="loan-row">
                  <td className={`${cell} whitespace-nowrap`}>
                    <Link to={`/loans/${encodeURIComponent(loan.loanNumber)}`} className="text-blue-700 hover:underline">{loan.loanNumber}</Link>
                  </td>
                  <td className={`${cell} whitespace-nowrap`}>{loan.borrowerName}</td>
                  <td className={`${cell} whitespace-nowrap font-mono text-xs`}>{loan.borrowerIdMasked}</td>
                  <td className={`${cell} whitespace-nowrap`}>{loan.branch.name}</td>
                  <td className={`${cell} whitespace-nowrap`}>{loan.region}</td>
                  <td className={`${cell} whitespace-nowrap`}>{enumLabel(t, "fiveTier", loan.fiveTier)}</td>
                  <td className={cell}>
                    {enumLabel(t, "difficulty", loan.difficulty)} <DifficultyStatusBadge t={t} status={loan.difficultyStatus} />
                  </td>
                  <td className={`${cell} whitespace-nowrap`}>{enumLabel(t, "status", loan.status)}</td>
                  <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, loan.principal)}</td>
                  <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, loan.claim)}</td>
                  <td className={`${cell} whitespace-nowrap`}>
                    {loan.limitationExpiresOn} {expiryBadge(t, { daysLeft: loan.daysLeft, bucket: loan.limitationBucket, lapsed: loan.lapsed })}
                  </td>
                  <td className={`${cell} whitespace-nowrap text-right`}>{loan.price === null ? t("common.none") : formatCny(locale, loan.price)}</td>
                </tr>
              ))}
            </Table>
            {result.rows.length === 0 ? <p className="py-4 text-sm text-slate-500">{t("loans.none")}</p> : null}
            <Pager page={result.page} pages={result.pages} total={result.total} />
          </>
        ) : null}
      </Card>
    </>
  );
}
