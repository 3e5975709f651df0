import { describe, expect, it } from "vitest";
import { contractTerms } from "~/domain/contract";
import { defaultSettings } from "~/domain/settings";
import { coverage, statementDraft, type PriorTotals, type RecoveryCandidate, type StatementInput } from "~/domain/statement-lines";

/** R9 lines from R6/R7 numbers (rules.md): pure. */

const yuan = (y: number) => BigInt(Math.round(y * 100));
const internal = contractTerms({ kind: "staff", winningPrice: yuan(1_000_000), day: "2026-06-01" }, defaultSettings, 1).commission;
const agency = contractTerms({ kind: "agency", winningPrice: yuan(1_000_000), day: "2026-06-01" }, defaultSettings, 1).commission;
const period = { startsOn: "2026-07-01", endsOn: "2026-09-30" };
const none: PriorTotals = { recovered: 0n, commission: 0n, lateInterest: 0n };
let n = 0;
const recovery = (collectedOn: string, principal: number, interest = 0): RecoveryCandidate => ({
  id: `r${++n}`, number: `RCV-2026-${String(n).padStart(6, "0")}`, loanNumber: `L${n}`, collectedOn, principal: yuan(principal), interest: yuan(interest),
});
const input = (over: Partial<StatementInput>): StatementInput => ({
  commission: internal, task: yuan(1_000_000), period, final: false, recoveries: [], prior: none, lateInterestBooked: 0n, deductions: [], preservedLoans: 0, ...over,
});
const line = (draft: ReturnType<typeof statementDraft>, kind: string) => draft.lines.find((l) => l.kind === kind);

describe("internal commission (R6 worked example, T = ¥1,000,000)", () => {
  it.each([
    [40_000, 0],
    [50_000, 5_000],
    [500_000, 50_000],
    [800_000, 110_000],
    [1_200_000, 230_000],
  ])("R = ¥%d on one statement → commission ¥%d", (R, bonus) => {
    const d = statementDraft(input({ recoveries: [recovery("2026-07-15", R * 0.75, R * 0.25)] }));
    expect(line(d, "commission")!.amount).toBe(yuan(bonus));
    expect(d.earnedToDate).toBe(yuan(bonus));
    expect(d.totals.netPayable).toBe(yuan(bonus));
  });

  it("pays the bonus to date less what earlier statements paid: 40k → 0, 50k → 5,000, 500k → 45,000, 800k → 60,000, 1.2M → 120,000", () => {
    let prior = none;
    const payouts: bigint[] = [];
    for (const R of [40_000, 50_000, 500_000, 800_000, 1_200_000]) {
      const d = statementDraft(input({ prior, recoveries: [recovery("2026-07-15", R - Number(prior.recovered) / 100)] }));
      payouts.push(line(d, "commission")!.amount);
      prior = { recovered: d.recoveredToDate, commission: prior.commission + line(d, "commission")!.amount, lateInterest: 0n };
    }
    expect(payouts).toEqual([0n, yuan(5_000), yuan(45_000), yuan(60_000), yuan(120_000)]);
    expect(prior.commission).toBe(yuan(230_000));
  });

  it("a reversal (earned below paid) gives a 0 line and carries the difference forward, never a negative line", () => {
    const d = statementDraft(input({ prior: { recovered: yuan(500_000), commission: yuan(60_000), lateInterest: 0n } }));
    expect(d.earnedToDate).toBe(yuan(50_000));
    expect(line(d, "commission")!.amount).toBe(0n);
    expect(line(d, "commission")!.basis).toContain("carried forward ¥10,000.00");
    // later recoveries first fill the carried-forward amount
    const later = statementDraft(input({ prior: { recovered: yuan(500_000), commission: yuan(60_000), lateInterest: 0n }, recoveries: [recovery("2026-08-01", 100_000)] }));
    expect(later.earnedToDate).toBe(yuan(70_000));
    expect(line(later, "commission")!.amount).toBe(yuan(10_000));
  });

  it("shows R, T and c in the basis, and a zero commission line when nothing was recovered", () => {
    const d = statementDraft(input({}));
    expect(d.lines.map((l) => [l.kind, l.amount])).toEqual([["commission", 0n], ["late_interest", 0n]]);
    const e = statementDraft(input({ recoveries: [recovery("2026-07-15", 50_000)] }));
    expect(line(e, "commission")!.basis).toContain("R ¥50,000.00 / T ¥1,000,000.00 = c 5.00%");
    expect(coverage(yuan(1), yuan(3))).toBe("33.33%");
  });
});

describe("recovery lines", () => {
  it("takes only recoveries collected up to the period's end, ordered by day then number", () => {
    const late = recovery("2026-10-01", 1_000);
    const b = recovery("2026-08-01", 200, 20);
    const a = recovery("2026-07-01", 100, 10);
    const a2 = recovery("2026-07-01", 300);
    const d = statementDraft(input({ recoveries: [late, b, a2, a] }));
    expect(d.lines.filter((l) => l.kind === "recovery").map((l) => l.recoveryId)).toEqual([a.id, a2.id, b.id]);
    expect(d.lines.map((l) => l.position)).toEqual([1, 2, 3, 4, 5]);
    expect(d.totals.recovered).toEqual({ principal: yuan(600), interest: yuan(30), total: yuan(630) });
  });
});

describe("agency fee, rewards and the end-of-term adjustment (R6)", () => {
  it("fee = 12% × R to date − fee paid", () => {
    const d = statementDraft(input({ commission: agency, prior: { recovered: yuan(100_000), commission: yuan(12_000), lateInterest: 0n }, recoveries: [recovery("2026-07-02", 40_000, 10_000)] }));
    expect(d.earnedToDate).toBe(yuan(18_000));
    expect(line(d, "fee")!.amount).toBe(yuan(6_000));
  });

  it("¥20 per preserved loan", () => {
    const d = statementDraft(input({ commission: agency, preservedLoans: 3 }));
    expect(line(d, "preservation_reward")).toMatchObject({ loans: 3, amount: yuan(60) });
    expect(d.totals.payableToCustodian).toBe(yuan(60));
  });

  it("FINAL: +5% of the excess over the task, −2% of the shortfall; nothing on task; internal has none", () => {
    const over = statementDraft(input({ commission: agency, final: true, prior: { recovered: yuan(1_100_000), commission: yuan(132_000), lateInterest: 0n } }));
    expect(line(over, "bonus")!.amount).toBe(yuan(5_000));
    const under = statementDraft(input({ commission: agency, final: true, prior: { recovered: yuan(600_000), commission: yuan(72_000), lateInterest: 0n } }));
    expect(line(under, "penalty")!.amount).toBe(yuan(8_000));
    expect(under.totals.netPayable).toBe(-yuan(8_000));
    expect(under.totals.direction).toBe("to_bank");
    const exact = statementDraft(input({ commission: agency, final: true, prior: { recovered: yuan(1_000_000), commission: yuan(120_000), lateInterest: 0n } }));
    expect(exact.lines.some((l) => l.kind === "bonus" || l.kind === "penalty")).toBe(false);
    const staff = statementDraft(input({ final: true, prior: { recovered: yuan(600_000), commission: yuan(70_000), lateInterest: 0n } }));
    expect(staff.lines.some((l) => l.kind === "bonus" || l.kind === "penalty")).toBe(false);
  });
});

describe("late interest and deductions (R7)", () => {
  it("late interest = booked − taken by deductions − charged before, never negative", () => {
    const deductions = [
      { id: "d1", deductedOn: "2026-08-10", lateInterest: yuan(30), fromDeposit: yuan(5_000), claim: yuan(0) },
      { id: "d2", deductedOn: "2026-10-05", lateInterest: yuan(99), fromDeposit: yuan(1_000), claim: yuan(500) },
    ];
    const d = statementDraft(input({ lateInterestBooked: yuan(150), deductions, prior: { ...none, lateInterest: yuan(20) } }));
    expect(line(d, "late_interest")!.amount).toBe(yuan(100));
    // only the deduction taken in the period, for information: not in the net
    expect(d.lines.filter((l) => l.kind === "deduction").map((l) => l.amount)).toEqual([yuan(5_000)]);
    expect(d.totals.deductionsTaken).toBe(yuan(5_000));
    expect(d.totals.owedByCustodian).toBe(yuan(100));
    expect(d.totals.netPayable).toBe(-yuan(100));
    const none2 = statementDraft(input({ lateInterestBooked: yuan(10), prior: { ...none, lateInterest: yuan(20) } }));
    expect(line(none2, "late_interest")!.amount).toBe(0n);
  });
});
