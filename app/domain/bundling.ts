/**
 * R2 bundling: priced loans into packages of about the target amount T. Pure: no I/O; the same
 * request and seed always give the same packages. Shares are plain numbers (reporting only); every
 * amount is bigint fen.
 *
 * CONTRACT (lead): the exported names and types below are fixed; the implementation is the
 * bundling helper's.
 */
import type { Settings } from "./settings";
import type { Collateral, Difficulty, Litigation } from "./loan";

export const bundleModes = ["by-region", "mixed"] as const;
export type BundleMode = (typeof bundleModes)[number];

/** Overdue-length buckets R2 spreads (from (extended) maturity to the bundling day). */
export const overdueBuckets = ["under1y", "1to2y", "2to5y", "over5y"] as const;
export type OverdueBucket = (typeof overdueBuckets)[number];

export type BundleSettings = Pick<Settings, "packageTolerance" | "hardShareTolerance" | "maxLoanShare" | "excludeLitigationFromCustody">;

export interface BundleLoan {
  loanNumber: string;
  /** the price in force, fen; null when the loan has not been priced */
  price: bigint | null;
  region: string;
  difficulty: Difficulty;
  collateral: Collateral;
  /** whole days from (extended) maturity to the bundling day; 0 when not yet mature */
  overdueDays: number;
  /** the loan's status (IN_BOOK, RETURNED, PACKAGED, …) */
  status: string;
  litigation: Litigation;
  writtenOff: boolean;
  /** the draft or submitted package the loan already sits in, if any */
  inPackage?: string | null;
}

export interface BundleRequest {
  loans: readonly BundleLoan[];
  /** T, fen, > 0 */
  target: bigint;
  mode: BundleMode;
  /** breaks ties; default 1 */
  seed?: number;
  /** loan numbers the user includes explicitly despite litigation or write-off (R2) */
  include?: readonly string[];
}

export const leftOutReasons = [
  "unpriced",
  "not_available",
  "in_package",
  "litigation",
  "written_off",
  "over_concentration_cap",
  "duplicate",
] as const;
/**
 * unpriced: no price in force (or price 0); not_available: status other than IN_BOOK/RETURNED
 * (detail.status says which); in_package: already in a draft or submitted package (detail.package);
 * litigation / written_off: excluded by R2 unless included explicitly; over_concentration_cap: the
 * price exceeds maxLoanShare of the largest package the tolerance allows (detail.share); duplicate:
 * the same loan number twice in the input.
 */
export type LeftOutReason = (typeof leftOutReasons)[number];

export interface LeftOut {
  loanNumber: string;
  reason: LeftOutReason;
  detail?: Record<string, string>;
}

export interface BundlePackage {
  /** price descending, then loan number */
  loanNumbers: string[];
  total: bigint;
  hardTotal: bigint;
  /** the one region of a package formed inside a region (by-region mode); null when mixed */
  region: string | null;
  /** the one remainder package R2 exempts from the tolerance (at most one, always last) */
  remainder: boolean;
}

export const ruleCodes = ["tolerance", "hard_share", "concentration", "region"] as const;
export type RuleCode = (typeof ruleCodes)[number];

export const violationCauses = [
  "pool_below_target",
  "region_hard_share",
  "pool_hard_share_unreachable",
  "lumpy_loans",
  "region_below_target",
  "manual_change",
] as const;
/**
 * Why a rule could not be met. pool_below_target: the eligible pool (or region) holds less than
 * T × (1 − tolerance); region_hard_share: a region's own hard share lies too far from the pool's for
 * a pure-region package to meet it; pool_hard_share_unreachable: not enough hard (or recoverable)
 * value left to balance this package; lumpy_loans: the remaining loans are too large to land within
 * the tolerance; region_below_target: by-region mode, but the region holds less than T so the
 * package mixes regions (reported in `quality`, not a violation of R2); manual_change: the user
 * moved loans so the package no longer meets the rule.
 */
export type ViolationCause = (typeof violationCauses)[number];

export interface Violation {
  rule: RuleCode;
  cause: ViolationCause;
  /** numbers for the message: percentages as strings with one decimal ("5.3"), amounts as yuan strings */
  params: Record<string, string>;
}

export interface PackageQuality {
  total: bigint;
  loanCount: number;
  /** total / T − 1 */
  deviation: number;
  /** hard value / total (0 for an empty package) */
  hardShare: number;
  /** hardShare − the pool's hard share */
  hardShareDeviation: number;
  /** value per region, largest first */
  regions: { region: string; total: bigint }[];
  collateralMix: Record<Collateral, bigint>;
  overdueMix: Record<OverdueBucket, bigint>;
  difficultyMix: Record<Difficulty, bigint>;
  largestLoan: { loanNumber: string; price: bigint; share: number } | null;
  violations: Violation[];
}

export interface BundleQuality {
  target: bigint;
  /** value of the eligible pool (every loan not left out) */
  poolTotal: bigint;
  /** hard value / value of the eligible pool */
  poolHardShare: number;
  packageCount: number;
  /** max |deviation| over the packages other than the remainder (0 when there are none) */
  maxDeviation: number;
  /** max |hardShareDeviation| over the packages other than the remainder */
  maxHardShareDeviation: number;
  /** share of the non-remainder packages' value that lies in single-region packages (0..1) */
  regionPurity: number;
  leftOutCount: number;
  leftOutByReason: Partial<Record<LeftOutReason, number>>;
  /** every package's violations (package = index in `packages`) plus pool-wide ones (package = null) */
  violations: (Violation & { package: number | null })[];
}

export interface BundleResult {
  packages: BundlePackage[];
  /** one per package, same order */
  perPackage: PackageQuality[];
  quality: BundleQuality;
  leftOut: LeftOut[];
}

/** The composition of a package as the user edits it (moving loans), for re-checking. */
export interface PackageDraft {
  loanNumbers: readonly string[];
  remainder: boolean;
}

export declare function overdueBucket(overdueDays: number): OverdueBucket;

/** R2: the loans eligible for bundling into packages, with its quality report and what was left out and why. */
export declare function bundleLoans(request: BundleRequest, settings: BundleSettings): BundleResult;

/**
 * Re-checks packages after the user moved loans between them: the same per-package quality and
 * overall report as `bundleLoans`, against the pool's hard share of the original bundle. Violations
 * that the edit caused carry cause "manual_change".
 */
export declare function assessPackages(
  packages: readonly PackageDraft[],
  loans: ReadonlyMap<string, BundleLoan>,
  options: { target: bigint; mode: BundleMode; poolHardShare: number; leftOut?: readonly LeftOut[] },
  settings: BundleSettings,
): { packages: BundlePackage[]; perPackage: PackageQuality[]; quality: BundleQuality };

/**
 * "Merge" the remainder (R2: the user may merge or keep it): its loans go into the other packages,
 * largest first, each into the package with the most room (same region first in by-region mode)
 * as long as that package stays within +tolerance and the rules; whatever does not fit stays the remainder.
 */
export declare function mergeRemainder(
  packages: readonly PackageDraft[],
  loans: ReadonlyMap<string, BundleLoan>,
  options: { target: bigint; mode: BundleMode },
  settings: BundleSettings,
): PackageDraft[];
