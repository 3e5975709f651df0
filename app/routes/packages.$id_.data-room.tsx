import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, type ActionFormState } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { enumLabel } from "~/components/loan-book";
import { MaskedLoanCells, overdueLabel } from "~/components/package-loans";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import type { DataRoomRefusal } from "~/domain/data-room";
import type { EligibilityReason } from "~/domain/eligibility";
import { UserError } from "~/domain/errors";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requireUser } from "~/infra/auth.server";
import { formatCny, formatDate, isMessageKey } from "~/infra/i18n";
import { clientIp, redirectWithToast } from "~/infra/session.server";
import { eligibilityOf } from "~/services/identity/organizations.server";
import {
  acceptUndertaking, dataRoomAccessFor, openDataRoom, undertakingText, type AggregateRow, type DataRoom,
} from "~/services/packages/data-room.server";

/**
 * A package's data room. The server decides who may enter (dataRoomAccessFor): the department any
 * time; a bidder only while the package is in a tender open to them and they are eligible, after
 * accepting the confidentiality undertaking when the settings require it. Every opening is audited
 * (openDataRoom); a refusal is a 403 page that says why.
 */

interface Refused {
  kind: "refused";
  reason: Exclude<DataRoomRefusal, "undertaking_required">;
  eligibilityReasons: EligibilityReason[];
  /** the facts the eligibility messages name (the viewer's position, the licence's end, the ban's end) */
  facts: { position: string; licenceValidUntil: Date | null; bannedUntil: Date | null };
}
interface Undertaking {
  kind: "undertaking";
  packageId: string;
  text: string;
}
interface Room extends DataRoom {
  kind: "room";
}
type LoaderResult = Refused | Undertaking | Room;

async function refused(userId: string, reason: Refused["reason"], eligibilityReasons: EligibilityReason[] = []) {
  let facts: Refused["facts"] = { position: "", licenceValidUntil: null, bannedUntil: null };
  if (eligibilityReasons.length) {
    const { user } = await eligibilityOf(userId);
    facts = { position: user.position ?? "", licenceValidUntil: user.organization.licenceValidUntil, bannedUntil: user.organization.bannedUntil };
  }
  return data<LoaderResult>({ kind: "refused", reason, eligibilityReasons, facts }, { status: 403, headers: { "Cache-Control": "no-store" } });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  try {
    const access = await dataRoomAccessFor(user, id);
    if (!access.allowed) {
      if (access.reason === "undertaking_required") {
        return data<LoaderResult>({ kind: "undertaking", packageId: id, text: undertakingText[user.locale] }, { headers: { "Cache-Control": "no-store" } });
      }
      return await refused(user.id, access.reason, access.eligibilityReasons);
    }
    const room = await openDataRoom(auditContextFor(request, user), user, id);
    return data<LoaderResult>({ kind: "room", ...room }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    // Access changed between the check and the opening: say so as any other refusal.
    if (error instanceof UserError && error.status === 403) {
      const reason = error.key.replace("packages.dataRoom.", "") as Refused["reason"];
      return await refused(user.id, reason);
    }
    throw error;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  const formData = await request.formData();
  if (formData.get("intent") !== "accept") return data<ActionFormState>({ formError: "form.invalidChoice" }, { status: 400 });
  try {
    await acceptUndertaking(auditContextFor(request, user), user, id, clientIp(request) ?? undefined);
    return redirectWithToast(`/packages/${encodeURIComponent(id)}/data-room`, { kind: "success", key: "packagePages.toast.undertakingAccepted" });
  } catch (error) {
    if (error instanceof UserError) {
      if (error.status === 404) throw notFound();
      return data<ActionFormState>(userErrorState(error), { status: error.status });
    }
    throw error;
  }
}

function RefusedPage({ page }: { page: Refused }) {
  const t = useT();
  const locale = useLocale();
  const messageKey = `packages.dataRoom.${page.reason}`;
  return (
    <>
      <PageTitle>{t("packagePages.dataRoom.titlePlain")}</PageTitle>
      <div className="mx-auto max-w-2xl rounded border border-red-200 bg-white p-8" data-testid="data-room-refused" data-reason={page.reason}>
        <p className="text-4xl font-bold text-slate-300">403</p>
        <h2 className="mt-3 text-xl font-semibold">{t("packagePages.dataRoom.refusedTitle")}</h2>
        <p className="mt-2 text-slate-700" data-testid="refusal-message">{isMessageKey(messageKey) ? t(messageKey) : page.reason}</p>
        {page.eligibilityReasons.length ? (
          <div className="mt-4">
            <p className="text-sm font-medium text-slate-700">{t("packagePages.dataRoom.eligibilityReasons")}</p>
            <ul className="mt-1 list-inside list-disc text-sm text-red-800">
              {page.eligibilityReasons.map((reason) => (
                <li key={reason} data-testid={`refusal-reason-${reason}`}>
                  {t(`eligibility.reason.${reason}`, {
                    position: page.facts.position,
                    date: formatDate(locale, reason === "agency_banned" ? page.facts.bannedUntil : page.facts.licenceValidUntil),
                  })}
                </li>
              ))}
            </ul>
            <Link to="/eligibility" className="mt-3 inline-block text-sm text-blue-700 hover:underline">{t("packagePages.dataRoom.eligibilityLink")}</Link>
          </div>
        ) : null}
        <Link to="/" className="mt-6 inline-block text-blue-700 underline">{t("error.back")}</Link>
      </div>
    </>
  );
}

function UndertakingPage({ page }: { page: Undertaking }) {
  const t = useT();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <PageTitle>{t("packagePages.dataRoom.titlePlain")}</PageTitle>
      <Card title={t("packagePages.dataRoom.undertakingTitle")} testId="undertaking">
        <FormError state={actionData} />
        <p className="mb-3 text-sm text-slate-600">{t("packagePages.dataRoom.undertakingIntro")}</p>
        <blockquote className="mb-4 whitespace-pre-line rounded border border-slate-200 bg-slate-50 p-4 text-sm leading-relaxed text-slate-800" data-testid="undertaking-text">
          {page.text}
        </blockquote>
        <Form method="post">
          <input type="hidden" name="intent" value="accept" />
          <button type="submit" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800" data-testid="undertaking-accept">
            {t("packagePages.dataRoom.undertakingAccept")}
          </button>
        </Form>
      </Card>
    </>
  );
}

const share = (part: bigint, whole: bigint) => (whole > 0n ? `${((Number(part) / Number(whole)) * 100).toFixed(1)}%` : "—");

function AggregateTable({ title, rows, total, name, testId }: { title: string; rows: AggregateRow[]; total: bigint; name: (key: string) => string; testId: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div data-testid={testId}>
      <h3 className="mb-1 text-sm font-semibold">{title}</h3>
      <Table head={[t("packagePages.dataRoom.item"), t("packagePages.dataRoom.count"), t("packagePages.dataRoom.amount"), t("packagePages.dataRoom.share")]}>
        {rows.map((r) => (
          <tr key={r.key} data-testid="aggregate-row" data-key={r.key}>
            <td className={cell}>{name(r.key)}</td>
            <td className={`${cell} text-right`}>{r.count}</td>
            <td className={`${cell} whitespace-nowrap text-right`}>{formatCny(locale, r.total)}</td>
            <td className={`${cell} text-right`}>{share(r.total, total)}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}

function RoomPage({ room }: { room: Room }) {
  const t = useT();
  const locale = useLocale();
  const { summary, loans, aggregates: a, documents } = room;
  const money = (fen: bigint) => formatCny(locale, fen);
  const base = `/packages/${encodeURIComponent(summary.id)}`;
  const statusKey = `packages.status.${summary.status}`;
  return (
    <>
      <PageTitle
        actions={room.as === "department" ? <Link to={base} className="text-sm text-blue-700 hover:underline">{t("packagePages.dataRoom.backToPackage")}</Link> : null}
      >
        {t("packagePages.dataRoom.title", { label: summary.label })}{" "}
        <Badge tone="blue"><span data-testid="package-status" data-status={summary.status}>{isMessageKey(statusKey) ? t(statusKey) : summary.status}</span></Badge>
      </PageTitle>
      <p className="mb-4 text-sm text-slate-500" data-testid="data-room-audited">{t("packagePages.dataRoom.audited")}</p>

      <Card title={t("packagePages.dataRoom.summary")} testId="data-room-summary">
        <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-5">
          <div><dt className="text-slate-500">{t("packagePages.dataRoom.loanCount")}</dt><dd data-testid="data-room-loan-count">{a.loanCount}</dd></div>
          <div><dt className="text-slate-500">{t("packagePages.dataRoom.total")}</dt><dd className="font-medium" data-testid="data-room-total">{money(a.total)}</dd></div>
          <div><dt className="text-slate-500">{t("packagePages.dataRoom.principal")}</dt><dd>{money(a.principal)}</dd></div>
          <div><dt className="text-slate-500">{t("packagePages.dataRoom.claim")}</dt><dd>{money(a.claim)}</dd></div>
          <div><dt className="text-slate-500">{t("packagePages.dataRoom.region")}</dt><dd>{summary.region ?? t("packagePages.mixed")}</dd></div>
        </dl>
        <p className="mt-4">
          <a href={`${base}/data-room/export`} className="rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50" data-testid="data-room-export" download>
            {t("packagePages.dataRoom.export")}
          </a>
        </p>
      </Card>

      <Card title={t("packagePages.dataRoom.aggregates")} testId="data-room-aggregates">
        <div className="grid gap-6 md:grid-cols-2">
          <AggregateTable title={t("packagePages.dataRoom.byDifficulty")} rows={a.byDifficulty} total={a.total} name={(k) => enumLabel(t, "difficulty", k)} testId="aggregate-difficulty" />
          <AggregateTable title={t("packagePages.dataRoom.byRegion")} rows={a.byRegion} total={a.total} name={(k) => k} testId="aggregate-region" />
          <AggregateTable title={t("packagePages.dataRoom.byCollateral")} rows={a.byCollateral} total={a.total} name={(k) => enumLabel(t, "collateral", k)} testId="aggregate-collateral" />
          <AggregateTable title={t("packagePages.dataRoom.byOverdue")} rows={a.byOverdue} total={a.total} name={(k) => overdueLabel(t, k)} testId="aggregate-overdue" />
        </div>
      </Card>

      <Card title={t("packagePages.dataRoom.loans")} testId="data-room-loans">
        <Table
          head={[
            t("packagePages.loans.loanNumber"), t("packagePages.loans.borrower"), t("packagePages.loans.branch"), t("packagePages.loans.principal"),
            t("packagePages.loans.claim"), t("packagePages.loans.price"), t("packagePages.loans.difficulty"), t("packagePages.loans.collateral"),
            t("packagePages.loans.overdue"), t("packagePages.loans.fiveTier"), t("packagePages.loans.litigation"), t("packagePages.loans.limitation"),
          ]}
        >
          {loans.map((l) => (
            <tr key={l.loanNumber} data-testid="data-room-loan" data-loan-number={l.loanNumber}>
              <td className={`${cell} whitespace-nowrap`}>{l.loanNumber}</td>
              <MaskedLoanCells loan={l} t={t} money={money} />
              <td className={cell}>{enumLabel(t, "fiveTier", l.fiveTier)}</td>
              <td className={cell}>{enumLabel(t, "litigation", l.litigation)}</td>
              <td className={`${cell} whitespace-nowrap`}>{l.limitationExpiresOn}</td>
            </tr>
          ))}
        </Table>
      </Card>

      <Card title={t("packagePages.dataRoom.documents")} testId="data-room-documents">
        {documents.length ? (
          <ul className="space-y-1 text-sm">
            {documents.map((d) => (
              <li key={d.id} data-testid="data-room-document">
                <a href={`${base}/documents/${encodeURIComponent(d.id)}`} className="text-blue-700 hover:underline" download={d.fileName}>{d.title}</a>
                <span className="ml-2 text-xs text-slate-500">{d.fileName} · {(d.size / 1024).toFixed(1)} KB · {formatDate(locale, d.uploadedAt)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-500">{t("packagePages.dataRoom.noDocuments")}</p>
        )}
      </Card>
    </>
  );
}

export default function DataRoomPage() {
  const page = useLoaderData<typeof loader>();
  if (page.kind === "refused") return <RefusedPage page={page} />;
  if (page.kind === "undertaking") return <UndertakingPage page={page} />;
  return <RoomPage room={page} />;
}
