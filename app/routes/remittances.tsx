import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { StripePayment } from "~/components/tender-stripe";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { stripeEnv } from "~/infra/env.server";
import { formatCny, type MessageKey } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { yuanInput } from "~/services/settlement/recoveries.server";
import { confirmRemittance, declareRemittance, listRemittances, openMoney, rejectRemittance } from "~/services/settlement/remittances.server";

/**
 * /remittances (settlement:view) — 交账. The custodian sees per contract the money it still owes, how long
 * each part has waited and the late interest it costs as of today (R7), declares a remittance (bank
 * transfer for the branch to confirm, or Stripe confirmed by the webhook) and lists its remittances. The
 * branch clerk confirms declared bank transfers with the voucher number and the day received, or rejects
 * them. The bank's other departments see everything read-only.
 */

const intents = ["remit", "confirm", "reject"] as const;
type Intent = (typeof intents)[number];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const today = todayInChina(new Date());
  const custodian = can(user.roles, "custody:work");
  const clerk = can(user.roles, "recoveries:register");
  const [open, remittances, declared] = await Promise.all([openMoney(user, today), listRemittances(user), clerk ? listRemittances(user, { status: "DECLARED" }) : Promise.resolve([])]);
  return {
    today,
    may: { remit: custodian, confirm: clerk },
    open,
    remittances,
    declared: declared.reverse(),
    stripePublishableKey: custodian ? (stripeEnv().publishableKey ?? null) : null,
  };
}

export interface RemittancesActionState {
  intent: Intent | null;
  target?: string;
  fieldErrors?: Record<string, string[]>;
  formError?: string;
  formErrorParams?: Record<string, string | number>;
  values?: Record<string, string | string[]>;
  /** A Stripe remittance just started: what the browser needs to pay it. */
  stripe?: { number: string; clientSecret: string };
}

const remitFields = ["contract_id", "amount", "method", "recovery_ids", "payer_reference"];

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const ctx = auditContextFor(request, user);
  const formData = await request.formData();
  const values: Record<string, string | string[]> = {};
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key).filter((x): x is string => typeof x === "string");
    values[key] = key === "recovery_ids" ? all : (all[0] ?? "");
  }
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const intent = intents.find((i) => i === values.intent) ?? null;
  const target = text("id") || undefined;
  try {
    if (!intent) throw new UserError("form.invalidChoice");
    if (intent === "remit") {
      const { remittance, clientSecret } = await declareRemittance(ctx, user, {
        contractId: text("contract_id"), amount: yuanInput(text("amount"), "amount"), method: text("method"),
        recoveryIds: (values.recovery_ids as string[] | undefined) ?? [], payerReference: text("payer_reference"),
      });
      if (clientSecret) return data<RemittancesActionState>({ intent, stripe: { number: remittance.number, clientSecret } });
      return redirectWithToast("/remittances", { kind: "success", key: "settlement.recoveries.remittance.toast.declared", params: { number: remittance.number } });
    }
    const row =
      intent === "confirm"
        ? await confirmRemittance(ctx, user, text("id"), { voucherNumber: text("voucher_number"), remittedOn: text("remitted_on") })
        : await rejectRemittance(ctx, user, text("id"), { reason: text("reason") });
    const key = intent === "confirm" ? "settlement.recoveries.remittance.toast.confirmed" : "settlement.recoveries.remittance.toast.rejected";
    return redirectWithToast("/remittances", { kind: "success", key, params: { number: row.number } });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const field = error.options.field;
    const onField = field && (intent !== "remit" || remitFields.includes(field));
    const state: RemittancesActionState = onField
      ? { intent, target, fieldErrors: { [field]: [error.key] }, formErrorParams: error.options.params, values }
      : { intent, target, formError: error.key, formErrorParams: error.options.params, values };
    return data(state, { status: error.status });
  }
}

const tones: Record<string, "amber" | "blue" | "green" | "red" | "slate"> = { DECLARED: "amber", AWAITING_PAYMENT: "blue", CONFIRMED: "green", REJECTED: "red", FAILED: "red" };
const input = "w-full rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";
const button = "rounded bg-blue-700 px-3 py-1 text-sm text-white hover:bg-blue-800 disabled:opacity-50";
const quiet = "rounded border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50 disabled:opacity-50";

export default function RemittancesPage() {
  const t = useT();
  const locale = useLocale();
  const page = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>() as RemittancesActionState | undefined;
  const busy = useNavigation().state !== "idle";
  const money = (fen: bigint) => formatCny(locale, fen);
  const remit = state?.intent === "remit" ? state : undefined;
  const v = (name: string) => (typeof remit?.values?.[name] === "string" ? (remit.values[name] as string) : "");
  const named = new Set(Array.isArray(remit?.values?.recovery_ids) ? (remit.values.recovery_ids as string[]) : []);
  const openCount = page.open.reduce((n, c) => n + c.recoveries.length, 0);
  return (
    <div className="space-y-6">
      <PageTitle>{t("settlement.recoveries.remittance.page.title")}</PageTitle>
      <p className="-mt-4 text-sm text-slate-600">{t("settlement.recoveries.remittance.page.intro")}</p>

      {remit?.stripe ? (
        <Card testId="remittance-stripe">
          <p className="text-sm text-slate-700">{t("settlement.recoveries.remittance.stripe.awaiting", { number: remit.stripe.number })}</p>
          {page.stripePublishableKey ? (
            <StripePayment publishableKey={page.stripePublishableKey} clientSecret={remit.stripe.clientSecret} returnUrl="/remittances" />
          ) : (
            <p className="mt-1 text-sm text-slate-500">{t("settlement.recoveries.remittance.stripe.noKey")}</p>
          )}
          <Link to="/remittances" reloadDocument className="mt-2 inline-block text-sm text-blue-700 hover:underline">↻</Link>
        </Card>
      ) : null}

      <Card title={t("settlement.recoveries.remittance.open.title")} testId="open-money">
        {openCount === 0 ? (
          <p className="text-sm text-slate-500">{t("settlement.recoveries.remittance.open.none")}</p>
        ) : (
          page.open.filter((c) => c.recoveries.length > 0).map((c) => (
            <div key={c.contractId} className="mb-4" data-testid={`open-contract-${c.contractNumber}`}>
              <p className="mb-2 text-sm font-medium">
                {t("settlement.recoveries.remittance.open.summary", { contract: `${c.contractNumber}（${c.custodian}）`, outstanding: money(c.outstanding), pending: money(c.pending) })}
              </p>
              <Table
                head={[
                  t("settlement.recoveries.col.number"), t("settlement.recoveries.col.loan"), t("settlement.recoveries.col.collectedOn"), t("settlement.recoveries.col.status"),
                  t("settlement.recoveries.col.amount"), t("settlement.recoveries.remittance.col.outstanding"), t("settlement.recoveries.remittance.col.waiting"),
                  t("settlement.recoveries.remittance.col.accruing"),
                ]}
              >
                {c.recoveries.map((r) => (
                  <tr key={r.id} data-testid={`open-recovery-${r.number}`}>
                    <td className={`${cell} font-mono`}>{r.number}</td>
                    <td className={`${cell} font-mono`}>{r.loanNumber}</td>
                    <td className={cell}>{r.collectedOn}</td>
                    <td className={cell}>{t(`settlement.recoveries.status.${r.status}` as MessageKey)}</td>
                    <td className={`${cell} text-right tabular-nums`}>{money(r.amount)}</td>
                    <td className={`${cell} text-right tabular-nums`}>{money(r.outstanding)}</td>
                    <td className={`${cell} text-right tabular-nums ${r.late ? "text-red-700" : ""}`}>{r.delay}</td>
                    <td className={`${cell} text-right tabular-nums`} data-testid={`accruing-${r.number}`}>{money(r.lateInterest)}</td>
                  </tr>
                ))}
              </Table>
            </div>
          ))
        )}
      </Card>

      {page.may.remit ? (
        <Card title={t("settlement.recoveries.remittance.form.title")} testId="remit-panel">
          <Refusal message={remit?.formError} params={remit?.formErrorParams} testId="remit-form-error" />
          <Form method="post" className="grid gap-3 md:grid-cols-2" data-testid="remit-form">
            <input type="hidden" name="intent" value="remit" />
            <div>
              <label htmlFor="contract_id" className="mb-1 block text-sm text-slate-700">{t("settlement.recoveries.remittance.form.contract")}</label>
              <select id="contract_id" name="contract_id" defaultValue={v("contract_id")} className={input} required>
                {page.open.map((c) => <option key={c.contractId} value={c.contractId}>{c.contractNumber}</option>)}
              </select>
              <FieldErrors field="contract_id" messages={remit?.fieldErrors?.contract_id} params={remit?.formErrorParams} />
            </div>
            <div>
              <label htmlFor="amount" className="mb-1 block text-sm text-slate-700">{t("settlement.recoveries.remittance.form.amount")}</label>
              <input id="amount" name="amount" inputMode="decimal" required defaultValue={v("amount")} className={input} aria-invalid={remit?.fieldErrors?.amount ? true : undefined} />
              <FieldErrors field="amount" messages={remit?.fieldErrors?.amount} params={remit?.formErrorParams} />
            </div>
            <fieldset>
              <legend className="mb-1 text-sm text-slate-700">{t("settlement.recoveries.remittance.form.method")}</legend>
              {(["bank_transfer", "stripe"] as const).map((m) => (
                <label key={m} className="mr-4 text-sm">
                  <input type="radio" name="method" value={m} defaultChecked={(v("method") || "bank_transfer") === m} className="mr-1" />
                  {t(`settlement.recoveries.remittance.method.choose.${m}`)}
                </label>
              ))}
              <FieldErrors field="method" messages={remit?.fieldErrors?.method} params={remit?.formErrorParams} />
            </fieldset>
            <div>
              <label htmlFor="payer_reference" className="mb-1 block text-sm text-slate-700">{t("settlement.recoveries.remittance.form.payerReference")}</label>
              <input id="payer_reference" name="payer_reference" maxLength={64} defaultValue={v("payer_reference")} className={input} aria-invalid={remit?.fieldErrors?.payer_reference ? true : undefined} />
              <FieldErrors field="payer_reference" messages={remit?.fieldErrors?.payer_reference} params={remit?.formErrorParams} />
            </div>
            <fieldset className="md:col-span-2">
              <legend className="mb-1 text-sm text-slate-700">{t("settlement.recoveries.remittance.form.recoveries")}</legend>
              <div className="flex flex-wrap gap-3">
                {page.open.flatMap((c) => c.recoveries.map((r) => (
                  <label key={r.id} className="text-sm">
                    <input type="checkbox" name="recovery_ids" value={r.id} defaultChecked={named.has(r.id)} className="mr-1" data-testid={`remit-recovery-${r.number}`} />
                    {r.number}（{c.contractNumber}，{money(r.outstanding)}）
                  </label>
                )))}
              </div>
              <FieldErrors field="recovery_ids" messages={remit?.fieldErrors?.recovery_ids} params={remit?.formErrorParams} />
            </fieldset>
            <div>
              <button type="submit" className={button} disabled={busy} data-testid="remit-submit">{t("settlement.recoveries.remittance.form.submit")}</button>
            </div>
          </Form>
        </Card>
      ) : null}

      {page.may.confirm ? (
        <Card title={t("settlement.recoveries.remittance.queue.title")} testId="remittance-queue">
          {page.declared.length === 0 ? (
            <p className="text-sm text-slate-500">{t("settlement.recoveries.empty")}</p>
          ) : (
            <Table
              head={[
                t("settlement.recoveries.remittance.col.number"), t("settlement.recoveries.remittance.col.contract"), t("settlement.recoveries.remittance.col.custodian"),
                t("settlement.recoveries.remittance.col.amount"), t("settlement.recoveries.remittance.col.payerReference"), t("settlement.recoveries.remittance.col.actions"),
              ]}
            >
              {page.declared.map((r) => {
                const mine = state && state.intent !== "remit" && state.target === r.id ? state : undefined;
                return (
                  <tr key={r.id} data-testid={`declared-row-${r.number}`}>
                    <td className={`${cell} font-mono`}>{r.number}</td>
                    <td className={cell}>{r.contractNumber}</td>
                    <td className={cell}>{r.custodian}</td>
                    <td className={`${cell} text-right tabular-nums`}>{money(r.amount)}</td>
                    <td className={cell}>{r.payerReference ?? "—"}</td>
                    <td className={cell}>
                      <Refusal message={mine?.formError} params={mine?.formErrorParams} testId={`remittance-error-${r.number}`} />
                      <Form method="post" className="mb-2 flex flex-col gap-1">
                        <input type="hidden" name="id" value={r.id} />
                        <input name="voucher_number" maxLength={64} placeholder={t("settlement.recoveries.remittance.voucherNumber")} aria-label={t("settlement.recoveries.remittance.voucherNumber")} className={input} />
                        <FieldErrors field="voucher_number" messages={mine?.fieldErrors?.voucher_number} params={mine?.formErrorParams} />
                        <input name="remitted_on" type="date" max={page.today} aria-label={t("settlement.recoveries.remittance.remittedOn")} className={input} />
                        <FieldErrors field="remitted_on" messages={mine?.fieldErrors?.remitted_on} params={mine?.formErrorParams} />
                        <button type="submit" name="intent" value="confirm" className={button} disabled={busy} data-testid={`confirm-remittance-${r.number}`}>{t("settlement.recoveries.remittance.confirm")}</button>
                      </Form>
                      <Form method="post" className="flex flex-col gap-1">
                        <input type="hidden" name="id" value={r.id} />
                        <input name="reason" maxLength={500} placeholder={t("settlement.recoveries.remittance.reason")} aria-label={t("settlement.recoveries.remittance.reason")} className={input} />
                        <FieldErrors field="reason" messages={mine?.fieldErrors?.reason} params={mine?.formErrorParams} />
                        <button type="submit" name="intent" value="reject" className={quiet} disabled={busy} data-testid={`reject-remittance-${r.number}`}>{t("settlement.recoveries.remittance.reject")}</button>
                      </Form>
                    </td>
                  </tr>
                );
              })}
            </Table>
          )}
        </Card>
      ) : null}

      <Card title={t("settlement.recoveries.remittance.list.title")} testId="remittance-list">
        {page.remittances.length === 0 ? (
          <p className="text-sm text-slate-500">{t("settlement.recoveries.empty")}</p>
        ) : (
          <Table
            head={[
              t("settlement.recoveries.remittance.col.number"), t("settlement.recoveries.remittance.col.contract"), t("settlement.recoveries.remittance.col.method"),
              t("settlement.recoveries.remittance.col.amount"), t("settlement.recoveries.remittance.col.status"), t("settlement.recoveries.remittance.col.remittedOn"),
              t("settlement.recoveries.remittance.col.allocations"),
            ]}
          >
            {page.remittances.map((r) => (
              <tr key={r.id} data-testid={`remittance-row-${r.number}`}>
                <td className={`${cell} font-mono`}>{r.number}</td>
                <td className={cell}>{r.contractNumber}</td>
                <td className={cell}>{t(`settlement.recoveries.remittance.method.${r.method}` as MessageKey)}</td>
                <td className={`${cell} text-right tabular-nums`}>{money(r.amount)}</td>
                <td className={cell}>
                  <span data-testid={`remittance-status-${r.number}`} data-status={r.status}>
                    <Badge tone={tones[r.status] ?? "slate"}>{t(`settlement.recoveries.remittance.status.${r.status}` as MessageKey)}</Badge>
                  </span>
                  {r.rejectionReason ? <p className="mt-1 text-xs text-red-700">{r.rejectionReason}</p> : null}
                </td>
                <td className={cell}>{r.remittedOn ?? "—"}</td>
                <td className={cell}>
                  {r.allocations.length === 0 ? "—" : r.allocations.map((a) => <div key={`${a.recoveryId}-${a.remittedOn}`} className="text-xs">{a.recoveryNumber} {money(a.amount)}</div>)}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
