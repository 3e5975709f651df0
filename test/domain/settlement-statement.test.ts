import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Role } from "~/domain/access";
import { addDays, daysBetween } from "~/domain/calendar";
import { applyRate, parseRate } from "~/domain/money";
import {
  nextStep,
  quarterEnd,
  quarterOf,
  statementPeriod,
  statementPeriodsOfTerm,
  statementTotals,
  transition,
  type ContractorKind,
  type StatementAction,
  type StatementCommand,
  type StatementLine,
  type StatementWorkflow,
} from "~/domain/settlement-statement";

const yuan = (n: number) => BigInt(Math.round(n * 100));

// R9: the statement is quarterly, per contract.
describe("quarters of the bank's calendar", () => {
  it.each([
    ["2026-01-01", 2026, 1, "2026-01-01", "2026-03-31"],
    ["2026-03-31", 2026, 1, "2026-01-01", "2026-03-31"],
    ["2026-04-01", 2026, 2, "2026-04-01", "2026-06-30"],
    ["2026-08-15", 2026, 3, "2026-07-01", "2026-09-30"],
    ["2026-12-31", 2026, 4, "2026-10-01", "2026-12-31"],
  ])("%s is in %i Q%i (%s..%s)", (day, year, quarter, startsOn, endsOn) => {
    expect(quarterOf(day)).toEqual({ year, quarter, startsOn, endsOn });
    expect(quarterEnd(day)).toBe(endsOn);
  });

  it("refuses what is not a calendar day", () => {
    expect(() => quarterOf("2026-02-29")).toThrow(RangeError);
    expect(() => quarterOf("2026/03/01")).toThrow(RangeError);
  });

  it("always: the quarter holds the day, and the day after its end starts the next quarter", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 100 }), (offset) => {
        const day = addDays("1950-01-01", offset);
        const q = quarterOf(day);
        expect(q.startsOn <= day && day <= q.endsOn).toBe(true);
        expect(quarterOf(q.startsOn)).toEqual(q);
        expect(quarterOf(q.endsOn)).toEqual(q);
        const next = quarterOf(addDays(q.endsOn, 1));
        expect(next.startsOn).toBe(addDays(q.endsOn, 1));
        expect(next.quarter).toBe(q.quarter === 4 ? 1 : q.quarter + 1);
      }),
    );
  });
});

describe("statement period: the quarter within the contract term", () => {
  // Custody started mid-quarter; 24-month term.
  const term = { startsOn: "2026-05-18", endsOn: "2028-05-17" };

  it("a contract starting mid-quarter has a short first period", () => {
    expect(statementPeriod(term, { year: 2026, quarter: 2 })).toEqual({ ok: true, year: 2026, quarter: 2, startsOn: "2026-05-18", endsOn: "2026-06-30", short: true });
  });
  it("a full quarter inside the term", () => {
    expect(statementPeriod(term, { year: 2027, quarter: 1 })).toEqual({ ok: true, year: 2027, quarter: 1, startsOn: "2027-01-01", endsOn: "2027-03-31", short: false });
  });
  it("the last period ends with the term", () => {
    expect(statementPeriod(term, { year: 2028, quarter: 2 })).toEqual({ ok: true, year: 2028, quarter: 2, startsOn: "2028-04-01", endsOn: "2028-05-17", short: true });
  });
  it("refuses a quarter outside the term", () => {
    expect(statementPeriod(term, { year: 2026, quarter: 1 })).toEqual({ ok: false, code: "outside_term" });
    expect(statementPeriod(term, { year: 2028, quarter: 3 })).toEqual({ ok: false, code: "outside_term" });
  });
  it("refuses a quarter that is not 1–4, and a term that ends before it starts", () => {
    expect(() => statementPeriod(term, { year: 2027, quarter: 5 })).toThrow(RangeError);
    expect(() => statementPeriod({ startsOn: "2027-01-02", endsOn: "2027-01-01" }, { year: 2027, quarter: 1 })).toThrow(RangeError);
  });
  it("a 24-month term from mid-May has 9 periods, short first and last", () => {
    const periods = statementPeriodsOfTerm(term);
    expect(periods).toHaveLength(9);
    expect(periods.map((p) => p.short)).toEqual([true, false, false, false, false, false, false, false, true]);
  });

  it("always: the periods of a term are contiguous and cover it exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 1200 }), (offset, length) => {
        const t = { startsOn: addDays("2020-01-01", offset), endsOn: addDays("2020-01-01", offset + length) };
        const periods = statementPeriodsOfTerm(t);
        expect(periods[0]!.startsOn).toBe(t.startsOn);
        expect(periods[periods.length - 1]!.endsOn).toBe(t.endsOn);
        for (let i = 1; i < periods.length; i++) expect(daysBetween(periods[i - 1]!.endsOn, periods[i]!.startsOn)).toBe(1);
        const days = periods.reduce((sum, p) => sum + daysBetween(p.startsOn, p.endsOn) + 1, 0);
        expect(days).toBe(length + 1);
      }),
    );
  });
});

// R9 lines: verified recoveries, commission or fee, preservation rewards, late interest, deductions,
// penalties, net payable.
describe("statement totals", () => {
  const recoveries: StatementLine[] = [
    { kind: "recovery", loanNumber: "LN-0001", collectedOn: "2026-07-08", principal: yuan(50_000), interest: yuan(3_000) },
    { kind: "recovery", loanNumber: "LN-0002", collectedOn: "2026-08-20", principal: yuan(20_000), interest: yuan(1_500.5) },
    { kind: "recovery", loanNumber: "LN-0003", collectedOn: "2026-09-29", principal: yuan(8_000), interest: 0n },
  ];

  it("an agency's quarter, summed by hand", () => {
    // Recovered: principal 50,000 + 20,000 + 8,000 = ¥78,000.00; interest 3,000 + 1,500.50 = ¥4,500.50; total ¥82,500.50.
    // Fee 12% × 82,500.50 = ¥9,900.06. Rewards 2 × ¥20 = ¥40.00. Payable 9,900.06 + 40.00 = ¥9,940.06.
    // Owed: late interest ¥132.92 + penalty ¥500.00 = ¥632.92. Net 9,940.06 − 632.92 = ¥9,307.14 to the agency.
    // The ¥1,000 deducted from the bond is shown, not netted.
    const fee = applyRate(yuan(82_500.5), parseRate("12%"));
    expect(fee).toBe(yuan(9_900.06));
    const lines: StatementLine[] = [
      ...recoveries,
      { kind: "fee", amount: fee },
      { kind: "preservation_reward", loans: 2, amount: yuan(40) },
      { kind: "late_interest", amount: yuan(132.92) },
      { kind: "penalty", amount: yuan(500) },
      { kind: "deduction", amount: yuan(1_000) },
    ];
    expect(statementTotals(lines)).toEqual({
      recovered: { principal: yuan(78_000), interest: yuan(4_500.5), total: yuan(82_500.5) },
      payableToCustodian: yuan(9_940.06),
      owedByCustodian: yuan(632.92),
      deductionsTaken: yuan(1_000),
      netPayable: yuan(9_307.14),
      direction: "to_custodian",
      netAmount: yuan(9_307.14),
    });
  });

  it("a quarter where the custodian owes more than it earned: negative net, owed to the bank", () => {
    // Commission ¥0 (below 5% of task), bonus ¥0; late interest ¥132.92 + penalty ¥1,000 = ¥1,132.92 owed.
    const totals = statementTotals([recoveries[2]!, { kind: "commission", amount: 0n }, { kind: "late_interest", amount: yuan(132.92) }, { kind: "penalty", amount: yuan(1_000) }]);
    expect(totals.netPayable).toBe(-yuan(1_132.92));
    expect(totals.direction).toBe("to_bank");
    expect(totals.netAmount).toBe(yuan(1_132.92));
  });

  it("a bonus equal to the late interest nets to nil; an empty statement is nil", () => {
    const totals = statementTotals([{ kind: "bonus", amount: yuan(132.92) }, { kind: "late_interest", amount: yuan(132.92) }]);
    expect([totals.netPayable, totals.direction, totals.netAmount]).toEqual([0n, "nil", 0n]);
    expect(statementTotals([]).direction).toBe("nil");
  });

  it("refuses a negative amount (a correction is a new entry) and a fractional loan count", () => {
    expect(() => statementTotals([{ kind: "fee", amount: -1n }])).toThrow(RangeError);
    expect(() => statementTotals([{ kind: "recovery", loanNumber: "LN-1", collectedOn: "2026-07-01", principal: 1n, interest: -1n }])).toThrow(RangeError);
    expect(() => statementTotals([{ kind: "preservation_reward", loans: 1.5, amount: yuan(30) }])).toThrow(RangeError);
  });

  const lineArb: fc.Arbitrary<StatementLine> = fc.oneof(
    fc.record({ kind: fc.constant("recovery" as const), loanNumber: fc.constant("LN"), collectedOn: fc.constant("2026-07-01"), principal: fc.bigInt({ min: 0n, max: 10n ** 10n }), interest: fc.bigInt({ min: 0n, max: 10n ** 9n }) }),
    fc.record({ kind: fc.constantFrom("commission" as const, "fee" as const), amount: fc.bigInt({ min: 0n, max: 10n ** 9n }) }),
    fc.record({ kind: fc.constant("preservation_reward" as const), loans: fc.nat(50), amount: fc.bigInt({ min: 0n, max: 10n ** 6n }) }),
    fc.record({ kind: fc.constantFrom("late_interest" as const, "deduction" as const, "penalty" as const, "bonus" as const), amount: fc.bigInt({ min: 0n, max: 10n ** 9n }) }),
  );

  it("always: net = payable − owed, direction and amount agree with its sign, and line order does not matter", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 20 }), (lines) => {
        const t = statementTotals(lines);
        expect(t.netPayable).toBe(t.payableToCustodian - t.owedByCustodian);
        expect(t.recovered.total).toBe(t.recovered.principal + t.recovered.interest);
        expect(t.direction === "to_custodian" ? t.netAmount : t.direction === "to_bank" ? -t.netAmount : 0n).toBe(t.netPayable);
        expect(t.netAmount >= 0n).toBe(true);
        expect(statementTotals([...lines].reverse())).toEqual(t);
      }),
    );
  });
});

// R9 workflow: draft → submitted (branch) → verified (department, line by line) → reviewed (finance)
// → invoice recorded (agency tax invoice) → paid; each step by a different person than the previous one.
describe("settlement workflow", () => {
  type Walk = { action: StatementAction; by: string; role: Role; extra?: Partial<StatementCommand> };
  const agencyWalk: Walk[] = [
    { action: "submit", by: "clerk-li", role: "branch_clerk" },
    { action: "verify", by: "officer-zhao", role: "preservation_officer", extra: { linesVerified: 9, lineCount: 9 } },
    { action: "review", by: "finance-sun", role: "finance" },
    { action: "record_invoice", by: "finance-qian", role: "finance", extra: { invoiceNumber: " 4400231130 " } },
    { action: "pay", by: "finance-sun", role: "finance" },
  ];
  // No invoice step: a second finance officer records the payment after the review.
  const internalWalk: Walk[] = [...agencyWalk.slice(0, 3), { action: "pay", by: "finance-qian", role: "finance" }];

  function walk(kind: ContractorKind, steps: Walk[]): StatementWorkflow {
    let wf: StatementWorkflow = { state: "draft", history: [], kind };
    for (const s of steps) {
      const result = transition(wf, { action: s.action, by: s.by, role: s.role, ...s.extra });
      if (!result.ok) throw new Error(`${s.action} refused: ${result.code}`);
      wf = { ...wf, state: result.state, history: result.history };
    }
    return wf;
  }
  const upTo = (kind: ContractorKind, steps: Walk[], n: number) => walk(kind, steps.slice(0, n));

  it("the steps of each kind: an internal contractor goes from reviewed straight to paid", () => {
    expect(nextStep("draft", "agency")).toBe("submitted");
    expect(nextStep("reviewed", "agency")).toBe("invoice_recorded");
    expect(nextStep("invoice_recorded", "agency")).toBe("paid");
    expect(nextStep("reviewed", "internal")).toBe("paid");
    expect(nextStep("paid", "agency")).toBeNull();
    expect(nextStep("invoice_recorded", "internal")).toBeNull();
  });

  it("agency: the full path to paid, the invoice number recorded (trimmed)", () => {
    const wf = walk("agency", agencyWalk);
    expect(wf.state).toBe("paid");
    expect(wf.history.map((h) => [h.step, h.by])).toEqual([
      ["submitted", "clerk-li"], ["verified", "officer-zhao"], ["reviewed", "finance-sun"], ["invoice_recorded", "finance-qian"], ["paid", "finance-sun"],
    ]);
    expect(wf.history[3]!.invoiceNumber).toBe("4400231130");
  });

  it("internal contractor: the full path to paid, without an invoice", () => {
    expect(walk("internal", internalWalk).history.map((h) => h.step)).toEqual(["submitted", "verified", "reviewed", "paid"]);
    const reviewed = upTo("internal", internalWalk, 3);
    expect(transition(reviewed, { action: "record_invoice", by: "finance-qian", role: "finance", invoiceNumber: "4400231130" })).toEqual({ ok: false, code: "wrong_state" });
  });

  it("agency: no payment before the invoice is recorded", () => {
    expect(transition(upTo("agency", agencyWalk, 3), { action: "pay", by: "finance-qian", role: "finance" })).toEqual({ ok: false, code: "wrong_state" });
  });

  // Four-eyes on every step: the person who took the previous step may not take this one.
  it.each(agencyWalk.slice(1).map((w, i) => [w.action, i + 1] as const))("agency: the same person twice in a row is refused at %s", (_action, n) => {
    const before = upTo("agency", agencyWalk, n);
    const s = agencyWalk[n]!;
    const samePerson = before.history[before.history.length - 1]!.by;
    expect(transition(before, { action: s.action, by: samePerson, role: s.role, ...s.extra })).toEqual({ ok: false, code: "same_person" });
    expect(transition(before, { action: s.action, by: s.by, role: s.role, ...s.extra }).ok).toBe(true);
  });
  it("internal: the reviewer may not also record the payment", () => {
    expect(transition(upTo("internal", internalWalk, 3), { action: "pay", by: "finance-sun", role: "finance" })).toEqual({ ok: false, code: "same_person" });
  });
  it("only the previous step counts: the reviewer may record the payment after someone else records the invoice", () => {
    expect(walk("agency", agencyWalk).history.filter((h) => h.by === "finance-sun").map((h) => h.step)).toEqual(["reviewed", "paid"]);
  });

  it("a paid statement is immutable: every action is refused, whoever asks", () => {
    for (const kind of ["agency", "internal"] as const) {
      const paid = walk(kind, kind === "agency" ? agencyWalk : internalWalk);
      for (const s of agencyWalk) {
        expect(transition(paid, { action: s.action, by: "someone-new", role: s.role, ...s.extra })).toEqual({ ok: false, code: "immutable" });
      }
    }
  });

  it.each([
    ["submit", 0, "preservation_officer"],
    ["submit", 0, "agency_admin"],
    ["verify", 1, "branch_clerk"],
    ["verify", 1, "finance"],
    ["review", 2, "preservation_officer"],
    ["record_invoice", 3, "agency_admin"],
    ["pay", 4, "preservation_officer"],
  ] as const)("%s in the wrong role (%s steps in, as %s) is refused", (action, n, role) => {
    const s = agencyWalk[n]!;
    expect(transition(upTo("agency", agencyWalk, n), { action, by: "someone-new", role, ...s.extra })).toEqual({ ok: false, code: "wrong_role" });
  });

  it("an action out of turn is refused", () => {
    const draft: StatementWorkflow = { state: "draft", history: [], kind: "agency" };
    expect(transition(draft, { action: "verify", by: "officer-zhao", role: "preservation_officer", linesVerified: 0, lineCount: 0 })).toEqual({ ok: false, code: "wrong_state" });
    expect(transition(upTo("agency", agencyWalk, 1), { action: "submit", by: "clerk-wu", role: "branch_clerk" })).toEqual({ ok: false, code: "wrong_state" });
  });

  it("verification needs every line verified", () => {
    const submitted = upTo("agency", agencyWalk, 1);
    const verify = (extra: Partial<StatementCommand>) => transition(submitted, { action: "verify", by: "officer-zhao", role: "preservation_officer", ...extra });
    expect(verify({ linesVerified: 8, lineCount: 9 })).toEqual({ ok: false, code: "lines_not_verified" });
    expect(verify({ lineCount: 9 })).toEqual({ ok: false, code: "lines_not_verified" });
    expect(verify({})).toEqual({ ok: false, code: "lines_not_verified" });
    expect(verify({ linesVerified: 10, lineCount: 9 })).toEqual({ ok: false, code: "lines_not_verified" });
    expect(verify({ linesVerified: 9, lineCount: 9 }).ok).toBe(true);
    expect(verify({ linesVerified: 0, lineCount: 0 }).ok).toBe(true); // a quarter without activity
  });

  it("recording the invoice needs a tax invoice number of 1–64 characters", () => {
    const reviewed = upTo("agency", agencyWalk, 3);
    const record = (invoiceNumber?: string) => transition(reviewed, { action: "record_invoice", by: "finance-qian", role: "finance", invoiceNumber });
    expect(record()).toEqual({ ok: false, code: "invoice_required" });
    expect(record("   ")).toEqual({ ok: false, code: "invoice_required" });
    expect(record("9".repeat(65))).toEqual({ ok: false, code: "invoice_required" });
    expect(record("9".repeat(64)).ok).toBe(true);
  });

  it("does not change the statement it is given", () => {
    const submitted = upTo("agency", agencyWalk, 1);
    const copy = structuredClone(submitted);
    transition(submitted, { action: "verify", by: "officer-zhao", role: "preservation_officer", linesVerified: 9, lineCount: 9 });
    expect(submitted).toEqual(copy);
  });

  // Half the commands try the expected next step in its role (so runs do reach paid); the person,
  // line counts and invoice number stay random.
  const next: Record<string, { action: StatementAction; role: Role }> = {
    draft: { action: "submit", role: "branch_clerk" },
    submitted: { action: "verify", role: "preservation_officer" },
    verified: { action: "review", role: "finance" },
    reviewed: { action: "record_invoice", role: "finance" },
    invoice_recorded: { action: "pay", role: "finance" },
  };
  const commandArb = fc.record({
    follow: fc.boolean(),
    action: fc.constantFrom<StatementAction>("submit", "verify", "review", "record_invoice", "pay"),
    by: fc.constantFrom("p1", "p2", "p3"),
    role: fc.constantFrom<Role>("branch_clerk", "preservation_officer", "finance", "agency_admin"),
    invoiceNumber: fc.option(fc.constantFrom("", "INV-1", "x".repeat(70)), { nil: undefined }),
    linesVerified: fc.option(fc.nat(3), { nil: undefined }),
    lineCount: fc.option(fc.nat(3), { nil: undefined }),
  });

  it("always: whatever is tried, no two consecutive steps by the same person, each step in its role and order, and nothing after paid", () => {
    let paidRuns = 0;
    fc.assert(
      fc.property(fc.constantFrom<ContractorKind>("agency", "internal"), fc.array(commandArb, { maxLength: 60 }), (kind, commands) => {
        let wf: StatementWorkflow = { state: "draft", history: [], kind };
        for (const { follow, ...random } of commands) {
          const expected = wf.state === "reviewed" && kind === "internal" ? { action: "pay" as const, role: "finance" as const } : next[wf.state];
          const command = follow && expected ? { ...random, ...expected } : random;
          const result = transition(wf, command);
          if (wf.state === "paid") expect(result).toEqual({ ok: false, code: "immutable" });
          if (result.ok) {
            expect(result.state).toBe(nextStep(wf.state, kind));
            wf = { ...wf, state: result.state, history: result.history };
          }
        }
        const h = wf.history;
        for (let i = 1; i < h.length; i++) expect(h[i]!.by).not.toBe(h[i - 1]!.by);
        const expectedRoles: Record<string, Role> = { submitted: "branch_clerk", verified: "preservation_officer", reviewed: "finance", invoice_recorded: "finance", paid: "finance" };
        for (const step of h) expect(step.role).toBe(expectedRoles[step.step]);
        expect(h.map((s) => s.step)).toEqual((kind === "agency" ? ["submitted", "verified", "reviewed", "invoice_recorded", "paid"] : ["submitted", "verified", "reviewed", "paid"]).slice(0, h.length));
        if (wf.state === "paid") paidRuns++;
      }),
      { numRuns: 500 },
    );
    expect(paidRuns).toBeGreaterThan(0); // the property was exercised on statements that got paid
  });
});
