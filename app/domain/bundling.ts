/**
 * R2 bundling: priced loans into packages of about the target amount T. Pure: no I/O; the same
 * request and seed always give the same packages. Shares are plain numbers (reporting only); every
 * amount is bigint fen.
 *
 * CONTRACT (lead): the exported names and types below are fixed; the implementation is the
 * bundling helper's.
 */
import { parseRate, roundHalfUp, toYuanString, type Rate } from "./money";
import type { Settings } from "./settings";
import { collaterals, difficulties, type Collateral, type Difficulty, type Litigation } from "./loan";

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

/** R2's overdue-length buckets: under 1 year, 1–2, 2–5, over 5 years (365-day years). */
export function overdueBucket(overdueDays: number): OverdueBucket {
  if (overdueDays < 365) return "under1y";
  if (overdueDays < 730) return "1to2y";
  if (overdueDays < 1825) return "2to5y";
  return "over5y";
}

/**
 * R2: the loans eligible for bundling into packages, with its quality report and what was left out and why.
 *
 * How (all of it deterministic; the input order does not matter except which of two duplicates is kept,
 * the first one):
 * 1. Screening: duplicates, unpriced, unavailable, already packaged, litigation / written off (unless
 *    included) and loans above maxLoanShare of the largest package the tolerance allows are left out.
 *    The rest — the eligible pool — is sorted by price (largest first), then loan number.
 * 2. Groups: mode `by-region` forms packages inside every region that holds at least T × (1 − tolerance)
 *    (so always when it holds T); the regions' leftovers and the smaller regions form one mixed group.
 *    Mode `mixed` makes the whole pool one group.
 * 3. In a group of value S: k packages (⌊S/T⌋, plus one when the rest reaches T × (1 − tolerance)), each
 *    with a hard and a recoverable stream aiming at T × a and T × (1 − a), a = the group's hard share
 *    held within half the tolerance of the pool's (or the group's own when it lies beyond the tolerance:
 *    a named violation). Loans go largest first into the package with the most room left in their stream
 *    (among the few with the most room, the one holding least of the loan's collateral kind and overdue
 *    bucket relative to its fill; ties by a seeded random rank). A package taking a loan above
 *    maxLoanShare × T aims higher (loan / maxLoanShare ≤ T × (1 + tolerance)). A first pass fills each
 *    stream exactly to its aim (so the leftover keeps the group's mix), a second offers the leftover
 *    again with a little slack. What fits nowhere is the group's leftover.
 * 4. Repair: a package below T × (1 − tolerance), below its concentration need or off the hard-share
 *    band is topped up from the leftover, else one of its loans is exchanged for a leftover one, else it
 *    takes small loans of the fullest sibling packages that stay fine without them (never above
 *    T × (1 + tolerance)); failing all that it is dissolved into the leftover.
 * 5. The final packages are checked (the same check as `assessPackages`); a regular package breaking a
 *    rule that the pool does not explain is dissolved into the remainder, so every violation reported
 *    names a cause in the pool. The remainder (if any) is the last package.
 * O(n log n) overall: a heap of packages per stream, a few heap operations per loan.
 */
export function bundleLoans(request: BundleRequest, settings: BundleSettings): BundleResult {
  const limits = limitsFor(request.target, settings);
  const { eligible: items, leftOut } = screen(request, limits);

  // plain numbers of fen: sums of whole numbers stay exact far beyond any loan book (2^53 fen)
  let poolTotal = 0;
  let poolHard = 0;
  for (const item of items) {
    poolTotal += item.price;
    if (item.hard) poolHard += item.price;
  }
  const poolShare = poolTotal > 0 ? poolHard / poolTotal : 0;
  const ctx: CheckContext = { limits, mode: request.mode, poolShare, pool: fractionOf(poolShare) };

  const engine: Engine = {
    T: Number(limits.target),
    lower: Number(limits.lower),
    upper: Number(limits.upper),
    capNum: Number(limits.cap.numerator),
    capDen: Number(limits.cap.denominator),
    h: poolShare,
    hardTol: Number(limits.hardTol.numerator) / Number(limits.hardTol.denominator),
    tol: Number(limits.tol.numerator) / Number(limits.tol.denominator),
    rng: mulberry32(request.seed ?? 1),
  };
  const works: Work[] = [];
  let remainderItems: Item[];
  if (request.mode === "by-region") {
    const byRegion = new Map<string, Item[]>();
    for (const item of items) {
      const list = byRegion.get(item.loan.region);
      if (list) list.push(item);
      else byRegion.set(item.loan.region, [item]);
    }
    const mixed: Item[] = [];
    for (const region of [...byRegion.keys()].sort(compareText)) {
      const regionItems = byRegion.get(region)!;
      let value = 0;
      for (const item of regionItems) value += item.price;
      if (value < engine.lower) {
        for (const item of regionItems) mixed.push(item);
        continue;
      }
      const group = formGroup(regionItems, engine);
      works.push(...group.packages);
      for (const item of group.leftover) mixed.push(item);
    }
    mixed.sort(compareItems);
    const group = formGroup(mixed, engine);
    works.push(...group.packages);
    remainderItems = group.leftover;
  } else {
    const group = formGroup(items, engine);
    works.push(...group.packages);
    remainderItems = group.leftover;
  }

  // The final check: a regular package breaking a rule the pool does not explain goes to the remainder.
  let stats = works.map((w) => statOf(w.items.sort(compareItems).map((i) => i.loan), false, true));
  let remainder = statOf(remainderItems.sort(compareItems).map((i) => i.loan), true, true);
  for (;;) {
    const { perPackage } = diagnose([...stats, remainder], ctx);
    const unexplained = new Set<number>();
    stats.forEach((_, i) => {
      if (perPackage[i]!.some((v) => v.cause === "manual_change")) unexplained.add(i);
    });
    if (unexplained.size === 0) break;
    const freed = stats.filter((_, i) => unexplained.has(i)).flatMap((s) => s.loans);
    stats = stats.filter((_, i) => !unexplained.has(i));
    remainder = statOf([...remainder.loans, ...freed], true);
  }
  if (remainder.loans.length > 0) stats.push(remainder);

  return { ...report(stats, ctx, leftOut), leftOut };
}

/**
 * Re-checks packages after the user moved loans between them: the same per-package quality and
 * overall report as `bundleLoans`, against the pool's hard share of the original bundle. Violations
 * that the edit caused carry cause "manual_change".
 *
 * The causes are derived from the packages alone (the pool is every loan in `packages`), exactly as
 * `bundleLoans` derives them, so re-assessing an unedited bundle gives back its own report. Packages
 * keep their order; a loan number missing from `loans` is a programming error (throws).
 */
export function assessPackages(
  packages: readonly PackageDraft[],
  loans: ReadonlyMap<string, BundleLoan>,
  options: { target: bigint; mode: BundleMode; poolHardShare: number; leftOut?: readonly LeftOut[] },
  settings: BundleSettings,
): { packages: BundlePackage[]; perPackage: PackageQuality[]; quality: BundleQuality } {
  const limits = limitsFor(options.target, settings);
  const stats = packages.map((p) => statOf(p.loanNumbers.map((n) => lookUp(loans, n)), p.remainder));
  const ctx: CheckContext = { limits, mode: options.mode, poolShare: options.poolHardShare, pool: fractionOf(options.poolHardShare) };
  return report(stats, ctx, options.leftOut ?? []);
}

/**
 * "Merge" the remainder (R2: the user may merge or keep it): its loans go into the other packages,
 * largest first, each into the package with the most room (same region first in by-region mode)
 * as long as that package stays within +tolerance and the rules; whatever does not fit stays the remainder.
 *
 * Details: "the rules" = total ≤ T × (1 + tolerance), no loan above maxLoanShare of the new total, and
 * the hard share within the band of the pool's (every loan in `packages`) — or, for a package already
 * off the band, no further off. In by-region mode a loan never goes into a package formed inside another
 * region that holds T × (1 − tolerance) or more: its own region's packages first, then mixed ones.
 * The result has the same packages in the same order (loans appended); the remainder stays in place,
 * possibly empty (the caller discards an empty remainder).
 */
export function mergeRemainder(
  packages: readonly PackageDraft[],
  loans: ReadonlyMap<string, BundleLoan>,
  options: { target: bigint; mode: BundleMode },
  settings: BundleSettings,
): PackageDraft[] {
  const out = packages.map((p) => ({ loanNumbers: [...p.loanNumbers], remainder: p.remainder }));
  const remainderIndex = out.findIndex((p) => p.remainder);
  if (remainderIndex < 0) return out;
  const limits = limitsFor(options.target, settings);

  const all = packages.map((p) => p.loanNumbers.map((n) => lookUp(loans, n)));
  let poolTotal = 0n;
  let poolHard = 0n;
  const regionTotals = new Map<string, bigint>();
  for (const list of all) {
    for (const loan of list) {
      const price = priceOf(loan);
      poolTotal += price;
      if (loan.difficulty === "hard") poolHard += price;
      regionTotals.set(loan.region, (regionTotals.get(loan.region) ?? 0n) + price);
    }
  }
  const pool: Fraction = poolTotal > 0n ? { num: poolHard, den: poolTotal } : { num: 0n, den: 1n };
  const big = (region: string) => options.mode === "by-region" && (regionTotals.get(region) ?? 0n) >= limits.lower;

  interface Target { index: number; total: bigint; hard: bigint; largest: bigint; regions: Set<string> }
  const targets: Target[] = [];
  out.forEach((p, index) => {
    if (p.remainder) return;
    const list = all[index]!;
    const t: Target = { index, total: 0n, hard: 0n, largest: 0n, regions: new Set() };
    for (const loan of list) addToTarget(t, loan);
    targets.push(t);
  });
  function addToTarget(t: Target, loan: BundleLoan): void {
    const price = priceOf(loan);
    t.total += price;
    if (loan.difficulty === "hard") t.hard += price;
    if (price > t.largest) t.largest = price;
    t.regions.add(loan.region);
  }
  const { cap, hardTol } = limits;
  const allowed = (t: Target, loan: BundleLoan): boolean => {
    const price = priceOf(loan);
    const total = t.total + price;
    if (total > limits.upper) return false;
    const largest = price > t.largest ? price : t.largest;
    if (largest * cap.denominator > cap.numerator * total) return false;
    const hard = t.hard + (loan.difficulty === "hard" ? price : 0n);
    if (!shareOff(hard, total, pool, hardTol)) return true;
    // already off the band: allowed only when the share comes no further off
    if (t.total === 0n) return false;
    const before = abs(t.hard * pool.den - pool.num * t.total) * total; // |dev| × total × total' × den
    const after = abs(hard * pool.den - pool.num * total) * t.total;
    return after <= before;
  };
  // tier 1: the loan's own region (packages whose one region it is); tier 2: packages not formed inside a big region
  // 0: never (formed inside another region that holds enough for packages of its own)
  const tierOf = (t: Target, loan: BundleLoan): number => {
    if (options.mode !== "by-region") return 1;
    const only = t.regions.size === 1 ? [...t.regions][0]! : null;
    if (only === loan.region) return 1;
    return only !== null && big(only) ? 0 : 2;
  };

  const rest = all[remainderIndex]!.slice().sort(compareLoans);
  const kept: string[] = [];
  for (const loan of rest) {
    let best: Target | null = null;
    let bestTier = 0;
    for (const t of targets) {
      const tier = tierOf(t, loan);
      if (tier === 0 || (best && tier > bestTier)) continue;
      if (best && tier === bestTier && t.total >= best.total) continue; // most room = least total
      if (!allowed(t, loan)) continue;
      best = t;
      bestTier = tier;
    }
    if (best) {
      addToTarget(best, loan);
      out[best.index]!.loanNumbers.push(loan.loanNumber);
    } else kept.push(loan.loanNumber);
  }
  out[remainderIndex]!.loanNumbers = kept;
  return out;
}

// ---- internals ------------------------------------------------------------------------------------

const availableStatuses = new Set(["IN_BOOK", "RETURNED"]);
/** Among this many packages with the most room, the engine picks the one with least of the loan's categories. */
const CANDIDATES = 3;
/** A group's aim for the hard share stays within this fraction of the hard-share tolerance of the pool's. */
const AIM_BAND = 0.5;
/** Each stream may overshoot its aim by this fraction of the hard-share tolerance (of the package target). */
const STREAM_SLACK = 0.3;
/** A group of at most this many loans whose first packing had to dissolve a package is packed again up to RETRIES times. */
const RETRY_MAX_LOANS = 2_000;
const RETRIES = 12;
/** Steps the repair of one packing may take (plus 50 per loan). */
const REPAIR_BUDGET = 2_000_000;

interface Limits {
  target: bigint;
  /** ⌈T × (1 − tolerance)⌉: the least total a regular package may have */
  lower: bigint;
  /** ⌊T × (1 + tolerance)⌋: the largest */
  upper: bigint;
  tol: Rate;
  hardTol: Rate;
  cap: Rate;
  excludeLitigation: boolean;
}

function limitsFor(target: bigint, settings: BundleSettings): Limits {
  if (target <= 0n) throw new RangeError("bundling: the target amount must be positive");
  const tol = parseRate(settings.packageTolerance);
  const hardTol = parseRate(settings.hardShareTolerance);
  const cap = parseRate(settings.maxLoanShare);
  const low = target * (tol.denominator - tol.numerator);
  const lower = low <= 0n ? 0n : (low + tol.denominator - 1n) / tol.denominator;
  const upper = (target * (tol.denominator + tol.numerator)) / tol.denominator;
  return { target, lower, upper, tol, hardTol, cap, excludeLitigation: settings.excludeLitigationFromCustody };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function priceOf(loan: BundleLoan): bigint {
  return loan.price ?? 0n;
}

/** price descending, then loan number */
function compareLoans(a: BundleLoan, b: BundleLoan): number {
  const pa = priceOf(a);
  const pb = priceOf(b);
  return pa > pb ? -1 : pa < pb ? 1 : compareText(a.loanNumber, b.loanNumber);
}

function lookUp(loans: ReadonlyMap<string, BundleLoan>, loanNumber: string): BundleLoan {
  const loan = loans.get(loanNumber);
  if (!loan) throw new Error(`bundling: unknown loan ${loanNumber}`);
  return loan;
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** num / den as a percentage with one decimal, rounded half up: "5.3", "-12.0". */
function percent(num: bigint, den: bigint): string {
  if (den === 0n) return "0.0";
  const tenths = roundHalfUp(num * 1000n, den);
  const negative = tenths < 0n;
  const a = negative ? -tenths : tenths;
  return `${negative ? "-" : ""}${a / 10n}.${a % 10n}`;
}

interface Fraction {
  num: bigint;
  /** > 0 */
  den: bigint;
}

/** A finite double as the exact fraction it stands for (so shares given as numbers compare exactly). */
function fractionOf(x: number): Fraction {
  if (!Number.isFinite(x)) throw new RangeError("bundling: the pool's hard share must be a finite number");
  let den = 1n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    den *= 2n;
  }
  return { num: BigInt(v), den };
}

/** |hard / total − pool| > tolerance, exactly (false for an empty package). */
function shareOff(hard: bigint, total: bigint, pool: Fraction, tolerance: Rate): boolean {
  if (total === 0n) return false;
  return abs(hard * pool.den - pool.num * total) * tolerance.denominator > tolerance.numerator * total * pool.den;
}

/** A small seeded PRNG (mulberry32): the engine breaks ties with it; tests and the bench generate pools with it. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- screening ----

function screen(request: BundleRequest, limits: Limits): { eligible: Item[]; leftOut: LeftOut[] } {
  const include = new Set(request.include ?? []);
  const seen = new Set<string>();
  const eligible: Item[] = [];
  const leftOut: LeftOut[] = [];
  const { cap, target } = limits;
  // no whole-fen total t ≤ T × (1 + tolerance) has price ≤ maxLoanShare × t: price × den > num × upper
  const maxPrice = (cap.numerator * limits.upper) / cap.denominator;
  for (const loan of request.loans) {
    const { loanNumber, price } = loan;
    let reason: LeftOutReason | null = null;
    let detail: Record<string, string> | undefined;
    if (seen.has(loanNumber)) reason = "duplicate";
    else {
      seen.add(loanNumber);
      if (price === null || price <= 0n) reason = "unpriced";
      else if (!availableStatuses.has(loan.status)) [reason, detail] = ["not_available", { status: loan.status }];
      else if (loan.inPackage) [reason, detail] = ["in_package", { package: loan.inPackage }];
      else if (loan.litigation !== "none" && limits.excludeLitigation && !include.has(loanNumber)) [reason, detail] = ["litigation", { litigation: loan.litigation }];
      else if (loan.writtenOff && !include.has(loanNumber)) reason = "written_off";
      else if (price > maxPrice) {
        reason = "over_concentration_cap";
        detail = { share: percent(price, target), maxShare: percent(cap.numerator * limits.upper, cap.denominator * target), price: toYuanString(price) };
      }
    }
    if (reason === null) eligible.push(toItem(loan));
    else leftOut.push(detail ? { loanNumber, reason, detail } : { loanNumber, reason });
  }
  eligible.sort(compareItems);
  leftOut.sort((a, b) => compareText(a.loanNumber, b.loanNumber));
  return { eligible, leftOut };
}

// ---- the engine (plain numbers of fen: exact integers far below 2^53) ----

const collateralIndex = new Map<Collateral, number>(collaterals.map((c, i) => [c, i]));
const bucketIndex = new Map<OverdueBucket, number>(overdueBuckets.map((b, i) => [b, i]));

interface Item {
  loan: BundleLoan;
  price: number;
  hard: boolean;
  collateral: number;
  bucket: number;
}

function toItem(loan: BundleLoan): Item {
  return {
    loan,
    price: Number(loan.price),
    hard: loan.difficulty === "hard",
    collateral: collateralIndex.get(loan.collateral) ?? 0,
    bucket: bucketIndex.get(overdueBucket(loan.overdueDays)) ?? 0,
  };
}

function compareItems(a: Item, b: Item): number {
  return b.price - a.price || compareText(a.loan.loanNumber, b.loan.loanNumber);
}

interface Engine {
  T: number;
  lower: number;
  upper: number;
  capNum: number;
  capDen: number;
  /** the pool's hard share */
  h: number;
  hardTol: number;
  /** the package tolerance */
  tol: number;
  rng: () => number;
}

interface Work {
  items: Item[];
  total: number;
  hard: number;
  /** the total this package aims at: T, or more when it holds a loan above maxLoanShare × T */
  target: number;
  largest: number;
  rank: number;
  collateral: Float64Array;
  bucket: Float64Array;
}

/** A max-heap of package indexes by (room desc, rank asc), with updates in place. */
class RoomHeap {
  private readonly ids: number[] = [];
  private readonly pos: Int32Array;
  private readonly keys: Float64Array;

  constructor(
    n: number,
    private readonly ranks: Int32Array,
  ) {
    this.pos = new Int32Array(n).fill(-1);
    this.keys = new Float64Array(n);
  }

  get size(): number {
    return this.ids.length;
  }

  push(id: number, key: number): void {
    this.keys[id] = key;
    this.ids.push(id);
    this.pos[id] = this.ids.length - 1;
    this.up(this.ids.length - 1);
  }

  pop(): number {
    const top = this.ids[0]!;
    const last = this.ids.pop()!;
    if (this.ids.length > 0) {
      this.ids[0] = last;
      this.pos[last] = 0;
      this.down(0);
    }
    this.pos[top] = -1;
    return top;
  }

  update(id: number, key: number): void {
    this.keys[id] = key;
    const at = this.pos[id]!;
    if (at < 0) return;
    this.up(at);
    this.down(this.pos[id]!);
  }

  private before(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    return ka > kb || (ka === kb && this.ranks[a]! < this.ranks[b]!);
  }

  private swap(i: number, j: number): void {
    const a = this.ids[i]!;
    const b = this.ids[j]!;
    this.ids[i] = b;
    this.ids[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(this.ids[i]!, this.ids[parent]!)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.ids.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.before(this.ids[l]!, this.ids[best]!)) best = l;
      if (r < n && this.before(this.ids[r]!, this.ids[best]!)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}

/** The first index of `items` (price descending) whose price is at most `x`. */
function firstAtMost(items: readonly Item[], x: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.price <= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Packages from one group of loans (sorted by compareItems), and what could not be placed (same order). */
function formGroup(items: readonly Item[], e: Engine): { packages: Work[]; leftover: Item[] } {
  let value = 0;
  let hardValue = 0;
  for (const item of items) {
    value += item.price;
    if (item.hard) hardValue += item.price;
  }
  if (items.length === 0 || value < e.lower) return { packages: [], leftover: [...items] };
  let k = Math.floor(value / e.T);
  if (value - k * e.T >= e.lower) k += 1;

  const groupShare = hardValue / value;
  // Balanced unless the group's own share lies beyond the tolerance: then packages keep the group's
  // share (a violation the check names: region_hard_share or pool_hard_share_unreachable).
  const structural = Math.abs(groupShare - e.h) > e.hardTol;
  const aim = structural ? groupShare : Math.min(Math.max(groupShare, e.h - AIM_BAND * e.hardTol), e.h + AIM_BAND * e.hardTol);

  const ranks = shuffle(k, e.rng);
  const plan: GroupPlan = { k, aim, structural, ranks };
  let best = attempt(items, e, plan, e.T);
  if (best.dissolved === 0) return best;
  // Lumpy groups: the gaps left packages short (say of a loan of exactly 25% of T) and repair had to
  // dissolve some. Try again a few times, aiming a little above T and with other random ranks; keep
  // whichever leaves the least over (the first of equals). Small groups only: large ones have the
  // small loans that close the gaps.
  const over = (r: { leftover: Item[] }) => r.leftover.reduce((sum, item) => sum + item.price, 0);
  let bestOver = over(best);
  const tries = items.length <= RETRY_MAX_LOANS ? RETRIES : 1;
  for (let t = 1; t <= tries && best.dissolved > 0; t++) {
    const fill = Math.min(e.upper, Math.round(e.T * (1 + (e.tol * ((t - 1) % 4 + 1)) / 8)));
    const shuffled = t === 1 ? ranks : shuffle(k, e.rng);
    const next = attempt(items, e, { ...plan, ranks: shuffled }, fill);
    const nextOver = over(next);
    if (nextOver < bestOver) [best, bestOver] = [next, nextOver];
  }
  return best;
}

function shuffle(k: number, rng: () => number): Int32Array {
  const ranks = new Int32Array(k);
  for (let i = 0; i < k; i++) ranks[i] = i;
  for (let i = k - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = ranks[i]!;
    ranks[i] = ranks[j]!;
    ranks[j] = t;
  }
  return ranks;
}

interface GroupPlan {
  k: number;
  aim: number;
  structural: boolean;
  ranks: Int32Array;
}

function needFor(e: Engine, price: number): number {
  return e.capNum === 0 ? Infinity : Math.ceil((price * e.capDen) / e.capNum);
}

/** One go at packing a group into k packages of `fill` (T, or a little more), with repair. */
function attempt(items: readonly Item[], e: Engine, plan: GroupPlan, fill: number): { packages: Work[]; leftover: Item[]; dissolved: number } {
  const { k, aim, structural, ranks } = plan;
  const slack = STREAM_SLACK * e.hardTol;
  const works: Work[] = [];
  for (let i = 0; i < k; i++) {
    works.push({ items: [], total: 0, hard: 0, target: fill, largest: 0, rank: ranks[i]!, collateral: new Float64Array(4), bucket: new Float64Array(4) });
  }
  // stream 1 = hard, 0 = recoverable; the key is the room left to the stream's aim
  const keyOf = (w: Work, s: number) => (s === 1 ? w.target * aim - w.hard : w.target * (1 - aim) - (w.total - w.hard));
  // A stream still empty takes one loan up to the band's edge (a large hard loan in a mostly
  // recoverable pool): the package's other stream then gets less.
  const edge = [Math.max(1 - aim, 1 - e.h + 0.8 * e.hardTol), Math.max(aim, e.h + 0.8 * e.hardTol)] as const;
  const roomOf = (w: Work, s: number, target: number, over: number) => {
    const inStream = s === 1 ? w.hard : w.total - w.hard;
    const share = (s === 1 ? aim : 1 - aim) + over;
    return Math.min(inStream === 0 ? target * Math.max(share, edge[s]!) : target * share - inStream, target - w.total);
  };
  const heaps = [new RoomHeap(k, ranks), new RoomHeap(k, ranks)] as const;
  for (let i = 0; i < k; i++) {
    heaps[0].push(i, keyOf(works[i]!, 0));
    heaps[1].push(i, keyOf(works[i]!, 1));
  }
  const add = (w: Work, item: Item) => {
    w.items.push(item);
    w.total += item.price;
    if (item.hard) w.hard += item.price;
    if (item.price > w.largest) w.largest = item.price;
    w.collateral[item.collateral]! += item.price;
    w.bucket[item.bucket]! += item.price;
  };

  // Pass 1 fills each stream up to its aim exactly, so what is left over keeps the group's mix;
  // pass 2 offers the leftover again with each stream allowed a little beyond its aim (gaps).
  const popped: number[] = [];
  const place = (item: Item, withSlack: boolean): boolean => {
    const s = item.hard ? 1 : 0;
    const heap = heaps[s];
    popped.length = 0;
    let best = -1;
    let bestScore = Infinity;
    let bestTarget = 0;
    for (let m = 0; m < CANDIDATES && heap.size > 0; m++) {
      const id = heap.pop();
      popped.push(id);
      const w = works[id]!;
      const target = Math.min(Math.max(w.target, needFor(e, item.price)), e.upper);
      if (item.price > roomOf(w, s, target, withSlack ? slack : 0)) continue;
      // spread: the least of this loan's collateral kind and overdue bucket relative to the fill
      const score = (w.collateral[item.collateral]! + w.bucket[item.bucket]!) / (w.total + 1);
      if (score < bestScore) {
        best = id;
        bestScore = score;
        bestTarget = target;
      }
    }
    if (best >= 0) {
      const w = works[best]!;
      const raised = bestTarget !== w.target;
      w.target = bestTarget;
      add(w, item);
      if (raised) heaps[1 - s]!.update(best, keyOf(w, 1 - s));
    }
    for (const id of popped) heap.push(id, keyOf(works[id]!, s));
    return best >= 0;
  };
  let leftover = items.filter((item) => !place(item, false));
  leftover = leftover.filter((item) => !place(item, true));

  // Repair: top up what falls short from the leftover, else exchange one of its loans for a leftover
  // one, else take small loans of the fullest sibling packages (that stay fine without them), else
  // dissolve it into the leftover.
  const needOf = (w: Work) => Math.max(e.lower, needFor(e, w.largest));
  const inBand = (hard: number, total: number) => structural || Math.abs(hard - e.h * total) <= e.hardTol * total;
  const passes = (w: Work) => w.total >= needOf(w) && w.total <= e.upper && inBand(w.hard, w.total);
  const remove = (w: Work, index: number) => {
    const [item] = w.items.splice(index, 1);
    w.total -= item!.price;
    if (item!.hard) w.hard -= item!.price;
    w.collateral[item!.collateral]! -= item!.price;
    w.bucket[item!.bucket]! -= item!.price;
  };
  /** whether adding `item` to `w` helps it towards passing (never past +tolerance, never a concentration breach) */
  const helps = (w: Work, item: Item): boolean => {
    if (w.total + item.price > e.upper || item.price * e.capDen > e.capNum * (w.total + item.price)) return false;
    if (structural) return true;
    const deviation = w.hard - e.h * w.total;
    const band = e.hardTol * w.total;
    if (deviation > band && item.hard) return false;
    if (deviation < -band && !item.hard) return false;
    const total = w.total + item.price;
    const after = Math.abs(w.hard + (item.hard ? item.price : 0) - e.h * total) / total;
    return after <= e.hardTol * 0.9 || (w.total > 0 && after < Math.abs(deviation) / w.total);
  };
  const fillOf = (w: Work) => Math.max(fill, needOf(w)) - w.total;

  // Pass 3: packages still short take leftover loans (largest first), each where it lands closest
  // to the fill without passing T × (1 + tolerance) — lumpy pools, where a loan is a good part of T,
  // need the overshoot.
  const short = works.filter((w) => w.total < needOf(w)).sort((x, y) => x.total - y.total || x.rank - y.rank);
  if (short.length > 0) {
    leftover = leftover.filter((item) => {
      // short packages by total ascending; the best lands at fill: total ≈ fill − price
      let lo = 0;
      let hi = short.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (short[mid]!.total < fill - item.price) lo = mid + 1;
        else hi = mid;
      }
      let chosen = -1;
      // look both ways from there, nearest first, a few steps each
      for (let step = 0; step < 2 * CANDIDATES && chosen < 0; step++) {
        const i = step % 2 === 0 ? lo + (step >> 1) : lo - 1 - (step >> 1);
        if (i < 0 || i >= short.length) continue;
        if (helps(short[i]!, item)) chosen = i;
      }
      if (chosen < 0) return true;
      const w = short[chosen]!;
      short.splice(chosen, 1);
      add(w, item);
      if (w.total < needOf(w)) {
        let at = 0;
        while (at < short.length && (short[at]!.total < w.total || (short[at]!.total === w.total && short[at]!.rank < w.rank))) at++;
        short.splice(at, 0, w);
      }
      return false;
    });
  }

  // The repair below scans; a budget of steps (deterministic) keeps pathological pools from going
  // quadratic: once spent, what still fails is dissolved straight away.
  let budget = REPAIR_BUDGET + 50 * items.length;
  const pickLeftover = (w: Work): number => {
    const fillTo = fillOf(w);
    const start = firstAtMost(leftover, Math.max(fillTo, 0));
    if (fillTo > 0) {
      for (let i = start; i < leftover.length && budget-- > 0; i++) if (helps(w, leftover[i]!)) return i;
    }
    for (let i = start - 1; i >= 0 && leftover[i]!.price <= e.upper - w.total && budget-- > 0; i--) if (helps(w, leftover[i]!)) return i;
    return -1;
  };
  /** sorted insertion into the leftover */
  const putBack = (item: Item) => {
    let lo = 0;
    let hi = leftover.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareItems(leftover[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    leftover.splice(lo, 0, item);
  };
  /** exchange one of w's loans (not its largest) for a leftover loan so that w passes outright */
  const swap = (w: Work): boolean => {
    const lo = needOf(w) - w.total;
    const hi = e.upper - w.total;
    for (let i = 0; i < leftover.length && budget > 0; i++) {
      const x = leftover[i]!;
      const largest = Math.max(w.largest, x.price);
      budget -= w.items.length;
      for (let j = 0; j < w.items.length; j++) {
        const y = w.items[j]!;
        const d = x.price - y.price;
        if (d > hi || y.price >= w.largest || d < lo) continue;
        const total = w.total + d;
        const hard = w.hard + (x.hard ? x.price : 0) - (y.hard ? y.price : 0);
        if (total < Math.max(e.lower, needFor(e, largest)) || !inBand(hard, total)) continue;
        leftover.splice(i, 1);
        remove(w, j);
        add(w, x);
        putBack(y);
        return true;
      }
    }
    return false;
  };
  const DONORS = 8;
  const dissolved = new Set<Work>();
  const spilled: Item[] = [];
  const byTotal = [...works].sort((x, y) => y.total - x.total || x.rank - y.rank); // fullest first (as they were)
  const borrow = (w: Work): boolean => {
    const fillTo = fillOf(w);
    let tried = 0;
    for (const d of byTotal) {
      if (tried >= DONORS || budget <= 0) break;
      budget -= 1;
      if (d === w || dissolved.has(d) || !passes(d)) continue;
      tried += 1;
      budget -= d.items.length;
      const spare = d.total - needOf(d);
      let best = -1;
      for (let i = 0; i < d.items.length; i++) {
        const item = d.items[i]!;
        if (item.price >= d.largest || item.price > spare) continue;
        if (!inBand(d.hard - (item.hard ? item.price : 0), d.total - item.price) || !helps(w, item)) continue;
        const current = best < 0 ? null : d.items[best]!;
        // the largest that does not overshoot T, else the smallest
        if (!current || (item.price <= fillTo ? current.price > fillTo || item.price > current.price : current.price > fillTo && item.price < current.price)) best = i;
      }
      if (best >= 0) {
        const item = d.items[best]!;
        remove(d, best);
        add(w, item);
        return true;
      }
    }
    return false;
  };
  const failing = works.filter((w) => !passes(w)).sort((a, b) => a.total - b.total || a.rank - b.rank);
  for (const w of failing) {
    for (let guard = 0; guard < 100_000 && !passes(w); guard++) {
      const i = pickLeftover(w);
      if (i >= 0) {
        add(w, leftover[i]!);
        leftover.splice(i, 1);
      } else if (!swap(w) && !borrow(w)) break;
    }
    if (passes(w)) continue;
    dissolved.add(w);
    if (budget > 0) {
      budget -= w.items.length * (1 + (leftover.length >> 6));
      for (const item of w.items) putBack(item);
    } else for (const item of w.items) spilled.push(item);
  }
  if (spilled.length > 0) leftover = [...leftover, ...spilled].sort(compareItems);
  return { packages: works.filter((w) => !dissolved.has(w) && w.items.length > 0), leftover, dissolved: dissolved.size };
}

// ---- the check (shared by bundleLoans and assessPackages) ----

interface Stat {
  /** price descending, then loan number */
  loans: BundleLoan[];
  total: bigint;
  hard: bigint;
  regions: Map<string, { total: bigint; hard: bigint }>;
  remainder: boolean;
}

function statOf(loans: BundleLoan[], remainder: boolean, sorted = false): Stat {
  if (!sorted) loans = [...loans].sort(compareLoans);
  let total = 0n;
  let hard = 0n;
  const regions = new Map<string, { total: bigint; hard: bigint }>();
  for (const loan of loans) {
    const price = priceOf(loan);
    const isHard = loan.difficulty === "hard";
    total += price;
    if (isHard) hard += price;
    const r = regions.get(loan.region);
    if (r) {
      r.total += price;
      if (isHard) r.hard += price;
    } else regions.set(loan.region, { total: price, hard: isHard ? price : 0n });
  }
  return { loans, total, hard, regions, remainder };
}

interface CheckContext {
  limits: Limits;
  mode: BundleMode;
  /** the pool's hard share as reported, and the exact fraction that number is */
  poolShare: number;
  pool: Fraction;
}

function onlyRegion(stat: Stat): string | null {
  if (stat.regions.size !== 1) return null;
  return stat.regions.keys().next().value ?? null;
}

/**
 * Checks every package against R2 and names a cause for each broken rule, from the packages alone:
 * - tolerance (regular packages): pool_below_target when the whole pool is below T × (1 − tol), else manual_change;
 * - hard_share: region_hard_share for a package inside a region holding ≥ T × (1 − tol) whose own share
 *   is off the band; pool_hard_share_unreachable for the remainder, or for a package of the mixed group
 *   (everything not inside such a region, remainder included) when that group's share is off the band;
 *   else manual_change;
 * - concentration: lumpy_loans in the remainder, else manual_change;
 * - region (by-region mode, regular packages mixing regions): manual_change when one of its regions has
 *   T × (1 − tol) or more in it (it could stand alone), else region_below_target (informational);
 * - pool-wide: pool_below_target; or a remainder of T × (1 − tol) or more (lumpy_loans, or
 *   pool_hard_share_unreachable when the remainder's share is off the band).
 */
function diagnose(stats: readonly Stat[], ctx: CheckContext): { perPackage: Violation[][]; pool: Violation[] } {
  const { limits, pool, mode } = ctx;
  const { target, lower, tol, hardTol, cap } = limits;
  let poolTotal = 0n;
  const regionTotals = new Map<string, { total: bigint; hard: bigint }>();
  for (const s of stats) {
    poolTotal += s.total;
    for (const [region, v] of s.regions) {
      const r = regionTotals.get(region);
      if (r) {
        r.total += v.total;
        r.hard += v.hard;
      } else regionTotals.set(region, { total: v.total, hard: v.hard });
    }
  }
  const pureBigRegion = (s: Stat): string | null => {
    if (mode !== "by-region" || s.remainder) return null;
    const region = onlyRegion(s);
    return region !== null && regionTotals.get(region)!.total >= lower ? region : null;
  };
  let groupTotal = 0n;
  let groupHard = 0n;
  for (const s of stats) {
    if (pureBigRegion(s) !== null) continue;
    groupTotal += s.total;
    groupHard += s.hard;
  }
  const groupOff = shareOff(groupHard, groupTotal, pool, hardTol);
  const poolShare = percent(pool.num, pool.den);
  const tolerance = percent(tol.numerator, tol.denominator);
  const hardTolerance = percent(hardTol.numerator, hardTol.denominator);

  const perPackage = stats.map((s): Violation[] => {
    const violations: Violation[] = [];
    if (!s.remainder && abs(s.total - target) * tol.denominator > tol.numerator * target) {
      violations.push({
        rule: "tolerance",
        cause: poolTotal < lower ? "pool_below_target" : "manual_change",
        params: { total: toYuanString(s.total), target: toYuanString(target), deviation: percent(s.total - target, target), tolerance },
      });
    }
    if (shareOff(s.hard, s.total, pool, hardTol)) {
      const params: Record<string, string> = { hardShare: percent(s.hard, s.total), poolShare, tolerance: hardTolerance };
      const region = pureBigRegion(s);
      const r = region === null ? null : regionTotals.get(region)!;
      let cause: ViolationCause = "manual_change";
      if (s.remainder) cause = "pool_hard_share_unreachable";
      else if (region !== null && r && shareOff(r.hard, r.total, pool, hardTol)) {
        cause = "region_hard_share";
        params.region = region;
        params.regionShare = percent(r.hard, r.total);
      } else if (region === null && groupOff) {
        cause = "pool_hard_share_unreachable";
        params.groupShare = percent(groupHard, groupTotal);
      }
      violations.push({ rule: "hard_share", cause, params });
    }
    const largest = s.loans[0];
    if (largest && priceOf(largest) * cap.denominator > cap.numerator * s.total) {
      violations.push({
        rule: "concentration",
        cause: s.remainder ? "lumpy_loans" : "manual_change",
        params: { loanNumber: largest.loanNumber, share: percent(priceOf(largest), s.total), maxShare: percent(cap.numerator, cap.denominator) },
      });
    }
    if (mode === "by-region" && !s.remainder && s.regions.size > 1) {
      const names = [...s.regions.keys()].sort(compareText);
      const standsAlone = [...s.regions.values()].some((v) => v.total >= lower);
      violations.push({ rule: "region", cause: standsAlone ? "manual_change" : "region_below_target", params: { regions: names.join(", "), count: String(names.length) } });
    }
    return violations;
  });

  const poolViolations: Violation[] = [];
  if (poolTotal < lower) {
    poolViolations.push({
      rule: "tolerance",
      cause: "pool_below_target",
      params: { poolTotal: toYuanString(poolTotal), target: toYuanString(target), minimum: toYuanString(lower) },
    });
  } else {
    for (const s of stats) {
      if (!s.remainder || s.total < lower) continue;
      poolViolations.push({
        rule: "tolerance",
        cause: shareOff(s.hard, s.total, pool, hardTol) ? "pool_hard_share_unreachable" : "lumpy_loans",
        params: { remainder: toYuanString(s.total), target: toYuanString(target), minimum: toYuanString(lower) },
      });
    }
  }
  return { perPackage, pool: poolViolations };
}

function zeroMix<K extends string>(keys: readonly K[]): Record<K, bigint> {
  return Object.fromEntries(keys.map((k) => [k, 0n])) as Record<K, bigint>;
}

function report(
  stats: readonly Stat[],
  ctx: CheckContext,
  leftOut: readonly LeftOut[],
): { packages: BundlePackage[]; perPackage: PackageQuality[]; quality: BundleQuality } {
  const { target } = ctx.limits;
  const { perPackage: violations, pool: poolViolations } = diagnose(stats, ctx);
  const packages: BundlePackage[] = stats.map((s) => ({
    loanNumbers: s.loans.map((l) => l.loanNumber),
    total: s.total,
    hardTotal: s.hard,
    region: onlyRegion(s),
    remainder: s.remainder,
  }));
  const perPackage = stats.map((s, i): PackageQuality => {
    const collateralMix = zeroMix(collaterals);
    const overdueMix = zeroMix(overdueBuckets);
    const difficultyMix = zeroMix(difficulties);
    for (const loan of s.loans) {
      const price = priceOf(loan);
      collateralMix[loan.collateral] += price;
      overdueMix[overdueBucket(loan.overdueDays)] += price;
      difficultyMix[loan.difficulty] += price;
    }
    const hardShare = s.total > 0n ? Number(s.hard) / Number(s.total) : 0;
    const largest = s.loans[0];
    return {
      total: s.total,
      loanCount: s.loans.length,
      deviation: Number(s.total - target) / Number(target),
      hardShare,
      hardShareDeviation: hardShare - ctx.poolShare,
      regions: [...s.regions.entries()]
        .map(([region, v]) => ({ region, total: v.total }))
        .sort((a, b) => (a.total > b.total ? -1 : a.total < b.total ? 1 : compareText(a.region, b.region))),
      collateralMix,
      overdueMix,
      difficultyMix,
      largestLoan: largest
        ? { loanNumber: largest.loanNumber, price: priceOf(largest), share: s.total > 0n ? Number(priceOf(largest)) / Number(s.total) : 0 }
        : null,
      violations: violations[i]!,
    };
  });

  let poolTotal = 0n;
  let regularTotal = 0n;
  let pureTotal = 0n;
  let maxDeviation = 0;
  let maxHardShareDeviation = 0;
  stats.forEach((s, i) => {
    poolTotal += s.total;
    if (s.remainder) return;
    regularTotal += s.total;
    if (s.regions.size === 1) pureTotal += s.total;
    maxDeviation = Math.max(maxDeviation, Math.abs(perPackage[i]!.deviation));
    maxHardShareDeviation = Math.max(maxHardShareDeviation, Math.abs(perPackage[i]!.hardShareDeviation));
  });
  const leftOutByReason: Partial<Record<LeftOutReason, number>> = {};
  for (const l of leftOut) leftOutByReason[l.reason] = (leftOutByReason[l.reason] ?? 0) + 1;
  const quality: BundleQuality = {
    target,
    poolTotal,
    poolHardShare: ctx.poolShare,
    packageCount: stats.length,
    maxDeviation,
    maxHardShareDeviation,
    regionPurity: regularTotal > 0n ? Number(pureTotal) / Number(regularTotal) : 0,
    leftOutCount: leftOut.length,
    leftOutByReason,
    violations: [...violations.flatMap((list, i) => list.map((v) => ({ ...v, package: i }))), ...poolViolations.map((v) => ({ ...v, package: null }))],
  };
  return { packages, perPackage, quality };
}
