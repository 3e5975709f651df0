import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { answerFor } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { todayInChina } from "~/domain/calendar";
import { quarterOf, statementStates } from "~/domain/settlement-statement";
import { UserError } from "~/domain/errors";
import { intentAction } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, requirePermission } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { formatCny, type MessageKey } from "~/infra/i18n";
import { isBankSide, listStatements } from "~/services/settlement/statement-views.server";
import { generateStatement, mayGenerate } from "~/services/settlement/statements.server";

/**
 * /settlement/statements — R9 清收手续费清单: the statements the viewer may see (the bank's side all,
 * a custodian its own), filtered by state, contract or number, year and quarter; and for the
 * department and branch clerks the form that generates one on demand (a contract and a quarter of
 * its term that has started).
 */

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const url = new URL(request.url);
  const year = Number(url.searchParams.get("year") ?? "");
  const quarter = Number(url.searchParams.get("quarter") ?? "");
  const filter = {
    state: url.searchParams.get("state") ?? "",
    q: url.searchParams.get("q") ?? "",
    year: Number.isInteger(year) && year > 0 ? year : undefined,
    quarter: Number.isInteger(quarter) && quarter >= 1 && quarter <= 4 ? quarter : undefined,
  };
  try {
    const statements = await listStatements(user, filter);
    const generate = mayGenerate(user);
    const contracts = generate && isBankSide(user)
      ? await prisma.custodyContract.findMany({ where: { status: { in: ["ACTIVE", "ENDED"] }, custodyStartsAt: { not: null } }, select: { id: true, number: true }, orderBy: { number: "asc" } })
      : [];
    const current = quarterOf(todayInChina(new Date()));
    return { statements, filter: { ...filter, year: filter.year ?? null, quarter: filter.quarter ?? null }, generate, contracts, current: { year: current.year, quarter: current.quarter } };
  } catch (error) {
    if (error instanceof UserError && error.status === 403) throw forbidden();
    throw error;
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const ctx = auditContextFor(request, user);
  return intentAction(request, { intents: ["generate"] as const, here: "/settlement/statements", formFields: ["contract_id", "year", "quarter"] }, async ({ values, toast }) => {
    const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
    const written = await generateStatement(ctx, user, { contractId: text("contract_id"), year: text("year"), quarter: text("quarter") });
    return toast("settlement.statements.toast.generated", { number: written.number }, `/settlement/statements/${written.id}`);
  });
}

const stateTones: Record<string, "slate" | "blue" | "amber" | "green"> = {
  draft: "slate", submitted: "blue", verified: "blue", reviewed: "amber", invoice_recorded: "amber", paid: "green",
};

const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";
const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";

export default function Statements() {
  const t = useT();
  const locale = useLocale();
  const page = useLoaderData<typeof loader>();
  const state = answerFor(useActionData<typeof action>(), "generate");
  const busy = useNavigation().state === "submitting";
  const value = (name: string, fallback: string) => (typeof state?.values?.[name] === "string" ? (state.values[name] as string) : fallback);
  return (
    <div className="space-y-6">
      <PageTitle>{t("settlement.statements.title")}</PageTitle>
      <p className="-mt-4 mb-6 text-sm text-slate-600">{t("settlement.statements.intro")}</p>
      {page.generate ? (
        <Card title={t("settlement.statements.generate.title")} testId="generate-statement">
          <Form method="post" className="flex flex-wrap items-end gap-3" data-testid="generate-statement-form">
            <input type="hidden" name="intent" value="generate" />
            <Refusal message={state?.formError} params={state?.formErrorParams} />
            <label className="text-sm">
              <span className="block text-slate-600">{t("settlement.statements.generate.contract")}</span>
              {page.contracts.length ? (
                <select name="contract_id" defaultValue={value("contract_id", "")} className={input} data-testid="generate-contract" aria-invalid={state?.fieldErrors?.contract_id ? true : undefined}>
                  <option value="">{t("settlement.statements.generate.choose")}</option>
                  {page.contracts.map((c) => <option key={c.id} value={c.id}>{c.number}</option>)}
                </select>
              ) : (
                <input name="contract_id" defaultValue={value("contract_id", "")} className={input} data-testid="generate-contract" />
              )}
              <FieldErrors field="contract_id" messages={state?.fieldErrors?.contract_id} params={state?.formErrorParams} />
            </label>
            <label className="text-sm">
              <span className="block text-slate-600">{t("settlement.statements.generate.year")}</span>
              <input name="year" type="number" defaultValue={value("year", String(page.current.year))} className={`${input} w-24`} data-testid="generate-year" aria-invalid={state?.fieldErrors?.year ? true : undefined} />
              <FieldErrors field="year" messages={state?.fieldErrors?.year} params={state?.formErrorParams} />
            </label>
            <label className="text-sm">
              <span className="block text-slate-600">{t("settlement.statements.generate.quarter")}</span>
              <select name="quarter" defaultValue={value("quarter", String(page.current.quarter))} className={input} data-testid="generate-quarter" aria-invalid={state?.fieldErrors?.quarter ? true : undefined}>
                {[1, 2, 3, 4].map((q) => <option key={q} value={q}>{t("settlement.statements.quarterN", { quarter: q })}</option>)}
              </select>
              <FieldErrors field="quarter" messages={state?.fieldErrors?.quarter} params={state?.formErrorParams} />
            </label>
            <button type="submit" disabled={busy} className={button} data-testid="generate-statement-submit">{t("settlement.statements.generate.submit")}</button>
          </Form>
        </Card>
      ) : null}
      <Card title={t("settlement.statements.list.title")} testId="statements">
        <Form method="get" className="mb-4 flex flex-wrap items-end gap-3" data-testid="statement-filters">
          <label className="text-sm">
            <span className="block text-slate-600">{t("settlement.statements.filter.state")}</span>
            <select name="state" defaultValue={page.filter.state} className={input} data-testid="filter-state">
              <option value="">{t("settlement.statements.filter.all")}</option>
              {statementStates.agency.map((s) => <option key={s} value={s}>{t(`settlement.statements.state.${s}` as MessageKey)}</option>)}
            </select>
          </label>
          <label className="text-sm">
            <span className="block text-slate-600">{t("settlement.statements.filter.q")}</span>
            <input name="q" defaultValue={page.filter.q} className={input} data-testid="filter-q" />
          </label>
          <label className="text-sm">
            <span className="block text-slate-600">{t("settlement.statements.generate.year")}</span>
            <input name="year" type="number" defaultValue={page.filter.year ?? ""} className={`${input} w-24`} />
          </label>
          <label className="text-sm">
            <span className="block text-slate-600">{t("settlement.statements.generate.quarter")}</span>
            <select name="quarter" defaultValue={page.filter.quarter ?? ""} className={input}>
              <option value="">{t("settlement.statements.filter.all")}</option>
              {[1, 2, 3, 4].map((q) => <option key={q} value={q}>{t("settlement.statements.quarterN", { quarter: q })}</option>)}
            </select>
          </label>
          <button type="submit" className="rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50">{t("settlement.statements.filter.apply")}</button>
        </Form>
        {page.statements.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="statements-empty">{t("settlement.statements.list.none")}</p>
        ) : (
          <Table
            head={[
              t("settlement.statements.col.number"), t("settlement.statements.col.contract"), t("settlement.statements.col.custodian"), t("settlement.statements.col.period"),
              t("settlement.statements.col.recovered"), t("settlement.statements.col.net"), t("settlement.statements.col.state"),
            ]}
          >
            {page.statements.map((s) => (
              <tr key={s.id} data-testid={`statement-row-${s.number}`}>
                <td className={cell}>
                  <Link to={`/settlement/statements/${s.id}`} className="font-mono text-blue-700 hover:underline">{s.number}</Link>
                  {s.kind === "FINAL" ? <span className="ml-2"><Badge tone="amber">{t("settlement.statements.kind.FINAL")}</Badge></span> : null}
                </td>
                <td className={cell}>{s.contractNumber}</td>
                <td className={cell}>{s.custodianName}</td>
                <td className={cell}>{s.periodStartsOn} – {s.periodEndsOn}</td>
                <td className={`${cell} text-right tabular-nums`}>{formatCny(locale, s.recoveredPrincipal + s.recoveredInterest)}</td>
                <td className={`${cell} text-right tabular-nums`} data-testid={`statement-net-${s.number}`}>{formatCny(locale, s.netPayable)}</td>
                <td className={cell} data-testid={`statement-row-state-${s.number}`}><Badge tone={stateTones[s.state] ?? "slate"}>{t(`settlement.statements.state.${s.state}` as MessageKey)}</Badge></td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
