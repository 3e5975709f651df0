import type { BundleQuality, BundleResult, PackageQuality } from "~/domain/bundling";
import { toYuanString } from "~/domain/money";

/**
 * Quality reports as stored JSON (Package.quality, Bundle.quality) and as the API's body. Amounts
 * are bigint fen: stored as `{"$fen": "123456"}` so they come back as bigints; the API gives yuan
 * strings ("1234.56") and shares as numbers. No server imports (the builder uses it in the browser).
 */

const fenTag = "$fen";

/** A quality report (or any value holding bigints) as JSON; bigints are tagged so they round-trip. */
export function serializeQuality(quality: PackageQuality | BundleQuality): string {
  return JSON.stringify(quality, (_key, value: unknown) => (typeof value === "bigint" ? { [fenTag]: value.toString() } : value));
}

/** The report serializeQuality wrote, with its bigints back. */
export function parseQuality<T>(json: string): T {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const tagged = (value as Record<string, unknown>)[fenTag];
      if (keys.length === 1 && typeof tagged === "string" && /^-?\d+$/.test(tagged)) return BigInt(tagged);
    }
    return value;
  }) as T;
}

/** Shares for people and the API: four decimals are plenty (0.3125 = 31.25 %). */
export const roundShare = (share: number) => Math.round(share * 10_000) / 10_000;

type ApiViolation = { package?: number | null; rule: string; cause: string; params: Record<string, string> };

/** One package's quality in the API's words (money as yuan strings). */
export function packageQualityToApi(q: PackageQuality) {
  const mix = (m: Record<string, bigint>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, toYuanString(v)]));
  return {
    total: toYuanString(q.total),
    loan_count: q.loanCount,
    deviation: roundShare(q.deviation),
    hard_share: roundShare(q.hardShare),
    hard_share_deviation: roundShare(q.hardShareDeviation),
    regions: q.regions.map((r) => ({ region: r.region, total: toYuanString(r.total) })),
    collateral_mix: mix(q.collateralMix),
    overdue_mix: mix(q.overdueMix),
    difficulty_mix: mix(q.difficultyMix),
    largest_loan: q.largestLoan ? { loan_number: q.largestLoan.loanNumber, price: toYuanString(q.largestLoan.price), share: roundShare(q.largestLoan.share) } : null,
    violations: q.violations.map((v): ApiViolation => ({ rule: v.rule, cause: v.cause, params: v.params })),
  };
}

/** The overall quality in the API's words. */
export function bundleQualityToApi(q: BundleQuality) {
  return {
    target: toYuanString(q.target),
    pool_total: toYuanString(q.poolTotal),
    pool_hard_share: roundShare(q.poolHardShare),
    package_count: q.packageCount,
    max_deviation: roundShare(q.maxDeviation),
    max_hard_share_deviation: roundShare(q.maxHardShareDeviation),
    region_purity: roundShare(q.regionPurity),
    left_out_count: q.leftOutCount,
    left_out_by_reason: q.leftOutByReason,
    violations: q.violations.map((v): ApiViolation => ({ package: v.package, rule: v.rule, cause: v.cause, params: v.params })),
  };
}

/**
 * POST /api/v1/bundles' body: the packages (loan numbers, total, hard share, region, remainder, and
 * each package's quality), the overall quality, and the loans left out with the reason.
 */
export function bundleResultToApi(result: BundleResult) {
  return {
    packages: result.packages.map((p, i) => {
      const q = result.perPackage[i];
      return {
        loan_numbers: p.loanNumbers,
        total: toYuanString(p.total),
        hard_share: roundShare(q ? q.hardShare : p.total > 0n ? Number(p.hardTotal) / Number(p.total) : 0),
        region: p.region,
        remainder: p.remainder,
        loan_count: p.loanNumbers.length,
        deviation: q ? roundShare(q.deviation) : null,
        hard_share_deviation: q ? roundShare(q.hardShareDeviation) : null,
        violations: q ? q.violations.map((v) => ({ rule: v.rule, cause: v.cause, params: v.params })) : [],
      };
    }),
    quality: bundleQualityToApi(result.quality),
    left_out: result.leftOut.map((l) => ({ loan_number: l.loanNumber, reason: l.reason, detail: l.detail ?? {} })),
  };
}
export type BundleApiBody = ReturnType<typeof bundleResultToApi>;
