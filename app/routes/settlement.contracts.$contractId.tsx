import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { answerFor } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, Fact, PageTitle, Table, cell } from "~/components/page";
import { RecoveredVsTask } from "~/components/settlement-chart";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { StripePayment } from "~/components/tender-stripe";
import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { formatBp } from "~/domain/settlement-views";
import { intentAction, type IntentRefusal } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, notFound, requirePermission } from "~/infra/auth.server";
import { stripeEnv } from "~/infra/env.server";
import { parseForm } from "~/infra/forms";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import { declareOfflineTopUpSchema } from "~/services/custody/contract-schemas";
import { declareOfflineTopUp, listTopUps, startStripeTopUp } from "~/services/custody/deposit-topup.server";
import { closeOutContract } from "~/services/settlement/close-out.server";
import { closeOutSchema, forceDeductionSchema, lossOfFundsSchema } from "~/services/settlement/contract-schemas";
import { forceDeduction, recordLossOfFunds } from "~/services/settlement/deductions.server";
import { contractSettlement } from "~/services/settlement/settlement-views.server";

/**
 * /settlement/contracts/{contractId} — one contract's settlement (settlement:view; a custodian only its
 * own, anyone else a 404): recovered vs task (chart), late remittances and late interest booked /
 * accruing (R7), forced deductions with the department's deduction form and loss-of-funds action, the
 * custodian's deposit top-up after a deduction, the statements, and finance's close-out. Every action
 * goes through its service, which checks the role again and audits.
 */

function refusalResponse(error: UserError): Response {
  return error.status === 403 ? forbidden() : notFound();
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  try {
    const page = await contractSettlement(user, params.contractId ?? "", todayInChina(new Date()));
    // A custodian (custody:work) only ever gets its own contract here: its pending top-ups, with the client secret to pay.
    const custodian = can(user.roles, "custody:work");
    const topUps = custodian && page.deductions.length > 0
      ? (await listTopUps(user, page.contract.id))
          .filter((p) => p.status === "AWAITING_PAYMENT" || p.status === "DECLARED")
          .map((p) => ({ id: p.id, method: p.method, amount: p.amount, status: p.status, clientSecret: p.clientSecret }))
      : [];
    return { ...page, topUps, stripePublishableKey: stripeEnv().publishableKey ?? null };
  } catch (error) {
    if (error instanceof UserError && (error.status === 404 || error.status === 403)) throw refusalResponse(error);
    throw error;
  }
}

const intents = ["deduct", "loss", "close-out", "topup-stripe", "topup-offline"] as const;
type Intent = (typeof intents)[number];
type ActionResult = IntentRefusal<Intent>;
const formFields = ["recovery_ids", "reason", "note", "voucher_number", "method"];

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const contractId = params.contractId ?? "";
  try {
    await contractSettlement(user, contractId);
  } catch (error) {
    if (error instanceof UserError) throw refusalResponse(error);
    throw error;
  }
  const ctx = auditContextFor(request, user);
  return intentAction(request, { intents, here: `/settlement/contracts/${encodeURIComponent(contractId)}`, formFields }, async ({ intent, formData, values, refused, toast }) => {
    switch (intent) {
      case "deduct": {
        const parsed = parseForm(forceDeductionSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        const done = await forceDeduction(ctx, user, { contractId, recoveryIds: parsed.data.recovery_ids, reason: parsed.data.reason });
        return toast("settlement.contracts.toast.deducted", { amount: formatCny(user.locale, done.unremitted + done.lateInterest) });
      }
      case "loss": {
        const parsed = parseForm(lossOfFundsSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        const recoveryId = typeof values.recovery_id === "string" ? values.recovery_id : "";
        const recovery = await contractSettlement(user, contractId).then((p) => p.recoveries.find((r) => r.id === recoveryId));
        if (!recovery) throw new UserError("settlement.contracts.recoveryNotFound", { status: 404 });
        const done = await recordLossOfFunds(ctx, user, recoveryId, parsed.data);
        return toast("settlement.contracts.toast.lossRecorded", { number: done.number });
      }
      case "close-out": {
        const parsed = parseForm(closeOutSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        const done = await closeOutContract(ctx, user, { contractId, voucherNumber: parsed.data.voucher_number });
        return toast("settlement.contracts.toast.closedOut", { refund: formatCny(user.locale, done.refund) });
      }
      case "topup-stripe": {
        await startStripeTopUp(ctx, user, contractId, { methods: ["card"] });
        return toast("settlement.contracts.toast.topUpStarted");
      }
      default: {
        const parsed = parseForm(declareOfflineTopUpSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        await declareOfflineTopUp(ctx, user, contractId, parsed.data);
        return toast("settlement.contracts.toast.topUpDeclared");
      }
    }
  });
}

// ---- the page ----------------------------------------------------------------------------------

type Data = Awaited<ReturnType<typeof loader>>;

function useMine(intent: Intent, target?: string): ActionResult | undefined {
  return answerFor(useActionData<typeof action>(), intent, target);
}

const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";
const danger = "rounded bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60";
const secondary = "rounded border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50 disabled:opacity-60";
const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";
const right = `${cell} text-right tabular-nums whitespace-nowrap`;

function useBusy(): boolean {
  return useNavigation().state === "submitting";
}

const statusTone: Record<string, "slate" | "green" | "amber" | "red" | "blue"> = { REPORTED: "slate", REGISTERED: "blue", VERIFIED: "green", REJECTED: "red" };

function Summary({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <Card title={t("settlement.contracts.facts.title")} testId="settlement-summary">
      <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-4">
        <Fact label={t("settlement.contracts.facts.custodian")}>{page.contract.custodianName}</Fact>
        <Fact label={t("settlement.contracts.facts.term")}>{page.contract.startsOn ? `${page.contract.startsOn} – ${page.contract.endsOn}` : "—"}</Fact>
        <Fact label={t("settlement.contracts.facts.task")} testId="settlement-task" emphasis>{money(page.contract.task)}</Fact>
        <Fact label={t("settlement.contracts.facts.percent")} testId="settlement-percent" emphasis>{formatBp(page.recovered.percentBp)}</Fact>
        <Fact label={t("settlement.contracts.facts.principal")}>{money(page.recovered.principal)}</Fact>
        <Fact label={t("settlement.contracts.facts.interest")}>{money(page.recovered.interest)}</Fact>
        <Fact label={t("settlement.contracts.facts.recovered")} testId="settlement-recovered" emphasis>{money(page.recovered.total)}</Fact>
        <Fact label={t("settlement.contracts.facts.unremitted")} testId="settlement-unremitted" emphasis>{money(page.unremitted)}</Fact>
        <Fact label={t("settlement.contracts.facts.earned")} testId="settlement-earned">{money(page.earnings.earned)}</Fact>
        <Fact label={t("settlement.contracts.facts.paid")} testId="settlement-paid">{money(page.earnings.paid)}</Fact>
        <Fact label={t("settlement.contracts.facts.penalties")}>{money(page.earnings.penalties)}</Fact>
        <Fact label={t("settlement.contracts.facts.net")} testId="settlement-net" emphasis>{money(page.netRecovery)}</Fact>
        <Fact label={t("settlement.contracts.facts.claims")} testId="settlement-claims">{money(page.openClaims)}</Fact>
        <Fact label={t("settlement.contracts.facts.depositOwed")}>{money(page.deposit.owed)}</Fact>
        <Fact label={t("settlement.contracts.facts.depositHeld")} testId="settlement-deposit">{money(page.deposit.held)}</Fact>
        <Fact label={t("settlement.contracts.facts.topUp")} testId="settlement-topup">{money(page.deposit.topUp)}</Fact>
      </dl>
      <p className="mt-3 text-xs text-slate-500">{t("settlement.contracts.facts.netHint")}</p>
    </Card>
  );
}

function LateInterest({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <Card title={t("settlement.contracts.late.title")} testId="late-interest">
      <p className="mb-3 text-sm text-slate-600">{t("settlement.contracts.late.rule", { from: page.terms.lateInterestFromDays, deduct: page.terms.deductionAfterDays })}</p>
      <dl className="mb-4 grid gap-x-6 gap-y-3 text-sm md:grid-cols-3">
        <Fact label={t("settlement.contracts.late.booked")} testId="late-interest-booked" emphasis>{money(page.lateInterest.booked)}</Fact>
        <Fact label={t("settlement.contracts.late.accruing")} testId="late-interest-accruing" emphasis>{money(page.lateInterest.accruing)}</Fact>
        <Fact label={t("settlement.contracts.late.lastAccrued")}>{page.lateInterest.lastAccruedOn ?? "—"}</Fact>
      </dl>
      {page.lateRemittances.length === 0 ? (
        <p className="text-sm text-slate-500">{t("settlement.contracts.late.none")}</p>
      ) : (
        <Table
          testId="late-remittances"
          head={[t("settlement.contracts.col.number"), t("settlement.contracts.col.loan"), t("settlement.contracts.col.collectedOn"), t("settlement.contracts.col.amount"), t("settlement.contracts.col.outstanding"), t("settlement.contracts.col.delay"), t("settlement.contracts.col.interest")]}
        >
          {page.lateRemittances.map((r) => (
            <tr key={r.id} data-testid={`late-row-${r.number}`}>
              <td className={cell}>{r.number}</td>
              <td className={cell}>{r.loanNumber}</td>
              <td className={cell}>{r.collectedOn}</td>
              <td className={right}>{money(r.amount)}</td>
              <td className={right}>{money(r.outstanding)}</td>
              <td className={right}>{r.maxDelay}</td>
              <td className={right}>{money(r.lateInterest)}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function LossForm({ recoveryId }: { recoveryId: string }) {
  const t = useT();
  const busy = useBusy();
  const state = useMine("loss", recoveryId);
  return (
    <Form method="post" className="flex flex-wrap items-center gap-1" data-testid={`loss-form-${recoveryId}`}>
      <input type="hidden" name="intent" value="loss" />
      <input type="hidden" name="target" value={recoveryId} />
      <input type="hidden" name="recovery_id" value={recoveryId} />
      <input name="note" maxLength={1000} placeholder={t("settlement.contracts.loss.note")} aria-label={t("settlement.contracts.loss.note")} className={input} aria-invalid={state?.fieldErrors?.note ? true : undefined} />
      <button type="submit" disabled={busy} className={secondary} data-testid={`loss-submit-${recoveryId}`}>{t("settlement.contracts.loss.submit")}</button>
      <FieldErrors field="note" messages={state?.fieldErrors?.note} params={state?.formErrorParams} />
      <Refusal message={state?.formError} params={state?.formErrorParams} testId={`loss-error-${recoveryId}`} />
    </Form>
  );
}

function Recoveries({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <Card title={t("settlement.contracts.recoveries.title")} testId="settlement-recoveries">
      {page.recoveries.length === 0 ? (
        <p className="text-sm text-slate-500">{t("settlement.contracts.recoveries.none")}</p>
      ) : (
        <Table
          head={[
            t("settlement.contracts.col.number"), t("settlement.contracts.col.loan"), t("settlement.contracts.col.collectedOn"), t("settlement.contracts.col.status"),
            t("settlement.contracts.col.amount"), t("settlement.contracts.col.outstanding"), t("settlement.contracts.col.delay"), t("settlement.contracts.col.interest"), t("settlement.contracts.col.loss"),
          ]}
        >
          {page.recoveries.map((r) => (
            <tr key={r.id} data-testid={`settlement-recovery-${r.number}`} data-deductible={r.deductible ? "yes" : "no"}>
              <td className={cell}>{r.number}</td>
              <td className={cell}>{r.loanNumber}</td>
              <td className={cell}>{r.collectedOn}</td>
              <td className={cell}><Badge tone={statusTone[r.status] ?? "slate"}>{t(`settlement.contracts.recoveryStatus.${r.status}` as MessageKey)}</Badge></td>
              <td className={right}>{money(r.amount)}</td>
              <td className={right}>{money(r.outstanding)}</td>
              <td className={right}>{r.outstanding > 0n ? r.delay : "—"}</td>
              <td className={right}>{money(r.lateInterest)}</td>
              <td className={cell}>
                {r.lossRecordedAt ? (
                  <span className="text-xs text-red-700">{t("settlement.contracts.loss.recorded", { note: r.lossNote ?? "" })}</span>
                ) : page.may.recordLoss && r.status !== "REJECTED" && r.outstanding > 0n ? (
                  <LossForm recoveryId={r.id} />
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function Deductions({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const state = useMine("deduct");
  const money = (fen: bigint) => formatCny(locale, fen);
  const deductible = page.recoveries.filter((r) => r.deductible);
  return (
    <Card title={t("settlement.contracts.deductions.title")} testId="settlement-deductions">
      {page.deductions.length === 0 ? (
        <p className="mb-4 text-sm text-slate-500">{t("settlement.contracts.deductions.none")}</p>
      ) : (
        <Table
          head={[
            t("settlement.contracts.col.deductedOn"), t("settlement.contracts.col.outstanding"), t("settlement.contracts.col.interest"), t("settlement.contracts.col.fromDeposit"),
            t("settlement.contracts.col.claim"), t("settlement.contracts.col.topUpDueOn"), t("settlement.contracts.col.reason"),
          ]}
        >
          {page.deductions.map((d) => (
            <tr key={d.id} data-testid="deduction-row">
              <td className={cell}>{d.deductedOn}</td>
              <td className={right}>{money(d.unremitted)}</td>
              <td className={right}>{money(d.lateInterest)}</td>
              <td className={right}>{money(d.fromDeposit)}</td>
              <td className={right}>
                {money(d.claim)}
                {d.jointlyLiable && d.claim > 0n ? <p className="text-xs text-slate-500">{t("settlement.contracts.deductions.jointly", { name: d.jointlyLiable })}</p> : null}
              </td>
              <td className={cell}>{d.topUpDueOn}</td>
              <td className={cell}>{d.reason}</td>
            </tr>
          ))}
        </Table>
      )}
      {page.may.deduct ? (
        <Form method="post" className="mt-4 space-y-2 rounded border border-red-200 bg-red-50/40 p-4" data-testid="deduction-form">
          <h3 className="font-medium">{t("settlement.contracts.deductions.formTitle")}</h3>
          <input type="hidden" name="intent" value="deduct" />
          <Refusal message={state?.formError} params={state?.formErrorParams} testId="deduction-error" />
          {deductible.length === 0 ? (
            <p className="text-sm text-slate-500">{t("settlement.contracts.deductions.noneDeductible")}</p>
          ) : (
            <fieldset className="space-y-1 text-sm">
              <legend className="mb-1 text-slate-600">{t("settlement.contracts.deductions.pick")}</legend>
              {deductible.map((r) => (
                <label key={r.id} className="flex items-center gap-2">
                  <input type="checkbox" name="recovery_ids" value={r.id} data-testid={`deduct-${r.number}`} />
                  {r.number} · {r.collectedOn} · {money(r.outstanding)} · {t("settlement.contracts.col.delay")} {r.delay}
                </label>
              ))}
            </fieldset>
          )}
          <FieldErrors field="recovery_ids" messages={state?.fieldErrors?.recovery_ids} params={state?.formErrorParams} />
          <label className="block text-sm">
            {t("settlement.contracts.deductions.reason")}
            <input name="reason" maxLength={1000} className={`${input} ml-2 w-80`} data-testid="deduction-reason" aria-invalid={state?.fieldErrors?.reason ? true : undefined} />
          </label>
          <FieldErrors field="reason" messages={state?.fieldErrors?.reason} params={state?.formErrorParams} />
          <button type="submit" disabled={busy} className={danger} data-testid="deduction-submit">{t("settlement.contracts.deductions.submit")}</button>
        </Form>
      ) : null}
    </Card>
  );
}

function TopUp({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const stripeState = useMine("topup-stripe");
  const offlineState = useMine("topup-offline");
  const awaiting = page.topUps.find((p) => p.method === "STRIPE" && p.status === "AWAITING_PAYMENT" && p.clientSecret) ?? null;
  const pending = page.topUps.length > 0;
  if (!page.may.topUp && !awaiting) return null;
  const last = page.deductions[page.deductions.length - 1];
  const here = `/settlement/contracts/${page.contract.id}`;
  return (
    <Card title={t("settlement.contracts.topUp.title")} testId="settlement-topup-panel">
      <p className="mb-3 text-sm text-slate-600">{t("settlement.contracts.topUp.hint", { amount: formatCny(locale, page.deposit.topUp), dueOn: last?.topUpDueOn ?? "—" })}</p>
      {awaiting?.clientSecret ? (
        <div className="mb-3 text-sm">
          <p>{t("settlement.contracts.topUp.awaiting")}</p>
          {page.stripePublishableKey ? <StripePayment publishableKey={page.stripePublishableKey} clientSecret={awaiting.clientSecret} returnUrl={here} /> : <p className="text-slate-500">{t("settlement.contracts.topUp.noKey")}</p>}
        </div>
      ) : null}
      <Refusal message={stripeState?.formError ?? offlineState?.formError} params={stripeState?.formErrorParams ?? offlineState?.formErrorParams} />
      {page.may.topUp && !pending ? (
        <div className="flex flex-wrap gap-2">
          <Form method="post">
            <input type="hidden" name="intent" value="topup-stripe" />
            <button type="submit" disabled={busy} className={button} data-testid="settlement-topup-stripe">{t("settlement.contracts.topUp.stripe")}</button>
          </Form>
          <Form method="post">
            <input type="hidden" name="intent" value="topup-offline" />
            <input type="hidden" name="method" value="BANK_TRANSFER" />
            <button type="submit" disabled={busy} className={secondary} data-testid="settlement-topup-bank-transfer">{t("settlement.contracts.topUp.bankTransfer")}</button>
          </Form>
          {page.contract.custodianKind === "STAFF" ? (
            <Form method="post">
              <input type="hidden" name="intent" value="topup-offline" />
              <input type="hidden" name="method" value="PAYROLL" />
              <button type="submit" disabled={busy} className={secondary} data-testid="settlement-topup-payroll">{t("settlement.contracts.topUp.payroll")}</button>
            </Form>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

function Statements({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  return (
    <Card title={t("settlement.contracts.statements.title")} testId="settlement-statements">
      {page.statements.length === 0 ? (
        <p className="text-sm text-slate-500">{t("settlement.contracts.statements.none")}</p>
      ) : (
        <Table head={[t("settlement.contracts.col.statement"), t("settlement.contracts.col.period"), t("settlement.contracts.col.state"), t("settlement.contracts.col.net")]}>
          {page.statements.map((s) => (
            <tr key={s.id} data-testid={`settlement-statement-${s.number}`}>
              <td className={cell}><Link to={s.link} className="text-blue-700 hover:underline">{s.number}</Link> <span className="text-xs text-slate-500">{s.kind}</span></td>
              <td className={cell}>{s.periodStartsOn} – {s.periodEndsOn}</td>
              <td className={cell}>{s.state}</td>
              <td className={right}>{formatCny(locale, s.netPayable)}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function CloseOut({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const state = useMine("close-out");
  if (!page.closeOut && !page.may.closeOut) return null;
  return (
    <Card title={t("settlement.contracts.closeOut.title")} testId="settlement-close-out">
      {page.closeOut ? (
        <div className="text-sm" data-testid="close-out-done">
          <p>{t("settlement.contracts.closeOut.done", { at: formatDateTime(locale, page.closeOut.closedAt), refund: formatCny(locale, page.closeOut.refund), voucher: page.closeOut.voucherNumber })}</p>
          {page.closeOut.openClaims.length ? (
            <p className="mt-1 text-slate-600">{t("settlement.contracts.closeOut.claims", { claims: page.closeOut.openClaims.map((c) => `${c.account} ¥${c.amount}`).join("；") })}</p>
          ) : null}
        </div>
      ) : (
        <Form method="post" className="space-y-2" data-testid="close-out-form">
          <p className="text-sm text-slate-600">{t("settlement.contracts.closeOut.hint", { refund: formatCny(locale, page.deposit.held) })}</p>
          <input type="hidden" name="intent" value="close-out" />
          <Refusal message={state?.formError} params={state?.formErrorParams} testId="close-out-error" />
          <label className="block text-sm">
            {t("settlement.contracts.closeOut.voucher")}
            <input name="voucher_number" maxLength={64} className={`${input} ml-2`} data-testid="close-out-voucher" aria-invalid={state?.fieldErrors?.voucher_number ? true : undefined} />
          </label>
          <FieldErrors field="voucher_number" messages={state?.fieldErrors?.voucher_number} params={state?.formErrorParams} />
          <button type="submit" disabled={busy} className={button} data-testid="close-out-submit">{t("settlement.contracts.closeOut.submit")}</button>
        </Form>
      )}
    </Card>
  );
}

export default function ContractSettlementPage() {
  const page = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  return (
    <>
      <PageTitle
        actions={
          <div className="flex gap-4 text-sm">
            <Link to="/settlement" className="text-blue-700 hover:underline">{t("settlement.contracts.page.back")}</Link>
            <Link to={`/contracts/${page.contract.id}`} className="text-blue-700 hover:underline">{t("settlement.contracts.page.contract")}</Link>
          </div>
        }
      >
        {t("settlement.contracts.page.title", { number: page.contract.number })}
      </PageTitle>
      <Summary page={page} />
      <Card title={t("settlement.contracts.chart.title")}>
        <RecoveredVsTask
          testId="recovered-vs-task"
          points={page.series}
          task={page.contract.task}
          format={(fen) => formatCny(locale, fen)}
          labels={{ title: t("settlement.contracts.chart.title"), recovered: t("settlement.contracts.chart.recovered"), task: t("settlement.contracts.chart.task"), month: t("settlement.contracts.chart.month"), empty: t("settlement.contracts.chart.empty") }}
        />
      </Card>
      <LateInterest page={page} />
      <Deductions page={page} />
      <TopUp page={page} />
      <Recoveries page={page} />
      <Statements page={page} />
      <CloseOut page={page} />
    </>
  );
}
