import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assessPackages,
  bundleLoans,
  mergeRemainder,
  overdueBucket,
  mulberry32,
  ruleCodes,
  violationCauses,
  type BundleLoan,
  type BundleMode,
  type BundlePackage,
  type PackageDraft,
  type RuleCode,
} from "~/domain/bundling";
import { defaultSettings } from "~/domain/settings";

// R2 with the default settings: packages within ±5% of T, hard share within ±10 points of the pool's,
// no loan above 25% of its package, litigation excluded from custody unless included.
const settings = defaultSettings;
const yuan = (y: number) => BigInt(Math.round(y * 100));
const T = yuan(100_000); // ¥100,000.00: regular packages hold ¥95,000.00 … ¥105,000.00

const loan = (loanNumber: string, price: number | null, over: Partial<BundleLoan> = {}): BundleLoan => ({
  loanNumber,
  price: price === null ? null : yuan(price),
  region: "城关区",
  difficulty: "recoverable",
  collateral: "mortgage",
  overdueDays: 400,
  status: "IN_BOOK",
  litigation: "none",
  writtenOff: false,
  inPackage: null,
  ...over,
});
const hard = (loanNumber: string, price: number, over: Partial<BundleLoan> = {}) => loan(loanNumber, price, { difficulty: "hard", ...over });
const inRegion = (region: string, list: BundleLoan[]) => list.map((l) => ({ ...l, region }));
const mapOf = (loans: readonly BundleLoan[]) => new Map(loans.map((l) => [l.loanNumber, l]));
const drafts = (packages: readonly BundlePackage[]): PackageDraft[] => packages.map((p) => ({ loanNumbers: [...p.loanNumbers], remainder: p.remainder }));

// Two packages' worth: ¥200,000.00, of which ¥50,000.00 hard (25%).
const twoPackages = [
  loan("R01", 25_000), loan("R02", 25_000), loan("R03", 20_000), loan("R04", 20_000), loan("R05", 15_000),
  loan("R06", 15_000), loan("R07", 10_000), loan("R08", 10_000), loan("R09", 5_000), loan("R10", 5_000),
  hard("H1", 12_500), hard("H2", 12_500), hard("H3", 12_500), hard("H4", 12_500),
];

describe("R2 worked example: ¥200,000 of loans (25% hard) into packages of T = ¥100,000", () => {
  const result = bundleLoans({ loans: twoPackages, target: T, mode: "mixed" }, settings);

  it("makes exactly two packages of ¥100,000.00, each 25% hard, with one loan of every size and two hard loans", () => {
    expect(result.packages).toEqual([
      { loanNumbers: ["R01", "R03", "R05", "H1", "H3", "R07", "R09"], total: yuan(100_000), hardTotal: yuan(25_000), region: "城关区", remainder: false },
      { loanNumbers: ["R02", "R04", "R06", "H2", "H4", "R08", "R10"], total: yuan(100_000), hardTotal: yuan(25_000), region: "城关区", remainder: false },
    ]);
    expect(result.leftOut).toEqual([]);
    expect(result.quality).toMatchObject({ target: T, poolTotal: yuan(200_000), poolHardShare: 0.25, packageCount: 2, maxDeviation: 0, maxHardShareDeviation: 0, regionPurity: 1, leftOutCount: 0, violations: [] });
  });

  it("reports each package's quality: deviation, hard share, mixes, largest loan (25% exactly is allowed)", () => {
    const q = result.perPackage[0]!;
    expect(q).toMatchObject({ total: yuan(100_000), loanCount: 7, deviation: 0, hardShare: 0.25, hardShareDeviation: 0, violations: [] });
    expect(q.regions).toEqual([{ region: "城关区", total: yuan(100_000) }]);
    expect(q.largestLoan).toEqual({ loanNumber: "R01", price: yuan(25_000), share: 0.25 });
    expect(q.difficultyMix).toEqual({ recoverable: yuan(75_000), hard: yuan(25_000) });
    expect(q.collateralMix).toEqual({ unsecured: 0n, guarantee: 0n, mortgage: yuan(100_000), pledge: 0n });
    expect(q.overdueMix).toEqual({ under1y: 0n, "1to2y": yuan(100_000), "2to5y": 0n, over5y: 0n });
  });

  it("is deterministic and independent of the input order; the seed only changes which package is which", () => {
    expect(bundleLoans({ loans: twoPackages, target: T, mode: "mixed", seed: 1 }, settings)).toEqual(result);
    expect(bundleLoans({ loans: [...twoPackages].reverse(), target: T, mode: "mixed" }, settings)).toEqual(result);
    const other = bundleLoans({ loans: twoPackages, target: T, mode: "mixed", seed: 7 }, settings);
    expect(new Set(other.packages.map((p) => p.loanNumbers.join()))).toEqual(new Set(result.packages.map((p) => p.loanNumbers.join())));
  });

  it("spreads collateral and overdue buckets when the tolerance leaves a choice", () => {
    // eight ¥12,500 loans, half mortgaged and overdue 3 years, half unsecured and overdue 6 months
    const loans = Array.from({ length: 8 }, (_, i) =>
      loan(`S${i}`, 12_500, i % 2 === 0 ? { collateral: "mortgage", overdueDays: 1_100 } : { collateral: "unsecured", overdueDays: 100 }),
    );
    const r = bundleLoans({ loans, target: yuan(50_000), mode: "mixed" }, { ...settings, hardShareTolerance: "1" });
    expect(r.packages).toHaveLength(2);
    for (const q of r.perPackage) {
      expect(q.collateralMix).toMatchObject({ mortgage: yuan(25_000), unsecured: yuan(25_000) });
      expect(q.overdueMix).toMatchObject({ "2to5y": yuan(25_000), under1y: yuan(25_000) });
    }
  });
});

describe("R2 overdue buckets: under 1 year | 1–2 | 2–5 | over 5 (365-day years)", () => {
  it.each([[0, "under1y"], [364, "under1y"], [365, "1to2y"], [729, "1to2y"], [730, "2to5y"], [1824, "2to5y"], [1825, "over5y"], [4000, "over5y"]] as const)("%i days → %s", (days, bucket) => {
    expect(overdueBucket(days)).toBe(bucket);
  });
});

describe("R2 loans left out, with the reason", () => {
  const pool = [
    ...twoPackages,
    loan("X-DUP", 1_000),
    loan("X-DUP", 2_000, { region: "河西县" }),
    loan("X-NULL", null),
    loan("X-ZERO", 0),
    loan("X-PACKAGED", 1_000, { status: "PACKAGED" }),
    loan("X-CUSTODY", 1_000, { status: "IN_CUSTODY" }),
    loan("X-RECOVERED", 1_000, { status: "RECOVERED" }),
    loan("X-DRAFT", 1_000, { inPackage: "pkg_draft_1" }),
    loan("X-SUIT", 1_000, { litigation: "in_suit" }),
    loan("X-JUDGED", 1_000, { litigation: "judged_unenforced" }),
    loan("X-WRITTEN", 1_000, { writtenOff: true }),
    loan("X-BIG", 30_000),
  ];

  it("names every exclusion: duplicate, unpriced, not_available (status), in_package (package), litigation, written_off, over_concentration_cap (share of T)", () => {
    const result = bundleLoans({ loans: pool, target: T, mode: "mixed" }, settings);
    expect(result.leftOut).toEqual([
      { loanNumber: "X-BIG", reason: "over_concentration_cap", detail: { share: "30.0", maxShare: "26.3", price: "30000.00" } },
      { loanNumber: "X-CUSTODY", reason: "not_available", detail: { status: "IN_CUSTODY" } },
      { loanNumber: "X-DRAFT", reason: "in_package", detail: { package: "pkg_draft_1" } },
      { loanNumber: "X-DUP", reason: "duplicate" },
      { loanNumber: "X-JUDGED", reason: "litigation", detail: { litigation: "judged_unenforced" } },
      { loanNumber: "X-NULL", reason: "unpriced" },
      { loanNumber: "X-PACKAGED", reason: "not_available", detail: { status: "PACKAGED" } },
      { loanNumber: "X-RECOVERED", reason: "not_available", detail: { status: "RECOVERED" } },
      { loanNumber: "X-SUIT", reason: "litigation", detail: { litigation: "in_suit" } },
      { loanNumber: "X-WRITTEN", reason: "written_off" },
      { loanNumber: "X-ZERO", reason: "unpriced" },
    ]);
    expect(result.quality.leftOutCount).toBe(11);
    expect(result.quality.leftOutByReason).toEqual({ over_concentration_cap: 1, not_available: 3, in_package: 1, duplicate: 1, litigation: 2, unpriced: 2, written_off: 1 });
    // the first X-DUP (¥1,000.00, 城关区) is the one that counts
    const placed = result.packages.flatMap((p) => p.loanNumbers);
    expect(placed.filter((n) => n === "X-DUP")).toHaveLength(1);
    expect(result.quality.poolTotal).toBe(yuan(201_000));
  });

  it("an explicit include overrides litigation and write-off, nothing else", () => {
    const result = bundleLoans({ loans: pool, target: T, mode: "mixed", include: ["X-SUIT", "X-WRITTEN", "X-PACKAGED", "X-BIG"] }, settings);
    const reasons = Object.fromEntries(result.leftOut.map((l) => [l.loanNumber, l.reason]));
    expect(reasons["X-SUIT"]).toBeUndefined();
    expect(reasons["X-WRITTEN"]).toBeUndefined();
    expect(reasons["X-JUDGED"]).toBe("litigation");
    expect(reasons["X-PACKAGED"]).toBe("not_available");
    expect(reasons["X-BIG"]).toBe("over_concentration_cap");
    const placed = new Set(result.packages.flatMap((p) => p.loanNumbers));
    expect(placed.has("X-SUIT") && placed.has("X-WRITTEN")).toBe(true);
  });

  it("with excludeLitigationFromCustody off, loans in litigation are eligible", () => {
    const result = bundleLoans({ loans: pool, target: T, mode: "mixed" }, { ...settings, excludeLitigationFromCustody: false });
    expect(result.leftOut.map((l) => l.loanNumber)).not.toContain("X-SUIT");
    expect(result.leftOut.map((l) => l.loanNumber)).not.toContain("X-JUDGED");
  });
});

describe("R2 concentration: no loan above 25% of its package", () => {
  // The largest package the tolerance allows is ¥105,000.00, so a loan can be at most ¥26,250.00.
  const filler = [loan("F1", 25_000), loan("F2", 25_000), loan("F3", 25_000), loan("F4", 3_750)];

  it("a loan of 30% of T can never fit: left out as over_concentration_cap", () => {
    const result = bundleLoans({ loans: [...filler, loan("BIG", 30_000)], target: T, mode: "mixed" }, settings);
    expect(result.leftOut).toEqual([{ loanNumber: "BIG", reason: "over_concentration_cap", detail: { share: "30.0", maxShare: "26.3", price: "30000.00" } }]);
  });

  it("¥26,250.00 (26.25% of T) still fits: its package grows to ¥105,000.00 so it is exactly 25%", () => {
    const result = bundleLoans({ loans: [...filler, loan("EDGE", 26_250)], target: T, mode: "mixed" }, settings);
    expect(result.leftOut).toEqual([]);
    expect(result.packages).toEqual([{ loanNumbers: ["EDGE", "F1", "F2", "F3", "F4"], total: yuan(105_000), hardTotal: 0n, region: "城关区", remainder: false }]);
    expect(result.perPackage[0]!.largestLoan!.share).toBe(0.25);
    expect(result.quality.violations).toEqual([]);
    // one fen more and it is out
    const over = bundleLoans({ loans: [...filler, loan("EDGE", 26_250.01)], target: T, mode: "mixed" }, settings);
    expect(over.leftOut.map((l) => [l.loanNumber, l.reason])).toEqual([["EDGE", "over_concentration_cap"]]);
  });

  it("25% exactly is allowed: four ¥25,000.00 loans make one package", () => {
    const result = bundleLoans({ loans: [loan("Q1", 25_000), loan("Q2", 25_000), loan("Q3", 25_000), loan("Q4", 25_000)], target: T, mode: "mixed" }, settings);
    expect(result.packages.map((p) => [p.total, p.remainder])).toEqual([[T, false]]);
    expect(result.quality.violations).toEqual([]);
  });
});

// Regions A and B hold one package each, C (¥55,000) and D (¥45,000) less than T: together one mixed package.
const regional = [
  ...inRegion("A", [loan("A1", 25_000), loan("A2", 25_000), loan("A3", 25_000), hard("A4", 12_500), hard("A5", 12_500)]),
  ...inRegion("B", [loan("B1", 25_000), loan("B2", 25_000), loan("B3", 25_000), hard("B4", 12_500), hard("B5", 12_500)]),
  ...inRegion("C", [loan("C1", 20_000), loan("C2", 15_000), loan("C3", 5_000), hard("C4", 15_000)]),
  ...inRegion("D", [loan("D1", 15_000), loan("D2", 15_000), loan("D3", 5_000), hard("D4", 10_000)]),
];

describe("R2 mode by-region: packages inside a region whenever it holds T", () => {
  it("A and B form pure packages; C and D (below T) share a mixed one, reported (not an R2 breach)", () => {
    const result = bundleLoans({ loans: regional, target: T, mode: "by-region" }, settings);
    expect(result.packages).toEqual([
      { loanNumbers: ["A1", "A2", "A3", "A4", "A5"], total: T, hardTotal: yuan(25_000), region: "A", remainder: false },
      { loanNumbers: ["B1", "B2", "B3", "B4", "B5"], total: T, hardTotal: yuan(25_000), region: "B", remainder: false },
      { loanNumbers: ["C1", "C2", "C4", "D1", "D2", "D4", "C3", "D3"], total: T, hardTotal: yuan(25_000), region: null, remainder: false },
    ]);
    expect(result.quality.regionPurity).toBeCloseTo(2 / 3, 12);
    expect(result.quality.violations).toEqual([{ rule: "region", cause: "region_below_target", params: { regions: "C, D", count: "2" }, package: 2 }]);
    expect(result.perPackage[2]!.regions).toEqual([
      { region: "C", total: yuan(55_000) },
      { region: "D", total: yuan(45_000) },
    ]);
  });

  it("mode mixed ignores region: the worked example spread over two regions mixes them, nothing to report", () => {
    const loans = twoPackages.map((l, i) => ({ ...l, region: i % 3 === 0 ? "城关区" : "河西县" }));
    const result = bundleLoans({ loans, target: T, mode: "mixed" }, settings);
    expect(result.packages.map((p) => [p.total, p.hardTotal, p.region])).toEqual([
      [T, yuan(25_000), null],
      [T, yuan(25_000), null],
    ]);
    expect(result.quality.violations).toEqual([]);
    expect(result.quality.regionPurity).toBe(0);
  });

  it("a region whose own hard share is 25 points off the pool's cannot meet the band alone: region_hard_share, named", () => {
    // A: all recoverable (0% hard); B: half hard (50%); the pool: 25% hard
    const loans = [
      ...inRegion("A", [loan("A1", 25_000), loan("A2", 25_000), loan("A3", 25_000), loan("A4", 25_000)]),
      ...inRegion("B", [loan("B1", 25_000), loan("B2", 25_000), hard("B3", 25_000), hard("B4", 25_000)]),
    ];
    const result = bundleLoans({ loans, target: T, mode: "by-region" }, settings);
    expect(result.packages.map((p) => [p.region, p.total, p.hardTotal])).toEqual([
      ["A", T, 0n],
      ["B", T, yuan(50_000)],
    ]);
    expect(result.quality.violations).toEqual([
      { rule: "hard_share", cause: "region_hard_share", params: { hardShare: "0.0", poolShare: "25.0", tolerance: "10.0", region: "A", regionShare: "0.0" }, package: 0 },
      { rule: "hard_share", cause: "region_hard_share", params: { hardShare: "50.0", poolShare: "25.0", tolerance: "10.0", region: "B", regionShare: "50.0" }, package: 1 },
    ]);
    expect(result.quality.maxHardShareDeviation).toBe(0.25);
    // the same pool in mixed mode balances: two packages of 25% hard
    const mixed = bundleLoans({ loans, target: T, mode: "mixed" }, settings);
    expect(mixed.packages.map((p) => p.hardTotal)).toEqual([yuan(25_000), yuan(25_000)]);
    expect(mixed.quality.violations).toEqual([]);
  });

  it("small regions too hard to balance against the pool: pool_hard_share_unreachable on the mixed package", () => {
    const loans = [
      ...inRegion("A", [loan("A1", 25_000), loan("A2", 25_000), loan("A3", 25_000), loan("A4", 25_000)]),
      ...inRegion("B", [loan("B1", 25_000), loan("B2", 25_000), loan("B3", 25_000), loan("B4", 25_000)]),
      ...inRegion("C", [hard("C1", 25_000), hard("C2", 25_000)]),
      ...inRegion("D", [hard("D1", 25_000), loan("D2", 25_000)]),
    ];
    const result = bundleLoans({ loans, target: T, mode: "by-region" }, settings);
    // pool 25% hard; A and B 0% (region_hard_share); the mixed C+D package 75%
    const mixedIndex = result.packages.findIndex((p) => p.region === null);
    expect(result.quality.violations.filter((v) => v.package === mixedIndex).map((v) => [v.rule, v.cause])).toEqual([
      ["hard_share", "pool_hard_share_unreachable"],
      ["region", "region_below_target"],
    ]);
    expect(result.quality.violations.filter((v) => v.package !== mixedIndex).map((v) => v.cause)).toEqual(["region_hard_share", "region_hard_share"]);
  });
});

describe("R2 the remainder: at most one, always last, exempt from the tolerance only", () => {
  it("what does not make a package stays in one remainder at the end", () => {
    const result = bundleLoans({ loans: [...twoPackages, loan("E1", 20_000), loan("E2", 15_000), hard("E3", 10_000)], target: T, mode: "mixed" }, settings);
    const remainders = result.packages.filter((p) => p.remainder);
    expect(remainders).toHaveLength(1);
    expect(result.packages.at(-1)!.remainder).toBe(true);
    expect(result.packages.slice(0, -1).every((p) => p.total >= yuan(95_000) && p.total <= yuan(105_000))).toBe(true);
    // ¥245,000 → two packages; the remainder is what is left, not counted in maxDeviation
    expect(result.packages.reduce((s, p) => s + p.total, 0n)).toBe(yuan(245_000));
    expect(result.quality.maxDeviation).toBeLessThanOrEqual(0.05);
    expect(result.perPackage.at(-1)!.deviation).toBeLessThan(-0.05);
  });

  it("a pool below T × (1 − tolerance) makes no regular package: all in the remainder and a pool-wide violation", () => {
    const result = bundleLoans({ loans: [loan("P1", 20_000), loan("P2", 25_000), hard("P3", 20_000), loan("P4", 15_000)], target: T, mode: "by-region" }, settings);
    expect(result.packages).toEqual([{ loanNumbers: ["P2", "P1", "P3", "P4"], total: yuan(80_000), hardTotal: yuan(20_000), region: "城关区", remainder: true }]);
    expect(result.quality.violations).toEqual([
      // the remainder is exempt from the tolerance only: ¥25,000 is 31.25% of ¥80,000
      { rule: "concentration", cause: "lumpy_loans", params: { loanNumber: "P2", share: "31.3", maxShare: "25.0" }, package: 0 },
      { rule: "tolerance", cause: "pool_below_target", params: { poolTotal: "80000.00", target: "100000.00", minimum: "95000.00" }, package: null },
    ]);
    expect(result.quality.maxDeviation).toBe(0);
  });

  it("an empty pool: no packages, the pool-wide violation", () => {
    const result = bundleLoans({ loans: [loan("N1", null)], target: T, mode: "mixed" }, settings);
    expect(result.packages).toEqual([]);
    expect(result.quality.violations.map((v) => [v.rule, v.cause, v.package])).toEqual([["tolerance", "pool_below_target", null]]);
  });

  it("lumpy loans: five ¥50,000 loans hold more than T = ¥230,000 but no sum lands in ¥218,500 … ¥241,500 — all remain, named", () => {
    const loans = ["L1", "L2", "L3", "L4", "L5"].map((n) => loan(n, 50_000));
    const result = bundleLoans({ loans, target: yuan(230_000), mode: "mixed" }, settings);
    expect(result.packages.map((p) => [p.total, p.remainder])).toEqual([[yuan(250_000), true]]);
    expect(result.quality.violations).toEqual([{ rule: "tolerance", cause: "lumpy_loans", params: { remainder: "250000.00", target: "230000.00", minimum: "218500.00" }, package: null }]);
    // four of them at T = ¥200,000 do land (¥200,000, each exactly 25%)
    const fits = bundleLoans({ loans: loans.slice(0, 4), target: yuan(200_000), mode: "mixed" }, settings);
    expect(fits.packages.map((p) => [p.total, p.remainder])).toEqual([[yuan(200_000), false]]);
  });
});

describe("assessPackages: the user's moves re-checked", () => {
  const result = bundleLoans({ loans: twoPackages, target: T, mode: "mixed" }, settings);
  const options = { target: T, mode: "mixed" as const, poolHardShare: result.quality.poolHardShare, leftOut: result.leftOut };
  const loans = mapOf(twoPackages);

  it("unedited, it gives back the bundle's own report", () => {
    expect(assessPackages(drafts(result.packages), loans, options, settings)).toEqual({ packages: result.packages, perPackage: result.perPackage, quality: result.quality });
  });

  it("moving ¥10,000 out of a package breaks the tolerance on both sides: manual_change", () => {
    const [a, b] = drafts(result.packages);
    const moved = assessPackages(
      [{ loanNumbers: a!.loanNumbers.filter((n) => n !== "R07"), remainder: false }, { loanNumbers: [...b!.loanNumbers, "R07"], remainder: false }],
      loans,
      options,
      settings,
    );
    expect(moved.packages.map((p) => p.total)).toEqual([yuan(90_000), yuan(110_000)]);
    expect(moved.quality.violations).toEqual([
      { rule: "tolerance", cause: "manual_change", params: { total: "90000.00", target: "100000.00", deviation: "-10.0", tolerance: "5.0" }, package: 0 },
      // and ¥25,000 is now 27.8% of ¥90,000
      { rule: "concentration", cause: "manual_change", params: { loanNumber: "R01", share: "27.8", maxShare: "25.0" }, package: 0 },
      { rule: "tolerance", cause: "manual_change", params: { total: "110000.00", target: "100000.00", deviation: "10.0", tolerance: "5.0" }, package: 1 },
    ]);
    expect(moved.quality.maxDeviation).toBeCloseTo(0.1, 12);
  });

  it("gathering the hard loans in one package breaks the hard share on both sides: manual_change", () => {
    // ¥100,000 with no hard loan (0%) and ¥100,000 with all four (50%), against the pool's 25%
    const regrouped = assessPackages(
      [
        { loanNumbers: ["R01", "R02", "R03", "R04", "R09", "R10"], remainder: false },
        { loanNumbers: ["R05", "R06", "R07", "R08", "H1", "H2", "H3", "H4"], remainder: false },
      ],
      loans,
      options,
      settings,
    );
    expect(regrouped.packages.map((p) => p.total)).toEqual([T, T]);
    expect(regrouped.quality.violations).toEqual([
      { rule: "hard_share", cause: "manual_change", params: { hardShare: "0.0", poolShare: "25.0", tolerance: "10.0" }, package: 0 },
      { rule: "hard_share", cause: "manual_change", params: { hardShare: "50.0", poolShare: "25.0", tolerance: "10.0" }, package: 1 },
    ]);
    expect(regrouped.quality.maxHardShareDeviation).toBeCloseTo(0.25, 12);
  });

  it("moving a loan into another region's pure package mixes it: region, manual_change", () => {
    const r = bundleLoans({ loans: regional, target: T, mode: "by-region" }, settings);
    const ds = drafts(r.packages);
    ds[0] = { loanNumbers: [...ds[0]!.loanNumbers, "C3"], remainder: false };
    ds[2] = { loanNumbers: ds[2]!.loanNumbers.filter((n) => n !== "C3"), remainder: false };
    const moved = assessPackages(ds, mapOf(regional), { target: T, mode: "by-region", poolHardShare: r.quality.poolHardShare }, settings);
    expect(moved.quality.violations).toContainEqual({ rule: "region", cause: "manual_change", params: { regions: "A, C", count: "2" }, package: 0 });
    expect(moved.packages[0]!.region).toBeNull();
  });

  it("moving a large loan into a small package breaks the concentration: manual_change", () => {
    const ds: PackageDraft[] = [{ loanNumbers: ["R01", "R09", "R10", "R07", "R08"], remainder: false }];
    const q = assessPackages(ds, loans, { target: yuan(55_000), mode: "mixed", poolHardShare: 0 }, settings);
    expect(q.quality.violations).toEqual([
      { rule: "concentration", cause: "manual_change", params: { loanNumber: "R01", share: "45.5", maxShare: "25.0" }, package: 0 },
    ]);
  });

  it("refuses a loan number it does not know", () => {
    expect(() => assessPackages([{ loanNumbers: ["NOPE"], remainder: false }], loans, options, settings)).toThrow(/unknown loan NOPE/);
  });
});

describe("mergeRemainder: the remainder's loans into the packages, never beyond +5%", () => {
  it("puts each remainder loan, largest first, into the package with the most room that stays within the rules", () => {
    const ds: PackageDraft[] = [
      { loanNumbers: ["R01", "R03", "R05", "H1", "H3", "R07"], remainder: false }, // ¥95,000
      { loanNumbers: ["R02", "R04", "R06", "H2", "H4", "R08", "R09"], remainder: false }, // ¥100,000
      { loanNumbers: ["R10", "X1", "X2"], remainder: true }, // ¥5,000 + ¥6,000 + ¥1,000
    ];
    const loans = mapOf([...twoPackages, loan("X1", 6_000), loan("X2", 1_000)]);
    const merged = mergeRemainder(ds, loans, { target: T, mode: "mixed" }, settings);
    // X1 (¥6,000) → package 0 (most room): ¥101,000; R10 (¥5,000) → package 1 (¥100,000 < ¥101,000): ¥105,000;
    // X2 (¥1,000) → package 0: ¥102,000
    expect(merged).toEqual([
      { loanNumbers: ["R01", "R03", "R05", "H1", "H3", "R07", "X1", "X2"], remainder: false },
      { loanNumbers: ["R02", "R04", "R06", "H2", "H4", "R08", "R09", "R10"], remainder: false },
      { loanNumbers: [], remainder: true },
    ]);
  });

  it("keeps what would push a package beyond T × 1.05", () => {
    const ds: PackageDraft[] = [
      { loanNumbers: ["R02", "R04", "R06", "H2", "H4", "R08", "R09"], remainder: false }, // ¥100,000
      { loanNumbers: ["X1"], remainder: true },
    ];
    const merged = mergeRemainder(ds, mapOf([...twoPackages, loan("X1", 6_000)]), { target: T, mode: "mixed" }, settings);
    expect(merged).toEqual(ds);
  });

  it("in by-region mode never into another big region's package", () => {
    const r = bundleLoans({ loans: [...regional, ...inRegion("A", [loan("A9", 1_000)])], target: T, mode: "by-region" }, settings);
    expect(r.packages.at(-1)).toMatchObject({ loanNumbers: ["A9"], remainder: true });
    const loans = mapOf([...regional, ...inRegion("A", [loan("A9", 1_000)])]);
    const merged = mergeRemainder(drafts(r.packages), loans, { target: T, mode: "by-region" }, settings);
    expect(merged[0]!.loanNumbers).toContain("A9"); // region A's own package first
    const withoutA = drafts(r.packages).filter((_, i) => i !== 0);
    const merged2 = mergeRemainder(withoutA, loans, { target: T, mode: "by-region" }, settings);
    // region A still holds ≥ ¥95,000 in the pool, so B's package is out of bounds; the mixed one takes it
    expect(merged2[0]!.loanNumbers).not.toContain("A9");
    expect(merged2[1]!.loanNumbers).toContain("A9");
  });
});

// ---- properties ------------------------------------------------------------------------------------

const collateralKinds = ["unsecured", "guarantee", "mortgage", "pledge"] as const;

/** A skewed pool: lognormal-ish prices with a few large loans, uneven regions, ~25% hard, a little junk. */
function makePool(n: number, seed: number, regionCount: number): BundleLoan[] {
  const rng = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const weights = Array.from({ length: regionCount }, (_, i) => 1 / (i + 1) ** 1.2);
  const sum = weights.reduce((a, b) => a + b, 0);
  const loans: BundleLoan[] = [];
  for (let i = 0; i < n; i++) {
    let u = rng() * sum;
    let region = 0;
    while (region < regionCount - 1 && u > weights[region]!) u -= weights[region++]!;
    let price = Math.max(1, Math.round(1_000_000 * Math.exp(normal())));
    if (rng() < 0.02) price *= 10 + Math.floor(rng() * 20); // a few very large loans
    const junk = rng();
    loans.push({
      loanNumber: `LN${String(i).padStart(6, "0")}`,
      price: junk < 0.01 ? null : BigInt(price),
      region: `R${region}`,
      difficulty: rng() < 0.25 ? "hard" : "recoverable",
      collateral: collateralKinds[Math.floor(rng() * 4)]!,
      overdueDays: Math.floor(rng() * 4000),
      status: junk > 0.99 ? "PACKAGED" : "IN_BOOK",
      litigation: junk > 0.98 && junk <= 0.99 ? "in_suit" : "none",
      writtenOff: junk > 0.97 && junk <= 0.98,
      inPackage: null,
    });
  }
  if (n > 10) loans.push({ ...loans[3]!, price: 123n }); // a duplicate
  return loans;
}

const poolArb = fc.record({
  n: fc.integer({ min: 50, max: 2000 }),
  poolSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  regions: fc.integer({ min: 1, max: 8 }),
  packages: fc.integer({ min: 1, max: 25 }),
  mode: fc.constantFrom<BundleMode>("by-region", "mixed"),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

function build({ n, poolSeed, regions, packages, mode, seed }: { n: number; poolSeed: number; regions: number; packages: number; mode: BundleMode; seed: number }) {
  const loans = makePool(n, poolSeed, regions);
  const value = loans.reduce((s, l) => s + (l.price ?? 0n), 0n);
  const target = value / BigInt(packages) > 0n ? value / BigInt(packages) : 1n;
  return { loans, target, mode, seed };
}

/** Lumpy pools: 3–60 loans of 5–27% of T each (some above the cap), up to half of them hard, 1–3 regions. */
const lumpyArb = fc
  .record({
    prices: fc.array(fc.integer({ min: 50, max: 270 }), { minLength: 3, maxLength: 60 }),
    hardEvery: fc.integer({ min: 2, max: 8 }),
    regions: fc.integer({ min: 1, max: 3 }),
    mode: fc.constantFrom<BundleMode>("by-region", "mixed"),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map(({ prices, hardEvery, regions, mode, seed }) => {
    const loans: BundleLoan[] = prices.map((permille, i) => ({
      ...loan(`LM${String(i).padStart(3, "0")}`, permille * 100, { region: `R${i % regions}`, collateral: collateralKinds[i % 4]!, overdueDays: (i * 397) % 4000 }),
      difficulty: i % hardEvery === 0 ? "hard" : "recoverable",
    }));
    loans.push({ ...loans[0]!, price: 1n }); // a duplicate
    return { loans, target: yuan(100_000), mode, seed };
  });

const requestArb = fc.oneof({ arbitrary: poolArb.map(build), weight: 3 }, { arbitrary: lumpyArb, weight: 1 });

/** The rules a package breaks, checked here independently (tolerance 5%, hard share ±10 points, 25%). */
function broken(p: BundlePackage, loans: ReadonlyMap<string, BundleLoan>, target: bigint, poolShare: number): Set<RuleCode> {
  const rules = new Set<RuleCode>();
  if (!p.remainder && (p.total - target < 0n ? target - p.total : p.total - target) * 20n > target) rules.add("tolerance");
  if (p.total > 0n) {
    const deviation = Math.abs(Number(p.hardTotal) / Number(p.total) - poolShare);
    if (deviation > 0.1 + 1e-9) rules.add("hard_share");
  }
  const largest = p.loanNumbers.reduce((m, n) => (loans.get(n)!.price! > m ? loans.get(n)!.price! : m), 0n);
  if (largest * 4n > p.total) rules.add("concentration");
  return rules;
}

const runs = { numRuns: 100 };

describe("R2 properties (generated skewed pools of 50–2000 loans, and lumpy ones of 3–60)", () => {
  it("every eligible loan is in exactly one package; left out + placed = the input; totals are the sums", () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const result = bundleLoans(request, settings);
        const placed = result.packages.flatMap((p) => p.loanNumbers);
        expect(new Set(placed).size).toBe(placed.length);
        expect([...placed, ...result.leftOut.map((l) => l.loanNumber)].sort()).toEqual(request.loans.map((l) => l.loanNumber).sort());
        const first = new Map<string, BundleLoan>();
        for (const l of request.loans) if (!first.has(l.loanNumber)) first.set(l.loanNumber, l);
        let pool = 0n;
        for (const p of result.packages) {
          const prices = p.loanNumbers.map((n) => first.get(n)!.price!);
          expect(p.total).toBe(prices.reduce((a, b) => a + b, 0n));
          expect(p.hardTotal).toBe(p.loanNumbers.filter((n) => first.get(n)!.difficulty === "hard").reduce((a, n) => a + first.get(n)!.price!, 0n));
          expect(prices).toEqual([...prices].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
          pool += p.total;
        }
        expect(result.quality.poolTotal).toBe(pool);
        expect(result.packages.filter((p) => p.remainder).length).toBeLessThanOrEqual(1);
        if (result.packages.some((p) => p.remainder)) expect(result.packages.at(-1)!.remainder).toBe(true);
      }),
      runs,
    );
  });

  it("every package meets tolerance, hard share and concentration, or a violation names the rule and a cause in the pool", () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const result = bundleLoans(request, settings);
        const loans = mapOf(request.loans.filter((l, i, all) => all.findIndex((x) => x.loanNumber === l.loanNumber) === i));
        result.packages.forEach((p, i) => {
          const named = new Set(result.quality.violations.filter((v) => v.package === i).map((v) => v.rule));
          for (const rule of broken(p, loans, request.target, result.quality.poolHardShare)) expect(named, `package ${i} breaks ${rule}`).toContain(rule);
          if (!p.remainder) {
            expect(p.total).toBeGreaterThanOrEqual((request.target * 95n + 99n) / 100n);
            expect(p.total).toBeLessThanOrEqual((request.target * 105n) / 100n);
          }
        });
        for (const v of result.quality.violations) {
          expect(ruleCodes).toContain(v.rule);
          expect(violationCauses).toContain(v.cause);
          expect(v.cause).not.toBe("manual_change"); // the engine never leaves an unexplained breach
        }
        expect(result.quality.maxDeviation).toBeLessThanOrEqual(0.05);
      }),
      runs,
    );
  });

  it("is deterministic: the same request and seed give the same result, whatever the order of the loans", () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const once = bundleLoans(request, settings);
        expect(bundleLoans(request, settings)).toEqual(once);
        const unique = request.loans.slice(0, -1); // without the duplicate (which copy counts depends on the order)
        const shuffled = [...unique].sort((a, b) => ((a.loanNumber.charCodeAt(7) * 31 + a.loanNumber.length) % 7) - ((b.loanNumber.charCodeAt(7) * 31 + b.loanNumber.length) % 7) || (a.loanNumber < b.loanNumber ? 1 : -1));
        expect(bundleLoans({ ...request, loans: shuffled }, settings)).toEqual(bundleLoans({ ...request, loans: unique }, settings));
      }),
      { numRuns: 50 },
    );
  });

  it("assessPackages of an unedited bundle gives back its report; after moving a loan every newly broken rule is a manual_change", () => {
    fc.assert(
      fc.property(requestArb, fc.nat(), fc.nat(), fc.nat(), (request, from, loanPick, to) => {
        const result = bundleLoans(request, settings);
        const loans = mapOf(request.loans.filter((l, i, all) => all.findIndex((x) => x.loanNumber === l.loanNumber) === i));
        const options = { target: request.target, mode: request.mode, poolHardShare: result.quality.poolHardShare, leftOut: result.leftOut };
        expect(assessPackages(drafts(result.packages), loans, options, settings)).toEqual({ packages: result.packages, perPackage: result.perPackage, quality: result.quality });
        if (result.packages.length < 2) return;
        const ds = drafts(result.packages);
        const a = from % ds.length;
        const b = (a + 1 + (to % (ds.length - 1))) % ds.length;
        const moving = ds[a]!.loanNumbers[loanPick % ds[a]!.loanNumbers.length]!;
        ds[a] = { ...ds[a]!, loanNumbers: ds[a]!.loanNumbers.filter((n) => n !== moving) };
        ds[b] = { ...ds[b]!, loanNumbers: [...ds[b]!.loanNumbers, moving] };
        const after = assessPackages(ds, loans, options, settings);
        after.packages.forEach((p, i) => {
          const before = broken(result.packages[i]!, loans, request.target, options.poolHardShare);
          const now = broken(p, loans, request.target, options.poolHardShare);
          const named = after.quality.violations.filter((v) => v.package === i);
          for (const rule of now) {
            expect(named.map((v) => v.rule)).toContain(rule);
            if (!before.has(rule) && !p.remainder && rule !== "hard_share") expect(named.find((v) => v.rule === rule)!.cause).toBe("manual_change");
          }
        });
      }),
      runs,
    );
  });

  it("mergeRemainder never pushes a package beyond +5% nor a loan above 25%, and loses no loan", () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const result = bundleLoans(request, settings);
        const loans = mapOf(request.loans.filter((l, i, all) => all.findIndex((x) => x.loanNumber === l.loanNumber) === i));
        const ds = drafts(result.packages);
        const merged = mergeRemainder(ds, loans, { target: request.target, mode: request.mode }, settings);
        expect(merged.flatMap((p) => p.loanNumbers).sort()).toEqual(ds.flatMap((p) => p.loanNumbers).sort());
        expect(merged.map((p) => p.remainder)).toEqual(ds.map((p) => p.remainder));
        const q = assessPackages(merged, loans, { target: request.target, mode: request.mode, poolHardShare: result.quality.poolHardShare }, settings);
        q.packages.forEach((p, i) => {
          if (p.remainder) return;
          expect(p.total).toBeLessThanOrEqual((request.target * 105n) / 100n);
          const grew = merged[i]!.loanNumbers.length > ds[i]!.loanNumbers.length;
          if (grew) expect(q.perPackage[i]!.violations.map((v) => v.rule)).not.toContain("concentration");
        });
      }),
      runs,
    );
  });
});
