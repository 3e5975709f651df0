import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Countdown } from "~/components/countdown";
import { useLocale, useT } from "~/components/i18n";
import {
  RevalidationGate, displayParams, followMinimum, formatBidTime, initialAmount, newIdempotencyKey, typeAmount, type LiveState,
} from "~/components/live-lot";
import { Badge, Card, Fact, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requirePermission, requireUser } from "~/infra/auth.server";
import { formatCny, formatDateTime, isMessageKey, type MessageKey, type Params } from "~/infra/i18n";
import { placeBid } from "~/services/tenders/bidding.server";
import { assertLotInTender, liveLotPage } from "~/services/tenders/live-lot.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    return await liveLotPage(user, params.tenderId ?? "", params.lotId ?? "");
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    throw error;
  }
}

type BidAnswer =
  | { outcome: "accepted"; replayed: boolean; amount: bigint; alias: string; extended: boolean; closesAt: string }
  | { outcome: "refused"; key: string; params?: Params; field?: string; values: { amount: string; idempotency_key: string } };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "tenders:bid");
  const formData = await request.formData();
  const values = {
    amount: String(formData.get("amount") ?? ""),
    idempotency_key: String(formData.get("idempotency_key") ?? ""),
  };
  try {
    await assertLotInTender(params.tenderId ?? "", params.lotId ?? "");
    const result = await placeBid(auditContextFor(request, user), user, params.lotId ?? "", {
      amount: values.amount,
      idempotencyKey: values.idempotency_key,
    });
    return data<BidAnswer>({
      outcome: "accepted",
      replayed: result.status === "replayed",
      amount: result.bid.amount,
      alias: result.alias,
      extended: result.extended,
      closesAt: result.closesAt.toISOString(),
    });
  } catch (error) {
    if (error instanceof UserError) {
      return data<BidAnswer>(
        { outcome: "refused", key: error.key, params: error.options.params, field: error.options.field, values },
        { status: error.status },
      );
    }
    throw error;
  }
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

const statusTones: Record<string, "slate" | "green" | "red" | "amber" | "blue"> = {
  OPEN: "blue", AWAITING_SIGNATURE: "amber", OFFERED_TO_NEXT: "amber", ACCEPTED: "green", UNSOLD: "slate", RETURNED: "red", WITHDRAWN: "slate",
};

const lotStatuses = ["OPEN", "AWAITING_SIGNATURE", "OFFERED_TO_NEXT", "ACCEPTED", "UNSOLD", "RETURNED", "WITHDRAWN"] as const;
const isLotStatus = (s: string): s is (typeof lotStatuses)[number] => (lotStatuses as readonly string[]).includes(s);


/**
 * The lot's live events (server-sent): on "ready" (every (re)connect), "bid.accepted" and
 * "lot.closed" the page's data is reloaded, debounced, never two reloads at once. The browser
 * reconnects by itself after a dropped connection; a refused one (closed for good) is reopened here.
 */
function useLiveLot(url: string): LiveState {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  const gateRef = useRef<RevalidationGate | null>(null);
  const [state, setState] = useState<LiveState>("reconnecting");

  useEffect(() => {
    const gate = new RevalidationGate(() => revalidate.current(), 150, {
      set: (fn, ms) => window.setTimeout(fn, ms),
      clear: (handle) => window.clearTimeout(handle as number),
    });
    gateRef.current = gate;
    let source: EventSource | null = null;
    let retry: number | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(url);
      const onEvent = () => gate.request();
      source.addEventListener("ready", () => {
        setState("connected");
        gate.request();
      });
      source.addEventListener("bid.accepted", onEvent);
      source.addEventListener("lot.closed", onEvent);
      source.onerror = () => {
        setState("reconnecting");
        if (source && source.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          retry = window.setTimeout(open, 5000);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      source?.close();
      gate.dispose();
      gateRef.current = null;
    };
  }, [url]);

  useEffect(() => {
    if (revalidator.state === "idle") gateRef.current?.done();
  }, [revalidator.state]);

  return state;
}

function LiveIndicator({ state }: { state: LiveState }) {
  const t = useT();
  return (
    <span
      data-testid="live-indicator"
      data-state={state}
      className={`inline-flex items-center gap-1 rounded px-2 py-1 text-xs ${state === "connected" ? "bg-green-100 text-green-800" : "bg-amber-100 text-amber-900"}`}
      role="status"
    >
      <span className={`inline-block h-2 w-2 rounded-full ${state === "connected" ? "bg-green-600" : "animate-pulse bg-amber-500"}`} />
      {t(state === "connected" ? "liveLot.live.connected" : "liveLot.live.reconnecting")}
    </span>
  );
}

function message(t: ReturnType<typeof useT>, key: string, params?: Params): string {
  return isMessageKey(key) ? t(key, params) : key;
}

function BidForm({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" && navigation.formMethod?.toUpperCase() === "POST";
  const minimum = toYuanString(BigInt(page.lot.nextMinimum));

  const [field, setField] = useState(() => initialAmount(minimum));
  const [key, setKey] = useState<string>("");
  // New data (after a bid anywhere): an untouched amount follows the new minimum.
  useEffect(() => setField((f) => followMinimum(f, minimum)), [minimum]);
  // One key per attempt: made in the browser; a retry of the same attempt (no answer yet) keeps it.
  useEffect(() => setKey(newIdempotencyKey()), []);
  const lastAnswer = useRef<typeof answer>(undefined);
  useEffect(() => {
    if (!answer || answer === lastAnswer.current) return;
    lastAnswer.current = answer;
    if (answer.outcome === "accepted") {
      setKey(newIdempotencyKey());
      setField(initialAmount(minimum));
    }
  }, [answer, minimum]);

  return (
    <Form method="post" data-testid="bid-form" className="space-y-3">
      {answer?.outcome === "accepted" ? (
        <div className="rounded border border-green-300 bg-green-50 p-3 text-sm text-green-800" role="status" data-testid="bid-accepted">
          {t(answer.replayed ? "liveLot.bid.replayed" : "liveLot.bid.accepted", { amount: formatCny(locale, BigInt(answer.amount)), alias: answer.alias })}
          {answer.extended ? ` ${t("liveLot.bid.extended", { closesAt: formatDateTime(locale, answer.closesAt) })}` : null}
        </div>
      ) : null}
      {answer?.outcome === "refused" ? (
        <div className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="bid-refusal" data-reason={answer.key}>
          {message(t, answer.key, displayParams(locale, answer.params))}
        </div>
      ) : null}
      <input type="hidden" name="idempotency_key" value={key} />
      <div>
        <label htmlFor="bid-amount" className="mb-1 block text-sm font-medium text-slate-700">{t("liveLot.bid.amount")}</label>
        <div className="flex flex-wrap items-center gap-3">
          <input
            id="bid-amount"
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            required
            value={field.value}
            onChange={(event) => setField((f) => typeAmount(f, event.target.value))}
            aria-invalid={answer?.outcome === "refused" && answer.field === "amount" ? true : undefined}
            className="w-56 rounded border border-slate-300 px-3 py-2 text-right tabular-nums aria-[invalid]:border-red-500"
            data-testid="bid-amount"
          />
          <button
            type="submit"
            disabled={!key || submitting}
            className="rounded bg-blue-700 px-5 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-50"
            data-testid="place-bid"
          >
            {submitting ? t("liveLot.bid.placing") : t("liveLot.bid.place")}
          </button>
        </div>
        <p className="mt-1 text-xs text-slate-500">
          {t("liveLot.bid.hint", { minimum: formatCny(locale, BigInt(page.lot.nextMinimum)), increment: formatCny(locale, BigInt(page.lot.increment)) })}
        </p>
      </div>
    </Form>
  );
}

function BidPanel({ page, onStart }: { page: Data; onStart: () => void }) {
  const t = useT();
  const locale = useLocale();
  const tenderLink = `/tenders/${page.tender.id}`;
  const { ability, lot } = page;
  if (lot.status !== "OPEN" || page.tender.status !== "PUBLISHED") return null;
  let body: ReactNode;
  if (ability.kind === "watch_only") {
    body = <p className="text-sm text-slate-600" data-testid="watch-only">{t("liveLot.ability.watchOnly")}</p>;
  } else if (ability.kind !== "can_bid") {
    const text =
      ability.kind === "not_eligible" ? t("liveLot.ability.notEligible", { reasons: ability.reasonsText })
      : ability.kind === "not_registered" ? t("liveLot.ability.notRegistered")
      : t("liveLot.ability.notQualified");
    body = (
      <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="bid-unavailable" data-reason={ability.kind}>
        <p>{text}</p>
        {ability.kind !== "not_eligible" ? (
          <Link to={tenderLink} className="mt-2 inline-block text-blue-700 underline" data-testid="tender-link">
            {t("liveLot.ability.toTender")}
          </Link>
        ) : null}
      </div>
    );
  } else if (new Date(lot.startsAt).getTime() > new Date(page.serverTime).getTime()) {
    body = (
      <p className="text-sm text-slate-600" data-testid="lot-not-started">
        {t("liveLot.bid.notStarted", { startsAt: formatDateTime(locale, lot.startsAt) })}{" "}
        <Countdown until={lot.startsAt} serverTime={page.serverTime} testId="lot-start-countdown" onExpire={onStart} />
      </p>
    );
  } else if (!lot.open) {
    body = <p className="text-sm text-slate-600" data-testid="lot-closing">{t("liveLot.bid.closing")}</p>;
  } else {
    body = <BidForm page={page} />;
  }
  return <Card title={t("liveLot.bid.title")} testId="bid-panel">{body}</Card>;
}

function LotResult({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const { outcome } = page;
  if (outcome.kind === "open") return null;
  const statusLabel = isLotStatus(outcome.status) ? t(`liveLot.status.${outcome.status}`) : outcome.status;
  return (
    <Card title={t("liveLot.result.title")} testId="lot-result">
      <div data-outcome={outcome.kind} data-status={outcome.status} className="space-y-2 text-sm">
        {outcome.kind === "awarded" ? (
          <>
            <p className="text-base font-medium">
              {t(outcome.status === "ACCEPTED" ? "liveLot.result.sold" : "liveLot.result.awarded", {
                price: formatCny(locale, BigInt(outcome.price)),
                alias: outcome.alias,
              })}
              {outcome.mine ? <span className="ml-2"><Badge tone="green">{t("liveLot.result.you")}</Badge></span> : null}
            </p>
            <p className="text-slate-600">
              {statusLabel}
              {outcome.deadline ? ` · ${t("liveLot.result.deadline", { deadline: formatDateTime(locale, outcome.deadline) })}` : null}
            </p>
          </>
        ) : (
          <p className="text-base font-medium">{t(outcome.status === "UNSOLD" ? "liveLot.result.unsold" : "liveLot.result.notSold", { status: statusLabel })}</p>
        )}
        <Link to={`/tenders/${page.tender.id}`} className="inline-block text-blue-700 underline" data-testid="back-to-tender">
          {t("liveLot.backToTender")}
        </Link>
      </div>
    </Card>
  );
}

export default function LiveLotPage() {
  const page = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const { lot, tender } = page;
  const live = useLiveLot(`/tenders/${tender.id}/lots/${lot.lotId}/events`);
  const revalidator = useRevalidator();
  const reload = () => {
    if (revalidator.state === "idle") revalidator.revalidate();
  };
  const statusLabel = isLotStatus(lot.status) ? t(`liveLot.status.${lot.status}`) : lot.status;
  const myStatusKey: MessageKey = `liveLot.my.${lot.myStatus}`;

  return (
    <div>
      <PageTitle actions={<LiveIndicator state={live} />}>
        {t("liveLot.title", { number: tender.number ?? tender.title, lot: lot.lotNumber })}
      </PageTitle>
      <p className="-mt-4 mb-4 text-sm text-slate-600">
        <Link to={`/tenders/${tender.id}`} className="text-blue-700 underline" data-testid="tender-link-top">
          {tender.title}
        </Link>
        {page.packageNumber ? ` · ${t("liveLot.package", { number: page.packageNumber })}` : null}
      </p>

      <Card testId="lot-state">
        <dl className="grid grid-cols-2 gap-4 text-sm md:grid-cols-4">
          <Fact emphasis label={t("liveLot.field.status")}>
            <span data-testid="lot-status" data-status={lot.status}>
              <Badge tone={statusTones[lot.status] ?? "slate"}>{statusLabel}</Badge>
            </span>
          </Fact>
          <Fact emphasis label={t("liveLot.field.reserve")} testId="lot-reserve">{formatCny(locale, BigInt(lot.reserve))}</Fact>
          <Fact emphasis label={t("liveLot.field.highBid")} testId="lot-high-bid">
            {lot.highBid !== null ? formatCny(locale, BigInt(lot.highBid)) : t("liveLot.noBid")}
          </Fact>
          <Fact emphasis label={t("liveLot.field.leader")} testId="lot-leader">{lot.highBidAlias ?? "—"}</Fact>
          <Fact emphasis label={t("liveLot.field.countdown")}>
            <Countdown until={lot.closesAt} serverTime={page.serverTime} testId="lot-countdown" onExpire={reload} />
          </Fact>
          <Fact emphasis label={t("liveLot.field.closesAt")}>
            <span data-testid="lot-closes-at" data-closes-at={new Date(lot.closesAt).toISOString()}>{formatDateTime(locale, lot.closesAt)}</span>
          </Fact>
          <Fact emphasis label={t("liveLot.field.increment")} testId="lot-increment">{formatCny(locale, BigInt(lot.increment))}</Fact>
          <Fact emphasis label={t("liveLot.field.bidders")} testId="lot-bidders">{t("liveLot.biddersCount", { count: lot.bidders, bids: lot.bidCount })}</Fact>
          {page.ability.kind !== "watch_only" ? (
            <Fact emphasis label={t("liveLot.field.myStatus")}>
              <span data-testid="lot-my-status" data-status={lot.myStatus}>
                {t(myStatusKey)}
                {lot.myAlias ? ` · ${t("liveLot.my.alias", { alias: lot.myAlias })}` : null}
              </span>
            </Fact>
          ) : null}
        </dl>
        <p className="mt-4 text-xs text-slate-500">{t("liveLot.rules", { minutes: tender.antiSnipingMinutes })}</p>
      </Card>

      <LotResult page={page} />
      <BidPanel page={page} onStart={reload} />

      <Card title={t("liveLot.history.title")} testId="bid-history">
        {lot.history.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="bid-history-empty">{t("liveLot.noBid")}</p>
        ) : (
          <Table head={[t("liveLot.history.bidder"), t("liveLot.history.amount"), t("liveLot.history.time")]}>
            {lot.history.map((bid, i) => (
              <tr key={`${bid.alias}-${String(bid.amount)}-${i}`} data-testid="bid-history-row" data-mine={bid.mine ? "true" : "false"} className={bid.mine ? "bg-blue-50" : undefined}>
                <td className={cell}>
                  {bid.alias}
                  {bid.mine ? <span className="ml-2" data-testid="bid-mine"><Badge tone="blue">{t("liveLot.history.me")}</Badge></span> : null}
                </td>
                <td className={`${cell} tabular-nums`}>{formatCny(locale, BigInt(bid.amount))}</td>
                <td className={`${cell} tabular-nums`}>{formatBidTime(locale, bid.placedAt)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
