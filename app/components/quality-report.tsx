import { useState, type ReactNode } from "react";
import { enumLabel } from "~/components/loan-book";
import type { BundleQuality, BundleSettings, LeftOut, PackageQuality, RuleCode, Violation } from "~/domain/bundling";
import { leftOutReasons } from "~/domain/bundling";
import { formatYuan, parseYuan } from "~/domain/money";
import { formatCny, type MessageKey, type Translate } from "~/infra/i18n";
import { formatShare } from "./charts";
import { useLocale, useT } from "./i18n";

/**
 * The R2 quality report, in words: of a whole bundle (`BundleQuality`: worst deviations, region
 * purity, pool hard share, loans left out and why, every violation) or of one package
 * (`PackageQuality`: total, deviation from the target, hard share against the pool's, regions,
 * largest loan, loan count, its violations). Violations read "rule: cause" with the numbers behind them.
 */
export interface QualityReportProps {
  quality: BundleQuality | PackageQuality;
  /** bundle: the loans left out, listed (expandable) under the counts by reason */
  leftOut?: readonly LeftOut[];
  /** bundle: the name of package `index` in violations (default "包 {n}") */
  packageLabel?: (index: number) => string;
  /** the R2 tolerances in force, shown next to the figures they bound */
  settings?: BundleSettings;
  /** package: it is the remainder, which R2 exempts from the amount tolerance */
  remainder?: boolean;
  /** default "bundle-quality" */
  testId?: string;
  /** the test id of each violation (default "bundle-violation") */
  violationTestId?: string;
}

const isBundle = (q: BundleQuality | PackageQuality): q is BundleQuality => "packageCount" in q;

/** A share with its sign: 0.0234 → "+2.3%". */
export function formatSignedShare(share: number): string {
  const text = formatShare(Math.abs(share));
  return share > 0.00005 ? `+${text}` : share < -0.00005 ? `-${text}` : text;
}

/** A difference of two shares in percentage points, with its sign: "+5.1 个百分点". */
export function formatPoints(t: Translate, diff: number, signed = true): string {
  const abs = (Math.abs(diff) * 100).toFixed(1);
  const sign = !signed ? "" : diff > 0.00005 ? "+" : diff < -0.00005 ? "-" : "";
  return t("packageBuilder.points", { value: `${sign}${abs}` });
}

/** A rate of the settings ("0.05") as a percentage ("5.0%"). */
function rateText(rate: string): string {
  const n = Number(rate);
  return Number.isFinite(n) ? formatShare(n) : rate;
}

/**
 * A yuan string of the engine ("1234.56") grouped for reading: "1,234.56". The messages carry the
 * unit themselves ("{total} 元"), so no ¥ sign here.
 */
export function groupedYuan(value: string | undefined): string {
  if (value === undefined) return "—";
  try {
    return formatYuan(parseYuan(value, { allowNegative: true })).replace("¥", "");
  } catch {
    return value;
  }
}

const amountParams = ["total", "target", "poolTotal", "minimum", "remainder", "price"];

/** The engine's params made readable: amounts grouped, a deviation with its sign. */
function readableParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...params };
  for (const key of amountParams) if (params[key] !== undefined) out[key] = groupedYuan(params[key]);
  if (params.deviation !== undefined && /^\d/.test(params.deviation) && !/^0(\.0)?$/.test(params.deviation)) out.deviation = `+${params.deviation}`;
  return out;
}

/** The numbers behind a violation (packages.ruleDetail.*), unless its cause already says them. */
function violationDetail(t: Translate, v: Violation, params: Record<string, string>): string | null {
  switch (v.rule) {
    case "tolerance":
      if (params.poolTotal !== undefined) return t("packages.ruleDetail.pool", params);
      if (params.remainder !== undefined) return t("packages.ruleDetail.remainder", params);
      return params.total !== undefined ? t("packages.ruleDetail.tolerance", params) : null;
    case "hard_share":
      return params.hardShare !== undefined ? t("packages.ruleDetail.hard_share", params) : null;
    case "concentration":
      return params.loanNumber !== undefined ? t("packages.ruleDetail.concentration", params) : null;
    case "region":
      return params.regions !== undefined && v.cause !== "region_below_target" ? t("packages.ruleDetail.region", params) : null;
    default:
      return null;
  }
}

/** "Rule: cause (numbers)" in the reader's language. */
export function violationText(t: Translate, v: Violation): string {
  const params = readableParams(v.params);
  const text = t("packages.violation", { rule: t(`packages.rule.${v.rule}` as MessageKey, params), cause: t(`packages.cause.${v.cause}` as MessageKey, params) });
  const detail = violationDetail(t, v, params);
  return detail ? t("packageBuilder.violationWithDetails", { text, details: detail }) : text;
}

/** Why a loan was left out, with its detail (status, package, share). */
export function leftOutText(t: Translate, l: LeftOut): string {
  const detail = l.detail ?? {};
  const params = readableParams(detail);
  if (detail.status) params.status = enumLabel(t, "status", detail.status);
  return t(`packages.leftOut.${l.reason}` as MessageKey, params);
}

function Fact({ label, children, bad, testId }: { label: string; children: ReactNode; bad?: boolean; testId?: string }) {
  return (
    <div data-testid={testId}>
      <dt className="text-slate-500">{label}</dt>
      <dd className={bad ? "font-medium text-red-700" : "text-slate-900"} data-bad={bad ? "true" : undefined}>{children}</dd>
    </div>
  );
}

/** Shown at once; the rest of a long list opens on demand. */
const violationsShown = 20;
const leftOutListed = 2000;

function LeftOutList({ leftOut }: { leftOut: readonly LeftOut[] }) {
  const t = useT();
  // A big pool can leave thousands out: the rows are rendered only once the list is opened.
  const [open, setOpen] = useState(false);
  return (
    <details className="mt-2 text-sm" data-testid="bundle-left-out" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer text-blue-700">{t("packageBuilder.quality.leftOutList", { count: leftOut.length })}</summary>
      {open ? (
        <ul className="mt-2 max-h-80 list-inside list-disc overflow-y-auto">
          {leftOut.slice(0, leftOutListed).map((l, i) => (
            <li key={`${l.loanNumber}-${i}`} data-testid="bundle-left-out-loan" data-loan-number={l.loanNumber} data-reason={l.reason}>
              <span className="font-mono">{l.loanNumber}</span> · {leftOutText(t, l)}
            </li>
          ))}
          {leftOut.length > leftOutListed ? <li className="list-none text-slate-500">{t("packageBuilder.quality.leftOutTruncated", { count: leftOutListed })}</li> : null}
        </ul>
      ) : null}
    </details>
  );
}

function Violations({ items, label, testId }: { items: readonly (Violation & { package?: number | null })[]; label?: (index: number) => string; testId: string }) {
  const t = useT();
  if (!items.length) return null;
  const rest = items.slice(violationsShown);
  return (
    <>
      <ViolationItems items={items.slice(0, violationsShown)} label={label} testId={testId} />
      {rest.length ? (
        <details className="mt-1 text-sm">
          <summary className="cursor-pointer text-blue-700">{t("packageBuilder.quality.moreViolations", { count: rest.length })}</summary>
          <ViolationItems items={rest} label={label} testId={testId} />
        </details>
      ) : null}
    </>
  );
}

function ViolationItems({ items, label, testId }: { items: readonly (Violation & { package?: number | null })[]; label?: (index: number) => string; testId: string }) {
  const t = useT();
  return (
    <ul className="mt-3 space-y-1 text-sm">
      {items.map((v, i) => (
        <li
          key={i}
          className="rounded border border-red-200 bg-red-50 px-3 py-1.5 text-red-800"
          data-testid={testId}
          data-rule={v.rule}
          data-cause={v.cause}
          data-package={v.package ?? undefined}
        >
          {label && v.package !== undefined ? (
            <span className="font-medium">{t("packageBuilder.quality.violationOf", { label: v.package === null ? t("packageBuilder.quality.poolWide") : label(v.package) })}</span>
          ) : null}
          {violationText(t, v)}
        </li>
      ))}
    </ul>
  );
}

export function QualityReport({ quality, leftOut, packageLabel, settings, remainder, testId, violationTestId = "bundle-violation" }: QualityReportProps) {
  const t = useT();
  const locale = useLocale();
  if (!isBundle(quality)) return <PackageReport quality={quality} settings={settings} remainder={remainder} testId={testId ?? "bundle-quality"} violationTestId={violationTestId} />;
  const label = packageLabel ?? ((i: number) => t("packageBuilder.package.label", { index: i + 1 }));
  const allowed = (value: string) => t("packageBuilder.quality.allowed", { value });
  // The worst figures leave the remainder out: against the tolerances when known, else by the packages' violations.
  const rules = new Set(quality.violations.filter((v) => v.package !== null).map((v) => v.rule));
  const over = (value: number, rate: string | undefined, rule: RuleCode) => (rate !== undefined ? value > Number(rate) + 1e-9 : rules.has(rule));
  const reasons = leftOutReasons.filter((r) => (quality.leftOutByReason[r] ?? 0) > 0);
  return (
    <div data-testid={testId ?? "bundle-quality"}>
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <Fact label={t("packageBuilder.quality.target")} testId="quality-target">{formatCny(locale, quality.target)}</Fact>
        <Fact label={t("packageBuilder.quality.poolTotal")}>{formatCny(locale, quality.poolTotal)}</Fact>
        <Fact label={t("packageBuilder.quality.packageCount")} testId="quality-package-count">{quality.packageCount}</Fact>
        <Fact label={t("packageBuilder.quality.poolHardShare")} testId="quality-pool-hard-share">{formatShare(quality.poolHardShare)}</Fact>
        <Fact label={t("packageBuilder.quality.maxDeviation")} bad={over(quality.maxDeviation, settings?.packageTolerance, "tolerance")} testId="quality-max-deviation">
          {formatShare(quality.maxDeviation)}
          {settings ? <span className="ml-1 text-xs text-slate-500">{allowed(rateText(settings.packageTolerance))}</span> : null}
        </Fact>
        <Fact label={t("packageBuilder.quality.maxHardShareDeviation")} bad={over(quality.maxHardShareDeviation, settings?.hardShareTolerance, "hard_share")} testId="quality-max-hard-share-deviation">
          {formatPoints(t, quality.maxHardShareDeviation, false)}
          {settings ? <span className="ml-1 text-xs text-slate-500">{allowed(formatPoints(t, Number(settings.hardShareTolerance), false))}</span> : null}
        </Fact>
        <Fact label={t("packageBuilder.quality.regionPurity")} testId="quality-region-purity">{formatShare(quality.regionPurity)}</Fact>
        <Fact label={t("packageBuilder.quality.leftOut")} testId="quality-left-out">
          {t("packageBuilder.quality.loanCount", { count: quality.leftOutCount })}
        </Fact>
      </dl>
      <p className="mt-2 text-xs text-slate-500">{t("packageBuilder.quality.excludesRemainder")}</p>

      {reasons.length ? (
        <div className="mt-4">
          <h3 className="mb-1 text-sm font-semibold">{t("packageBuilder.quality.leftOutByReason")}</h3>
          <ul className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="left-out-by-reason">
            {reasons.map((r) => (
              <li key={r} data-reason={r}>
                {t("packageBuilder.quality.reasonCount", { reason: t(`packageBuilder.leftOutReason.${r}` as MessageKey), count: quality.leftOutByReason[r] ?? 0 })}
              </li>
            ))}
          </ul>
          {leftOut?.length ? (
            <LeftOutList leftOut={leftOut} />
          ) : null}
        </div>
      ) : null}

      <h3 className="mb-1 mt-4 text-sm font-semibold">{t("packageBuilder.quality.violations")}</h3>
      {quality.violations.length ? (
        <Violations items={quality.violations} label={label} testId={violationTestId} />
      ) : (
        <p className="text-sm text-green-800" data-testid="quality-ok">{t("packageBuilder.quality.noViolations")}</p>
      )}
    </div>
  );
}

function PackageReport({ quality, settings, remainder, testId, violationTestId }: { quality: PackageQuality; settings?: BundleSettings; remainder?: boolean; testId: string; violationTestId: string }) {
  const t = useT();
  const locale = useLocale();
  const rules = new Set(quality.violations.map((v) => v.rule));
  const poolHardShare = quality.hardShare - quality.hardShareDeviation;
  const shownRegions = quality.regions.slice(0, 3).map((r) => r.region).join("、");
  return (
    <div data-testid={testId}>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
        <Fact label={t("packageBuilder.package.total")} testId="package-total">{formatCny(locale, quality.total)}</Fact>
        <Fact label={t("packageBuilder.package.loanCount")} testId="package-loan-count">{quality.loanCount}</Fact>
        <Fact label={t("packageBuilder.package.deviation")} bad={rules.has("tolerance")} testId="package-deviation">
          {formatSignedShare(quality.deviation)}
          {remainder ? (
            <span className="ml-1 text-xs text-slate-500">{t("packageBuilder.package.remainderExempt")}</span>
          ) : settings ? (
            <span className="ml-1 text-xs text-slate-500">{t("packageBuilder.quality.allowed", { value: rateText(settings.packageTolerance) })}</span>
          ) : null}
        </Fact>
        <Fact label={t("packageBuilder.package.hardShare")} bad={rules.has("hard_share")} testId="package-hard-share">
          {t("packageBuilder.package.hardShareVsPool", { share: formatShare(quality.hardShare), pool: formatShare(poolHardShare), diff: formatPoints(t, quality.hardShareDeviation) })}
        </Fact>
        <Fact label={t("packageBuilder.package.regions")} bad={rules.has("region")} testId="package-regions">
          {quality.regions.length === 0 ? t("common.none") : shownRegions}
          {quality.regions.length > 3 ? ` ${t("packageBuilder.package.moreRegions", { count: quality.regions.length })}` : null}
        </Fact>
        <Fact label={t("packageBuilder.package.largestLoan")} bad={rules.has("concentration")} testId="package-largest-loan">
          {quality.largestLoan ? (
            <>
              {formatShare(quality.largestLoan.share)} <span className="font-mono text-xs text-slate-500">{quality.largestLoan.loanNumber}</span>
              {settings ? <span className="ml-1 text-xs text-slate-500">{t("packageBuilder.quality.maxAllowed", { value: rateText(settings.maxLoanShare) })}</span> : null}
            </>
          ) : (
            t("common.none")
          )}
        </Fact>
      </dl>
      <Violations items={quality.violations} testId={violationTestId} />
    </div>
  );
}
