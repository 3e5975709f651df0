// `npm run bench -- bundle [loans]`: R2 bundling (app/domain/bundling.ts, pure, no database) of 100,000
// generated priced loans — lognormal-ish prices with a few very large loans, 30 regions of uneven
// size, 25% hard by count, 4 collateral kinds, overdue 0–4000 days — into packages of a target T
// that yields about 400 packages, in by-region mode. Baseline in the same run: fill packages in input
// order until a package reaches T, then start the next (its unfinished last package counts as its
// remainder). "packages" in the JSON counts the remainder too. Goal (issue [PACKAGES]): under 2 s, every
// package but the remainder within ±5% of T and ±10 points of the pool's hard share, and far better
// (at least 2× smaller) than the baseline on both worst deviations. The last line is one JSON object with "ok".
import { bundleLoans, mulberry32, type BundleLoan } from "../app/domain/bundling";
import { collaterals } from "../app/domain/loan";
import { toYuanString } from "../app/domain/money";
import { defaultSettings } from "../app/domain/settings";

const count = Number(process.argv[2] ?? 100_000);
const packagesWanted = Math.max(1, Math.round((count / 100_000) * 400));

// ---- a realistic pool -----------------------------------------------------------------------------

function generate(n: number): BundleLoan[] {
  const rng = mulberry32(20261124);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  // 30 regions, Zipf-like sizes: the largest holds ~15% of the loans, the smallest well under 1%
  const weights = Array.from({ length: 30 }, (_, i) => 1 / (i + 1) ** 0.9);
  const sum = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / sum));
  const regions = Array.from({ length: 30 }, (_, i) => `区域${String(i + 1).padStart(2, "0")}`);
  const loans: BundleLoan[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng();
    const region = regions[cumulative.findIndex((c) => u <= c)] ?? regions[29]!;
    const hard = rng() < 0.25;
    // claim lognormal around ¥80,000 (σ 1.1); price = claim × ratio (recoverable 6–30%, hard 1–8%)
    const claimFen = Math.round(8_000_000 * Math.exp(1.1 * normal()));
    const ratio = hard ? 0.01 + rng() * 0.07 : 0.06 + rng() * 0.24;
    let price = Math.max(100, Math.round(claimFen * ratio));
    // a few very large loans (1 in 2,000): ¥0.5–1.8M each, the largest above the concentration cap of T (left out, counted)
    if (!hard && rng() < 0.0007) price = Math.round(50_000_000 + rng() * 130_000_000);
    loans.push({
      loanNumber: `LN${String(i + 1).padStart(9, "0")}`,
      price: BigInt(price),
      region,
      difficulty: hard ? "hard" : "recoverable",
      collateral: collaterals[Math.floor(rng() * collaterals.length)]!,
      overdueDays: Math.floor(rng() * 4001),
      status: "IN_BOOK",
      litigation: "none",
      writtenOff: false,
      inPackage: null,
    });
  }
  return loans;
}

// ---- the naive baseline: input order, close a package once it reaches T ------------------------------

function baseline(loans: readonly BundleLoan[], target: bigint) {
  const packages: { total: bigint; hard: bigint }[] = [];
  let current = { total: 0n, hard: 0n };
  for (const loan of loans) {
    current.total += loan.price!;
    if (loan.difficulty === "hard") current.hard += loan.price!;
    if (current.total >= target) {
      packages.push(current);
      current = { total: 0n, hard: 0n };
    }
  }
  const remainder = current; // the unfinished last package is its remainder
  return { packages, remainder };
}

function figures(packages: readonly { total: bigint; hard: bigint }[], target: bigint, poolShare: number) {
  let maxDeviation = 0;
  let maxHardShareDeviation = 0;
  for (const p of packages) {
    maxDeviation = Math.max(maxDeviation, Math.abs(Number(p.total - target) / Number(target)));
    maxHardShareDeviation = Math.max(maxHardShareDeviation, Math.abs(Number(p.hard) / Number(p.total) - poolShare));
  }
  return { maxDeviation, maxHardShareDeviation };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

// ---- run ------------------------------------------------------------------------------------------

const loans = generate(count);
let poolValue = 0n;
let hardValue = 0n;
for (const l of loans) {
  poolValue += l.price!;
  if (l.difficulty === "hard") hardValue += l.price!;
}
const target = (poolValue / BigInt(packagesWanted) / 100_000n) * 100_000n; // T ≈ pool / 400, whole ¥1,000
const poolShare = Number(hardValue) / Number(poolValue);
const largest = loans.reduce((m, l) => (l.price! > m ? l.price! : m), 0n);
console.log(
  `bundle bench: ${count.toLocaleString("en-US")} loans, pool ¥${toYuanString(poolValue)}, hard share ${(poolShare * 100).toFixed(1)}%, ` +
    `T ¥${toYuanString(target)}, largest loan ${((Number(largest) / Number(target)) * 100).toFixed(1)}% of T`,
);

const request = { loans, target, mode: "by-region" as const, seed: 1 };
for (let i = 0; i < 2; i++) bundleLoans(request, defaultSettings); // warm-up
const times: number[] = [];
let result = bundleLoans(request, defaultSettings);
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  result = bundleLoans(request, defaultSettings);
  times.push((performance.now() - t) / 1000);
}
const seconds = median(times);
const regular = result.packages.filter((p) => !p.remainder);
const mine = figures(regular.map((p) => ({ total: p.total, hard: p.hardTotal })), target, result.quality.poolHardShare);
const remainder = result.packages.find((p) => p.remainder);
const violations = result.quality.violations;

const baselineTimes: number[] = [];
let base = baseline(loans, target);
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  base = baseline(loans, target);
  baselineTimes.push((performance.now() - t) / 1000);
}
const baselineSeconds = median(baselineTimes);
const theirs = figures(base.packages, target, poolShare);

console.log(
  `bundleLoans (by-region): ${seconds.toFixed(3)} s median of 3 (${times.map((t) => t.toFixed(3)).join(", ")}); ` +
    `${regular.length} packages + ${remainder ? `remainder ¥${toYuanString(remainder.total)} (${remainder.loanNumbers.length} loans)` : "no remainder"}, ` +
    `${result.leftOut.length} left out (${Object.entries(result.quality.leftOutByReason).map(([r, n]) => `${r} ${n}`).join(", ") || "none"}), ` +
    `region purity ${(result.quality.regionPurity * 100).toFixed(1)}%`,
);
console.log(`  worst deviation from T ${(mine.maxDeviation * 100).toFixed(3)}%, worst hard-share deviation ${(mine.maxHardShareDeviation * 100).toFixed(3)} points`);
const byRule = new Map<string, number>();
for (const v of violations) byRule.set(`${v.rule}/${v.cause}`, (byRule.get(`${v.rule}/${v.cause}`) ?? 0) + 1);
console.log(`  violations: ${violations.length === 0 ? "none" : [...byRule].map(([k, n]) => `${k} ×${n}`).join(", ")}`);
console.log(
  `baseline (input order): ${baselineSeconds.toFixed(3)} s; ${base.packages.length} packages + remainder ¥${toYuanString(base.remainder.total)}; ` +
    `worst deviation ${(theirs.maxDeviation * 100).toFixed(3)}%, worst hard-share deviation ${(theirs.maxHardShareDeviation * 100).toFixed(3)} points`,
);

const ok =
  seconds < 2 &&
  mine.maxDeviation <= 0.05 &&
  mine.maxHardShareDeviation <= 0.1 &&
  mine.maxDeviation * 2 <= theirs.maxDeviation &&
  mine.maxHardShareDeviation * 2 <= theirs.maxHardShareDeviation;
console.log(
  JSON.stringify({
    loans: count,
    packages: result.packages.length,
    seconds: round(seconds, 3),
    maxDeviation: round(mine.maxDeviation, 5),
    maxHardShareDeviation: round(mine.maxHardShareDeviation, 5),
    remainderTotal: toYuanString(remainder?.total ?? 0n),
    leftOut: result.leftOut.length,
    baselineSeconds: round(baselineSeconds, 3),
    baselineMaxDeviation: round(theirs.maxDeviation, 5),
    baselineMaxHardShareDeviation: round(theirs.maxHardShareDeviation, 5),
    ok,
  }),
);
