import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, type ShouldRevalidateFunction } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { FieldError, FormError, type ActionFormState } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { parseForm } from "~/infra/forms";
import { formatCny, formatDateTime, isMessageKey, type Locale, type Translate } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { confirmOfflineRefundSchema } from "~/services/tenders/award-schemas";
import { depositDesk, deskDeposit, recentLimit, type DeskBidder, type DeskTender } from "~/services/tenders/deposit-desk.server";
import { declaredTopUps } from "~/services/custody/deposit-topup.server";
import { confirmOfflineRefund } from "~/services/tenders/refunds.server";
import { confirmOfflineDeposit } from "~/services/tenders/registration.server";
import { confirmOfflineDepositSchema } from "~/services/tenders/tender-schemas";

/**
 * /deposits — the finance desk for bid deposits (settlement:finance): confirm declared offline
 * deposits and offline refunds with a voucher number; Stripe money in flight and the latest
 * confirmations for reference.
 */

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:finance");
  const [desk, topUps] = await Promise.all([depositDesk(user), declaredTopUps(user)]);
  return { ...desk, topUps, recentLimit };
}

const intents = ["confirm-deposit", "confirm-refund"] as const;
type Intent = (typeof intents)[number];
type ActionResult = ActionFormState & { intent: Intent | null; depositId: string | null };

/** Which deposit a form is about (the voucher is checked by each confirmation's own schema). */
const targetSchema = z.object({
  intent: z.enum(intents, { error: "form.invalidChoice" }),
  deposit_id: z.string({ error: "auction.deposit.notFound" }).trim().min(1, { error: "auction.deposit.notFound" }).max(64, { error: "auction.deposit.notFound" }),
});

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "settlement:finance");
  const ctx = auditContextFor(request, user);
  const formData = await request.formData();
  const rawIntent = formData.get("intent");
  const rawId = formData.get("deposit_id");
  const intent = intents.find((i) => i === rawIntent) ?? null;
  const depositId = typeof rawId === "string" && rawId.trim() ? rawId.trim() : null;
  const refused = (state: ActionFormState, status: number) => data<ActionResult>({ ...state, intent, depositId }, { status });

  const target = parseForm(targetSchema, formData);
  if (!target.ok) {
    const formError = target.fieldErrors.intent?.[0] ?? target.fieldErrors.deposit_id?.[0] ?? "form.invalidChoice";
    return refused({ formError, values: target.values }, 400);
  }
  const id = target.data.deposit_id;
  const values = target.values;
  try {
    if (target.data.intent === "confirm-deposit") {
      const parsed = parseForm(confirmOfflineDepositSchema, formData);
      if (!parsed.ok) return refused({ fieldErrors: { voucher_number: parsed.fieldErrors.voucher_number ?? [] }, values }, 400);
      const confirmed = await confirmOfflineDeposit(ctx, user, id, parsed.data);
      return redirectWithToast("/deposits", {
        kind: "success", key: "depositDesk.toast.depositConfirmed",
        params: await toastParams(user, id, confirmed.amount, confirmed.voucherNumber ?? parsed.data.voucher_number),
      });
    }
    const parsed = confirmOfflineRefundSchema.safeParse({ voucher: formData.get("voucher_number") ?? undefined });
    if (!parsed.success) return refused({ fieldErrors: { voucher_number: parsed.error.issues.map((i) => i.message) }, values }, 400);
    const refunded = await confirmOfflineRefund(ctx, user, id, parsed.data.voucher);
    return redirectWithToast("/deposits", {
      kind: "success", key: "depositDesk.toast.refundConfirmed",
      params: await toastParams(user, id, refunded.amount, refunded.refundVoucher ?? parsed.data.voucher),
    });
  } catch (error) {
    if (error instanceof UserError) {
      // A refusal about the voucher stays next to its input; any other refusal is the row's (or the page's) message.
      const field = error.options.field;
      return field === "voucher_number" || field === "voucher"
        ? refused({ fieldErrors: { voucher_number: [error.key] }, formErrorParams: error.options.params, values }, error.status)
        : refused({ formError: error.key, formErrorParams: error.options.params, values }, error.status);
    }
    throw error;
  }
}

/**
 * A refusal because the deposit moved meanwhile (confirmed by a colleague, gone) reloads the desk, so
 * the stale row disappears and the message shows at the top; other refusals keep the page as it is.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus === 404 || actionStatus === 409 ? true : defaultShouldRevalidate;

async function toastParams(user: { roles: string[]; locale: Locale }, depositId: string, amount: bigint, voucher: string) {
  const row = await deskDeposit(user, depositId);
  return { bidder: row ? bidderText(row.bidder) : "", amount: formatCny(user.locale, amount), voucher };
}

/** The bidder in one line: 王明（S2001）, or the agency's name. */
function bidderText(bidder: DeskBidder): string {
  return bidder.kind === "STAFF" && bidder.staffNumber ? `${bidder.name}（${bidder.staffNumber}）` : bidder.name;
}

function label(t: Translate, key: string, fallback: string): string {
  return isMessageKey(key) ? t(key) : fallback;
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Row = Data["pendingDeposits"][number];

function TenderCell({ tender }: { tender: DeskTender }) {
  return (
    <td className={cell}>
      <Link to={`/tenders/${encodeURIComponent(tender.id)}`} className="whitespace-nowrap text-blue-700 hover:underline" data-testid="tender-link">
        {tender.number ?? tender.title}
      </Link>
      <span className="block text-xs text-slate-500">{tender.title}</span>
    </td>
  );
}

function BidderCell({ bidder }: { bidder: DeskBidder }) {
  const t = useT();
  return (
    <td className={cell} data-testid="bidder-name">
      <span className="font-medium">{bidder.name}</span>
      {bidder.kind === "STAFF" && bidder.staffNumber ? (
        <span className="ml-1 text-slate-600">{t("depositDesk.bidder.staffNumber", { number: bidder.staffNumber })}</span>
      ) : null}
      <span className="block text-xs text-slate-500">
        {t(bidder.kind === "AGENCY" ? "depositDesk.bidder.kind.AGENCY" : "depositDesk.bidder.kind.STAFF")}
        {bidder.kind === "AGENCY" && bidder.contactName ? ` · ${t("depositDesk.bidder.agencyContact", { name: bidder.contactName })}` : null}
      </span>
    </td>
  );
}

/** The action's answer when it was about this deposit (and this intent). */
function useMine(intent: Intent, depositId: string): ActionResult | undefined {
  const actionData = useActionData<typeof action>();
  if (!actionData || actionData.intent !== intent || actionData.depositId !== depositId) return undefined;
  return actionData;
}

function ConfirmForm({ row, intent }: { row: Row; intent: Intent }) {
  const t = useT();
  const navigation = useNavigation();
  const mine = useMine(intent, row.id);
  const refund = intent === "confirm-refund";
  const busy = navigation.state !== "idle" && navigation.formData?.get("deposit_id") === row.id && navigation.formData?.get("intent") === intent;
  const inputId = `voucher-${intent}-${row.id}`;
  const errors = mine?.fieldErrors?.voucher_number?.length ? mine.fieldErrors.voucher_number : undefined;
  return (
    <Form method="post" className="min-w-[16rem]" data-testid={refund ? "confirm-refund" : "confirm-deposit"}>
      <FormError state={mine && !mine.fieldErrors ? mine : undefined} />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="deposit_id" value={row.id} />
      <label htmlFor={inputId} className="sr-only">{t(refund ? "depositDesk.voucher.refundLabel" : "depositDesk.voucher.label")}</label>
      <div className="flex flex-wrap items-start gap-2">
        <input
          id={inputId} name="voucher_number" maxLength={64} autoComplete="off"
          defaultValue={typeof mine?.values?.voucher_number === "string" ? mine.values.voucher_number : undefined}
          placeholder={t(refund ? "depositDesk.voucher.refundLabel" : "depositDesk.voucher.label")}
          title={t("depositDesk.voucher.placeholder")}
          aria-invalid={errors ? true : undefined} aria-describedby={errors ? `${inputId}-error` : undefined}
          className="w-44 rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500"
          data-testid={refund ? "refund-voucher-number" : "voucher-number"}
        />
        <button
          type="submit" disabled={busy}
          className="whitespace-nowrap rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60"
          data-testid={refund ? "confirm-refund-submit" : "confirm-deposit-submit"}
        >
          {t(refund ? "depositDesk.confirmRefund" : "depositDesk.confirmDeposit")}
        </button>
      </div>
      <FieldError messages={errors} id={`${inputId}-error`} />
    </Form>
  );
}

function More({ shown, total }: { shown: number; total: number }) {
  const t = useT();
  if (total <= shown) return null;
  return <p className="mt-3 text-sm text-amber-800">{t("depositDesk.more", { shown, total })}</p>;
}

function Empty({ children }: { children: ReactNode }) {
  return <p className="py-3 text-sm text-slate-500">{children}</p>;
}

const statusTones: Record<string, "slate" | "green" | "red" | "amber" | "blue"> = {
  AWAITING_PAYMENT: "amber", DECLARED: "amber", CONFIRMED: "green", FAILED: "red", REFUND_PENDING: "blue",
  REFUNDED: "slate", FORFEITED: "red", CREDITED: "green",
};

function StatusBadge({ status }: { status: string }) {
  const t = useT();
  return (
    <Badge tone={statusTones[status] ?? "slate"}>
      <span data-testid="deposit-status" data-status={status}>{label(t, `depositDesk.status.${status}`, status)}</span>
    </Badge>
  );
}

export default function DepositDeskPage() {
  const t = useT();
  const locale = useLocale();
  const desk = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const money = (fen: bigint) => formatCny(locale, fen);
  const method = (m: string) => label(t, `depositDesk.method.${m}`, m);
  // A refusal for a deposit no longer on the desk (confirmed meanwhile, or a stale page) shows at the top.
  const onDesk = (id: string | null) =>
    id !== null && (actionData?.intent === "confirm-refund" ? desk.pendingRefunds : desk.pendingDeposits).some((d) => d.id === id);
  const orphan = actionData && !onDesk(actionData.depositId) ? actionData : undefined;
  const orphanState: ActionFormState | undefined = orphan
    ? orphan.formError ? orphan : { formError: orphan.fieldErrors?.voucher_number?.[0], formErrorParams: orphan.formErrorParams }
    : undefined;
  return (
    <>
      <PageTitle>{t("depositDesk.title")}</PageTitle>
      <p className="-mt-4 mb-4 max-w-3xl text-sm text-slate-600">{t("depositDesk.intro")}</p>
      <FormError state={orphanState} />

      <dl className="mb-6 grid max-w-3xl grid-cols-3 gap-4 text-sm" data-testid="deposit-desk-summary">
        <Summary label={t("depositDesk.summary.pendingDeposits")} value={desk.pendingDepositsTotal} testId="pending-deposit-count" />
        <Summary label={t("depositDesk.summary.pendingRefunds")} value={desk.pendingRefundsTotal} testId="pending-refund-count" />
        <Summary label={t("depositDesk.summary.stripe")} value={desk.stripeInFlightTotal} testId="stripe-in-flight-count" />
      </dl>

        <Card title={t("depositDesk.pendingDeposits.title", { count: desk.pendingDepositsTotal })} testId="pending-deposits">
          <p className="mb-3 text-sm text-slate-600">{t("depositDesk.pendingDeposits.hint")}</p>
          {desk.pendingDeposits.length ? (
            <Table head={[t("depositDesk.col.tender"), t("depositDesk.col.bidder"), t("depositDesk.col.method"), t("depositDesk.col.amount"), t("depositDesk.col.declaredAt"), t("depositDesk.col.confirm")]}>
              {desk.pendingDeposits.map((d) => (
                <tr key={d.id} data-testid="pending-deposit-row" data-deposit-id={d.id} data-method={d.method}>
                  <TenderCell tender={d.tender} />
                  <BidderCell bidder={d.bidder} />
                  <td className={cell}>{method(d.method)}</td>
                  <td className={`${cell} whitespace-nowrap text-right`} data-testid="deposit-amount">{money(d.amount)}</td>
                  <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, d.declaredAt ?? d.createdAt)}</td>
                  <td className={cell}><ConfirmForm row={d} intent="confirm-deposit" /></td>
                </tr>
              ))}
            </Table>
          ) : (
            <Empty>{t("depositDesk.pendingDeposits.none")}</Empty>
          )}
          <More shown={desk.pendingDeposits.length} total={desk.pendingDepositsTotal} />
        </Card>

        <Card title={t("depositDesk.topUps.title", { count: desk.topUps.length })} testId="pending-topups">
          <p className="mb-3 text-sm text-slate-600">{t("depositDesk.topUps.hint")}</p>
          {desk.topUps.length ? (
            <Table head={[t("depositDesk.col.contract"), t("depositDesk.col.custodian"), t("depositDesk.col.method"), t("depositDesk.col.amount"), t("depositDesk.col.declaredAt")]}>
              {desk.topUps.map((p) => (
                <tr key={p.id} data-testid="desk-topup-row">
                  <td className={cell}>
                    <Link to={`/contracts/${encodeURIComponent(p.contractId)}`} className="whitespace-nowrap text-blue-700 hover:underline">{p.contractNumber}</Link>
                  </td>
                  <td className={cell}>{p.custodian}</td>
                  <td className={cell}>{method(p.method)}</td>
                  <td className={`${cell} text-right tabular-nums`}>{money(p.amount)}</td>
                  <td className={cell}>{p.declaredAt ? formatDateTime(locale, p.declaredAt) : "—"}</td>
                </tr>
              ))}
            </Table>
          ) : (
            <p className="text-sm text-slate-500">{t("depositDesk.topUps.none")}</p>
          )}
        </Card>

        <Card title={t("depositDesk.pendingRefunds.title", { count: desk.pendingRefundsTotal })} testId="pending-refunds">
          <p className="mb-3 text-sm text-slate-600">{t("depositDesk.pendingRefunds.hint")}</p>
          {desk.pendingRefunds.length ? (
            <Table
              head={[
                t("depositDesk.col.tender"), t("depositDesk.col.bidder"), t("depositDesk.col.method"), t("depositDesk.col.amount"),
                t("depositDesk.col.confirmedAt"), t("depositDesk.col.requestedAt"), t("depositDesk.col.confirm"),
              ]}
            >
              {desk.pendingRefunds.map((d) => (
                <tr key={d.id} data-testid="pending-refund-row" data-deposit-id={d.id} data-method={d.method}>
                  <TenderCell tender={d.tender} />
                  <BidderCell bidder={d.bidder} />
                  <td className={cell}>{method(d.method)}</td>
                  <td className={`${cell} whitespace-nowrap text-right`} data-testid="deposit-amount">{money(d.amount)}</td>
                  <td className={`${cell} whitespace-nowrap`}>
                    {formatDateTime(locale, d.confirmedAt)}
                    {d.voucherNumber ? <span className="block text-xs text-slate-500">{t("depositDesk.col.voucher")} {d.voucherNumber}</span> : null}
                  </td>
                  <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, d.refundRequestedAt)}</td>
                  <td className={cell}><ConfirmForm row={d} intent="confirm-refund" /></td>
                </tr>
              ))}
            </Table>
          ) : (
            <Empty>{t("depositDesk.pendingRefunds.none")}</Empty>
          )}
          <More shown={desk.pendingRefunds.length} total={desk.pendingRefundsTotal} />
        </Card>

        <Card title={t("depositDesk.stripe.title", { count: desk.stripeInFlightTotal })} testId="stripe-in-flight">
          <p className="mb-3 text-sm text-slate-600">{t("depositDesk.stripe.hint")}</p>
          {desk.stripeInFlight.length ? (
            <Table
              head={[
                t("depositDesk.col.tender"), t("depositDesk.col.bidder"), t("depositDesk.col.amount"), t("depositDesk.col.status"),
                t("depositDesk.col.since"), t("depositDesk.col.reference"),
              ]}
            >
              {desk.stripeInFlight.map((d) => (
                <tr key={d.id} data-testid="stripe-deposit-row" data-deposit-id={d.id} data-status={d.status}>
                  <TenderCell tender={d.tender} />
                  <BidderCell bidder={d.bidder} />
                  <td className={`${cell} whitespace-nowrap text-right`}>{money(d.amount)}</td>
                  <td className={cell}><StatusBadge status={d.status} /></td>
                  <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, d.status === "REFUND_PENDING" ? d.refundRequestedAt : d.createdAt)}</td>
                  <td className={`${cell} font-mono text-xs text-slate-600`}>{(d.status === "REFUND_PENDING" ? d.refundRef : null) ?? d.providerRef ?? "—"}</td>
                </tr>
              ))}
            </Table>
          ) : (
            <Empty>{t("depositDesk.stripe.none")}</Empty>
          )}
          <More shown={desk.stripeInFlight.length} total={desk.stripeInFlightTotal} />
        </Card>

      <Card title={t("depositDesk.recent.title")} testId="recent-confirmations">
        <p className="mb-3 text-sm text-slate-600">{t("depositDesk.recent.hint", { limit: desk.recentLimit })}</p>
        {desk.recent.length ? (
          <Table
            head={[
              t("depositDesk.col.at"), t("depositDesk.col.kind"), t("depositDesk.col.tender"), t("depositDesk.col.bidder"),
              t("depositDesk.col.method"), t("depositDesk.col.amount"), t("depositDesk.col.voucher"), t("depositDesk.col.by"),
            ]}
          >
            {desk.recent.map((c) => (
              <tr key={`${c.kind}-${c.depositId}`} data-testid="recent-confirmation-row" data-kind={c.kind} data-deposit-id={c.depositId}>
                <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, c.at)}</td>
                <td className={cell}>
                  <Badge tone={c.kind === "deposit" ? "green" : "blue"}>{t(c.kind === "deposit" ? "depositDesk.kind.deposit" : "depositDesk.kind.refund")}</Badge>
                </td>
                <TenderCell tender={c.tender} />
                <BidderCell bidder={c.bidder} />
                <td className={cell}>{method(c.method)}</td>
                <td className={`${cell} whitespace-nowrap text-right`}>{money(c.amount)}</td>
                <td className={`${cell} font-mono text-xs`} data-testid="confirmation-voucher">{c.voucher}</td>
                <td className={cell} data-testid="confirmed-by">{c.by ?? t("depositDesk.unknownBy")}</td>
              </tr>
            ))}
          </Table>
        ) : (
          <Empty>{t("depositDesk.recent.none")}</Empty>
        )}
      </Card>
    </>
  );
}

function Summary({ label: text, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="rounded border border-slate-200 bg-white p-3 shadow-sm">
      <dt className="text-slate-500">{text}</dt>
      <dd className="text-2xl font-semibold" data-testid={testId}>{value}</dd>
    </div>
  );
}
