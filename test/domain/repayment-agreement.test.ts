import { describe, expect, it } from "vitest";
import { checkAgreement, latestDueOn, missedInstalments, type Instalment } from "~/domain/repayment-agreement";

// R5: at most 36 months; no new lending; any reduction of principal or interest is a waiver that the
// department must approve before it takes effect.
const rules = { maxMonths: 36 };
const owed = { principal: 3_600_000n, interest: 360_000n }; // ¥36,000.00 + ¥3,600.00

/** n monthly instalments from the month after signing, splitting `total` evenly (the last takes the rest). */
function monthly(n: number, total: { principal: bigint; interest: bigint }, signedOn = "2026-11-24"): Instalment[] {
  const [y, m, d] = signedOn.split("-").map(Number) as [number, number, number];
  return Array.from({ length: n }, (_, i) => {
    const date = new Date(Date.UTC(y, m - 1 + i + 1, 1));
    const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    date.setUTCDate(Math.min(d, last));
    const share = (x: bigint) => (i === n - 1 ? x - (x / BigInt(n)) * BigInt(n - 1) : x / BigInt(n));
    return { dueOn: date.toISOString().slice(0, 10), principal: share(total.principal), interest: share(total.interest) };
  });
}

describe("at most 36 months", () => {
  it("the latest due day is 36 months after signing (month ends kept)", () => {
    expect(latestDueOn("2026-11-24", 36)).toBe("2029-11-24");
    expect(latestDueOn("2027-01-31", 1)).toBe("2027-02-28");
  });

  it("36 monthly instalments are accepted; 37 are refused with the latest day allowed", () => {
    const ok = checkAgreement({ signedOn: "2026-11-24", outstanding: owed, instalments: monthly(36, owed) }, rules);
    expect(ok).toMatchObject({ ok: true, lastDueOn: "2029-11-24", waiver: { principal: 0n, interest: 0n } });
    const long = checkAgreement({ signedOn: "2026-11-24", outstanding: owed, instalments: monthly(37, owed) }, rules);
    expect(long).toEqual({ ok: false, problems: [{ code: "too_long", lastDueOn: "2029-12-24", latest: "2029-11-24", maxMonths: 36 }] });
  });
});

describe("no new lending; reductions are waivers", () => {
  it("refuses a schedule that asks for more than is owed", () => {
    const more = checkAgreement({ signedOn: "2026-11-24", outstanding: owed, instalments: monthly(12, { principal: 3_600_001n, interest: 360_000n }) }, rules);
    expect(more).toEqual({ ok: false, problems: [{ code: "new_lending", part: "principal", scheduled: 3_600_001n, outstanding: 3_600_000n }] });
  });

  it("a schedule collecting less names the waiver: ¥36,000 principal owed, ¥30,000 scheduled → ¥6,000 to approve; interest waived in full", () => {
    const less = checkAgreement({ signedOn: "2026-11-24", outstanding: owed, instalments: monthly(12, { principal: 3_000_000n, interest: 0n }) }, rules);
    expect(less).toMatchObject({ ok: true, scheduled: { principal: 3_000_000n, interest: 0n }, waiver: { principal: 600_000n, interest: 360_000n } });
  });
});

describe("the schedule itself", () => {
  it("reports every problem with its place", () => {
    const bad = checkAgreement(
      {
        signedOn: "2026-11-24",
        outstanding: owed,
        instalments: [
          { dueOn: "2026-11-01", principal: 100n, interest: 0n },
          { dueOn: "2026-13-01", principal: 100n, interest: 0n },
          { dueOn: "2027-01-24", principal: 0n, interest: 0n },
          { dueOn: "2027-01-24", principal: -5n, interest: 0n },
        ],
      },
      rules,
    );
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([
      { code: "due_before_signing", index: 0 },
      { code: "invalid_day", index: 1 },
      { code: "non_positive_instalment", index: 2 },
      { code: "not_in_order", index: 3 },
      { code: "negative_amount", index: 3 },
    ]);
    expect(checkAgreement({ signedOn: "2026-11-24", outstanding: owed, instalments: [] }, rules)).toEqual({ ok: false, problems: [{ code: "no_instalments" }] });
  });
});

describe("missed instalments", () => {
  const plan: Instalment[] = [
    { dueOn: "2026-12-24", principal: 100_000n, interest: 10_000n },
    { dueOn: "2027-01-24", principal: 100_000n, interest: 10_000n },
    { dueOn: "2027-02-24", principal: 100_000n, interest: 10_000n },
  ];

  it("payments settle the oldest first; what is due before today and not covered is missed", () => {
    expect(missedInstalments(plan, 150_000n, "2027-01-25")).toEqual([{ index: 1, dueOn: "2027-01-24", short: 70_000n }]);
    expect(missedInstalments(plan, 220_000n, "2027-01-25")).toEqual([]);
    // Due today is not yet missed.
    expect(missedInstalments(plan, 0n, "2026-12-24")).toEqual([]);
    expect(missedInstalments(plan, 0n, "2027-03-01").map((m) => m.index)).toEqual([0, 1, 2]);
  });
});
