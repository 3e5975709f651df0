import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { FullTimeReview } from "~/components/full-time-review";
import { useLocale, useT } from "~/components/i18n";
import { LiabilityReview, type SectionState } from "~/components/liability-review";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { WaiverReview } from "~/components/waiver-review";
import { UserError } from "~/domain/errors";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { fullTimeQueue, handleFullTimeIntent, isFullTimeIntent } from "~/services/custody/full-time.server";
import { handleLiabilityIntent, isLiabilityIntent, liabilityQueue } from "~/services/custody/liability.server";
import { pendingCustodianInterruptions } from "~/services/custody/activities.server";
import { reviewQueue } from "~/services/custody/review.server";
import { handleWaiverIntent, isWaiverIntent, pendingWaivers } from "~/services/custody/waivers.server";

/**
 * /custody/review — the asset-preservation department's custody queue (custody:manage): contracts
 * to countersign, waiver requests (R5), liability events (R8), full-time applications, and the
 * limitation evidence custodians submitted that waits for verification. Each section's decisions go
 * through its own service; this page only routes the intents and shows refusals in the right row.
 */

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "custody:manage");
  const now = new Date();
  const [queue, waivers, liability, fullTime, evidence] = await Promise.all([
    reviewQueue(user), pendingWaivers(user), liabilityQueue(user, now), fullTimeQueue(user), pendingCustodianInterruptions(user),
  ]);
  return { ...queue, waivers, liability, fullTime, evidence };
}

/** Which form the request came from, and the row it is about (for the refusal's place). */
function targetOf(formData: FormData): string {
  for (const name of ["waiverId", "eventId", "applicationId"]) {
    const value = formData.get(name);
    if (typeof value === "string" && value.trim()) return value.trim();
  }
  return formData.get("intent") === "liability-asset-loss" ? "asset-loss" : "";
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "custody:manage");
  const ctx = auditContextFor(request, user);
  const formData = await request.formData();
  const intent = formData.get("intent");
  const now = new Date();
  try {
    const outcome = isWaiverIntent(intent)
      ? await handleWaiverIntent(ctx, user, formData, now)
      : isLiabilityIntent(intent)
        ? await handleLiabilityIntent(ctx, user, formData, now)
        : isFullTimeIntent(intent)
          ? await handleFullTimeIntent(ctx, user, formData, now)
          : null;
    if (!outcome) return data<SectionState>({ intent: null, formError: "form.invalidChoice" }, { status: 400 });
    return redirectWithToast("/custody/review", { kind: "success", key: outcome.toast.key, params: outcome.toast.params });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const state: SectionState = { intent: typeof intent === "string" ? intent : null, target: targetOf(formData), ...userErrorState(error) };
    return data(state, { status: error.status });
  }
}

export default function CustodyReview() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const state = result as SectionState | undefined;
  const waiverRefusal =
    state && isWaiverIntent(state.intent)
      ? { target: state.target ?? null, message: state.formError ?? Object.values(state.fieldErrors ?? {})[0]?.[0] ?? "form.invalidChoice", params: state.formErrorParams }
      : null;
  return (
    <div className="space-y-6">
      <PageTitle>{t("custodyReview.title")}</PageTitle>
      <p className="-mt-4 mb-6 text-sm text-slate-600">{t("custodyReview.intro")}</p>
      <Card title={t("custodyReview.countersign.title")} testId="countersign-review">
        {page.countersign.length === 0 ? (
          <p className="text-sm text-slate-500">{t("custodyReview.countersign.none")}</p>
        ) : (
          <Table
            head={[t("custodyReview.col.contract"), t("custodyReview.col.custodian"), t("custodyReview.col.price"), t("custodyReview.col.deposit"), t("custodyReview.col.loans"), t("custodyReview.col.signedAt")]}
          >
            {page.countersign.map((c) => (
              <tr key={c.id} data-testid="countersign-row">
                <td className={cell}>
                  <Link to={`/contracts/${encodeURIComponent(c.id)}`} className="text-blue-700 hover:underline">{c.number}</Link>
                </td>
                <td className={cell}>{c.custodian}</td>
                <td className={`${cell} text-right tabular-nums`}>{formatCny(locale, c.winningPrice)}</td>
                <td className={`${cell} text-right tabular-nums`}>{formatCny(locale, c.performanceDeposit)}</td>
                <td className={`${cell} text-right tabular-nums`}>{c.loanCount}</td>
                <td className={cell}>{c.signedAt ? formatDateTime(locale, c.signedAt) : "—"}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      <Card title={t("custodyReview.waiting.title")} testId="waiting-review">
        {page.waiting.length === 0 ? (
          <p className="text-sm text-slate-500">{t("custodyReview.waiting.none")}</p>
        ) : (
          <Table head={[t("custodyReview.col.contract"), t("custodyReview.col.custodian"), t("custodyReview.col.waitingFor"), t("custodyReview.col.since")]}>
            {page.waiting.map((c) => (
              <tr key={c.id} data-testid="waiting-row">
                <td className={cell}>
                  <Link to={`/contracts/${encodeURIComponent(c.id)}`} className="text-blue-700 hover:underline">{c.number}</Link>
                </td>
                <td className={cell}>{c.custodian}</td>
                <td className={cell}>{t(c.status === "AWAITING_DEPOSIT" ? "custodyReview.waiting.deposit" : "custodyReview.waiting.signature")}</td>
                <td className={cell}>{formatDateTime(locale, c.since)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      <WaiverReview waivers={page.waivers} refusal={waiverRefusal} />
      <LiabilityReview queue={page.liability} result={state} />
      <FullTimeReview applications={page.fullTime} result={state} />
      <Card title={t("custodyReview.interruptions.title")} testId="interruptions-review">
        {page.evidence.length === 0 ? (
          <p className="text-sm text-slate-500">{t("custodyReview.interruptions.none")}</p>
        ) : (
          <Table head={[t("custodyReview.col.loan"), t("custodyReview.col.contract"), t("custodyReview.col.evidence"), t("custodyReview.col.occurredOn"), t("custodyReview.col.recordedBy")]}>
            {page.evidence.map((e) => (
              <tr key={e.interruptionId} data-testid="evidence-row">
                <td className={cell}>
                  <Link to={e.link} className="font-mono text-blue-700 hover:underline">{e.loanNumber}</Link>
                </td>
                <td className={cell}>
                  <Link to={`/contracts/${encodeURIComponent(e.contractId)}`} className="text-blue-700 hover:underline">{e.contractNumber}</Link>
                </td>
                <td className={cell}>{t(`custody.activity.kind.${e.activityKind}` as MessageKey)}</td>
                <td className={cell}>{e.occurredOn}</td>
                <td className={cell}>{e.recordedBy} · {formatDateTime(locale, e.recordedAt)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
