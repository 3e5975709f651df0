import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan } from "../fixtures/loans";
import { resetDatabase } from "../support/reset-db";
import { defaultSettings, type Settings } from "~/domain/settings";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { comparePricingRuns, listPricingRuns, overridePrice, pricingRun, runPricing } from "~/services/pricing/pricing.server";
import { decideSettings, proposeSettings } from "~/services/settings/settings.server";
import { asUser, refusal } from "../support/users";

const ctx = systemContext("test");
const now = new Date("2026-11-22T08:00:00Z"); // 16:00 in China: today is 2026-11-22



/** A new approved settings version from a day on (proposed by one officer, approved by the other). */
async function newSettings(effectiveFrom: string, change: Partial<Settings>) {
  const officer = await asUser("officer@bank.example");
  const second = await asUser("officer2@bank.example");
  const proposal = await proposeSettings(ctx, officer, { effectiveFrom: new Date(`${effectiveFrom}T00:00:00Z`), reason: "定价参数调整", values: { ...defaultSettings, ...change } }, now);
  await decideSettings(ctx, second, proposal.id, "APPROVED", "同意");
  return proposal.version;
}

const nothingWritten = async () => {
  expect(await prisma.pricingRun.count()).toBe(0);
  expect(await prisma.loanPrice.count()).toBe(0);
  expect(await prisma.auditEntry.count({ where: { action: "pricing.run" } })).toBe(0);
  expect(await prisma.loan.count({ where: { NOT: { price: null } } })).toBe(0);
};

let officer: AuthUser;

beforeEach(async () => {
  resetDatabase();
  await seed();
  officer = await asUser("officer@bank.example");
  // R1's worked loans, priced on 2026-11-22 with the default table (recoverable 30/20/12/6 %, hard 8/5/3/1 %).
  // Claim ¥100,000.00 = principal 80,000 + on-balance interest 15,000 + off-balance interest 5,000.
  await createTestLoan({ loanNumber: "P-RECOVERABLE-1Y", principal: 8_000_000n, interestOnBalance: 1_500_000n, interestOffBalance: 500_000n, maturesOn: "2025-06-30", difficulty: "recoverable" });
  await createTestLoan({ loanNumber: "P-HARD-7Y", principal: 8_000_000n, interestOnBalance: 1_500_000n, interestOffBalance: 500_000n, maturesOn: "2019-06-30", difficulty: "hard", branch: "B003" });
  // ¥12,345.67 recoverable, 6 years overdue: × 12% = 1,481.4804 → ¥1,481.48.
  await createTestLoan({ loanNumber: "P-ODD-CENTS", principal: 1_234_567n, interestOnBalance: 0n, interestOffBalance: 0n, maturesOn: "2020-11-01", difficulty: "recoverable", branch: "B003" });
  // ¥1,234.55 recoverable, matured 2023-12-31 but extended to 2025-12-31 (age 0): × 30% = 370.365 → ¥370.37 (half a fen rounds up).
  await createTestLoan({ loanNumber: "P-HALF-FEN", principal: 100_000n, interestOnBalance: 23_455n, interestOffBalance: 0n, maturesOn: "2023-12-31", extendedMaturity: "2025-12-31", difficulty: "recoverable" });
});

describe("a pricing run (R1)", () => {
  it("stores each loan's claim, age, band, ratio and price with the settings version, and makes it the loan's price", async () => {
    const result = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y", "P-HARD-7Y", "P-ODD-CENTS", "P-HALF-FEN"] }, now);
    expect(result.run).toMatchObject({ number: 1, pricingDate: "2026-11-22", settingsVersion: 1, claimBasis: "principal+interest", loanCount: 4 });
    const prices = await prisma.loanPrice.findMany({ where: { runId: result.run.id }, orderBy: { loanNumber: "asc" } });
    expect(prices.map(({ loanNumber, claim, ageYears, band, difficulty, ratio, price }) => ({ loanNumber, claim, ageYears, band, difficulty, ratio, price }))).toEqual([
      { loanNumber: "P-HALF-FEN", claim: 123_455n, ageYears: 0, band: "upTo2", difficulty: "recoverable", ratio: "0.3", price: 37_037n },
      { loanNumber: "P-HARD-7Y", claim: 10_000_000n, ageYears: 7, band: "upTo10", difficulty: "hard", ratio: "0.03", price: 300_000n },
      { loanNumber: "P-ODD-CENTS", claim: 1_234_567n, ageYears: 6, band: "upTo10", difficulty: "recoverable", ratio: "0.12", price: 148_148n },
      { loanNumber: "P-RECOVERABLE-1Y", claim: 10_000_000n, ageYears: 1, band: "upTo2", difficulty: "recoverable", ratio: "0.3", price: 3_000_000n },
    ]);
    // Totals: claims 100,000.00 + 100,000.00 + 12,345.67 + 1,234.55; prices 30,000.00 + 3,000.00 + 1,481.48 + 370.37.
    expect(result.run.totalClaim).toBe(21_358_022n);
    expect(result.run.totalPrice).toBe(3_485_185n);

    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "P-RECOVERABLE-1Y" } });
    expect(loan.price).toBe(3_000_000n);
    expect(loan.priceId).toBe(prices.find((p) => p.loanNumber === "P-RECOVERABLE-1Y")!.id);
    expect(loan.updatedAt).toEqual(now);

    const audit = await prisma.auditEntry.findMany({ where: { action: "pricing.run" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.entityId).toBe(result.run.id);
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ number: 1, settingsVersion: 1, loanCount: 4, totalClaim: "213580.22", totalPrice: "34851.85" });
  });

  it("numbers runs one after another; a new run's price replaces the loan's price in force", async () => {
    const first = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y"], pricingDate: "2026-11-22" }, now);
    // Overdue since 2025-06-30: on 2028-06-30 the loan is 3 whole years old, band 2 < age ≤ 5, 20%.
    const second = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y"], pricingDate: "2028-06-30" }, now);
    expect([first.run.number, second.run.number]).toEqual([1, 2]);
    expect(second.prices[0]).toMatchObject({ ageYears: 3, band: "upTo5", ratio: "0.2", price: 2_000_000n });
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "P-RECOVERABLE-1Y" } });
    expect(loan.price).toBe(2_000_000n);
    expect((await listPricingRuns(officer)).runs.map((r) => [r.number, r.createdBy])).toEqual([[2, "陈保全"], [1, "陈保全"]]);
  });

  it("prices the loans matching the loan book's filters, and defaults the pricing date to today in China", async () => {
    const result = await runPricing(ctx, officer, { filter: { region: "河西县" } }, now);
    expect(result.run.pricingDate).toBe("2026-11-22");
    expect(result.prices.map((p) => p.loanNumber)).toEqual(["P-HARD-7Y", "P-ODD-CENTS"]);
    expect(JSON.parse(result.run.selection)).toMatchObject({ filter: { region: "河西县" }, skipped: [] });
  });

  it("skips and reports loans in a package, tender or custody (they keep their price) and closed loans", async () => {
    await createTestLoan({ loanNumber: "P-PACKAGED", status: "PACKAGED", price: 123_400n });
    await createTestLoan({ loanNumber: "P-RECOVERED", status: "RECOVERED" });
    const result = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y", "P-PACKAGED", "P-RECOVERED"] }, now);
    expect(result.prices.map((p) => p.loanNumber)).toEqual(["P-RECOVERABLE-1Y"]);
    expect(result.skipped).toEqual([
      { loanNumber: "P-PACKAGED", status: "PACKAGED", reason: "locked" },
      { loanNumber: "P-RECOVERED", status: "RECOVERED", reason: "closed" },
    ]);
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "P-PACKAGED" } })).price).toBe(123_400n);
    expect((await pricingRun(officer, result.run.id)).skipped).toHaveLength(2);
    const onlyLocked = await refusal(runPricing(ctx, officer, { loanNumbers: ["P-PACKAGED"] }, now));
    expect(onlyLocked.key).toBe("pricing.error.nothingPriceable");
  });

  it("uses the settings version in force on the pricing date: claim basis 'principal' from 2026-12-01", async () => {
    const version = await newSettings("2026-12-01", { claimBasis: "principal" });
    const before = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y"], pricingDate: "2026-11-30" }, now);
    const after = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y"], pricingDate: "2026-12-01" }, now);
    expect(before.run).toMatchObject({ settingsVersion: 1, claimBasis: "principal+interest" });
    expect(before.prices[0]).toMatchObject({ claim: 10_000_000n, price: 3_000_000n });
    expect(after.run).toMatchObject({ settingsVersion: version, claimBasis: "principal" });
    // Principal alone: ¥80,000.00 × 30% = ¥24,000.00.
    expect(after.prices[0]).toMatchObject({ claim: 8_000_000n, price: 2_400_000n });
  });

  it("a new ratio table gives a different run, and the comparison shows the table change and each loan's difference", async () => {
    const version = await newSettings("2026-12-01", { ratioRecoverable: { ...defaultSettings.ratioRecoverable, upTo2: "0.25" } });
    const a = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y", "P-HARD-7Y"], pricingDate: "2026-11-22" }, now);
    const b = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y", "P-HARD-7Y", "P-ODD-CENTS"], pricingDate: "2026-12-01" }, now);
    const compared = await comparePricingRuns(officer, a.run.id, String(b.run.number));
    expect([compared.a.run.settingsVersion, compared.b.run.settingsVersion]).toEqual([1, version]);
    expect(compared.settingsChanged).toBe(true);
    expect(compared.ratioChanges).toEqual([{ difficulty: "recoverable", band: "upTo2", a: "0.3", b: "0.25" }]);
    expect(compared.summary).toEqual({ inBoth: 2, onlyInA: 0, onlyInB: 1, changed: 1 });
    const row = (n: string) => compared.rows.find((r) => r.loanNumber === n)!;
    // ¥100,000.00 × 25% = ¥25,000.00 instead of ¥30,000.00.
    expect(row("P-RECOVERABLE-1Y")).toMatchObject({ a: { claim: 10_000_000n, band: "upTo2", ratio: "0.3", price: 3_000_000n }, b: { ratio: "0.25", price: 2_500_000n }, difference: -500_000n });
    expect(row("P-HARD-7Y")).toMatchObject({ a: { ratio: "0.03", price: 300_000n }, b: { ratio: "0.03", price: 300_000n }, difference: 0n });
    expect(row("P-ODD-CENTS")).toMatchObject({ a: null, b: { price: 148_148n }, difference: null });
    expect(compared.a.totals).toEqual({ claim: 20_000_000n, price: 3_300_000n });
    expect(compared.b.totals).toEqual({ claim: 21_234_567n, price: 2_948_148n });
    expect(compared.difference).toEqual({ claim: 1_234_567n, price: -351_852n, common: -500_000n });
    expect((await comparePricingRuns(officer, a.run.id, b.run.id, { onlyChanged: true })).rows.map((r) => r.loanNumber)).toEqual(["P-ODD-CENTS", "P-RECOVERABLE-1Y"]);
    expect((await refusal(comparePricingRuns(officer, a.run.id, a.run.id))).key).toBe("pricing.error.sameRun");
  });

  it("prices more than ten thousand loans in one run", async () => {
    // 10,200 copies of the ¥100,000.00 recoverable loan (BULK-00000 …), written in one statement.
    const columns = (await prisma.$queryRawUnsafe<{ name: string }[]>(`PRAGMA table_info("Loan")`)).map((c) => `"${c.name}"`).filter((c) => c !== `"id"` && c !== `"loanNumber"`);
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Loan" ("id", "loanNumber", ${columns.join(", ")})
       WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < 10199)
       SELECT 'bulk-' || n, printf('BULK-%05d', n), ${columns.join(", ")} FROM seq, "Loan" WHERE "loanNumber" = 'P-RECOVERABLE-1Y'`,
    );
    const numbers = Array.from({ length: 10_200 }, (_, i) => `BULK-${String(i).padStart(5, "0")}`);
    const result = await runPricing(ctx, officer, { loanNumbers: numbers }, now);
    expect(result.run.loanCount).toBe(10_200);
    expect(result.run.totalPrice).toBe(10_200n * 3_000_000n);
    expect(await prisma.loanPrice.count({ where: { runId: result.run.id } })).toBe(10_200);
    expect(await prisma.loan.count({ where: { loanNumber: { startsWith: "BULK-" }, price: 3_000_000n } })).toBe(10_200);
  });
});

describe("refusals: nothing is written", () => {
  it("without loans:manage (an approver, a branch clerk)", async () => {
    for (const email of ["approver@bank.example", "clerk@bank.example"]) {
      const user = await asUser(email);
      await expect(runPricing(ctx, user, { loanNumbers: ["P-RECOVERABLE-1Y"] }, now)).rejects.toMatchObject({ status: 403 });
      await expect(listPricingRuns(user)).rejects.toMatchObject({ status: 403 });
    }
    await nothingWritten();
  });

  it("an unknown loan number refuses the whole run and names it", async () => {
    const error = await refusal(runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y", "NOPE-1", "NOPE-2"] }, now));
    expect(error.key).toBe("pricing.error.unknownLoans");
    expect(error.options).toMatchObject({ field: "loan_numbers", params: { count: 2, loans: "NOPE-1, NOPE-2" } });
    await nothingWritten();
  });

  it("an empty selection: no loan numbers, or a filter that matches no loan", async () => {
    expect((await refusal(runPricing(ctx, officer, { loanNumbers: [" ", ""] }, now))).key).toBe("pricing.error.emptySelection");
    expect((await refusal(runPricing(ctx, officer, { filter: { region: "无此地区" } }, now))).key).toBe("pricing.error.emptySelection");
    await nothingWritten();
  });

  it("both a list and a filter, or neither", async () => {
    expect((await refusal(runPricing(ctx, officer, { loanNumbers: ["P-HARD-7Y"], filter: {} }, now))).key).toBe("pricing.error.selectOne");
    expect((await refusal(runPricing(ctx, officer, {}, now))).key).toBe("pricing.error.selectOne");
    expect((await refusal(runPricing(ctx, officer, { filter: {}, pricingDate: "2026-02-29" }, now))).key).toBe("pricing.error.invalidDate");
    await nothingWritten();
  });
});

describe("overriding a price", () => {
  it("with a reason: appends the override, changes the loan's price in force, writes its history and the audit log", async () => {
    const { run } = await runPricing(ctx, officer, { loanNumbers: ["P-RECOVERABLE-1Y", "P-HARD-7Y"] }, now);
    const loanPrice = await prisma.loanPrice.findFirstOrThrow({ where: { runId: run.id, loanNumber: "P-RECOVERABLE-1Y" } });
    const result = await overridePrice(ctx, officer, loanPrice.id, { price: "¥28,000", reason: "抵押物已被其他债权人查封" }, now);
    expect(result).toMatchObject({ before: 3_000_000n, price: 2_800_000n, inForce: true });

    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "P-RECOVERABLE-1Y" } });
    expect(loan.price).toBe(2_800_000n);
    expect((await prisma.loanPrice.findUniqueOrThrow({ where: { id: loanPrice.id } })).price).toBe(3_000_000n); // the computed price stays
    const change = await prisma.loanChange.findFirstOrThrow({ where: { loanId: loan.id, kind: "price.override" } });
    expect(JSON.parse(change.changes)).toEqual({ price: ["30000.00", "28000.00"] });
    expect(change.actorId).toBe(officer.id);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "pricing.override", entityId: loanPrice.id } });
    expect(JSON.parse(audit.before!)).toEqual({ price: "30000.00" });
    expect(JSON.parse(audit.after!)).toMatchObject({ price: "28000.00", reason: "抵押物已被其他债权人查封", loanNumber: "P-RECOVERABLE-1Y", runNumber: 1, inForce: true });

    // A second override counts from then on; the page shows the effective price, who and why.
    await overridePrice(ctx, officer, loanPrice.id, { price: "27500.5", reason: "复核后调整" }, now);
    const view = await pricingRun(officer, String(run.number));
    const row = view.prices.find((p) => p.loanNumber === "P-RECOVERABLE-1Y")!;
    expect(row).toMatchObject({ price: 3_000_000n, effectivePrice: 2_750_050n, overrideCount: 2, inForce: true, borrower: "王*明" });
    expect(row.override).toMatchObject({ price: 2_750_050n, reason: "复核后调整", by: "陈保全" });
    expect(view.run.totalEffectivePrice).toBe(2_750_050n + 300_000n);
    expect(view.ratios).toEqual({ claimBasis: "principal+interest", ratioRecoverable: defaultSettings.ratioRecoverable, ratioHard: defaultSettings.ratioHard });
    expect(JSON.parse((await prisma.loanChange.findMany({ where: { loanId: loan.id, kind: "price.override" }, orderBy: { at: "desc" } }))[0]!.changes)).toEqual({ price: ["28000.00", "27500.50"] });
  });

  it("of an older run leaves the loan's current price alone", async () => {
    const first = await runPricing(ctx, officer, { loanNumbers: ["P-HARD-7Y"] }, now);
    await runPricing(ctx, officer, { loanNumbers: ["P-HARD-7Y"], pricingDate: "2026-12-31" }, now);
    const old = await prisma.loanPrice.findFirstOrThrow({ where: { runId: first.run.id } });
    const result = await overridePrice(ctx, officer, old.id, { price: "2500", reason: "补记" }, now);
    expect(result.inForce).toBe(false);
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "P-HARD-7Y" } });
    expect(loan.price).toBe(300_000n);
    expect(await prisma.loanChange.count({ where: { loanId: loan.id, kind: "price.override" } })).toBe(0);
    expect(await prisma.auditEntry.count({ where: { action: "pricing.override" } })).toBe(1);
  });

  it("requires a reason and a price above zero and not above the claim, and loans:manage", async () => {
    const { run } = await runPricing(ctx, officer, { loanNumbers: ["P-HARD-7Y"] }, now);
    const loanPrice = await prisma.loanPrice.findFirstOrThrow({ where: { runId: run.id } });
    const noReason = await refusal(overridePrice(ctx, officer, loanPrice.id, { price: "2500", reason: "   " }, now));
    expect(noReason.options.field).toBe("reason");
    expect(noReason.key).toBe("pricing.error.reasonRequired");
    expect((await refusal(overridePrice(ctx, officer, loanPrice.id, { price: "0", reason: "x" }, now))).key).toBe("pricing.error.pricePositive");
    expect((await refusal(overridePrice(ctx, officer, loanPrice.id, { price: "12.345", reason: "x" }, now))).key).toBe("pricing.error.priceDecimals");
    expect((await refusal(overridePrice(ctx, officer, loanPrice.id, { price: "100000.01", reason: "x" }, now))).key).toBe("pricing.error.priceAboveClaim");
    await expect(overridePrice(ctx, await asUser("approver@bank.example"), loanPrice.id, { price: "2500", reason: "x" }, now)).rejects.toMatchObject({ status: 403 });
    expect((await refusal(overridePrice(ctx, officer, "no-such-price", { price: "2500", reason: "x" }, now))).status).toBe(404);
    await prisma.loan.update({ where: { loanNumber: "P-HARD-7Y" }, data: { status: "IN_TENDER" } });
    expect((await refusal(overridePrice(ctx, officer, loanPrice.id, { price: "2500", reason: "x" }, now))).key).toBe("pricing.error.overrideLocked");
    expect(await prisma.priceOverride.count()).toBe(0);
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "P-HARD-7Y" } })).price).toBe(300_000n);
    expect(await prisma.auditEntry.count({ where: { action: "pricing.override" } })).toBe(0);
  });
});
