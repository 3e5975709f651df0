import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, Fact, PageTitle, Table, cell } from "~/components/page";
import { messageText } from "~/components/tender-form-errors";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, notFound, requirePermission } from "~/infra/auth.server";
import { defaultMaxBytes } from "~/infra/files.server";
import { formatCny, formatDateTime, type MessageKey, type Translate } from "~/infra/i18n";
import { formDataOf, readLimitedBody } from "~/infra/request-body.server";
import { redirectWithToast } from "~/infra/session.server";
import { agreementFormSchema, parseSchedule, paymentFormSchema, type ProblemMessage } from "~/services/custody/agreement-schemas";
import { AgreementRefused, agreementView, recordAgreement, recordAgreementPayment } from "~/services/custody/agreements.server";

/**
 * /custody/loans/{loanNumber}/agreements (custody:work): the custodian's repayment agreements for a
 * loan in custody (R5): what is owed, the longest schedule allowed and its latest due day, every
 * agreement with its instalments (missed ones flagged), payments and waiver; forms to record an
 * agreement (the schedule typed one instalment a line) and a payment. The department sees the page
 * read-only. Every refusal is the service's, shown per instalment ("第 3 期：…").
 */

/** Room for the form's fields and the signed agreement (PDF, PNG or JPEG) of the largest size. */
const maxBodyBytes = defaultMaxBytes + 64 * 1024;
const tooLarge = () => new UserError("files.tooLarge", { field: "document", params: { max: `${defaultMaxBytes / (1024 * 1024)} MB` }, status: 413 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:view");
  try {
    return await agreementView(user, params.loanNumber ?? "", new Date());
  } catch (error) {
    if (error instanceof UserError) throw error.status === 403 ? forbidden() : notFound();
    throw error;
  }
}

type Intent = "agreement" | "payment";
interface ActionResult {
  intent: Intent | null;
  target?: string;
  problems: ProblemMessage[];
  values: Record<string, string>;
}

const problem = (key: string, params: Record<string, string | number> = {}): ProblemMessage => ({ key, params });

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "custody:work");
  const loanNumber = params.loanNumber ?? "";
  const here = `/custody/loans/${encodeURIComponent(loanNumber)}/agreements`;
  const ctx = auditContextFor(request, user);
  let intent: Intent | null = null;
  let values: Record<string, string> = {};
  const refused = (problems: ProblemMessage[], status: number, target?: string) => data<ActionResult>({ intent, target, problems, values }, { status });
  try {
    const formData = await formDataOf(request, await readLimitedBody(request, maxBodyBytes, tooLarge));
    values = Object.fromEntries([...formData].filter((e): e is [string, string] => typeof e[1] === "string"));
    const raw = formData.get("intent");
    intent = raw === "agreement" || raw === "payment" ? raw : null;
    if (intent === "agreement") {
      const parsed = agreementFormSchema.safeParse(values);
      if (!parsed.success) return refused(parsed.error.issues.map((i) => problem(i.message)), 400);
      const schedule = parseSchedule(parsed.data.schedule);
      if (schedule.problems.length) return refused(schedule.problems, 400);
      const file = formData.get("document");
      let documentFile: { bytes: Uint8Array; originalName: string } | null = null;
      if (file instanceof File && file.size > 0) {
        if (file.size > defaultMaxBytes) throw tooLarge();
        documentFile = { bytes: new Uint8Array(await file.arrayBuffer()), originalName: file.name };
      }
      const recorded = await recordAgreement(ctx, user, loanNumber, { signedOn: parsed.data.signed_on, instalments: schedule.instalments, reason: parsed.data.reason, documentFile }, new Date());
      return redirectWithToast(here, { kind: "success", key: recorded.waiver ? "custodyAgreements.toast.recordedPending" : "custodyAgreements.toast.recorded" });
    }
    if (intent === "payment") {
      const parsed = paymentFormSchema.safeParse(values);
      if (!parsed.success) return refused(parsed.error.issues.map((i) => problem(i.message)), 400, values.agreement_id);
      await recordAgreementPayment(ctx, user, parsed.data.agreement_id, { paidOn: parsed.data.paid_on, amount: parsed.data.amount }, new Date());
      return redirectWithToast(here, { kind: "success", key: "custodyAgreements.toast.paymentRecorded" });
    }
    return refused([problem("form.invalidChoice")], 400);
  } catch (error) {
    if (error instanceof AgreementRefused) return refused(error.problems, error.status);
    if (error instanceof UserError) return refused([problem(error.key, error.options.params)], error.status, intent === "payment" ? values.agreement_id : undefined);
    throw error;
  }
}

// ---- the page ----------------------------------------------------------------------------------

type Data = Awaited<ReturnType<typeof loader>>;
type Agreement = Data["agreements"][number];

const button = "rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60";
const input = "rounded border border-slate-300 px-2 py-1 text-sm";

const statusTones: Record<string, "green" | "amber" | "red" | "slate"> = { ACTIVE: "green", PENDING_WAIVER: "amber", WAIVER_REJECTED: "red", SUPERSEDED: "slate" };
const statusLabel = (t: Translate, status: string) => t(`custodyAgreements.status.${status}` as MessageKey);

function Problems({ problems, testId }: { problems: ProblemMessage[]; testId: string }) {
  const t = useT();
  if (!problems.length) return null;
  return (
    <ul className="mb-4 list-disc rounded border border-red-300 bg-red-50 p-3 pl-6 text-sm text-red-800" role="alert" data-testid={testId}>
      {problems.map((p, i) => (
        <li key={i}>{messageText(t, p.key, p.params)}</li>
      ))}
    </ul>
  );
}

function WaiverStatus({ agreement }: { agreement: Agreement }) {
  const t = useT();
  const locale = useLocale();
  const w = agreement.waiver;
  if (!w) return null;
  const money = (fen: bigint) => formatCny(locale, fen);
  const tone = w.status === "APPROVED" ? "green" : w.status === "REJECTED" ? "red" : "amber";
  return (
    <div className="mb-3 rounded border border-slate-200 p-3 text-sm">
      <p className="font-medium">{t("custodyAgreements.page.waiver")}：{t("custodyAgreements.page.waiverAmounts", { principal: money(w.principal), interest: money(w.interest) })}</p>
      <p data-testid="waiver-status" data-status={w.status}>
        <Badge tone={tone}>{t(`custodyAgreements.waiverStatus.${w.status}` as MessageKey, { decidedAt: formatDateTime(locale, w.decidedAt) })}</Badge>
      </p>
      <p className="mt-1 text-slate-600">{t("custodyAgreements.page.reason")}：{w.reason}</p>
      {w.decisionNote ? <p className="text-slate-600">{t("custodyAgreements.page.decisionNote")}：{w.decisionNote}</p> : null}
    </div>
  );
}

function PaymentForm({ agreement, result }: { agreement: Agreement; result: ActionResult | undefined }) {
  const t = useT();
  const busy = useNavigation().state === "submitting";
  const mine = result?.intent === "payment" && result.target === agreement.id ? result : undefined;
  return (
    <Form method="post" encType="multipart/form-data" className="mt-3 flex flex-wrap items-end gap-3" data-testid="payment-form">
      <input type="hidden" name="intent" value="payment" />
      <input type="hidden" name="agreement_id" value={agreement.id} />
      <label className="text-sm">
        <span className="mb-1 block text-slate-600">{t("custodyAgreements.payment.paidOn")}</span>
        <input type="date" name="paid_on" required className={input} defaultValue={mine?.values.paid_on} data-testid="payment-paid-on" />
      </label>
      <label className="text-sm">
        <span className="mb-1 block text-slate-600">{t("custodyAgreements.payment.amount")}</span>
        <input type="text" name="amount" inputMode="decimal" required className={input} defaultValue={mine?.values.amount} data-testid="payment-amount" />
      </label>
      <button type="submit" className={button} disabled={busy} data-testid="payment-submit">{t("custodyAgreements.payment.submit")}</button>
      {mine ? <div className="w-full"><Problems problems={mine.problems} testId="payment-error" /></div> : null}
    </Form>
  );
}

function AgreementCard({ agreement, page, result }: { agreement: Agreement; page: Data; result: ActionResult | undefined }) {
  const t = useT();
  const locale = useLocale();
  const money = (fen: bigint) => formatCny(locale, fen);
  const standing = agreement.status === "ACTIVE" || agreement.status === "PENDING_WAIVER";
  return (
    <Card
      title={
        <span className="flex items-center gap-3">
          {t("custodyAgreements.page.agreement", { signedOn: agreement.signedOn })}
          <span data-testid="agreement-status"><Badge tone={statusTones[agreement.status] ?? "slate"}>{statusLabel(t, agreement.status)}</Badge></span>
        </span>
      }
      testId="agreement"
    >
      <dl className="mb-4 grid gap-x-6 gap-y-3 text-sm md:grid-cols-4">
        <Fact label={t("custodyAgreements.page.outstandingAtSigning")}>{money(agreement.outstanding.principal)} / {money(agreement.outstanding.interest)}</Fact>
        <Fact label={t("custodyAgreements.page.scheduled")}>{money(agreement.scheduled.principal)} / {money(agreement.scheduled.interest)}</Fact>
        <Fact label={t("custodyAgreements.page.lastDueOn")}>{agreement.lastDueOn}</Fact>
        <Fact label={t("custodyAgreements.page.paidToDate")}>{money(agreement.paidToDate)}</Fact>
      </dl>
      <WaiverStatus agreement={agreement} />
      <Table
        head={[t("custodyAgreements.page.col.position"), t("custodyAgreements.page.col.dueOn"), t("custodyAgreements.page.col.principal"), t("custodyAgreements.page.col.interest"), t("custodyAgreements.page.col.state")]}
        testId="agreement-instalments"
      >
        {agreement.instalments.map((i) => (
          <tr key={i.position} data-testid="instalment-row" data-missed={i.missedShort !== null ? "true" : undefined} className={i.missedShort !== null ? "bg-red-50" : undefined}>
            <td className={cell}>{i.position}</td>
            <td className={cell}>{i.dueOn}</td>
            <td className={cell}>{money(i.principal)}</td>
            <td className={cell}>{money(i.interest)}</td>
            <td className={cell}>{i.missedShort !== null ? <Badge tone="red">{t("custodyAgreements.page.missed", { short: money(i.missedShort) })}</Badge> : null}</td>
          </tr>
        ))}
      </Table>
      <h3 className="mb-2 mt-4 font-medium">{t("custodyAgreements.page.payments")}</h3>
      {agreement.payments.length === 0 ? (
        <p className="text-sm text-slate-500">{t("custodyAgreements.page.noPayments")}</p>
      ) : (
        <ul className="text-sm" data-testid="agreement-payments">
          {agreement.payments.map((p) => (
            <li key={p.id} data-testid="payment-row">{p.paidOn} · {money(p.amount)}</li>
          ))}
        </ul>
      )}
      {page.canRecordPayment && standing ? <PaymentForm agreement={agreement} result={result} /> : null}
    </Card>
  );
}

function RecordForm({ page, result }: { page: Data; result: ActionResult | undefined }) {
  const t = useT();
  const busy = useNavigation().state === "submitting";
  const mine = result?.intent === "agreement" ? result : undefined;
  if (!page.canRecordPayment) return null; // the department reads only
  if (!page.canRecord) {
    return (
      <Card title={t("custodyAgreements.form.title")}>
        <p className="text-sm text-amber-800">{t("custodyAgreements.form.pendingDecision")}</p>
      </Card>
    );
  }
  return (
    <Card title={t("custodyAgreements.form.title")} testId="agreement-form">
      <Problems problems={mine?.problems ?? []} testId="agreement-error" />
      <Form method="post" encType="multipart/form-data" className="grid gap-4">
        <input type="hidden" name="intent" value="agreement" />
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">{t("custodyAgreements.form.signedOn")}</span>
          <input type="date" name="signed_on" required max={page.today} min={page.contract.custodyStartsOn ?? undefined} defaultValue={mine?.values.signed_on ?? page.today} className={input} data-testid="agreement-signed-on" />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">{t("custodyAgreements.form.schedule")}</span>
          <textarea
            name="schedule"
            rows={8}
            required
            className={`${input} w-full font-mono`}
            placeholder="2027-01-15 10000 500"
            defaultValue={mine?.values.schedule}
            data-testid="agreement-schedule"
          />
          <span className="mt-1 block text-slate-500">{t("custodyAgreements.form.scheduleHint")}</span>
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">{t("custodyAgreements.form.reason")}</span>
          <textarea name="reason" rows={2} maxLength={500} className={`${input} w-full`} defaultValue={mine?.values.reason} data-testid="agreement-reason" />
        </label>
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-700">PDF / PNG / JPEG</span>
          <input type="file" name="document" accept="application/pdf,image/png,image/jpeg" data-testid="agreement-document" />
        </label>
        <div>
          <button type="submit" className={button} disabled={busy} data-testid="agreement-submit">{t("custodyAgreements.form.submit")}</button>
        </div>
      </Form>
    </Card>
  );
}

export default function CustodyLoanAgreements() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <div>
      <PageTitle actions={<Link to={`/custody/loans/${encodeURIComponent(page.loan.loanNumber)}`} className="text-sm text-blue-700 hover:underline">{t("custodyAgreements.page.back")}</Link>}>
        {t("custodyAgreements.page.title", { loanNumber: page.loan.loanNumber })}
      </PageTitle>
      {page.missedCount > 0 ? (
        <div className="mb-4 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="status" data-testid="instalment-missed">
          {t("custodyAgreements.page.missedBanner", { count: page.missedCount })}
        </div>
      ) : null}
      <Card>
        <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-3">
          <Fact label={t("custodyAgreements.page.contract")}>
            <Link to={`/contracts/${page.contract.id}`} className="text-blue-700 hover:underline">{page.contract.number}</Link>
          </Fact>
          <Fact label={t("custodyAgreements.page.outstandingPrincipal")} testId="agreement-outstanding-principal" emphasis>{money(page.outstanding.principal)}</Fact>
          <Fact label={t("custodyAgreements.page.outstandingInterest")} testId="agreement-outstanding-interest" emphasis>{money(page.outstanding.interest)}</Fact>
          {page.waived.principal > 0n || page.waived.interest > 0n ? (
            <Fact label={t("custodyAgreements.page.waived")}>{t("custodyAgreements.page.waiverAmounts", { principal: money(page.waived.principal), interest: money(page.waived.interest) })}</Fact>
          ) : null}
          <Fact label={t("custodyAgreements.page.maxMonths")} testId="agreement-max-months">{t("custodyAgreements.page.months", { months: page.maxMonths })}</Fact>
          <Fact label={t("custodyAgreements.page.latestDueOn")} testId="agreement-latest-due">{page.latestDueOn}</Fact>
        </dl>
      </Card>
      <RecordForm page={page} result={result} />
      {page.agreements.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="agreements-empty">{t("custodyAgreements.page.none")}</p>
      ) : (
        page.agreements.map((a) => <AgreementCard key={a.id} agreement={a} page={page} result={result} />)
      )}
    </div>
  );
}
