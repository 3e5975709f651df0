import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FieldError, FormError, SubmitButton, type ActionFormState } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { MaskedLoanCells } from "~/components/package-loans";
import { Badge, Card, Fact, PageTitle, Table, cell } from "~/components/page";
import { PackageComposition } from "~/components/package-composition";
import { QualityReport } from "~/components/quality-report";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requirePermission } from "~/infra/auth.server";
import { formatCny, formatDateTime, isMessageKey, type MessageKey, type Translate } from "~/infra/i18n";
import { parseForm } from "~/infra/forms";
import { formDataOf, readLimitedBody } from "~/infra/request-body.server";
import { redirectWithToast } from "~/infra/session.server";
import { approvePackage, rejectPackage, submitPackage } from "~/services/packages/approval.server";
import { addDocument } from "~/services/packages/data-room.server";
import { discardDraft, moveLoan } from "~/services/packages/drafts.server";
import { getPackage } from "~/services/packages/package-queries.server";
import { decisionSchema, documentTitleSchema, moveLoanSchema, rejectSchema } from "~/services/packages/package-schemas";

/** Documents up to 20 MB (the data-room policy), plus room for the other fields and the multipart framing. */
const maxDocumentBytes = 20 * 1024 * 1024;
const maxBodyBytes = maxDocumentBytes + 64 * 1024;
const tooLarge = () => new UserError("files.tooLarge", { field: "file", params: { max: "20 MB" }, status: 413 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "packages:view");
  try {
    const pkg = await getPackage(user, params.id ?? "");
    return { ...pkg, mayApprove: can(user.roles, "packages:approve") };
  } catch (error) {
    if (error instanceof UserError && error.status === 404) throw notFound();
    throw error;
  }
}

const intents = ["submit", "approve", "reject", "move", "discard", "upload"] as const;
type Intent = (typeof intents)[number];
type ActionResult = ActionFormState & { intent: Intent | null; loanNumber?: string };

const isIntent = (value: unknown): value is Intent => typeof value === "string" && (intents as readonly string[]).includes(value);

export async function action({ request, params }: ActionFunctionArgs) {
  // Every intent checks its own permission in its service; viewing the package is the least.
  const user = await requirePermission(request, "packages:view");
  const id = params.id ?? "";
  const here = `/packages/${encodeURIComponent(id)}`;
  const ctx = auditContextFor(request, user);
  let intent: Intent | null = null;
  let values: Record<string, string> = {};
  const refused = (state: ActionFormState, status: number) => data<ActionResult>({ ...state, intent, loanNumber: values.loan_number }, { status });
  try {
    const formData = await formDataOf(request, await readLimitedBody(request, maxBodyBytes, tooLarge));
    const raw = formData.get("intent");
    intent = isIntent(raw) ? raw : null;
    values = Object.fromEntries([...formData].filter((e): e is [string, string] => typeof e[1] === "string"));
    switch (intent) {
      case "submit": {
        await submitPackage(ctx, user, id);
        return redirectWithToast(here, { kind: "success", key: "packagePages.toast.submitted" });
      }
      case "approve":
      case "reject": {
        if (intent === "reject") {
          const parsed = parseForm(rejectSchema, formData);
          if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors, values: parsed.values }, 400);
          await rejectPackage(ctx, user, id, parsed.data);
          return redirectWithToast(here, { kind: "success", key: "packagePages.toast.rejected" });
        }
        const parsed = parseForm(decisionSchema, formData);
        if (!parsed.ok) return refused({ fieldErrors: parsed.fieldErrors, values: parsed.values }, 400);
        const approved = await approvePackage(ctx, user, id, { comment: parsed.data.comment || undefined });
        return redirectWithToast(here, { kind: "success", key: "packagePages.toast.approved", params: { number: approved.number ?? "" } });
      }
      case "move": {
        const parsed = parseForm(moveLoanSchema, formData);
        if (!parsed.ok) return refused({ formError: "packagePages.move.chooseTarget", values: parsed.values }, 400);
        const moved = await moveLoan(ctx, user, id, parsed.data);
        return redirectWithToast(here, {
          kind: "success", key: "packagePages.toast.moved",
          params: { loan: parsed.data.loan_number, index: moved.to.draftIndex },
        });
      }
      case "discard": {
        await discardDraft(ctx, user, id);
        return redirectWithToast("/packages?status=DRAFT", { kind: "success", key: "packagePages.toast.discarded" });
      }
      case "upload": {
        const parsed = parseForm(documentTitleSchema, formData);
        const file = formData.get("file");
        const hasFile = file instanceof File && file.size > 0;
        if (!parsed.ok || !hasFile) {
          const fieldErrors = parsed.ok ? {} : { ...parsed.fieldErrors };
          if (!hasFile) fieldErrors.file = ["packagePages.documents.fileRequired"];
          return refused({ fieldErrors, values: parsed.values }, 400);
        }
        if (file.size > maxDocumentBytes) throw tooLarge();
        const upload = { bytes: new Uint8Array(await file.arrayBuffer()), originalName: file.name, uploadedById: user.id };
        await addDocument(ctx, user, id, upload, parsed.data.title);
        return redirectWithToast(here, { kind: "success", key: "packagePages.toast.uploaded", params: { title: parsed.data.title } });
      }
      default:
        return refused({ formError: "form.invalidChoice" }, 400);
    }
  } catch (error) {
    if (error instanceof UserError) {
      // A refusal about the file belongs to the upload form even when the service names no field.
      if (intent === "upload" && !error.options.field && error.key.startsWith("files.")) {
        return refused({ fieldErrors: { file: [error.key] }, formErrorParams: error.options.params, values }, error.status);
      }
      // Fields this page has an input for keep their error there; any other refusal is the form's.
      const field = error.options.field;
      const shown = field && ((intent === "upload" && (field === "title" || field === "file")) || ((intent === "approve" || intent === "reject") && field === "comment"));
      return refused(shown ? userErrorState(error, values) : { formError: error.key, formErrorParams: error.options.params, values }, error.status);
    }
    throw error;
  }
}

type Data = Awaited<ReturnType<typeof loader>>;

const statusTones: Record<string, "slate" | "green" | "red" | "amber" | "blue"> = {
  DRAFT: "slate", SUBMITTED: "amber", APPROVED: "green", IN_TENDER: "blue", DISCARDED: "red",
};

function labelOf(t: Translate, key: string, fallback: string, params?: Record<string, string | number>): string {
  return isMessageKey(key) ? t(key, params) : fallback;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const signedPercent = (share: number) => `${share > 0 ? "+" : share < 0 ? "−" : "±"}${Math.abs(share * 100).toFixed(1)}%`;

/** A message with {params} filled from the refusal (FormError does this for the form-level error; field errors need it too). */
function withParams(t: Translate, message: string, params?: Record<string, string | number>): string {
  const text = isMessageKey(message) ? t(message) : message;
  return params ? text.replace(/\{(\w+)\}/g, (w, k: string) => String(params[k] ?? w)) : text;
}

function ErrorsOf({ messages, params }: { messages?: string[]; params?: Record<string, string | number> }) {
  const t = useT();
  if (!messages?.length) return null;
  return (
    <p className="mt-1 text-sm text-red-700" role="alert" data-testid="field-error">
      {messages.map((m) => withParams(t, m, params)).join(" ")}
    </p>
  );
}


/** The state of the action when it answered `intent` (and, for a move, this loan). */
function useMine(intent: Intent | readonly Intent[], loanNumber?: string): ActionResult | undefined {
  const actionData = useActionData<typeof action>();
  if (!actionData) return undefined;
  const list: readonly (Intent | null)[] = Array.isArray(intent) ? intent : [intent];
  if (!list.includes(actionData.intent)) return undefined;
  if (loanNumber !== undefined && actionData.loanNumber !== loanNumber) return undefined;
  return actionData;
}

function Actions({ pkg }: { pkg: Data }) {
  const t = useT();
  const actionData = useActionData<typeof action>();
  const submitState = useMine("submit");
  const decisionState = useMine(["approve", "reject"]);
  const discardState = useMine("discard");
  const { summary, can: may, mayApprove } = pkg;
  const otherState = actionData && actionData.intent === null ? actionData : undefined;
  const fourEyes = summary.status === "SUBMITTED" && mayApprove && !may.approve && !may.reject;
  const nothing = !may.submit && !may.approve && !may.reject && !may.discard && !fourEyes;
  return (
    <Card title={t("packagePages.actions.title")} testId="package-actions">
      <FormError state={otherState} />
      {nothing ? <p className="text-sm text-slate-500">{t("packagePages.actions.none")}</p> : null}
      {fourEyes ? (
        <p className="mb-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" role="status" data-testid="four-eyes-notice">
          {t("packages.fourEyes")}
        </p>
      ) : null}
      {may.submit ? (
        <Form method="post" className="mb-4">
          <FormError state={submitState} />
          <input type="hidden" name="intent" value="submit" />
          <p className="mb-2 text-sm text-slate-600">{t("packagePages.actions.submitHint")}</p>
          <button type="submit" className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800" data-testid="package-submit">
            {t("packagePages.actions.submit")}
          </button>
        </Form>
      ) : null}
      {may.approve || may.reject ? (
        <Form method="post" className="mb-4 max-w-2xl" data-testid="decision-form">
          <FormError state={decisionState && !decisionState.fieldErrors ? decisionState : undefined} />
          <label htmlFor="f-comment" className="mb-1 block text-sm font-medium text-slate-700">{t("packagePages.actions.comment")}</label>
          <textarea
            id="f-comment" name="comment" rows={3} defaultValue={decisionState?.values?.comment ?? ""}
            aria-invalid={decisionState?.fieldErrors?.comment ? true : undefined}
            className="w-full rounded border border-slate-300 px-3 py-2 text-sm aria-[invalid]:border-red-500" data-testid="package-comment"
          />
          <p className="text-xs text-slate-500">{t("packagePages.actions.commentHint")}</p>
          <ErrorsOf messages={decisionState?.fieldErrors?.comment} params={decisionState?.formErrorParams} />
          <div className="mt-3 flex gap-3">
            {may.approve ? (
              <button type="submit" name="intent" value="approve" className="rounded bg-green-700 px-4 py-2 text-sm font-medium text-white hover:bg-green-800" data-testid="package-approve">
                {t("packagePages.actions.approve")}
              </button>
            ) : null}
            {may.reject ? (
              <button type="submit" name="intent" value="reject" className="rounded bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800" data-testid="package-reject">
                {t("packagePages.actions.reject")}
              </button>
            ) : null}
          </div>
        </Form>
      ) : null}
      {may.discard ? (
        <Form
          method="post"
          onSubmit={(event) => {
            if (!window.confirm(t("packagePages.actions.discardConfirm"))) event.preventDefault();
          }}
        >
          <FormError state={discardState} />
          <input type="hidden" name="intent" value="discard" />
          <SubmitButton variant="danger">{t("packagePages.actions.discard")}</SubmitButton>
          <span className="ml-3 text-xs text-slate-500">{t("packagePages.actions.discardHint")}</span>
        </Form>
      ) : null}
    </Card>
  );
}

function MoveForm({ loanNumber, siblings }: { loanNumber: string; siblings: Data["siblings"] }) {
  const t = useT();
  const locale = useLocale();
  const mine = useMine("move", loanNumber);
  const error = mine?.formError ? [mine.formError] : undefined;
  return (
    <Form method="post" className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="intent" value="move" />
      <input type="hidden" name="loan_number" value={loanNumber} />
      <select
        name="to_package_id" defaultValue="" aria-label={t("packagePages.move.to", { loan: loanNumber })}
        className="rounded border border-slate-300 bg-white px-2 py-1 text-sm" data-testid={`move-loan-${loanNumber}`}
      >
        <option value="">{t("packagePages.move.choose")}</option>
        {siblings.map((s) => (
          <option key={s.id} value={s.id}>
            {s.label}
            {s.region ? ` · ${s.region}` : ""} · {formatCny(locale, s.total)}
          </option>
        ))}
      </select>
      <button type="submit" className="rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-50" data-testid={`move-loan-submit-${loanNumber}`}>
        {t("packagePages.move.submit")}
      </button>
      <ErrorsOf messages={error} params={mine?.formErrorParams} />
    </Form>
  );
}

function Documents({ pkg }: { pkg: Data }) {
  const t = useT();
  const locale = useLocale();
  const mine = useMine("upload");
  const id = pkg.summary.id;
  return (
    <Card title={t("packagePages.documents.title")} testId="package-documents">
      {pkg.documents.length ? (
        <Table head={[t("packagePages.documents.docTitle"), t("packagePages.documents.file"), t("packagePages.documents.size"), t("packagePages.documents.uploadedAt"), "SHA-256"]}>
          {pkg.documents.map((d) => (
            <tr key={d.id} data-testid="package-document" data-document-id={d.id}>
              <td className={cell}>{d.title}</td>
              <td className={cell}>
                <a href={`/packages/${encodeURIComponent(id)}/documents/${encodeURIComponent(d.id)}`} className="text-blue-700 hover:underline" download={d.fileName}>
                  {d.fileName}
                </a>
              </td>
              <td className={`${cell} whitespace-nowrap text-right`}>{formatSize(d.size)}</td>
              <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, d.uploadedAt)}</td>
              <td className={`${cell} font-mono text-xs text-slate-500`} title={d.sha256}>{d.sha256.slice(0, 12)}…</td>
            </tr>
          ))}
        </Table>
      ) : (
        <p className="text-sm text-slate-500">{t("packagePages.documents.none")}</p>
      )}
      {pkg.can.upload ? (
        <Form key={pkg.documents.length} method="post" encType="multipart/form-data" className="mt-4 max-w-2xl border-t border-slate-100 pt-4" data-testid="package-document-upload">
          <h3 className="mb-2 text-sm font-semibold">{t("packagePages.documents.upload")}</h3>
          <FormError state={mine && !mine.fieldErrors ? mine : undefined} />
          <input type="hidden" name="intent" value="upload" />
          <div className="grid gap-3 md:grid-cols-2">
            <label className="block text-sm font-medium text-slate-700">
              {t("packagePages.documents.docTitle")}<span className="text-red-600"> *</span>
              <input
                name="title" defaultValue={mine?.values?.title as string | undefined} maxLength={200}
                aria-invalid={mine?.fieldErrors?.title ? true : undefined}
                className="mt-1 w-full rounded border border-slate-300 px-3 py-2 text-sm font-normal aria-[invalid]:border-red-500"
              />
              <FieldError messages={mine?.fieldErrors?.title} />
            </label>
            <label className="block text-sm font-medium text-slate-700">
              {t("packagePages.documents.file")}<span className="text-red-600"> *</span>
              <input
                type="file" name="file" accept=".pdf,.png,.jpg,.jpeg,.xlsx,.docx"
                aria-invalid={mine?.fieldErrors?.file ? true : undefined}
                className="mt-1 block w-full text-sm font-normal"
              />
              <ErrorsOf messages={mine?.fieldErrors?.file} params={mine?.formErrorParams} />
            </label>
          </div>
          <p className="mt-1 text-xs text-slate-500">{t("packagePages.documents.policy")}</p>
          <div className="mt-3">
            <SubmitButton variant="secondary">{t("packagePages.documents.submit")}</SubmitButton>
          </div>
        </Form>
      ) : null}
    </Card>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** One history line: the event's label with its detail (loan, number, comment, title) filled in. */
function eventText(t: Translate, kind: string, detail: Record<string, unknown>): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(detail)) {
    if (typeof v === "string" || typeof v === "number") params[k] = v;
  }
  return labelOf(t, `packages.event.${kind}`, kind, params);
}

function eventExtra(t: Translate, kind: string, detail: Record<string, unknown>): string | null {
  const parts: string[] = [];
  const label = labelOf(t, `packages.event.${kind}`, "", {});
  const used = new Set([...label.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
  if (typeof detail.comment === "string" && detail.comment && !used.has("comment")) parts.push(detail.comment);
  const other = (text: unknown) => (typeof text === "string" && /^#\d+$/.test(text) ? t("packages.draftLabel", { index: text.slice(1) }) : String(text));
  if (kind === "loan_out" && detail.toLabel) parts.push(t("packagePages.history.to", { label: other(detail.toLabel) }));
  if (kind === "loan_in" && detail.fromLabel) parts.push(t("packagePages.history.from", { label: other(detail.fromLabel) }));
  if (kind === "merged" && Array.isArray(detail.loans)) parts.push(detail.loans.join("、"));
  return parts.length ? parts.join(" · ") : null;
}

export default function PackagePage() {
  const t = useT();
  const locale = useLocale();
  const pkg = useLoaderData<typeof loader>();
  const { summary, loans, events, siblings, bundle } = pkg;
  const title = summary.label;
  const money = (fen: bigint) => formatCny(locale, fen);
  const canMove = pkg.can.move && summary.status === "DRAFT" && siblings.length > 0;
  const modeKey = `packages.mode.${bundle.mode}` as MessageKey;
  return (
    <>
      <PageTitle actions={<Link to="/packages" className="text-sm text-blue-700 hover:underline">{t("packagePages.back")}</Link>}>
        <span data-testid="package-number">{title}</span>{" "}
        <Badge tone={statusTones[summary.status] ?? "slate"}>
          <span data-testid="package-status" data-status={summary.status}>{labelOf(t, `packages.status.${summary.status}`, summary.status)}</span>
        </Badge>
        {summary.isRemainder ? <> <Badge tone="amber">{t("packages.remainder")}</Badge></> : null}
      </PageTitle>

      <Card testId="package-summary">
        <dl className="grid gap-x-6 gap-y-3 text-sm md:grid-cols-4">
          <Fact label={t("packagePages.col.total")} testId="package-total">{money(summary.total)}</Fact>
          <Fact label={t("packagePages.target")}>{money(summary.targetAmount)}</Fact>
          <Fact label={t("packagePages.col.deviation")}>{signedPercent(summary.quality.deviation)}</Fact>
          <Fact label={t("packagePages.col.loans")} testId="package-loan-count">{summary.loanCount}</Fact>
          <Fact label={t("packagePages.col.hardShare")}>
            {percent(summary.quality.hardShare)}{" "}
            <span className="text-xs text-slate-500">{t("packagePages.poolHardShare", { share: percent(bundle.poolHardShare) })}</span>
          </Fact>
          <Fact label={t("packagePages.col.region")}>{summary.region ?? t("packagePages.mixed")}</Fact>
          <Fact label={t("packagePages.bundle")}>
            <Link to={`/packages?bundle=${encodeURIComponent(bundle.id)}`} className="text-blue-700 hover:underline">
              {isMessageKey(modeKey) ? t(modeKey) : bundle.mode}
            </Link>{" "}
            <span className="text-xs text-slate-500">{t("packagePages.seed", { seed: bundle.seed })}</span>
          </Fact>
          <Fact label={t("packagePages.createdAt")}>{formatDateTime(locale, summary.createdAt)}</Fact>
          {summary.submittedAt ? (
            <Fact label={t("packagePages.submitted")}>{t("packagePages.byAt", { name: summary.submittedBy ?? t("common.none"), at: formatDateTime(locale, summary.submittedAt) })}</Fact>
          ) : null}
          {summary.decidedAt ? (
            <Fact label={t("packagePages.decided")}>
              {labelOf(t, `packagePages.decision.${summary.decision ?? ""}`, summary.decision ?? "")}{" "}
              {t("packagePages.byAt", { name: summary.decidedBy ?? t("common.none"), at: formatDateTime(locale, summary.decidedAt) })}
              {summary.decisionComment ? <span className="block text-slate-600" data-testid="decision-comment">{summary.decisionComment}</span> : null}
            </Fact>
          ) : null}
        </dl>
        <p className="mt-4 text-sm">
          <Link to={`/packages/${encodeURIComponent(summary.id)}/data-room`} className="text-blue-700 hover:underline" data-testid="data-room-link">
            {t("packagePages.dataRoomLink")}
          </Link>
        </p>
      </Card>

      <Actions pkg={pkg} />

      <Card title={t("packagePages.quality")} testId="package-quality">
        <QualityReport quality={summary.quality} remainder={summary.isRemainder} testId="package-quality-report" violationTestId="package-violation" />
      </Card>

      <Card title={t("packagePages.composition")} testId="package-composition">
        <PackageComposition packages={[{ label: title, quality: summary.quality }]} />
      </Card>

      <Card title={t("packagePages.loans.title", { count: loans.length })} testId="package-loans">
        <Table
          head={[
            t("packagePages.loans.loanNumber"), t("packagePages.loans.borrower"), t("packagePages.loans.branch"),
            t("packagePages.loans.principal"), t("packagePages.loans.claim"), t("packagePages.loans.price"),
            t("packagePages.loans.difficulty"), t("packagePages.loans.collateral"), t("packagePages.loans.overdue"),
            ...(canMove ? [t("packagePages.move.title")] : []),
          ]}
        >
          {loans.map((l) => (
            <tr key={l.loanNumber} data-testid="package-loan" data-loan-number={l.loanNumber}>
              <td className={cell}>
                <Link to={`/loans/${encodeURIComponent(l.loanNumber)}`} className="whitespace-nowrap text-blue-700 hover:underline">{l.loanNumber}</Link>
              </td>
              <MaskedLoanCells loan={l} t={t} money={money} />
              {canMove ? <td className={cell}><MoveForm loanNumber={l.loanNumber} siblings={siblings} /></td> : null}
            </tr>
          ))}
        </Table>
        {loans.length === 0 ? <p className="py-3 text-sm text-slate-500">{t("packagePages.loans.none")}</p> : null}
      </Card>

      <Documents pkg={pkg} />

      <Card title={t("packagePages.history.title")} testId="package-history">
        <Table head={[t("packagePages.history.time"), t("packagePages.history.event"), t("packagePages.history.by")]}>
          {events.map((e, i) => {
            const extra = eventExtra(t, e.kind, e.detail);
            return (
              <tr key={i} data-testid="package-event" data-kind={e.kind}>
                <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, e.at)}</td>
                <td className={cell}>
                  {eventText(t, e.kind, e.detail)}
                  {extra ? <span className="block text-xs text-slate-600">{extra}</span> : null}
                </td>
                <td className={cell}>{e.by}</td>
              </tr>
            );
          })}
        </Table>
        {events.length === 0 ? <p className="py-3 text-sm text-slate-500">{t("packagePages.history.none")}</p> : null}
      </Card>
    </>
  );
}
