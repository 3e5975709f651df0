import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { answerFor } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, Fact, PageTitle, Table, cell } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { nextStep } from "~/domain/settlement-statement";
import { intentAction } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, notFound, requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import { allowedMethods, payStatement, type PaymentMethod } from "~/services/settlement/statement-payment.server";
import { statementDetail } from "~/services/settlement/statement-views.server";
import { takeStatementStep, verifyLine } from "~/services/settlement/statement-workflow.server";

/**
 * /settlement/statements/{statementId} — one 清收手续费清单 (R9): its figures and lines, the steps
 * taken (who, when), and the next step's form for the role that takes it: submit (branch clerk),
 * verify each line one by one and then the statement (the department), review, record the invoice
 * (agency) and pay (finance). The server refuses the wrong role, the same person as the previous
 * step and a paid statement; the refusal shows on the form. The custodian sees its own read-only.
 */

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  try {
    const detail = await statementDetail(user, params.statementId ?? "");
    const s = detail.statement;
    const next = nextStep(s.state, detail.contractorKind);
    const has = (role: string) => user.roles.includes(role);
    const lastBy = detail.steps[detail.steps.length - 1]?.byId ?? null;
    return {
      ...detail,
      may: {
        verifyLines: s.state === "submitted" && can(user.roles, "custody:manage"),
        submit: next === "submitted" && has("branch_clerk"),
        verify: next === "verified" && has("preservation_officer"),
        review: next === "reviewed" && has("finance"),
        invoice: next === "invoice_recorded" && has("finance"),
        pay: next === "paid" && has("finance"),
      },
      samePerson: lastBy === user.id,
      methods: allowedMethods(detail.direction, s.custodianKind, detail.stripeAccountId),
    };
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    if (error instanceof UserError && error.status === 403) throw forbidden();
    throw error;
  }
}

const intents = ["verify-line", "submit", "verify", "review", "invoice", "pay"] as const;

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const id = params.statementId ?? "";
  try {
    await statementDetail(user, id);
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    throw error;
  }
  const ctx = auditContextFor(request, user);
  const here = `/settlement/statements/${encodeURIComponent(id)}`;
  const renameField = (field: string | undefined) => (field === "reference" ? "voucher_number" : field);
  return intentAction(request, { intents, here, formFields: ["invoice_number", "method", "voucher_number"], renameField }, async ({ intent, values, toast }) => {
    const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
    switch (intent) {
      case "verify-line": {
        const done = await verifyLine(ctx, user, id, text("position"));
        return toast("settlement.statements.toast.lineVerified", { position: done.position });
      }
      case "submit":
      case "verify":
      case "review":
        await takeStatementStep(ctx, user, id, intent);
        return toast(`settlement.statements.toast.${intent}` as MessageKey);
      case "invoice":
        await takeStatementStep(ctx, user, id, "record_invoice", { invoiceNumber: text("invoice_number") });
        return toast("settlement.statements.toast.invoice");
      default: {
        const paid = await payStatement(ctx, user, id, { method: text("method") as PaymentMethod, reference: text("voucher_number") });
        return toast("settlement.statements.toast.pay", { reference: paid.reference ?? "—" });
      }
    }
  });
}

const stateTones: Record<string, "slate" | "blue" | "amber" | "green"> = {
  draft: "slate", submitted: "blue", verified: "blue", reviewed: "amber", invoice_recorded: "amber", paid: "green",
};
const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";
const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";
const small = "rounded border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-50 disabled:opacity-60";

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function StepForm({ intent, testId, label, hint }: { intent: "submit" | "verify" | "review"; testId: string; label: string; hint?: string }) {
  const state = answerFor(useActionData<typeof action>(), intent);
  const busy = useNavigation().state === "submitting";
  return (
    <Form method="post" className="space-y-2" data-testid={`${testId}-form`}>
      <Refusal message={state?.formError} params={state?.formErrorParams} />
      {hint ? <p className="text-sm text-slate-600">{hint}</p> : null}
      <input type="hidden" name="intent" value={intent} />
      <button type="submit" disabled={busy} className={button} data-testid={testId}>{label}</button>
    </Form>
  );
}

function Lines({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const state = answerFor(useActionData<typeof action>(), "verify-line");
  const busy = useNavigation().state === "submitting";
  return (
    <Card title={t("settlement.statements.lines.title")} testId="statement-lines">
      <Refusal message={state?.formError} params={state?.formErrorParams} testId="verify-line-error" />
      <p className="mb-2 text-sm text-slate-600" data-testid="lines-verified">
        {t("settlement.statements.lines.verifiedCount", { verified: page.linesVerified, count: page.lines.length })}
      </p>
      <Table
        head={[
          "#", t("settlement.statements.lines.kind"), t("settlement.statements.lines.loan"), t("settlement.statements.lines.collectedOn"),
          t("settlement.statements.lines.principal"), t("settlement.statements.lines.interest"), t("settlement.statements.lines.amount"),
          t("settlement.statements.lines.basis"), t("settlement.statements.lines.verified"),
        ]}
      >
        {page.lines.map((l) => (
          <tr key={l.id} data-testid={`statement-line-${l.position}`}>
            <td className={cell}>{l.position}</td>
            <td className={cell}>{t(`settlement.statements.line.${l.kind}` as MessageKey)}{l.loans ? ` × ${l.loans}` : ""}</td>
            <td className={`${cell} font-mono`}>{l.loanNumber ?? ""}</td>
            <td className={cell}>{l.collectedOn ?? ""}</td>
            <td className={`${cell} text-right tabular-nums`}>{l.principal !== null ? formatCny(locale, l.principal) : ""}</td>
            <td className={`${cell} text-right tabular-nums`}>{l.interest !== null ? formatCny(locale, l.interest) : ""}</td>
            <td className={`${cell} text-right tabular-nums`} data-testid={`line-amount-${l.position}`}>{formatCny(locale, l.amount)}</td>
            <td className={`${cell} text-xs text-slate-500`}>{l.basis ?? ""}</td>
            <td className={cell}>
              {l.verifiedAt ? (
                <span className="text-xs text-green-700" data-testid={`line-verified-${l.position}`}>✓ {l.verifiedBy} · {formatDateTime(locale, l.verifiedAt)}</span>
              ) : page.may.verifyLines ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="verify-line" />
                  <input type="hidden" name="target" value={String(l.position)} />
                  <input type="hidden" name="position" value={l.position} />
                  <button type="submit" disabled={busy} className={small} data-testid={`verify-line-${l.position}`}>{t("settlement.statements.lines.verify")}</button>
                </Form>
              ) : (
                <span className="text-xs text-slate-400">—</span>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

function Workflow({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const actionData = useActionData<typeof action>();
  const invoiceState = answerFor(actionData, "invoice");
  const payState = answerFor(actionData, "pay");
  const busy = useNavigation().state === "submitting";
  const s = page.statement;
  return (
    <Card title={t("settlement.statements.workflow.title")} testId="statement-workflow">
      <ol className="mb-4 space-y-1 text-sm" data-testid="statement-steps">
        {page.steps.length === 0 ? <li className="text-slate-500">{t("settlement.statements.workflow.none")}</li> : null}
        {page.steps.map((step) => (
          <li key={step.step} data-testid={`step-${step.step}`}>
            {t(`settlement.statements.state.${step.step}` as MessageKey)} — {step.by} · {formatDateTime(locale, step.at)}
          </li>
        ))}
      </ol>
      {s.invoiceNumber ? <p className="mb-2 text-sm" data-testid="statement-invoice-number">{t("settlement.statements.invoice.number")}: {s.invoiceNumber}</p> : null}
      {s.paymentMethod ? (
        <p className="mb-2 text-sm" data-testid="statement-payment">
          {t(`settlement.statements.method.${s.paymentMethod}` as MessageKey)}{s.paymentReference ? ` · ${s.paymentReference}` : ""}
        </p>
      ) : null}
      {page.samePerson && (page.may.submit || page.may.verify || page.may.review || page.may.invoice || page.may.pay) ? (
        <p className="mb-2 text-sm text-amber-700" data-testid="four-eyes-hint">{t("settlement.statements.workflow.fourEyes")}</p>
      ) : null}
      <div className="space-y-4">
        {page.may.submit ? <StepForm intent="submit" testId="statement-submit" label={t("settlement.statements.action.submit")} /> : null}
        {page.may.verify ? <StepForm intent="verify" testId="statement-verify" label={t("settlement.statements.action.verify")} hint={t("settlement.statements.lines.verifiedCount", { verified: page.linesVerified, count: page.lines.length })} /> : null}
        {page.may.review ? <StepForm intent="review" testId="statement-review" label={t("settlement.statements.action.review")} /> : null}
        {page.may.invoice ? (
          <Form method="post" className="flex flex-wrap items-start gap-2" data-testid="statement-invoice-form">
            <Refusal message={invoiceState?.formError} params={invoiceState?.formErrorParams} />
            <input type="hidden" name="intent" value="invoice" />
            <input
              name="invoice_number" placeholder={t("settlement.statements.invoice.number")} aria-label={t("settlement.statements.invoice.number")} className={input} data-testid="invoice-number"
              aria-invalid={invoiceState?.fieldErrors?.invoice_number ? true : undefined}
              defaultValue={typeof invoiceState?.values?.invoice_number === "string" ? invoiceState.values.invoice_number : undefined}
            />
            <button type="submit" disabled={busy} className={button} data-testid="statement-invoice">{t("settlement.statements.action.invoice")}</button>
            <div className="w-full"><FieldErrors field="invoice_number" messages={invoiceState?.fieldErrors?.invoice_number} /></div>
          </Form>
        ) : null}
        {page.may.pay ? (
          <Form method="post" className="flex flex-wrap items-start gap-2" data-testid="statement-pay-form">
            <Refusal message={payState?.formError} params={payState?.formErrorParams} />
            <input type="hidden" name="intent" value="pay" />
            <select name="method" className={input} data-testid="pay-method" defaultValue={page.methods[0]} aria-invalid={payState?.fieldErrors?.method ? true : undefined}>
              {page.methods.map((m) => <option key={m} value={m}>{t(`settlement.statements.method.${m}` as MessageKey)}</option>)}
            </select>
            <input
              name="voucher_number" placeholder={t("settlement.statements.pay.reference")} aria-label={t("settlement.statements.pay.reference")} className={input} data-testid="pay-voucher"
              aria-invalid={payState?.fieldErrors?.voucher_number ? true : undefined}
              defaultValue={typeof payState?.values?.voucher_number === "string" ? payState.values.voucher_number : undefined}
            />
            <button type="submit" disabled={busy} className={button} data-testid="statement-pay">{t("settlement.statements.action.pay")}</button>
            <div className="w-full">
              <FieldErrors field="method" messages={payState?.fieldErrors?.method} params={payState?.formErrorParams} />
              <FieldErrors field="voucher_number" messages={payState?.fieldErrors?.voucher_number} params={payState?.formErrorParams} />
              <p className="text-xs text-slate-500">{t("settlement.statements.pay.hint")}</p>
            </div>
          </Form>
        ) : null}
      </div>
    </Card>
  );
}

export default function StatementPage() {
  const t = useT();
  const locale = useLocale();
  const page = useLoaderData<typeof loader>();
  const s = page.statement;
  const base = `/settlement/statements/${encodeURIComponent(s.id)}`;
  return (
    <div className="space-y-6">
      <PageTitle
        actions={
          <div className="flex gap-2 text-sm">
            <a href={`${base}.xlsx`} className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50" data-testid="export-xlsx">{t("settlement.statements.export.xlsx")}</a>
            <a href={`${base}.pdf`} className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50" data-testid="export-pdf">{t("settlement.statements.export.pdf")}</a>
          </div>
        }
      >
        {t("settlement.statements.detail.title", { number: s.number })}
      </PageTitle>
      <Card title={t("settlement.statements.detail.facts")} testId="statement-summary">
        <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-3">
          <Fact label={t("settlement.statements.col.state")} testId="statement-state-fact">
            <span data-testid="statement-state" data-state={s.state}><Badge tone={stateTones[s.state] ?? "slate"}>{t(`settlement.statements.state.${s.state}` as MessageKey)}</Badge></span>
          </Fact>
          <Fact label={t("settlement.statements.col.contract")}>
            <Link to={`/contracts/${encodeURIComponent(page.contract.id)}`} className="text-blue-700 hover:underline">{page.contract.number}</Link>
          </Fact>
          <Fact label={t("settlement.statements.col.custodian")}>{page.custodianName}</Fact>
          <Fact label={t("settlement.statements.col.period")}>{s.periodStartsOn} – {s.periodEndsOn} ({t(`settlement.statements.kind.${s.kind}` as MessageKey)})</Fact>
          <Fact label={t("settlement.statements.col.recovered")} testId="statement-recovered">{formatCny(locale, s.recoveredPrincipal + s.recoveredInterest)}</Fact>
          <Fact label={t("settlement.statements.detail.payable")} testId="statement-payable">{formatCny(locale, s.payableToCustodian)}</Fact>
          <Fact label={t("settlement.statements.detail.owed")} testId="statement-owed">{formatCny(locale, s.owedByCustodian)}</Fact>
          <Fact label={t("settlement.statements.detail.deductions")}>{formatCny(locale, s.deductionsTaken)}</Fact>
          <Fact label={t(`settlement.statements.direction.${page.direction}` as MessageKey)} testId="statement-net" emphasis>{formatCny(locale, s.netPayable < 0n ? -s.netPayable : s.netPayable)}</Fact>
        </dl>
      </Card>
      <Lines page={page} />
      <Workflow page={page} />
    </div>
  );
}
