import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { contractLabel, contractStatusTones } from "~/components/contract-document";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, Fact, PageTitle, Table, cell } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { StripePayment } from "~/components/tender-stripe";
import { answerFor } from "~/components/forms";
import { VoucherForm } from "~/components/voucher-form";
import { UserError } from "~/domain/errors";
import { intentAction, type IntentRefusal } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, notFound, requirePermission } from "~/infra/auth.server";
import { stripeEnv } from "~/infra/env.server";
import { parseForm } from "~/infra/forms";
import { formatCny, formatDateTime } from "~/infra/i18n";
import { confirmTopUpSchema, declareOfflineTopUpSchema, signContractFormSchema } from "~/services/custody/contract-schemas";
import { contractPage, loadViewableContract, paymentInContract } from "~/services/custody/contract-views.server";
import { countersignContract, signContract } from "~/services/custody/contracts.server";
import { confirmOfflineTopUp, declareOfflineTopUp, startStripeTopUp } from "~/services/custody/deposit-topup.server";

/**
 * /contracts/{contractId}: a custody contract (R4/R5) — its figures, signatures, deposit and loans.
 * The custodian signs (ticking “我已阅读并同意”) and pays the top-up (Stripe Payment Element or
 * offline); the department countersigns; finance confirms an offline top-up with its voucher. Each
 * signature records who, when and from which IP (the services audit it). Anyone who may not see the
 * contract gets a 404.
 */

function refusalResponse(error: UserError): Response {
  return error.status === 403 ? forbidden() : notFound();
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:view");
  try {
    const page = await contractPage(user, params.contractId ?? "", new Date());
    return { ...page, stripePublishableKey: stripeEnv().publishableKey ?? null };
  } catch (error) {
    if (error instanceof UserError && (error.status === 404 || error.status === 403)) throw refusalResponse(error);
    throw error;
  }
}

const intents = ["sign", "countersign", "topup-stripe", "topup-offline", "topup-confirm"] as const;
type Intent = (typeof intents)[number];
type ActionResult = IntentRefusal<Intent>;

/** Fields a refusal belongs to on this page's forms. */
const formFields = ["agree", "method", "voucher_number"];

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "custody:view");
  const contractId = params.contractId ?? "";
  // Seeing the contract is the least every intent needs (404 otherwise).
  try {
    await loadViewableContract(user, contractId);
  } catch (error) {
    if (error instanceof UserError) throw refusalResponse(error);
    throw error;
  }
  const ctx = auditContextFor(request, user);
  const signature = { ip: ctx.ip, userAgent: ctx.userAgent };
  return intentAction(request, { intents, here: `/contracts/${encodeURIComponent(contractId)}`, formFields }, async ({ intent, formData, values, refused, toast }) => {
    switch (intent) {
      case "sign": {
        const parsed = parseForm(signContractFormSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        await signContract(ctx, user, contractId, signature);
        return toast("contractPages.toast.signed");
      }
      case "countersign": {
        await countersignContract(ctx, user, contractId, signature);
        return toast("contractPages.toast.countersigned");
      }
      case "topup-stripe": {
        await startStripeTopUp(ctx, user, contractId, { methods: ["card"] });
        return toast("contractPages.toast.stripeStarted");
      }
      case "topup-offline": {
        const parsed = parseForm(declareOfflineTopUpSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        await declareOfflineTopUp(ctx, user, contractId, parsed.data);
        return toast("contractPages.toast.declared");
      }
      default: {
        const paymentId = typeof values.payment_id === "string" ? values.payment_id : "";
        if (!(await paymentInContract(paymentId, contractId))) throw new UserError("contractPages.paymentNotFound", { status: 404 });
        const parsed = parseForm(confirmTopUpSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        await confirmOfflineTopUp(ctx, user, paymentId, parsed.data);
        return toast("contractPages.toast.confirmed", { voucher: parsed.data.voucher_number });
      }
    }
  });
}

// ---- the page ----------------------------------------------------------------------------------

type Data = Awaited<ReturnType<typeof loader>>;

/** The action's answer when it was for this intent (and, for a row's form, this row). */
function useMine(intent: Intent, target?: string): ActionResult | undefined {
  return answerFor(useActionData<typeof action>(), intent, target);
}

const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";
const secondary = "rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50 disabled:opacity-60";

/** A numeric column's heading, aligned with its figures. */
function Right({ children }: { children: string }) {
  return <span className="block text-right">{children}</span>;
}

function useBusy(): boolean {
  return useNavigation().state === "submitting";
}

function Summary({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const { contract } = page;
  return (
    <Card title={t("contractPages.facts.title")} testId="contract-summary">
      <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-3">
        <Fact label={t("contractPages.facts.custodian")} testId="contract-custodian">{contract.custodianName}</Fact>
        <Fact label={t("contractPages.facts.kind")}>{contractLabel(t, "kind", contract.custodianKind)}</Fact>
        <Fact label={t("contractPages.facts.package")}>{contract.packageNumber ?? ""}</Fact>
        <Fact label={t("contractPages.facts.tender")}>
          {contract.tender ? <Link to={`/tenders/${contract.tender.id}`} className="text-blue-700 hover:underline">{contract.tender.number ?? contract.tender.title}</Link> : ""}
        </Fact>
        <Fact label={t("contractPages.facts.winningPrice")}>{formatCny(locale, contract.winningPrice)}</Fact>
        <Fact label={t("contractPages.facts.task")} testId="contract-task" emphasis>{formatCny(locale, contract.task)}</Fact>
        <Fact label={t("contractPages.facts.termMonths")}>{t("contractPages.facts.months", { months: contract.termMonths })}</Fact>
        <Fact label={t("contractPages.facts.term")} testId="contract-term">
          {contract.custodyStartsAt && contract.custodyEndsAt
            ? t("contractPages.facts.termWindow", { from: formatDateTime(locale, contract.custodyStartsAt), until: formatDateTime(locale, contract.custodyEndsAt) })
            : t("contractPages.facts.termNotStarted")}
        </Fact>
        <Fact label={t("contractPages.facts.settingsVersion")}>{contract.settingsVersion}</Fact>
        <Fact label={t("contractPages.facts.createdAt")}>{formatDateTime(locale, contract.createdAt)}</Fact>
      </dl>
    </Card>
  );
}

function Signatures({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const signState = useMine("sign");
  const countersignState = useMine("countersign");
  const line = (s: Data["signatures"]["custodian"]) =>
    s ? t("contractPages.signatures.signed", { name: s.name, at: formatDateTime(locale, s.at), ip: s.ip ?? t("contractPages.signatures.unknownIp") }) : t("contractPages.signatures.pending");
  return (
    <Card title={t("contractPages.signatures.title")} testId="contract-signatures">
      <dl className="mb-4 grid gap-x-6 gap-y-3 text-sm md:grid-cols-2">
        <Fact label={t("contractPages.signatures.custodian")} testId="contract-signed">{line(page.signatures.custodian)}</Fact>
        <Fact label={t("contractPages.signatures.department")} testId="contract-countersigned">{line(page.signatures.department)}</Fact>
      </dl>
      {page.may.sign ? (
        <Form method="post" className="space-y-3" data-testid="contract-sign-form">
          <Refusal message={signState?.formError} params={signState?.formErrorParams} />
          <p className="text-sm text-slate-600">{t("contractPages.sign.hint")}</p>
          <input type="hidden" name="intent" value="sign" />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="agree" value="on" data-testid="contract-sign-agree" aria-invalid={signState?.fieldErrors?.agree ? true : undefined} />
            <span>{t("contractPages.sign.agree")}</span>
          </label>
          <FieldErrors field="agree" messages={signState?.fieldErrors?.agree} />
          <button type="submit" disabled={busy} className={button} data-testid="contract-sign">{t("contractPages.sign.submit")}</button>
        </Form>
      ) : null}
      {page.may.countersign ? (
        <Form method="post" className="space-y-3" data-testid="contract-countersign-form">
          <Refusal message={countersignState?.formError} params={countersignState?.formErrorParams} />
          <p className="text-sm text-slate-600">{t("contractPages.countersign.hint")}</p>
          <input type="hidden" name="intent" value="countersign" />
          <button type="submit" disabled={busy} className={button} data-testid="contract-countersign">{t("contractPages.countersign.submit")}</button>
        </Form>
      ) : null}
    </Card>
  );
}

function ConfirmForm({ paymentId }: { paymentId: string }) {
  const t = useT();
  const busy = useBusy();
  const state = useMine("topup-confirm", paymentId);
  return (
    <VoucherForm
      intent="topup-confirm" targetField="payment_id" targetId={paymentId} state={state} busy={busy}
      label={t("contractPages.payments.voucher")} placeholder={t("contractPages.payments.voucherPlaceholder")} button={t("contractPages.payments.confirm")}
      buttonClass={secondary} testIds={{ form: "topup-confirm-form", input: "topup-voucher", submit: "topup-confirm" }}
    />
  );
}

function Deposit({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const stripeState = useMine("topup-stripe");
  const offlineState = useMine("topup-offline");
  const { deposit, payments, may, contract } = page;
  const awaitingStripe = payments.find((p) => p.method === "STRIPE" && p.status === "AWAITING_PAYMENT" && p.clientSecret) ?? null;
  const here = `/contracts/${contract.id}`;
  return (
    <Card title={t("contractPages.deposit.title")} testId="contract-deposit-panel">
      <dl className="mb-4 grid gap-x-6 gap-y-3 text-sm md:grid-cols-4">
        <Fact label={t("contractPages.deposit.owed")} testId="contract-deposit" emphasis>{formatCny(locale, deposit.owed)}</Fact>
        <Fact label={t("contractPages.deposit.credit")} testId="contract-credit" emphasis>
          {formatCny(locale, deposit.credit)}
          {deposit.creditPlanned && deposit.credit > 0n ? <span className="ml-1 text-xs text-slate-500">{t("contractPages.deposit.creditPlanned")}</span> : null}
        </Fact>
        <Fact label={t("contractPages.deposit.held")} testId="contract-held">{formatCny(locale, deposit.held)}</Fact>
        <Fact label={t("contractPages.deposit.topUp")} testId="contract-topup" emphasis>{formatCny(locale, deposit.topUp)}</Fact>
      </dl>
      {awaitingStripe?.clientSecret ? (
        <div className="mb-4 text-sm" data-testid="topup-stripe-awaiting">
          <p className="text-slate-700">{t("contractPages.topUp.awaiting")}</p>
          {page.stripePublishableKey ? (
            <StripePayment publishableKey={page.stripePublishableKey} clientSecret={awaitingStripe.clientSecret} returnUrl={here} />
          ) : (
            <p className="mt-1 text-slate-500">{t("contractPages.topUp.noKey")}</p>
          )}
          <p className="mt-2">
            <Link to={here} reloadDocument className="text-blue-700 hover:underline" data-testid="topup-refresh">{t("contractPages.topUp.refresh")}</Link>
          </p>
        </div>
      ) : null}
      {may.topUp ? (
        <div className="mb-4" data-testid="topup-panel">
          <h3 className="mb-2 font-medium">{t("contractPages.topUp.title")}</h3>
          <p className="mb-3 text-sm text-slate-600">{t("contractPages.topUp.hint", { amount: formatCny(locale, deposit.topUp) })}</p>
          <Refusal message={stripeState?.formError ?? offlineState?.formError} params={stripeState?.formErrorParams ?? offlineState?.formErrorParams} />
          <FieldErrors field="method" messages={offlineState?.fieldErrors?.method} params={offlineState?.formErrorParams} />
          <div className="flex flex-wrap gap-2">
            <Form method="post">
              <input type="hidden" name="intent" value="topup-stripe" />
              <button type="submit" disabled={busy} className={button} data-testid="topup-stripe">{t("contractPages.topUp.stripe")}</button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="topup-offline" />
              <input type="hidden" name="method" value="BANK_TRANSFER" />
              <button type="submit" disabled={busy} className={secondary} data-testid="topup-bank-transfer">{t("contractPages.topUp.bankTransfer")}</button>
            </Form>
            {contract.custodianKind === "STAFF" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="topup-offline" />
                <input type="hidden" name="method" value="PAYROLL" />
                <button type="submit" disabled={busy} className={secondary} data-testid="topup-payroll">{t("contractPages.topUp.payroll")}</button>
              </Form>
            ) : null}
          </div>
        </div>
      ) : null}
      <h3 className="mb-2 font-medium">{t("contractPages.payments.title")}</h3>
      {payments.length ? (
        <Table head={[t("contractPages.payments.col.method"), <Right key="a">{t("contractPages.payments.col.amount")}</Right>, t("contractPages.payments.col.status"), t("contractPages.payments.col.at"), t("contractPages.payments.col.voucher")]}>
          {payments.map((p) => (
            <tr key={p.id} data-testid="topup-row" data-status={p.status} data-method={p.method}>
              <td className={cell}>{contractLabel(t, "method", p.method)}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, p.amount)}</td>
              <td className={cell}><Badge tone={p.status === "CONFIRMED" ? "green" : p.status === "FAILED" ? "red" : "amber"}>{contractLabel(t, "paymentStatus", p.status)}</Badge></td>
              <td className={`${cell} whitespace-nowrap text-xs`}>{formatDateTime(locale, p.confirmedAt ?? p.declaredAt ?? p.createdAt)}</td>
              <td className={cell}>
                {p.voucherNumber ?? ""}
                {may.confirmTopUp && p.status === "DECLARED" ? <ConfirmForm paymentId={p.id} /> : null}
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <p className="text-sm text-slate-500">{t("contractPages.payments.none")}</p>
      )}
    </Card>
  );
}

function Loans({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const { loans, may, viewer } = page;
  return (
    <Card title={t("contractPages.loans.title", { count: loans.length })} testId="contract-loans">
      <Table
        head={[
          t("contractPages.loans.col.loanNumber"), t("contractPages.loans.col.borrower"), <Right key="p">{t("contractPages.loans.col.principal")}</Right>,
          <Right key="i">{t("contractPages.loans.col.interest")}</Right>, <Right key="v">{t("contractPages.loans.col.pricedValue")}</Right>, t("contractPages.loans.col.status"), "",
        ]}
      >
        {loans.map((l) => (
          <tr key={l.id} data-testid="contract-loan" data-loan-number={l.loanNumber} data-status={l.status}>
            <td className={`${cell} whitespace-nowrap`}>{l.loanNumber}</td>
            <td className={cell}>{l.borrowerName}</td>
            <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, l.principal)}</td>
            <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, l.interest)}</td>
            <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, l.pricedValue)}</td>
            <td className={cell}>{contractLabel(t, "loanStatus", l.status)}</td>
            <td className={cell}>
              {may.workLoans && l.status === "IN_CUSTODY" ? (
                <Link to={`/custody/loans/${encodeURIComponent(l.loanNumber)}`} className="text-blue-700 hover:underline" data-testid="contract-loan-link">{t("contractPages.loans.work")}</Link>
              ) : !viewer.custodian ? (
                <Link to={`/loans/${encodeURIComponent(l.loanNumber)}`} className="text-blue-700 hover:underline" data-testid="contract-loan-link">{t("contractPages.loans.view")}</Link>
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

export default function ContractPage() {
  const t = useT();
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { contract } = page;
  const stray = result && result.intent === null ? result : undefined;
  return (
    <>
      <PageTitle
        actions={
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <Link to={`/contracts/${contract.id}/document`} className="text-blue-700 hover:underline" data-testid="contract-document">{t("contractPages.document.open")}</Link>
            <a href={`/contracts/${contract.id}/document.pdf`} download className="text-blue-700 hover:underline" data-testid="contract-pdf">{t("contractPages.document.pdf")}</a>
            {contract.status === "ACTIVE" || contract.status === "ENDED" ? (
              <Link to={`/settlement/contracts/${contract.id}`} className="text-blue-700 hover:underline" data-testid="contract-settlement">{t("settlement.contractLink")}</Link>
            ) : null}
            <Link to="/contracts" className="text-blue-700 hover:underline">{t("contractPages.back")}</Link>
          </div>
        }
      >
        <span data-testid="contract-number">{contract.number}</span>{" "}
        <Badge tone={contractStatusTones[contract.status] ?? "slate"}>
          <span data-testid="contract-status" data-status={contract.status}>{contractLabel(t, "status", contract.status)}</span>
        </Badge>
      </PageTitle>
      <Refusal message={stray?.formError} params={stray?.formErrorParams} />
      <Signatures page={page} />
      <Summary page={page} />
      <Deposit page={page} />
      <Loans page={page} />
    </>
  );
}
