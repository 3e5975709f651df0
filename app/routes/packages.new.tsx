import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { useMemo, useState } from "react";
import { z } from "zod";
import { formatShare } from "~/components/charts";
import { FieldError, useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { enumLabel } from "~/components/loan-book";
import { PackageComposition } from "~/components/package-composition";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { QualityReport, formatPoints } from "~/components/quality-report";
import {
  assessPackages, bundleModes, mergeRemainder, overdueBucket,
  type BundleLoan, type BundlePackage, type BundleQuality, type BundleSettings, type PackageDraft, type PackageQuality,
} from "~/domain/bundling";
import { UserError } from "~/domain/errors";
import { collaterals, difficulties, fiveTiers, litigations, loanStatuses } from "~/domain/loan";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { parseForm, type ActionFormState } from "~/infra/forms";
import { formatCny, isMessageKey, type MessageKey, type Translate } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { filterOptions } from "~/services/loans/loan-book.server";
import { loanFilterSchema } from "~/services/loans/loan-filter";
import { bundleSettingsOf, previewBundle, type BundlePreview } from "~/services/packages/bundling.server";
import { saveDraftPackages } from "~/services/packages/drafts.server";
import { bundleInputSchema, saveDraftsSchema, type BundleInput } from "~/services/packages/package-schemas";
import { splitLoanNumbers } from "~/services/pricing/pricing-schemas";
import { settingsAt } from "~/services/settings/settings.server";

/**
 * /packages/new — the bundle builder (R2, issue 5 scope 2). Choose a pool (the loan book's filters or
 * pasted loan numbers), a target amount and a mode; preview the engine's packages with their quality
 * and composition; move loans between packages (re-checked in the browser with the same pure engine);
 * save the composition as draft packages. Nothing is written before "save".
 */

// ---- the form --------------------------------------------------------------------------------

const filterKeys = ["q", "branch", "region", "five_tier", "difficulty", "status", "expiring_within_days"] as const;
const maxLoanNumbers = 200_000;
const maxIncluded = 10_000;

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <S extends z.ZodType>(schema: S) => z.preprocess(blankToUndefined, schema);
const seedError = { error: "packageBuilder.error.seed" };

/** The builder's form, in the browser and on the server (messages are i18n keys). */
const builderFormSchema = z
  .object({
    q: optional(loanFilterSchema.shape.q),
    branch: optional(loanFilterSchema.shape.branch),
    region: optional(loanFilterSchema.shape.region),
    five_tier: optional(loanFilterSchema.shape.five_tier),
    difficulty: optional(loanFilterSchema.shape.difficulty),
    status: optional(loanFilterSchema.shape.status),
    expiring_within_days: optional(loanFilterSchema.shape.expiring_within_days),
    loan_numbers: z.string().max(4_000_000, { error: "form.tooLong" }).optional(),
    include: z.string().max(400_000, { error: "form.tooLong" }).optional(),
    target_amount: bundleInputSchema.shape.target_amount,
    mode: z.enum(bundleModes, { error: "form.invalidChoice" }),
    seed: optional(z.coerce.number(seedError).int(seedError).min(0, seedError).max(2 ** 31 - 1, seedError).optional()),
  })
  .superRefine((input, ctx) => {
    const numbers = splitLoanNumbers(input.loan_numbers ?? "");
    if (numbers.length && filterKeys.some((k) => input[k] !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["loan_numbers"], message: "packages.selectOne" });
    }
    if (numbers.length > maxLoanNumbers) ctx.addIssue({ code: "custom", path: ["loan_numbers"], message: "packageBuilder.error.tooManyLoans" });
    if (numbers.some((n) => n.length > 64)) ctx.addIssue({ code: "custom", path: ["loan_numbers"], message: "packageBuilder.error.loanNumberTooLong" });
    const included = splitLoanNumbers(input.include ?? "");
    if (included.length > maxIncluded) ctx.addIssue({ code: "custom", path: ["include"], message: "packageBuilder.error.tooManyIncluded" });
    if (included.some((n) => n.length > 64)) ctx.addIssue({ code: "custom", path: ["include"], message: "packageBuilder.error.loanNumberTooLong" });
  });
type BuilderForm = z.infer<typeof builderFormSchema>;

/** The form as the service's input: pasted numbers, or the filters (none = the whole loan book). */
function bundleInputOf(form: BuilderForm): BundleInput {
  const numbers = splitLoanNumbers(form.loan_numbers ?? "");
  const include = splitLoanNumbers(form.include ?? "");
  const filter = Object.fromEntries(filterKeys.filter((k) => form[k] !== undefined).map((k) => [k, form[k]]));
  return bundleInputSchema.parse({
    loan_numbers: numbers.length ? numbers : undefined,
    filter: !numbers.length && Object.keys(filter).length ? filter : undefined,
    include: include.length ? include : undefined,
    target_amount: form.target_amount,
    mode: form.mode,
    seed: form.seed,
  });
}

// ---- loader and action ------------------------------------------------------------------------

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "packages:manage");
  const [options, settings] = await Promise.all([filterOptions(), settingsAt(new Date())]);
  return { options, settings: bundleSettingsOf(settings.values) };
}

/**
 * The packaged loans, column by column, as one JSON string: a 100,000-loan pool stays a few MB and
 * the browser parses it in one go. Only what the re-checks and the loan lists read is sent; the
 * left-out loans travel in `leftOut` (number and reason). Prices are fen as JSON numbers (exact below
 * 2^53 fen).
 */
interface CompactPool {
  numbers: string[];
  prices: (number | null)[];
  regions: string[];
  region: number[];
  difficulty: number[];
  collateral: number[];
  overdueDays: number[];
  statuses: string[];
  status: number[];
  litigation: number[];
  writtenOff: (0 | 1)[];
  /** each package's loans, as indexes into the columns */
  packages: number[][];
}

function dictionary() {
  const values: string[] = [];
  const index = new Map<string, number>();
  return {
    values,
    of(value: string): number {
      let i = index.get(value);
      if (i === undefined) {
        i = values.length;
        values.push(value);
        index.set(value, i);
      }
      return i;
    },
  };
}

function compactPool(preview: BundlePreview): string {
  const packaged = new Set(preview.result.packages.flatMap((p) => p.loanNumbers));
  const regions = dictionary();
  const statuses = dictionary();
  const pool: CompactPool = {
    numbers: [], prices: [], regions: regions.values, region: [], difficulty: [], collateral: [], overdueDays: [],
    statuses: statuses.values, status: [], litigation: [], writtenOff: [], packages: [],
  };
  const at = new Map<string, number>();
  for (const l of preview.loans) {
    if (!packaged.has(l.loanNumber) || at.has(l.loanNumber)) continue;
    at.set(l.loanNumber, pool.numbers.length);
    pool.numbers.push(l.loanNumber);
    pool.prices.push(l.price === null ? null : Number(l.price));
    pool.region.push(regions.of(l.region));
    pool.difficulty.push(difficulties.indexOf(l.difficulty));
    pool.collateral.push(collaterals.indexOf(l.collateral));
    pool.overdueDays.push(l.overdueDays);
    pool.status.push(statuses.of(l.status));
    pool.litigation.push(litigations.indexOf(l.litigation));
    pool.writtenOff.push(l.writtenOff ? 1 : 0);
  }
  pool.packages = preview.result.packages.map((p) => p.loanNumbers.map((n) => at.get(n)!));
  return JSON.stringify(pool);
}

/** The browser's side of compactPool: the loans by number, and each package's loan numbers. */
function expandPool(json: string): { loans: Map<string, BundleLoan>; packages: string[][] } {
  const pool = JSON.parse(json) as CompactPool;
  const loans = new Map<string, BundleLoan>();
  pool.numbers.forEach((loanNumber, i) => {
    const price = pool.prices[i];
    loans.set(loanNumber, {
      loanNumber,
      price: price === null || price === undefined ? null : BigInt(price),
      region: pool.regions[pool.region[i]!]!,
      difficulty: difficulties[pool.difficulty[i]!]!,
      collateral: collaterals[pool.collateral[i]!]!,
      overdueDays: pool.overdueDays[i]!,
      status: pool.statuses[pool.status[i]!]!,
      litigation: litigations[pool.litigation[i]!]!,
      writtenOff: pool.writtenOff[i] === 1,
    });
  });
  return { loans, packages: pool.packages.map((list) => list.map((i) => pool.numbers[i]!)) };
}

/** What the browser needs of a preview: the parameters, the engine's report, and the packaged loans (compact). */
function clientPreview(preview: BundlePreview, settings: BundleSettings) {
  return {
    id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    input: preview.input,
    target: preview.target,
    settings,
    settingsVersion: preview.settingsVersion,
    packages: preview.result.packages.map((p) => ({ total: p.total, hardTotal: p.hardTotal, region: p.region, remainder: p.remainder })),
    perPackage: preview.result.perPackage,
    quality: preview.result.quality,
    leftOut: preview.result.leftOut,
    pool: compactPool(preview),
  };
}
type Preview = ReturnType<typeof clientPreview>;

type SaveRefusal = ActionFormState & { intent: "save" };
type PreviewRefusal = ActionFormState & { intent: "preview" };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "packages:manage");
  const formData = await request.formData();

  if (formData.get("intent") === "save") {
    let payload: unknown;
    try {
      payload = JSON.parse(String(formData.get("payload") ?? ""));
    } catch {
      payload = null;
    }
    const parsed = saveDraftsSchema.safeParse(payload);
    if (!parsed.success) return data<SaveRefusal>({ intent: "save", formError: "packageBuilder.save.invalid" }, { status: 400 });
    try {
      const saved = await saveDraftPackages(auditContextFor(request, user), user, parsed.data);
      return redirectWithToast(`/packages?bundle=${encodeURIComponent(saved.bundleId)}`, {
        kind: "success", key: "packageBuilder.toast.saved", params: { count: saved.packageIds.length },
      });
    } catch (error) {
      if (error instanceof UserError) return data<SaveRefusal>({ intent: "save", ...userErrorState(error) }, { status: error.status });
      throw error;
    }
  }

  const parsed = parseForm(builderFormSchema, formData);
  if (!parsed.ok) return data<PreviewRefusal>({ intent: "preview", fieldErrors: parsed.fieldErrors, values: parsed.values }, { status: 400 });
  try {
    const preview = await previewBundle(user, bundleInputOf(parsed.data));
    return { intent: "preview" as const, preview: clientPreview(preview, preview.settings) };
  } catch (error) {
    if (error instanceof UserError) return data<PreviewRefusal>({ intent: "preview", ...userErrorState(error, parsed.values) }, { status: error.status });
    throw error;
  }
}

// ---- the page ---------------------------------------------------------------------------------

const inputClass = "w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm aria-[invalid]:border-red-500";
const labelClass = "mb-1 block text-xs font-medium text-slate-600";

/** A refusal's message (form error, or the first field error) with its params, in the reader's language. */
function refusalText(t: Translate, state: ActionFormState): string | null {
  const key = state.formError ?? Object.values(state.fieldErrors ?? {})[0]?.[0];
  if (!key) return null;
  return isMessageKey(key) ? t(key, state.formErrorParams) : key;
}

function BuilderForm({ fetcher }: { fetcher: ReturnType<typeof useFetcher<typeof action>> }) {
  const t = useT();
  const { options } = useLoaderData<typeof loader>();
  const refusal = fetcher.data && !("preview" in fetcher.data) ? fetcher.data : undefined;
  const form = useSchemaForm(builderFormSchema, refusal);
  const busy = fetcher.state !== "idle";
  // Errors that name loans (unknown numbers) come with params.
  const withParams = (messages?: string[]) => messages?.map((m) => (isMessageKey(m) ? t(m, refusal?.formErrorParams) : m));
  const enumItems = (group: string, list: readonly string[]) => list.map((v) => ({ value: v, label: enumLabel(t, group, v) }));
  const choice = (name: (typeof filterKeys)[number], label: MessageKey, items: { value: string; label: string }[]) => (
    <div>
      <label htmlFor={`f-${name}`} className={labelClass}>{t(label)}</label>
      <select id={`f-${name}`} name={name} defaultValue={form.value(name, "")} aria-invalid={form.errors[name] ? true : undefined} className={inputClass} data-testid={`filter-${name}`}>
        <option value="">{t("common.all")}</option>
        {items.map((i) => <option key={i.value} value={i.value}>{i.label}</option>)}
      </select>
      <FieldError messages={form.errors[name]} />
    </div>
  );
  const formError = refusal?.formError ? refusalText(t, refusal) : null;
  return (
    <fetcher.Form method="post" noValidate onSubmit={form.onSubmit} data-testid="bundle-form">
      <input type="hidden" name="intent" value="preview" />
      {formError ? (
        <div className="mb-4 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="form-error">{formError}</div>
      ) : null}

      <fieldset className="mb-5">
        <legend className="mb-1 text-sm font-semibold text-slate-800">{t("packageBuilder.pool.title")}</legend>
        <p className="mb-3 text-sm text-slate-600">{t("packageBuilder.pool.filterHint")}</p>
        <div className="grid gap-3 md:grid-cols-4">
          <div className="md:col-span-2">
            <label htmlFor="f-q" className={labelClass}>{t("loans.filter.q")}</label>
            <input id="f-q" name="q" defaultValue={form.value("q", "")} placeholder={t("loans.filter.qPlaceholder")} aria-invalid={form.errors.q ? true : undefined} className={inputClass} data-testid="filter-q" />
            <FieldError messages={form.errors.q} />
          </div>
          {choice("branch", "loans.field.branch", options.branches.map((b) => ({ value: b.code, label: `${b.name}（${b.code}）` })))}
          {choice("region", "loans.field.region", options.regions.map((r) => ({ value: r, label: r })))}
          {choice("five_tier", "loans.field.fiveTier", enumItems("fiveTier", fiveTiers))}
          {choice("difficulty", "loans.field.difficulty", enumItems("difficulty", difficulties))}
          {choice("status", "loans.field.status", enumItems("status", loanStatuses))}
          <div>
            <label htmlFor="f-expiring_within_days" className={labelClass}>{t("loans.filter.expiringWithin")}</label>
            <input
              id="f-expiring_within_days" name="expiring_within_days" type="number" min={0} max={3650}
              defaultValue={form.value("expiring_within_days", "")} placeholder={t("loans.filter.days")}
              aria-invalid={form.errors.expiring_within_days ? true : undefined} className={inputClass} data-testid="filter-expiring"
            />
            <FieldError messages={form.errors.expiring_within_days} />
          </div>
        </div>
        <div className="mt-4">
          <label htmlFor="f-loan_numbers" className={labelClass}>{t("packageBuilder.pool.loanNumbers")}</label>
          <textarea
            id="f-loan_numbers" name="loan_numbers" rows={4} defaultValue={form.value("loan_numbers", "")}
            placeholder={t("packageBuilder.pool.loanNumbersPlaceholder")}
            aria-invalid={form.errors.loan_numbers ? true : undefined}
            className={`${inputClass} font-mono`} data-testid="bundle-loan-numbers"
          />
          <FieldError messages={withParams(form.errors.loan_numbers)} />
        </div>
      </fieldset>

      <fieldset className="mb-5">
        <legend className="mb-2 text-sm font-semibold text-slate-800">{t("packageBuilder.params.title")}</legend>
        <div className="grid gap-3 md:grid-cols-3">
          <div>
            <label htmlFor="f-target_amount" className={labelClass}>{t("packageBuilder.target")}<span className="text-red-600"> *</span></label>
            <input
              id="f-target_amount" name="target_amount" inputMode="decimal" defaultValue={form.value("target_amount", "")}
              placeholder="400000.00" aria-invalid={form.errors.target_amount ? true : undefined} className={inputClass}
            />
            <FieldError messages={form.errors.target_amount} />
          </div>
          <div>
            <label htmlFor="f-mode" className={labelClass}>{t("packageBuilder.mode")}</label>
            <select id="f-mode" name="mode" defaultValue={form.value("mode", "by-region")} aria-invalid={form.errors.mode ? true : undefined} className={inputClass}>
              {bundleModes.map((m) => <option key={m} value={m}>{t(`packages.mode.${m}`)}</option>)}
            </select>
            <FieldError messages={form.errors.mode} />
          </div>
          <div>
            <label htmlFor="f-seed" className={labelClass}>{t("packageBuilder.seed")}</label>
            <input
              id="f-seed" name="seed" type="number" min={0} step={1} defaultValue={form.value("seed", "")}
              aria-invalid={form.errors.seed ? true : undefined} className={inputClass}
            />
            <FieldError messages={form.errors.seed} />
            <p className="mt-1 text-xs text-slate-500">{t("packageBuilder.seedHint")}</p>
          </div>
        </div>
        <div className="mt-4">
          <label htmlFor="f-include" className={labelClass}>{t("packageBuilder.include")}</label>
          <textarea
            id="f-include" name="include" rows={2} defaultValue={form.value("include", "")}
            aria-invalid={form.errors.include ? true : undefined} className={`${inputClass} font-mono`}
          />
          <FieldError messages={withParams(form.errors.include)} />
          <p className="mt-1 text-xs text-slate-500">{t("packageBuilder.includeHint")}</p>
        </div>
      </fieldset>

      <button type="submit" disabled={busy} className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60" data-testid="bundle-preview">
        {busy ? t("packageBuilder.previewing") : t("packageBuilder.preview")}
      </button>
    </fetcher.Form>
  );
}

const cardsPerPage = 30;

interface Assessed {
  packages: BundlePackage[];
  perPackage: PackageQuality[];
  quality: BundleQuality;
}

/** Moves `loanNumber` from package `from` to package `to` (a new list; the others are shared). */
function moved(drafts: readonly PackageDraft[], loanNumber: string, from: number, to: number): PackageDraft[] {
  return drafts.map((d, i) => {
    if (i === from) return { ...d, loanNumbers: d.loanNumbers.filter((n) => n !== loanNumber) };
    if (i === to) return { ...d, loanNumbers: [...d.loanNumbers, loanNumber] };
    return d;
  });
}

function sameDrafts(a: readonly PackageDraft[], b: readonly PackageDraft[]): boolean {
  return a.length === b.length && a.every((d, i) => {
    const other = b[i]!;
    if (d.remainder !== other.remainder || d.loanNumbers.length !== other.loanNumbers.length) return false;
    const numbers = new Set(other.loanNumbers);
    return d.loanNumbers.every((n) => numbers.has(n));
  });
}

function Builder({ preview }: { preview: Preview }) {
  const t = useT();
  const locale = useLocale();
  const saver = useFetcher<typeof action>();
  const { loans, original, proposed } = useMemo(() => {
    const pool = expandPool(preview.pool);
    const drafts: PackageDraft[] = preview.packages.map((p, i) => ({ loanNumbers: pool.packages[i] ?? [], remainder: p.remainder }));
    const packages: BundlePackage[] = preview.packages.map((p, i) => ({ ...p, loanNumbers: pool.packages[i] ?? [] }));
    return { loans: pool.loans, original: drafts, proposed: packages };
  }, [preview]);
  const [drafts, setDrafts] = useState<PackageDraft[]>(original);
  const [history, setHistory] = useState<PackageDraft[][]>([]);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [note, setNote] = useState<MessageKey | null>(null);
  // Hundreds of packages: the cards come a page at a time.
  const [shown, setShown] = useState(cardsPerPage);

  // Before any change the engine's own report is shown; after a change, the re-check of the drafts.
  const current: Assessed = useMemo(() => {
    if (history.length === 0) return { packages: proposed, perPackage: preview.perPackage, quality: preview.quality };
    return assessPackages(drafts, loans, { target: preview.target, mode: preview.input.mode, poolHardShare: preview.quality.poolHardShare, leftOut: preview.leftOut }, preview.settings);
  }, [history.length, drafts, loans, proposed, preview]);

  const label = (i: number) => (drafts[i]?.remainder ? t("packages.remainder") : t("packageBuilder.package.label", { index: i + 1 }));
  const change = (next: PackageDraft[]) => {
    setHistory((h) => [...h, drafts]);
    setDrafts(next);
    setNote(null);
  };
  const move = (loanNumber: string, from: number, to: number) => change(moved(drafts, loanNumber, from, to));
  const undo = () => {
    const previous = history[history.length - 1];
    if (!previous) return;
    setHistory(history.slice(0, -1));
    setDrafts(previous);
    setNote(null);
  };
  const reset = () => {
    setHistory([]);
    setDrafts(original);
    setNote(null);
  };
  const canMerge = drafts.some((d) => d.remainder && d.loanNumbers.length > 0) && drafts.some((d) => !d.remainder);
  const merge = () => {
    // The engine leaves an emptied remainder in place; it is dropped here.
    const next = mergeRemainder(drafts, loans, { target: preview.target, mode: preview.input.mode }, preview.settings)
      .filter((d) => !(d.remainder && d.loanNumbers.length === 0));
    if (sameDrafts(next, drafts)) setNote("packageBuilder.edit.mergeNothing");
    else change(next);
  };

  const toSave = drafts.filter((d) => d.loanNumbers.length > 0);
  const empty = drafts.length - toSave.length;
  const save = () => {
    const payload = { ...preview.input, packages: toSave.map((d) => ({ loan_numbers: [...d.loanNumbers], remainder: d.remainder })) };
    saver.submit({ intent: "save", payload: JSON.stringify(payload) }, { method: "post" });
  };
  const saving = saver.state !== "idle";
  const saveRefusal = saver.data && !("preview" in saver.data) ? refusalText(t, saver.data) : null;

  const toggle = (i: number) => setOpen((o) => {
    const next = new Set(o);
    if (next.has(i)) next.delete(i);
    else next.add(i);
    return next;
  });

  return (
    <>
      <Card title={t("packageBuilder.quality.title")}>
        <p className="mb-3 text-xs text-slate-500">
          {t("packageBuilder.previewOf", { mode: t(`packages.mode.${preview.input.mode}`), seed: preview.input.seed ?? 1, version: preview.settingsVersion })}
        </p>
        <QualityReport quality={current.quality} leftOut={preview.leftOut} packageLabel={label} settings={preview.settings} />
      </Card>

      <Card title={t("packageBuilder.edit.title")} testId="bundle-edit">
        <p className="mb-3 text-sm text-slate-600">{t("packageBuilder.edit.hint")}</p>
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" onClick={undo} disabled={history.length === 0} className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm disabled:opacity-50" data-testid="bundle-undo">
            {t("packageBuilder.edit.undo")}
          </button>
          <button type="button" onClick={reset} disabled={history.length === 0} className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm disabled:opacity-50" data-testid="bundle-reset">
            {t("packageBuilder.edit.reset")}
          </button>
          <button type="button" onClick={merge} disabled={!canMerge} className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm disabled:opacity-50" data-testid="bundle-merge-remainder">
            {t("packageBuilder.edit.mergeRemainder")}
          </button>
          <span className="text-sm text-slate-500" data-testid="bundle-changes">{t("packageBuilder.edit.changes", { count: history.length })}</span>
          <span className="flex-1" />
          <button
            type="button" onClick={save} disabled={saving || toSave.length === 0}
            className="rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60" data-testid="bundle-save"
          >
            {saving ? t("packageBuilder.saving") : t("packageBuilder.save", { count: toSave.length })}
          </button>
        </div>
        {note ? <p className="mt-2 text-sm text-amber-800" role="status" data-testid="bundle-note">{t(note)}</p> : null}
        {empty > 0 ? <p className="mt-2 text-sm text-amber-800">{t("packageBuilder.save.dropEmpty", { count: empty })}</p> : null}
        {saveRefusal ? (
          <div className="mt-3 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="bundle-save-error">
            <p className="font-medium">{t("packageBuilder.save.refused")}</p>
            <p>{saveRefusal}</p>
          </div>
        ) : null}
      </Card>

      {current.packages.length ? (
        <Card title={t("packageBuilder.composition.title")} testId="bundle-composition">
          {current.packages.length > shown ? <p className="mb-3 text-xs text-slate-500">{t("packageBuilder.composition.firstOnly", { count: shown })}</p> : null}
          <div className={shown > 12 ? "max-h-[48rem] overflow-y-auto pr-2" : undefined}>
            <PackageComposition packages={current.perPackage.slice(0, shown).map((quality, i) => ({ label: label(i), quality }))} />
          </div>
        </Card>
      ) : null}

      <h2 className="mb-3 text-lg font-semibold">{t("packageBuilder.packages.title", { count: current.packages.length })}</h2>
      {current.packages.length === 0 ? <p className="mb-6 text-sm text-slate-500" data-testid="bundle-no-packages">{t("packageBuilder.packages.none")}</p> : null}
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        {current.packages.slice(0, shown).map((pkg, i) => {
          const quality = current.perPackage[i]!;
          const isOpen = open.has(i);
          const bad = quality.violations.length > 0;
          return (
            <section
              key={i}
              className={`rounded border bg-white p-4 shadow-sm ${bad ? "border-red-300" : "border-slate-200"} ${isOpen ? "lg:col-span-2" : ""}`}
              data-testid="bundle-package"
              data-index={i}
              data-remainder={pkg.remainder ? "true" : undefined}
              data-violations={quality.violations.length}
            >
              <header className="mb-3 flex flex-wrap items-center gap-2">
                <h3 className="text-base font-semibold">{label(i)}</h3>
                {pkg.region ? <Badge tone="blue">{pkg.region}</Badge> : <Badge>{t("packageBuilder.package.mixed")}</Badge>}
                {bad ? (
                  <Badge tone="red">{t("packageBuilder.package.violations", { count: quality.violations.length })}</Badge>
                ) : (
                  <Badge tone="green">{t("packageBuilder.package.ok")}</Badge>
                )}
              </header>
              {quality.loanCount === 0 ? <p className="mb-2 text-sm text-amber-800">{t("packageBuilder.package.empty")}</p> : null}
              <QualityReport quality={quality} remainder={pkg.remainder} settings={preview.settings} testId="bundle-package-quality" violationTestId="bundle-package-violation" />
              <button
                type="button" onClick={() => toggle(i)} aria-expanded={isOpen}
                className="mt-3 text-sm text-blue-700 hover:underline" data-testid="bundle-package-toggle"
              >
                {isOpen ? t("packageBuilder.package.hideLoans") : t("packageBuilder.package.showLoans", { count: pkg.loanNumbers.length })}
              </button>
              {isOpen ? <LoanList numbers={pkg.loanNumbers} index={i} count={current.packages.length} label={label} loans={loans} onMove={move} /> : null}
            </section>
          );
        })}
      </div>
      {current.packages.length > shown ? (
        <button
          type="button" onClick={() => setShown(shown + cardsPerPage)}
          className="mb-6 rounded border border-slate-300 bg-white px-4 py-2 text-sm" data-testid="bundle-more-packages"
        >
          {t("packageBuilder.packages.more", { count: current.packages.length - shown })}
        </button>
      ) : null}
      <p className="mb-6 text-xs text-slate-500">{t("packageBuilder.totals", { total: formatCny(locale, current.quality.poolTotal), share: formatShare(current.quality.poolHardShare) })}</p>
    </>
  );
}

function LoanList({ numbers, index, count, label, loans, onMove }: {
  numbers: readonly string[];
  index: number;
  count: number;
  label: (i: number) => string;
  loans: ReadonlyMap<string, BundleLoan>;
  onMove: (loanNumber: string, from: number, to: number) => void;
}) {
  const t = useT();
  const locale = useLocale();
  const targets = Array.from({ length: count }, (_, i) => i).filter((i) => i !== index);
  return (
    <div className="mt-2 max-h-96 overflow-y-auto">
      <Table
        testId="bundle-loans"
        head={[t("loans.field.loanNumber"), t("loans.field.price"), t("loans.field.region"), t("loans.field.difficulty"), t("loans.field.collateral"), t("packageBuilder.loan.overdue"), t("packageBuilder.loan.moveTo")]}
      >
        {numbers.map((n) => {
          const loan = loans.get(n);
          return (
            <tr key={n} data-testid="bundle-loan" data-loan-number={n}>
              <td className={`${cell} whitespace-nowrap font-mono text-xs`}>{n}</td>
              <td className={`${cell} whitespace-nowrap text-right`}>{loan?.price != null ? formatCny(locale, loan.price) : t("common.none")}</td>
              <td className={`${cell} whitespace-nowrap`}>{loan?.region ?? t("common.none")}</td>
              <td className={`${cell} whitespace-nowrap`}>{enumLabel(t, "difficulty", loan?.difficulty)}</td>
              <td className={`${cell} whitespace-nowrap`}>{enumLabel(t, "collateral", loan?.collateral)}</td>
              <td className={`${cell} whitespace-nowrap`}>{loan ? t(`packages.overdue.${overdueBucket(loan.overdueDays)}`) : t("common.none")}</td>
              <td className={cell}>
                <select
                  value=""
                  onChange={(e) => {
                    if (e.target.value !== "") onMove(n, index, Number(e.target.value));
                  }}
                  aria-label={t("packageBuilder.loan.moveLabel", { loan: n })}
                  className="rounded border border-slate-300 bg-white px-1 py-0.5 text-xs"
                  data-testid={`move-loan-${n}`}
                  disabled={targets.length === 0}
                >
                  <option value="">{t("packageBuilder.loan.movePlaceholder")}</option>
                  {targets.map((i) => <option key={i} value={i}>{label(i)}</option>)}
                </select>
              </td>
            </tr>
          );
        })}
      </Table>
    </div>
  );
}

export default function NewBundle() {
  const t = useT();
  const { settings } = useLoaderData<typeof loader>();
  const previewer = useFetcher<typeof action>();
  // The last good preview stays on screen while a new request is refused.
  const [preview, setPreview] = useState<Preview | null>(null);
  const latest = previewer.data && "preview" in previewer.data ? previewer.data.preview : null;
  if (latest && latest !== preview) setPreview(latest);
  return (
    <>
      <PageTitle actions={<Link to="/packages" className="text-sm text-blue-700 hover:underline">{t("packageBuilder.back")}</Link>}>
        {t("packageBuilder.title")}
      </PageTitle>
      <p className="mb-4 text-sm text-slate-600">
        {t("packageBuilder.intro", {
          tolerance: formatShare(Number(settings.packageTolerance)),
          hard: formatPoints(t, Number(settings.hardShareTolerance), false),
          share: formatShare(Number(settings.maxLoanShare)),
        })}
      </p>
      <Card>
        <BuilderForm fetcher={previewer} />
      </Card>
      {preview ? <Builder key={preview.id} preview={preview} /> : null}
    </>
  );
}
