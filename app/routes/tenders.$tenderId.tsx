import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z, type ZodError } from "zod";
import { Countdown } from "~/components/countdown";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, Fact, PageTitle, Table, cell } from "~/components/page";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import {
  audienceLabel, chinaDateTimeLocal, depositMethodLabel, depositStatusLabel, depositStatusTones, labelOf, lotStatusLabel, lotStatusTones,
  retenderReservesOf, signedPercent, tenderPhase, tenderStatusLabel, tenderStatusTones,
} from "~/components/tender-helpers";
import { StripePayment } from "~/components/tender-stripe";
import { answerFor } from "~/components/forms";
import { VoucherForm } from "~/components/voucher-form";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { formatRate, parseRate } from "~/domain/money";
import { intentAction, type IntentRefusal } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, requireUser } from "~/infra/auth.server";
import { stripeEnv } from "~/infra/env.server";
import { parseForm } from "~/infra/forms";
import { formatCny, formatDateTime, type MessageKey } from "~/infra/i18n";
import { confirmOfflineRefundSchema, retenderSchema, retenderReserves } from "~/services/tenders/award-schemas";
import { acceptAward } from "~/services/tenders/awards.server";
import { confirmOfflineRefund, refundTenderDeposits } from "~/services/tenders/refunds.server";
import { confirmOfflineDeposit, declareOfflineDeposit, registerForTender, startStripeDeposit } from "~/services/tenders/registration.server";
import { approveLowerReserve, createRetender } from "~/services/tenders/retender.server";
import { awardInTender, depositInTender, enqueueTenderRefunds, isTenderStaff, lotInTender, tenderPageExtras } from "~/services/tenders/tender-page.server";
import { confirmOfflineDepositSchema, createTenderSchema, declareOfflineDepositSchema } from "~/services/tenders/tender-schemas";
import { getTender, publishTender } from "~/services/tenders/tenders.server";

/**
 * /tenders/{tenderId}: a tender's terms, rules, countdown and lots; the officer publishes a draft
 * and re-tenders unsold lots; a bidder registers, pays the bid deposit (Stripe Payment Element or
 * offline) and accepts an award; staff see the registrations (with conflicts of interest), finance
 * confirms offline deposits and refunds and runs the refunds, approvers approve lower reserves.
 * Every action's permission is checked by its service (and here where a service does not).
 */

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const view = await getTender(user, params.tenderId ?? "");
  const bidderKey = view.bidder?.eligibility.bidderKey ?? null;
  const extras = await tenderPageExtras(user, view.tender, bidderKey);
  const staff = isTenderStaff(user);
  return {
    tender: view.tender,
    lots: view.lots,
    serverTime: view.serverTime,
    bidder: view.bidder
      ? {
          eligible: view.bidder.eligibility.eligible,
          reasonsText: view.bidder.eligibility.reasonsText,
          bidderKey: view.bidder.eligibility.bidderKey,
          qualified: view.bidder.qualified,
          registration: view.bidder.registration,
        }
      : null,
    // Staff never get a deposit's client secret.
    registrations: view.registrations?.map((r) => ({ ...r, deposits: r.deposits.map(({ clientSecret: _secret, ...d }) => d) })) ?? null,
    ...extras,
    may: {
      manage: can(user.roles, "tenders:manage"),
      bid: can(user.roles, "tenders:bid"),
      finance: can(user.roles, "settlement:finance"),
      approve: can(user.roles, "packages:approve"),
      staff,
    },
    stripePublishableKey: stripeEnv().publishableKey ?? null,
  };
}

const intents = ["publish", "register", "deposit", "accept", "confirm-deposit", "confirm-refund", "refunds", "retender", "approve-reserve"] as const;
type Intent = (typeof intents)[number];
type ActionResult = IntentRefusal<Intent>;

const depositMethodSchema = z.object({ method: z.enum(["STRIPE", "BANK_TRANSFER", "PAYROLL"], { error: "auction.deposit.invalidMethod" }) });
const idField = z.string().trim().min(1, { error: "form.invalidChoice" }).max(64, { error: "form.invalidChoice" });

/** The re-tender form's optional new windows: all four or none (China time). */
const retenderTimesSchema = z.object({
  registration_opens_at: createTenderSchema.shape.registration_opens_at,
  registration_closes_at: createTenderSchema.shape.registration_closes_at,
  auction_starts_at: createTenderSchema.shape.auction_starts_at,
  auction_ends_at: createTenderSchema.shape.auction_ends_at,
});
const timeFields = ["registration_opens_at", "registration_closes_at", "auction_starts_at", "auction_ends_at"] as const;

function fieldErrorsOf(error: ZodError, rename: (path: PropertyKey[]) => string = (p) => String(p[0] ?? "_form")): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) (errors[rename(issue.path)] ??= []).push(issue.message);
  return errors;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const tenderId = params.tenderId ?? "";
  // Seeing the tender is the least every intent needs (404 / 403 otherwise).
  await getTender(user, tenderId);
  const ctx = auditContextFor(request, user);
  const options = {
    intents, here: `/tenders/${encodeURIComponent(tenderId)}`, formFields: ["voucher_number", "method"],
    renameField: (field: string | undefined) => (field === "voucher" ? "voucher_number" : field),
  };
  return intentAction(request, options, async ({ intent, formData, values, refused, toast }) => {
    switch (intent) {
      case "publish": {
        const published = await publishTender(ctx, user, tenderId);
        return toast("tenderPages.toast.published", { number: published.number, notified: published.notified });
      }
      case "register": {
        await registerForTender(ctx, user, tenderId);
        return toast("tenderPages.toast.registered");
      }
      case "deposit": {
        const parsed = parseForm(depositMethodSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        if (parsed.data.method === "STRIPE") {
          await startStripeDeposit(ctx, user, tenderId);
          return toast("tenderPages.toast.stripeStarted");
        }
        await declareOfflineDeposit(ctx, user, tenderId, declareOfflineDepositSchema.parse({ method: parsed.data.method }));
        return toast("tenderPages.toast.declared");
      }
      case "accept": {
        const awardId = idField.parse(values.award_id);
        if (!(await awardInTender(awardId, tenderId))) throw new UserError("auction.award.notFound", { status: 404 });
        const accepted = await acceptAward(ctx, user, awardId);
        if (accepted.tenderDecided) {
          try {
            await enqueueTenderRefunds(accepted.tenderId);
          } catch (error) {
            // The award stands; finance runs the refunds with the refunds button on this page.
            console.error("tenders: queueing the tender's refunds failed", { tenderId: accepted.tenderId, error });
          }
        }
        return toast("tenderPages.toast.accepted");
      }
      case "confirm-deposit": {
        if (!can(user.roles, "settlement:finance")) throw new UserError("auction.deposit.notFinance", { status: 403 });
        const depositId = idField.parse(values.deposit_id);
        const parsed = parseForm(confirmOfflineDepositSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors }, 400);
        if (!(await depositInTender(depositId, tenderId))) throw new UserError("auction.deposit.notFound", { status: 404 });
        await confirmOfflineDeposit(ctx, user, depositId, parsed.data);
        return toast("tenderPages.toast.depositConfirmed", { voucher: parsed.data.voucher_number });
      }
      case "confirm-refund": {
        if (!can(user.roles, "settlement:finance")) throw forbidden();
        const depositId = idField.parse(values.deposit_id);
        const parsed = confirmOfflineRefundSchema.safeParse({ voucher: values.voucher_number ?? "" });
        if (!parsed.success) return refused({ fieldErrors: fieldErrorsOf(parsed.error, () => "voucher_number") }, 400);
        if (!(await depositInTender(depositId, tenderId))) throw new UserError("auction.refund.depositNotFound", { status: 404 });
        await confirmOfflineRefund(ctx, user, depositId, parsed.data.voucher);
        return toast("tenderPages.toast.refundConfirmed", { voucher: parsed.data.voucher });
      }
      case "refunds": {
        // refundTenderDeposits checks no permission itself: finance only.
        if (!can(user.roles, "settlement:finance")) throw forbidden();
        const run = await refundTenderDeposits(ctx, tenderId);
        return toast("tenderPages.toast.refunds", { requested: run.requested.length, kept: run.kept.length, forfeited: run.forfeited.length });
      }
      case "retender": {
        const lotIds = formData.getAll("lot_ids").filter((v): v is string => typeof v === "string" && v !== "");
        const reserves = retenderReservesOf(values, lotIds);
        const parsed = retenderSchema.safeParse({ lot_ids: lotIds, reserves });
        const errors: Record<string, string[]> = {};
        if (!parsed.success) {
          Object.assign(errors, fieldErrorsOf(parsed.error, (p) => (p[0] === "reserves" && typeof p[1] === "string" ? `reserve_${p[1]}` : String(p[0] ?? "_form"))));
        }
        const anyTime = timeFields.some((f) => typeof values[f] === "string" && (values[f] as string).trim() !== "");
        const times = anyTime ? retenderTimesSchema.safeParse(values) : null;
        if (times && !times.success) Object.assign(errors, fieldErrorsOf(times.error));
        if (!parsed.success || (times && !times.success)) return refused({ fieldErrors: errors }, 400);
        const title = typeof values.title === "string" && values.title.trim() ? values.title.trim().slice(0, 200) : undefined;
        const result = await createRetender(ctx, user, tenderId, parsed.data.lot_ids, {
          reserves: retenderReserves(parsed.data),
          ...(times?.success
            ? { times: { registrationOpensAt: times.data.registration_opens_at, registrationClosesAt: times.data.registration_closes_at, auctionStartsAt: times.data.auction_starts_at, auctionEndsAt: times.data.auction_ends_at } }
            : {}),
          ...(title ? { title } : {}),
        });
        const pending = result.lots.filter((l) => l.requestedReserve !== null).length;
        return toast("tenderPages.toast.retendered", { lots: result.lots.length, pending }, `/tenders/${result.tenderId}`);
      }
      case "approve-reserve": {
        const lotId = idField.parse(values.lot_id);
        if (!(await lotInTender(lotId, tenderId))) throw new UserError("auction.retender.unknownLot", { status: 404 });
        await approveLowerReserve(ctx, user, lotId);
        return toast("tenderPages.toast.reserveApproved");
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
const smallButton = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50 disabled:opacity-60";
const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";

function useBusy(): boolean {
  return useNavigation().state === "submitting";
}

function Terms({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const { tender } = page;
  const money = (fen: bigint) => formatCny(locale, fen);
  return (
    <Card title={t("tenderPages.terms.title")} testId="tender-terms">
      {tender.description ? <p className="mb-4 whitespace-pre-line text-sm text-slate-700">{tender.description}</p> : null}
      <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-3">
        <Fact label={t("tenderPages.terms.registration")} testId="terms-registration">
          {formatDateTime(locale, tender.registrationOpensAt)} – {formatDateTime(locale, tender.registrationClosesAt)}
        </Fact>
        <Fact label={t("tenderPages.terms.auction")} testId="terms-auction">
          {formatDateTime(locale, tender.auctionStartsAt)} – {formatDateTime(locale, tender.auctionEndsAt)}
        </Fact>
        <Fact label={t("tenderPages.terms.bidDeposit")} testId="terms-bid-deposit">{money(tender.bidDeposit)}</Fact>
        <Fact label={t("tenderPages.terms.increment")}>
          {t("tenderPages.terms.incrementRule", { minimum: money(tender.incrementMinimum), rate: formatRate(parseRate(tender.incrementRate), true), roundUpTo: money(tender.incrementRoundUpTo) })}
        </Fact>
        <Fact label={t("tenderPages.terms.antiSniping")}>{t("tenderPages.terms.minutes", { minutes: tender.antiSnipingMinutes })}</Fact>
        <Fact label={t("tenderPages.terms.audience")} testId="terms-audience">{audienceLabel(t, tender.audience)}</Fact>
        <Fact label={t("tenderPages.terms.excluded")}>{tender.excludedPositions.length ? tender.excludedPositions.join("、") : t("common.none")}</Fact>
        <Fact label={t("tenderPages.terms.contractTerm")}>{t("tenderPages.terms.months", { months: tender.contractTermMonths })}</Fact>
        <Fact label={t("tenderPages.terms.settingsVersion")}>{tender.settingsVersion}</Fact>
        {tender.publishedAt ? <Fact label={t("tenderPages.terms.publishedAt")}>{formatDateTime(locale, tender.publishedAt)}</Fact> : null}
        {tender.retenderOfId ? (
          <Fact label={t("tenderPages.terms.retenderOf")}>
            <Link to={`/tenders/${tender.retenderOfId}`} className="text-blue-700 hover:underline">{t("tenderPages.terms.previousTender")}</Link>
          </Fact>
        ) : null}
      </dl>
    </Card>
  );
}

function Rules({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const { tender } = page;
  const rules = [
    t("tenderPages.rules.deposit", { amount: formatCny(locale, tender.bidDeposit) }),
    t("tenderPages.rules.increment", { minimum: formatCny(locale, tender.incrementMinimum), rate: formatRate(parseRate(tender.incrementRate), true), roundUpTo: formatCny(locale, tender.incrementRoundUpTo) }),
    t("tenderPages.rules.antiSniping", { minutes: tender.antiSnipingMinutes }),
    t("tenderPages.rules.aliases"),
    t("tenderPages.rules.award"),
    t("tenderPages.rules.forfeit"),
    t("tenderPages.rules.refund"),
    t("tenderPages.rules.licence", { months: tender.contractTermMonths }),
  ];
  return (
    <Card title={t("tenderPages.rules.title")} testId="tender-rules">
      <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-700">
        {rules.map((rule, i) => (
          <li key={i}>{rule}</li>
        ))}
      </ol>
    </Card>
  );
}

function Lots({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const { lots, tender, may } = page;
  const money = (fen: bigint | null) => (fen === null ? t("tenderPages.lots.noBid") : formatCny(locale, fen));
  return (
    <Card title={t("tenderPages.lots.title", { count: lots.length })} testId="tender-lots">
      <Table
        testId="lots-table"
        head={[
          t("tenderPages.lots.lot"), t("tenderPages.col.package"), t("tenderPages.col.loans"), t("tenderPages.col.region"), t("tenderPages.col.reserve"),
          t("tenderPages.lots.highBid"), t("tenderPages.lots.bids"), t("tenderPages.lots.closesAt"), t("tenderPages.col.status"), "",
        ]}
      >
        {lots.map((lot) => (
          <tr key={lot.id} data-testid="lot-row" data-lot-id={lot.id} data-status={lot.status}>
            <td className={cell}>{t("tenderPages.lots.lotNumber", { number: lot.lotNumber })}</td>
            <td className={`${cell} whitespace-nowrap`}>
              {may.staff ? (
                <Link to={`/packages/${lot.packageId}`} className="text-blue-700 hover:underline" data-testid="package-link">{lot.packageNumber ?? lot.packageId}</Link>
              ) : (
                <>
                  {lot.packageNumber ?? lot.packageId}{" "}
                  <Link to={`/packages/${lot.packageId}/data-room`} className="text-xs text-blue-700 hover:underline" data-testid="data-room-link">
                    {t("tenderPages.lots.dataRoom")}
                  </Link>
                </>
              )}
            </td>
            <td className={`${cell} text-right`}>{lot.loanCount}</td>
            <td className={cell}>{lot.region ?? t("tenderPages.mixed")}</td>
            <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, lot.reserve)}</td>
            <td className={`${cell} whitespace-nowrap text-right`} data-testid="lot-row-high-bid">{money(lot.highBid)}</td>
            <td className={`${cell} text-right`}>{lot.bidCount}</td>
            <td className={`${cell} whitespace-nowrap text-xs`}>{formatDateTime(locale, lot.closesAt)}</td>
            <td className={cell}><Badge tone={lotStatusTones[lot.status] ?? "slate"}>{lotStatusLabel(t, lot.status)}</Badge></td>
            <td className={cell}>
              {tender.status !== "DRAFT" ? (
                <Link to={`/tenders/${tender.id}/lots/${lot.id}`} className="whitespace-nowrap text-blue-700 hover:underline" data-testid="lot-link">
                  {lot.status === "OPEN" && tender.status === "PUBLISHED" ? t("tenderPages.lots.enter") : t("tenderPages.lots.view")}
                </Link>
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

function PublishPanel({ page }: { page: Data }) {
  const t = useT();
  const mine = useMine("publish");
  const busy = useBusy();
  return (
    <Card title={t("tenderPages.publish.title")} testId="publish-panel">
      <Refusal message={mine?.formError} params={mine?.formErrorParams} />
      <p className="mb-3 text-sm text-slate-600">{t("tenderPages.publish.hint")}</p>
      {page.pendingReserves.length ? <p className="mb-3 text-sm text-amber-800" data-testid="publish-reserve-pending">{t("tenderPages.publish.reservesPending", { count: page.pendingReserves.length })}</p> : null}
      <Form method="post">
        <input type="hidden" name="intent" value="publish" />
        <button type="submit" disabled={busy} className={button} data-testid="publish-tender">{t("tenderPages.publish.submit")}</button>
      </Form>
    </Card>
  );
}

function DepositRows({ deposits, showVoucher }: { deposits: Data["registrations"] extends (infer R)[] | null ? R extends { deposits: infer D } ? D : never : never; showVoucher?: boolean }) {
  const t = useT();
  const locale = useLocale();
  return (
    <>
      {deposits.map((d) => (
        <div key={d.id} className="text-xs" data-testid="deposit-row" data-status={d.status} data-method={d.method} data-deposit-id={d.id}>
          <Badge tone={depositStatusTones[d.status] ?? "slate"}>{depositStatusLabel(t, d.status)}</Badge>{" "}
          {depositMethodLabel(t, d.method)} · {formatCny(locale, d.amount)}
          {showVoucher && d.voucherNumber ? <span className="text-slate-500"> · {t("tenderPages.deposit.voucher", { voucher: d.voucherNumber })}</span> : null}
          {showVoucher && d.refundVoucher ? <span className="text-slate-500"> · {t("tenderPages.deposit.refundVoucher", { voucher: d.refundVoucher })}</span> : null}
        </div>
      ))}
    </>
  );
}

function BidderPanel({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const registerState = useMine("register");
  const depositState = useMine("deposit");
  const { bidder, tender } = page;
  if (!bidder) return null;
  const registration = bidder.registration;
  const settled = registration?.deposits.some((d) => !["AWAITING_PAYMENT", "DECLARED", "FAILED"].includes(d.status)) ?? false;
  const awaitingStripe = registration?.deposits.find((d) => d.method === "STRIPE" && d.status === "AWAITING_PAYMENT") ?? null;
  const pending = registration?.deposits.some((d) => d.status === "AWAITING_PAYMENT" || d.status === "DECLARED") ?? false;
  // A new deposit only when none is confirmed, settled or still pending (the service refuses those).
  const mayPay = Boolean(registration) && !settled && !pending && tender.status === "PUBLISHED" && new Date(page.serverTime) < new Date(tender.auctionEndsAt);
  const here = `/tenders/${tender.id}`;
  return (
    <Card title={t("tenderPages.bidder.title")} testId="bidder-panel">
      {!bidder.eligible && !registration ? (
        <div className="mb-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="status" data-testid="eligibility-refusal">
          {t("tenderPages.bidder.notEligible", { reasons: bidder.reasonsText })}
        </div>
      ) : null}
      {bidder.eligible && !registration ? (
        tender.registrationOpen ? (
          <Form method="post">
            <Refusal message={registerState?.formError} params={registerState?.formErrorParams} />
            <p className="mb-2 text-sm text-slate-600">{t("tenderPages.bidder.registerHint", { closesAt: formatDateTime(locale, tender.registrationClosesAt) })}</p>
            <input type="hidden" name="intent" value="register" />
            <button type="submit" disabled={busy} className={button} data-testid="register">{t("tenderPages.bidder.register")}</button>
          </Form>
        ) : (
          <p className="text-sm text-slate-600" data-testid="registration-closed">
            {new Date(page.serverTime) < new Date(tender.registrationOpensAt)
              ? t("tenderPages.bidder.registrationNotOpen", { opensAt: formatDateTime(locale, tender.registrationOpensAt) })
              : t("tenderPages.bidder.registrationClosed", { closedAt: formatDateTime(locale, tender.registrationClosesAt) })}
          </p>
        )
      ) : null}
      {registration ? (
        <div data-testid="deposit-panel">
          <p className="mb-2 text-sm">
            {t("tenderPages.bidder.registeredAt", { at: formatDateTime(locale, registration.registeredAt) })}{" "}
            {bidder.qualified ? (
              <span data-testid="qualified"><Badge tone="green">{t("tenderPages.bidder.qualified")}</Badge></span>
            ) : (
              <Badge tone="amber">{t("tenderPages.bidder.notQualified")}</Badge>
            )}
          </p>
          <p className="mb-3 text-sm">
            {t("tenderPages.deposit.amount")}: <strong data-testid="deposit-amount">{formatCny(locale, tender.bidDeposit)}</strong>
          </p>
          {registration.deposits.length ? (
            <div className="mb-3 space-y-1">
              <DepositRows deposits={registration.deposits} showVoucher />
            </div>
          ) : null}
          {awaitingStripe ? (
            <div className="mb-3 text-sm" data-testid="stripe-awaiting">
              <p className="text-slate-700">{t("tenderPages.stripe.webhookNote")}</p>
              {page.stripePublishableKey && awaitingStripe.clientSecret ? (
                <StripePayment publishableKey={page.stripePublishableKey} clientSecret={awaitingStripe.clientSecret} returnUrl={here} />
              ) : (
                <p className="mt-1 text-slate-500">{t("tenderPages.stripe.noKey")}</p>
              )}
              <p className="mt-2">
                <Link to={here} reloadDocument className="text-blue-700 hover:underline" data-testid="refresh">{t("tenderPages.stripe.refresh")}</Link>
              </p>
            </div>
          ) : null}
          {mayPay ? (
            <Form method="post" className="flex flex-wrap items-end gap-2">
              <div className="w-full"><Refusal message={depositState?.formError} params={depositState?.formErrorParams} /></div>
              <input type="hidden" name="intent" value="deposit" />
              <label className="text-sm">
                <span className="mb-1 block text-slate-700">{t("tenderPages.deposit.method")}</span>
                <select name="method" defaultValue="BANK_TRANSFER" className={`${input} bg-white`} data-testid="deposit-method" aria-invalid={depositState?.fieldErrors?.method ? true : undefined}>
                  {(["STRIPE", "BANK_TRANSFER", "PAYROLL"] as const).map((m) => (
                    <option key={m} value={m}>{depositMethodLabel(t, m)}</option>
                  ))}
                </select>
              </label>
              <button type="submit" disabled={busy} className={button} data-testid="pay-deposit">{t("tenderPages.deposit.pay")}</button>
              <div className="w-full"><FieldErrors field="method" messages={depositState?.fieldErrors?.method} params={depositState?.formErrorParams} /></div>
              <p className="w-full text-xs text-slate-500">{t("tenderPages.deposit.methodsHint")}</p>
            </Form>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

function AwardRow({ award, serverTime }: { award: Data["awards"][number]; serverTime: Data["serverTime"] }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const mine = useMine("accept", award.id);
  return (
    <tr data-testid="award-row" data-award-id={award.id} data-status={award.status}>
      <td className={cell}>{t("tenderPages.lots.lotNumber", { number: award.lotNumber })}</td>
      <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, award.price)}</td>
      <td className={`${cell} whitespace-nowrap text-xs`}>
        {formatDateTime(locale, award.deadline)}
        {award.status === "PENDING" ? <div><Countdown until={award.deadline} serverTime={serverTime} testId="award-countdown" /></div> : null}
      </td>
      <td className={cell}>
        {award.status === "PENDING" ? (
          <Form method="post">
            <Refusal message={mine?.formError} params={mine?.formErrorParams} />
            <input type="hidden" name="intent" value="accept" />
            <input type="hidden" name="target" value={award.id} />
            <input type="hidden" name="award_id" value={award.id} />
            <button type="submit" disabled={busy} className={button} data-testid="accept-award">{t("tenderPages.award.accept")}</button>
          </Form>
        ) : award.status === "ACCEPTED" ? (
          <span className="flex flex-wrap items-center gap-2">
            <span data-testid="award-accepted"><Badge tone="green">{t("tenderPages.award.accepted", { at: formatDateTime(locale, award.decidedAt) })}</Badge></span>
            {award.contractId ? (
              <Link to={`/contracts/${encodeURIComponent(award.contractId)}`} className="text-sm text-blue-700 hover:underline" data-testid="award-contract">
                {t("tenderPages.award.contract")}
              </Link>
            ) : null}
          </span>
        ) : (
          <span className="text-sm text-red-800" data-testid="award-lapsed">{t("tenderPages.award.lapsed")}</span>
        )}
      </td>
    </tr>
  );
}

function AwardPanel({ page }: { page: Data }) {
  const t = useT();
  if (!page.awards.length) return null;
  return (
    <Card title={t("tenderPages.award.title")} testId="award-panel">
      <p className="mb-3 text-sm text-slate-600">{t("tenderPages.award.hint")}</p>
      <Table head={[t("tenderPages.lots.lot"), t("tenderPages.award.price"), t("tenderPages.award.deadline"), ""]}>
        {page.awards.map((a) => (
          <AwardRow key={a.id} award={a} serverTime={page.serverTime} />
        ))}
      </Table>
    </Card>
  );
}

function Results({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  if (!page.results.length) return null;
  const money = (fen: bigint | null) => (fen === null ? t("common.none") : formatCny(locale, fen));
  return (
    <Card title={t("tenderPages.results.title")} testId="tender-results">
      <Table
        head={[
          t("tenderPages.lots.lot"), t("tenderPages.col.package"), t("tenderPages.col.reserve"), t("tenderPages.results.price"), t("tenderPages.results.premium"),
          t("tenderPages.results.bidders"), t("tenderPages.results.outcome"), t("tenderPages.results.award"),
        ]}
      >
        {page.results.map((r) => (
          <tr key={r.lotId} data-testid="result-row" data-lot-id={r.lotId} data-status={r.status}>
            <td className={cell}>{t("tenderPages.lots.lotNumber", { number: r.lotNumber })}</td>
            <td className={cell}>{r.packageNumber ?? ""}</td>
            <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, r.reserve)}</td>
            <td className={`${cell} whitespace-nowrap text-right`} data-testid="result-price">{money(r.price)}</td>
            <td className={`${cell} whitespace-nowrap text-right`} data-testid="result-premium">
              {r.premium === null ? t("common.none") : `${money(r.premium)}${r.premiumShare === null ? "" : ` (${signedPercent(r.premiumShare)})`}`}
            </td>
            <td className={`${cell} text-right`} data-testid="result-bidders">{r.bidders}</td>
            <td className={cell}>{labelOf(t, "outcome", r.status)}</td>
            <td className={`${cell} text-xs`}>
              {r.award ? (
                <>
                  {t("tenderPages.results.round", { round: r.award.round })} · {r.award.alias ?? t("common.none")}
                  {r.award.name ? <> · <span data-testid="result-winner-name">{r.award.name}</span></> : null} · {labelOf(t, "awardStatus", r.award.status)}
                </>
              ) : (
                t("common.none")
              )}
            </td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

/** Finance's voucher forms: a declared offline deposit is confirmed, a pending offline refund paid. */
const voucherForms = {
  "confirm-deposit": { form: "confirm-deposit", input: "voucher-number", submit: "confirm-deposit-submit", label: "tenderPages.finance.voucher", button: "tenderPages.finance.confirmDeposit" },
  "confirm-refund": { form: "confirm-refund", input: "refund-voucher-number", submit: "confirm-refund-submit", label: "tenderPages.finance.refundVoucher", button: "tenderPages.finance.confirmRefund" },
} as const satisfies Record<string, { form: string; input: string; submit: string; label: MessageKey; button: MessageKey }>;

function FinanceDepositForm({ deposit }: { deposit: { id: string; status: string; method: string } }) {
  const t = useT();
  const busy = useBusy();
  const intent = deposit.status === "DECLARED" ? "confirm-deposit" : deposit.status === "REFUND_PENDING" && deposit.method !== "STRIPE" ? "confirm-refund" : null;
  const state = useMine(intent ?? "confirm-deposit", deposit.id);
  if (!intent) return null;
  const ids = voucherForms[intent];
  return (
    <VoucherForm
      intent={intent} targetField="deposit_id" targetId={deposit.id} state={state} busy={busy}
      label={t(ids.label)} placeholder={t("tenderPages.finance.voucherPlaceholder")} button={t(ids.button)} buttonClass={smallButton}
      testIds={{ form: ids.form, input: ids.input, submit: ids.submit }}
    />
  );
}

function Registrations({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const refundsState = useMine("refunds");
  const { registrations, may } = page;
  if (!registrations) return null;
  return (
    <Card title={t("tenderPages.registrations.title", { count: registrations.length })} testId="tender-registrations">
      {may.finance && page.tenderDecided ? (
        <Form method="post" className="mb-4">
          <Refusal message={refundsState?.formError} params={refundsState?.formErrorParams} />
          <input type="hidden" name="intent" value="refunds" />
          <p className="mb-2 text-sm text-slate-600">{t("tenderPages.finance.refundsHint")}</p>
          <button type="submit" disabled={busy} className={button} data-testid="refund-deposits">{t("tenderPages.finance.refunds")}</button>
        </Form>
      ) : null}
      <Table head={[t("tenderPages.registrations.bidder"), t("tenderPages.registrations.kind"), t("tenderPages.registrations.registeredAt"), t("tenderPages.registrations.conflict"), t("tenderPages.registrations.deposits")]}>
        {registrations.map((r) => (
          <tr key={r.id} data-testid="registration-row" data-bidder-key={r.bidderKey}>
            <td className={cell}>{page.registrantNames[r.bidderKey] ?? r.bidderKey}</td>
            <td className={cell}>{labelOf(t, "bidderKind", r.bidderKind)}</td>
            <td className={`${cell} whitespace-nowrap text-xs`}>{formatDateTime(locale, r.registeredAt)}</td>
            <td className={cell}>
              {r.conflictLoans.length ? (
                <span className="text-sm text-red-800" data-testid="conflict-flag">
                  {t("tenderPages.registrations.conflictLoans", { loans: r.conflictLoans.join("、") })}
                </span>
              ) : (
                <span className="text-xs text-slate-500">{t("common.none")}</span>
              )}
            </td>
            <td className={cell}>
              {r.deposits.length === 0 ? <span className="text-xs text-slate-500">{t("tenderPages.registrations.noDeposit")}</span> : null}
              {r.deposits.map((d) => (
                <div key={d.id} className="mb-1">
                  <DepositRows deposits={[d]} showVoucher />
                  {may.finance ? <FinanceDepositForm deposit={d} /> : null}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </Table>
      {registrations.length === 0 ? <p className="py-3 text-sm text-slate-500">{t("tenderPages.registrations.none")}</p> : null}
    </Card>
  );
}

function RetenderForm({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const mine = useMine("retender");
  const errors = mine?.fieldErrors ?? {};
  const chosen = mine?.values ? new Set(Object.entries(mine.values).filter(([k]) => k === "lot_ids").flatMap(([, v]) => (Array.isArray(v) ? v : [v]))) : null;
  const value = (name: string) => (typeof mine?.values?.[name] === "string" ? (mine.values[name] as string) : undefined);
  if (!page.retenderable.length) return null;
  return (
    <Card title={t("tenderPages.retender.title")} testId="retender-panel">
      <Form method="post" data-testid="retender-form" noValidate>
        <Refusal message={mine?.formError} params={mine?.formErrorParams} />
        <input type="hidden" name="intent" value="retender" />
        <p className="mb-3 text-sm text-slate-600">{t("tenderPages.retender.hint")}</p>
        <FieldErrors field="lot_ids" messages={errors.lot_ids} />
        <Table head={["", t("tenderPages.lots.lot"), t("tenderPages.col.package"), t("tenderPages.col.status"), t("tenderPages.retender.packagePrice"), t("tenderPages.retender.newReserve")]}>
          {page.retenderable.map((l) => (
            <tr key={l.lotId} data-testid="retender-lot" data-lot-id={l.lotId}>
              <td className={cell}>
                <input type="checkbox" name="lot_ids" value={l.lotId} defaultChecked={chosen ? chosen.has(l.lotId) : true} data-testid="retender-lot-option" aria-label={t("tenderPages.lots.lotNumber", { number: l.lotNumber })} />
              </td>
              <td className={cell}>{t("tenderPages.lots.lotNumber", { number: l.lotNumber })}</td>
              <td className={cell}>{l.packageNumber ?? ""}</td>
              <td className={cell}>{lotStatusLabel(t, l.status)}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, l.packagePrice)}</td>
              <td className={cell}>
                <input
                  name={`reserve_${l.lotId}`} inputMode="decimal" placeholder={t("tenderPages.retender.reservePlaceholder")} defaultValue={value(`reserve_${l.lotId}`)}
                  aria-invalid={errors[`reserve_${l.lotId}`] ? true : undefined} className={`${input} w-36`} data-testid="retender-reserve"
                />
                <FieldErrors field={`reserve_${l.lotId}`} messages={errors[`reserve_${l.lotId}`]} />
              </td>
            </tr>
          ))}
        </Table>
        <p className="mt-2 text-xs text-slate-500">{t("tenderPages.retender.reserveHint")}</p>
        <div className="mt-4 grid gap-x-6 md:grid-cols-2">
          <label className="mb-3 block text-sm md:col-span-2">
            <span className="mb-1 block text-slate-700">{t("tenderPages.retender.newTitle")}</span>
            <input name="title" defaultValue={value("title")} placeholder={t("tenderPages.retender.titlePlaceholder", { title: page.tender.title })} className={`${input} w-full`} data-testid="retender-title" />
          </label>
          {timeFields.map((f) => (
            <label key={f} className="mb-3 block text-sm">
              <span className="mb-1 block text-slate-700">{labelOf(t, "retender.time", f)}</span>
              <input type="datetime-local" name={f} defaultValue={value(f)} aria-invalid={errors[f] ? true : undefined} className={`${input} w-full`} data-testid={`retender-${f}`} />
              <FieldErrors field={f} messages={errors[f]} />
            </label>
          ))}
        </div>
        <p className="mb-3 text-xs text-slate-500">{t("tenderPages.retender.timesHint", { example: chinaDateTimeLocal(page.serverTime) })}</p>
        <button type="submit" disabled={busy} className={button} data-testid="retender-submit">{t("tenderPages.retender.submit")}</button>
      </Form>
    </Card>
  );
}

function ReserveApprovals({ page }: { page: Data }) {
  const t = useT();
  const locale = useLocale();
  const busy = useBusy();
  const result = useActionData<typeof action>();
  if (!page.pendingReserves.length) return null;
  return (
    <Card title={t("tenderPages.reserves.title")} testId="reserve-approvals">
      <p className="mb-3 text-sm text-slate-600">{t("tenderPages.reserves.hint")}</p>
      <Table head={[t("tenderPages.lots.lot"), t("tenderPages.col.package"), t("tenderPages.retender.packagePrice"), t("tenderPages.reserves.requested"), t("tenderPages.reserves.requestedBy"), ""]}>
        {page.pendingReserves.map((r) => {
          const mine = result && result.intent === "approve-reserve" && result.target === r.lotId ? result : undefined;
          return (
            <tr key={r.lotId} data-testid="reserve-request" data-lot-id={r.lotId}>
              <td className={cell}>{t("tenderPages.lots.lotNumber", { number: r.lotNumber })}</td>
              <td className={cell}>{r.packageNumber ?? ""}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, r.packagePrice)}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, r.requested)}</td>
              <td className={cell}>{r.requestedBy}</td>
              <td className={cell}>
                {page.may.approve ? (
                  <Form method="post">
                    <Refusal message={mine?.formError} params={mine?.formErrorParams} />
                    <input type="hidden" name="intent" value="approve-reserve" />
                    <input type="hidden" name="target" value={r.lotId} />
                    <input type="hidden" name="lot_id" value={r.lotId} />
                    <button type="submit" disabled={busy} className={smallButton} data-testid="approve-reserve">{t("tenderPages.reserves.approve")}</button>
                  </Form>
                ) : (
                  <span className="text-xs text-slate-500">{r.ownRequest ? t("tenderPages.reserves.ownRequest") : t("tenderPages.reserves.waiting")}</span>
                )}
              </td>
            </tr>
          );
        })}
      </Table>
    </Card>
  );
}

export default function TenderPage() {
  const t = useT();
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { tender, may } = page;
  const { phase, until } = tenderPhase(tender, page.serverTime);
  const stray = result && result.intent === null ? result : undefined;
  return (
    <>
      <PageTitle actions={<Link to="/tenders" className="text-sm text-blue-700 hover:underline">{t("tenderPages.back")}</Link>}>
        <span data-testid="tender-number">{tender.number ?? t("tenderPages.draftNumber")}</span> {tender.title}{" "}
        <Badge tone={tenderStatusTones[tender.status] ?? "slate"}>
          <span data-testid="tender-status" data-status={tender.status}>{tenderStatusLabel(t, tender.status)}</span>
        </Badge>
      </PageTitle>
      <p className="-mt-4 mb-6 text-sm text-slate-600" data-testid="tender-phase" data-phase={phase}>
        {labelOf(t, "phase", phase)} <Countdown until={until} serverTime={page.serverTime} testId="tender-countdown" />
      </p>
      <Refusal message={stray?.formError} params={stray?.formErrorParams} />

      {may.manage && tender.status === "DRAFT" ? <PublishPanel page={page} /> : null}
      <ReserveApprovals page={page} />
      <AwardPanel page={page} />
      <BidderPanel page={page} />
      <Terms page={page} />
      <Rules page={page} />
      <Lots page={page} />
      <Results page={page} />
      <RetenderForm page={page} />
      <Registrations page={page} />
    </>
  );
}
