import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { FieldError, FormError, SubmitButton, useSchemaForm, type ActionFormState } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { DifficultyStatusBadge, enumLabel } from "~/components/loan-book";
import { LimitationPanel, expiryBadge } from "~/components/loan-limitation";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { difficulties, difficultyReasons } from "~/domain/loan";
import { runForm, userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, notFound, requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, isMessageKey, translateError, type MessageKey, type Translate } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { decideDifficulty } from "~/services/loans/difficulty.server";
import { loanStatement } from "~/services/loans/loan-book.server";
import { difficultyDecisionSchema } from "~/services/loans/loan-book-schemas";
import { loadLimitationPanel } from "~/services/loans/limitation.server";
import { unmaskLoan, type UnmaskedLoan } from "~/services/loans/unmask.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:view");
  try {
    const statement = await loanStatement(user, params.loanNumber ?? "");
    const limitation = await loadLimitationPanel(user, statement.loan.id);
    return { statement, limitation };
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    throw error;
  }
}

type ActionResult = ActionFormState & { unmasked?: UnmaskedLoan; unmaskError?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "loans:view");
  const loanNumber = params.loanNumber ?? "";
  const here = `/loans/${encodeURIComponent(loanNumber)}`;
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "unmask") {
    try {
      // Shown once in place, never stored: the response is not to be cached anywhere.
      const unmasked = await unmaskLoan(auditContextFor(request, user), user, loanNumber);
      return data<ActionResult>({ unmasked }, { headers: { "Cache-Control": "no-store" } });
    } catch (error) {
      if (error instanceof UserError) return data<ActionResult>({ unmaskError: error.key }, { status: error.status });
      throw error;
    }
  }
  if (intent === "difficulty") {
    if (!can(user.roles, "loans:manage")) throw forbidden();
    try {
      return await runForm(formData, difficultyDecisionSchema, async (input) => {
        await decideDifficulty(auditContextFor(request, user), user, loanNumber, input);
        return redirectWithToast(here, { kind: "success", key: input.decision === "confirm" ? "loans.difficulty.confirmed" : "loans.difficulty.overridden" });
      });
    } catch (error) {
      if (error instanceof UserError) return data<ActionResult>(userErrorState(error), { status: error.status });
      throw error;
    }
  }
  return data<ActionResult>({ formError: "form.invalidChoice" }, { status: 400 });
}

function Pair({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <th className="w-36 border border-slate-300 bg-slate-50 px-3 py-2 text-left font-medium text-slate-600">{label}</th>
      <td className="border border-slate-300 px-3 py-2" data-testid={testId}>{children}</td>
    </>
  );
}

function Section({ title }: { title: string }) {
  return (
    <tr>
      <th colSpan={4} className="border border-slate-300 bg-slate-100 px-3 py-1.5 text-left text-sm font-semibold">{title}</th>
    </tr>
  );
}

const day = (t: Translate, d: string | null) => d ?? t("common.none");

/** A history value: enumerated values by their label, everything else as written. */
const enumGroups: Record<string, string> = {
  borrowerType: "borrowerType", fiveTier: "fiveTier", termClass: "termClass", balanceSheet: "balanceSheet", collateral: "collateral",
  litigation: "litigation", difficulty: "difficulty", suggestedDifficulty: "difficulty", difficultyReason: "difficultyReason",
  difficultyStatus: "difficultyStatus", status: "status",
};
function historyValue(t: Translate, field: string, value: string | null): string {
  if (value === null) return t("common.none");
  const group = enumGroups[field];
  const key = group ? `loans.${group}.${value}` : "";
  return key && isMessageKey(key) ? t(key) : value;
}
const fieldLabel = (t: Translate, field: string) => (isMessageKey(`loans.field.${field}`) ? t(`loans.field.${field}` as MessageKey) : field);
const kindLabel = (t: Translate, kind: string) => (isMessageKey(`loans.changeKind.${kind}`) ? t(`loans.changeKind.${kind}` as MessageKey) : kind);

function DifficultyForm({ loan, state }: { loan: { difficulty: string; difficultyReason: string | null; difficultyStatus: string }; state?: ActionFormState }) {
  const t = useT();
  const { errors, onSubmit, value } = useSchemaForm(difficultyDecisionSchema, state);
  const canConfirm = loan.difficultyStatus === "SUGGESTED" || loan.difficultyStatus === "TAPE";
  const decision = value("decision", canConfirm ? "confirm" : "override");
  const select = "w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm";
  return (
    <Form method="post" onSubmit={onSubmit} noValidate data-testid="difficulty-form" className="max-w-xl">
      <input type="hidden" name="intent" value="difficulty" />
      <FormError state={state} />
      <fieldset className="mb-4">
        <legend className="mb-1 text-sm font-medium text-slate-700">{t("loans.difficulty.decision")}</legend>
        <label className="mr-6 inline-flex items-center gap-2 text-sm">
          <input type="radio" name="decision" value="confirm" defaultChecked={decision === "confirm"} disabled={!canConfirm} data-testid="decision-confirm" />
          {t("loans.difficulty.confirm", { difficulty: enumLabel(t, "difficulty", loan.difficulty) })}
        </label>
        <label className="inline-flex items-center gap-2 text-sm">
          <input type="radio" name="decision" value="override" defaultChecked={decision === "override"} data-testid="decision-override" />
          {t("loans.difficulty.override")}
        </label>
        <FieldError messages={errors.decision} />
      </fieldset>
      <div className="mb-4 grid gap-4 md:grid-cols-2">
        <label className="block text-sm font-medium text-slate-700">
          {t("loans.difficulty.newClass")}
          <select name="difficulty" defaultValue={value("difficulty", "")} className={select} aria-invalid={errors.difficulty ? true : undefined}>
            <option value="">{t("loans.difficulty.chooseClass")}</option>
            {difficulties.map((d) => <option key={d} value={d}>{enumLabel(t, "difficulty", d)}</option>)}
          </select>
          <FieldError messages={errors.difficulty} />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          {t("loans.field.difficultyReason")}
          <select name="reason" defaultValue={value("reason", loan.difficultyReason ?? "")} className={select} aria-invalid={errors.reason ? true : undefined}>
            <option value="">{t("common.none")}</option>
            {difficultyReasons.map((r) => <option key={r} value={r}>{enumLabel(t, "difficultyReason", r)}</option>)}
          </select>
          <FieldError messages={errors.reason} />
        </label>
      </div>
      <label className="mb-4 block text-sm font-medium text-slate-700">
        {t("loans.difficulty.note")}
        <textarea name="note" rows={3} defaultValue={value("note", "")} className="w-full rounded border border-slate-300 px-3 py-2 text-sm" aria-invalid={errors.note ? true : undefined} />
        <span className="block text-xs font-normal text-slate-500">{t("loans.difficulty.noteHint")}</span>
        <FieldError messages={errors.note} />
      </label>
      <SubmitButton>{t("loans.difficulty.submit")}</SubmitButton>
    </Form>
  );
}

export default function LoanPage() {
  const t = useT();
  const locale = useLocale();
  const { statement, limitation } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { loan, price, history } = statement;
  const unmasked = actionData?.unmasked?.loanNumber === loan.loanNumber ? actionData.unmasked : null;
  const formState = actionData && !actionData.unmasked && !actionData.unmaskError ? actionData : undefined;
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <>
      <PageTitle
        actions={
          <Link to="/loans" className="text-sm text-blue-700 hover:underline">{t("loans.back")}</Link>
        }
      >
        {t("loans.page.title", { loanNumber: loan.loanNumber })}
      </PageTitle>

      <Card testId="statement">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-lg font-semibold">{t("loans.statement.title")}</h2>
          {statement.canUnmask && !unmasked ? (
            <Form method="post">
              <input type="hidden" name="intent" value="unmask" />
              <button type="submit" className="rounded border border-amber-400 bg-amber-50 px-3 py-1.5 text-sm text-amber-900" data-testid="unmask-button">
                {t("loans.unmask.button")}
              </button>
            </Form>
          ) : null}
        </div>
        {unmasked ? (
          <p className="mb-3 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900" role="status" data-testid="unmasked-notice">{t("loans.unmask.logged")}</p>
        ) : (
          <p className="mb-3 text-xs text-slate-500">{t("loans.unmask.hint")}</p>
        )}
        {actionData?.unmaskError ? (
          <p className="mb-3 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800" role="alert">{translateError(t, actionData.unmaskError)}</p>
        ) : null}
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm">
            <tbody>
              <Section title={t("loans.statement.borrower")} />
              <tr>
                <Pair label={t("loans.field.borrowerName")} testId={unmasked ? "unmasked-name" : "borrower-name"}>{unmasked?.borrowerName ?? loan.borrowerName}</Pair>
                <Pair label={t("loans.field.borrowerType")}>{enumLabel(t, "borrowerType", loan.borrowerType)}</Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.borrowerIdNumber")} testId={unmasked ? "unmasked-id" : "masked-id"}>
                  <span className="font-mono">{unmasked?.borrowerIdNumber ?? loan.borrowerIdMasked}</span>
                </Pair>
                <Pair label={t("loans.field.phone")} testId={unmasked ? "unmasked-phone" : "masked-phone"}>
                  <span className="font-mono">{(unmasked ? unmasked.phone : loan.phoneMasked) ?? t("common.none")}</span>
                </Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.collateral")}>{enumLabel(t, "collateral", loan.collateral)}</Pair>
                <Pair label={t("loans.field.guarantorName")} testId={unmasked ? "unmasked-guarantor" : "guarantor-name"}>
                  {(unmasked ? unmasked.guarantorName : loan.guarantorName) ?? t("common.none")}
                </Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.branch")}>{loan.branch.name}（{loan.branch.code}）</Pair>
                <Pair label={t("loans.field.region")}>{loan.region}</Pair>
              </tr>

              <Section title={t("loans.statement.amount")} />
              <tr>
                <Pair label={t("loans.field.principal")} testId="principal">{money(loan.principal)}</Pair>
                <Pair label={t("loans.field.claim")}>
                  {money(loan.claim)} <span className="text-xs text-slate-500">{t(`loans.claimBasis.${statement.claimBasis === "principal" ? "principal" : "principalAndInterest"}`)}</span>
                </Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.interestOnBalance")}>{money(loan.interestOnBalance)}</Pair>
                <Pair label={t("loans.field.interestOffBalance")}>{money(loan.interestOffBalance)}</Pair>
              </tr>

              <Section title={t("loans.statement.term")} />
              <tr>
                <Pair label={t("loans.field.disbursedOn")}>{loan.disbursedOn}</Pair>
                <Pair label={t("loans.field.maturesOn")}>{loan.maturesOn}</Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.extendedMaturity")}>{day(t, loan.extendedMaturity)}</Pair>
                <Pair label={t("loans.field.lastPaymentOn")}>{day(t, loan.lastPaymentOn)}</Pair>
              </tr>
              <tr>
                <Pair label={t("loans.statement.lastNotice")}>{day(t, loan.lastInterruptionOn)}</Pair>
                <Pair label={t("loans.field.limitationExpiresOn")}>
                  {loan.limitationExpiresOn} {expiryBadge(t, { daysLeft: loan.daysLeft, bucket: loan.limitationBucket, lapsed: loan.lapsed })}
                </Pair>
              </tr>

              <Section title={t("loans.statement.classification")} />
              <tr>
                <Pair label={t("loans.field.fiveTier")}>{enumLabel(t, "fiveTier", loan.fiveTier)}</Pair>
                <Pair label={t("loans.field.termClass")}>{enumLabel(t, "termClass", loan.termClass)}</Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.balanceSheet")}>{enumLabel(t, "balanceSheet", loan.balanceSheet)}</Pair>
                <Pair label={t("loans.field.writtenOff")}>{t(loan.writtenOff ? "common.yes" : "common.no")}</Pair>
              </tr>

              <Section title={t("loans.statement.recovery")} />
              <tr>
                <Pair label={t("loans.field.litigation")}>{enumLabel(t, "litigation", loan.litigation)}</Pair>
                <Pair label={t("loans.statement.currentStatus")}>{enumLabel(t, "status", loan.status)}</Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.difficulty")} testId="difficulty">
                  {enumLabel(t, "difficulty", loan.difficulty)} <DifficultyStatusBadge t={t} status={loan.difficultyStatus} />
                  {loan.difficultyStatus === "SUGGESTED" || loan.suggestedDifficulty !== loan.difficulty ? (
                    <span className="block text-xs text-slate-500">{t("loans.difficulty.suggestedIs", { difficulty: enumLabel(t, "difficulty", loan.suggestedDifficulty) })}</span>
                  ) : null}
                  {loan.difficultyDecidedBy && loan.difficultyDecidedAt ? (
                    <span className="block text-xs text-slate-500">{t("loans.difficulty.decidedBy", { name: loan.difficultyDecidedBy, time: formatDateTime(locale, loan.difficultyDecidedAt) })}</span>
                  ) : null}
                  {loan.difficultyNote ? <span className="block text-xs text-slate-600">{loan.difficultyNote}</span> : null}
                </Pair>
                <Pair label={t("loans.field.difficultyReason")}>{enumLabel(t, "difficultyReason", loan.difficultyReason)}</Pair>
              </tr>
              <tr>
                <Pair label={t("loans.field.officer")}>{loan.officerStaffNumber ?? t("common.none")}</Pair>
                <Pair label={t("loans.field.price")} testId="price">{loan.price === null ? t("loans.price.none") : money(loan.price)}</Pair>
              </tr>
            </tbody>
          </table>
        </div>
      </Card>

      <Card title={t("loans.price.title")} testId="price-card">
        {price ? (
          <dl className="grid gap-x-6 gap-y-2 text-sm md:grid-cols-3">
            <div><dt className="text-slate-500">{t("loans.price.inForce")}</dt><dd className="text-lg font-semibold">{price.inForce === null ? t("common.none") : money(price.inForce)}</dd></div>
            <div>
              <dt className="text-slate-500">{t("loans.price.run")}</dt>
              <dd>
                {statement.canManage ? (
                  <Link to={`/pricing/${price.run.number}`} className="text-blue-700 hover:underline">{t("loans.price.runNumber", { number: price.run.number })}</Link>
                ) : (
                  t("loans.price.runNumber", { number: price.run.number })
                )}{" "}
                {t("loans.price.runDetail", { date: price.run.pricingDate, version: price.run.settingsVersion })}
              </dd>
            </div>
            <div>
              <dt className="text-slate-500">{t("loans.price.computed")}</dt>
              <dd>
                {t("loans.price.formula", {
                  claim: money(price.computed.claim),
                  ratio: price.computed.ratio,
                  price: money(price.computed.price),
                  age: price.computed.ageYears,
                  difficulty: enumLabel(t, "difficulty", price.computed.difficulty),
                })}
              </dd>
            </div>
            {price.override ? (
              <div className="md:col-span-3">
                <dt className="text-slate-500">{t("loans.price.override")}</dt>
                <dd>{t("loans.price.overrideDetail", { price: money(price.override.price), reason: price.override.reason, name: price.override.by ?? t("common.none"), time: formatDateTime(locale, price.override.at) })}</dd>
              </div>
            ) : null}
          </dl>
        ) : (
          <p className="text-sm text-slate-500">{t("loans.price.none")}</p>
        )}
      </Card>

      {statement.canManage ? (
        <Card title={t("loans.difficulty.title")}>
          <DifficultyForm loan={loan} state={formState} />
        </Card>
      ) : null}

      <LimitationPanel data={limitation} />

      <Card title={t("loans.history.title")} testId="history">
        <Table head={[t("loans.history.time"), t("loans.history.kind"), t("loans.history.actor"), t("loans.history.changes")]}>
          {history.map((h) => (
            <tr key={h.id} data-testid="history-row">
              <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, h.at)}</td>
              <td className={cell}>{kindLabel(t, h.kind)}</td>
              <td className={cell}>{h.actor ?? t("loans.history.system")}</td>
              <td className={cell}>
                <ul className="space-y-0.5">
                  {h.changes.map((c) => (
                    <li key={c.field}>
                      <span className="text-slate-500">{fieldLabel(t, c.field)}：</span>
                      {historyValue(t, c.field, c.before)} → {historyValue(t, c.field, c.after)}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </Table>
        {history.length === 0 ? <p className="py-3 text-sm text-slate-500">{t("loans.history.none")}</p> : null}
      </Card>
    </>
  );
}
