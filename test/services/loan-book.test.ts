import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan, createTestLoans, testResidentId } from "../fixtures/loans";
import { resetDatabase } from "../support/reset-db";
import { UserError } from "~/domain/errors";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { decideDifficulty } from "~/services/loans/difficulty.server";
import { filterOptions, getMaskedLoan, loanStatement, searchLoans } from "~/services/loans/loan-book.server";
import { parseLoanBookQuery, queryFieldErrors, type LoanBookFilter } from "~/services/loans/loan-book-schemas";
import { exportLoans } from "~/services/loans/loan-export.server";
import { canUnmask, unmaskLoan } from "~/services/loans/unmask.server";
import { startSession } from "~/infra/session.server";
/* eslint-disable no-restricted-imports -- the page tests call the route loaders and actions directly */
import { action as loanAction, loader as loanLoader } from "~/routes/loans.$loanNumber";
import { loader as bookLoader } from "~/routes/loans._index";
import { loader as exportLoader } from "~/routes/loans.export";
import { asUser, refusal } from "../support/users";
/* eslint-enable no-restricted-imports */

const ctx = systemContext("test");
// 2026-11-23 in China.
const now = new Date("2026-11-23T04:00:00Z");


/** The HTTP status a refusal carries: a thrown Response (403 from the permission check) or a UserError. */
async function refusalStatus(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Response) return e.status;
    if (e instanceof UserError) return e.status;
    throw e;
  }
  throw new Error("expected a refusal");
}


const search = async (user: AuthUser, filter: LoanBookFilter, page = 1) => searchLoans(user, filter, page, now);
const numbers = (rows: { loanNumber: string }[]) => rows.map((r) => r.loanNumber);

async function readWorkbook(body: ReadableStream<Uint8Array>) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await new Response(body).arrayBuffer()) as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

const wangId = testResidentId(901); // the ID number of 王小明 below

beforeEach(async () => {
  resetDatabase();
  await seed();
});

describe("the loan book list", () => {
  it("is server-paginated 50 a page, by loan number, with the count and sums of the whole filtered set", async () => {
    await createTestLoans(55, (i) => ({ loanNumber: `L-${String(i + 1).padStart(3, "0")}` }));
    const officer = await asUser("officer@bank.example");

    const first = await search(officer, {});
    expect(first.total).toBe(55);
    expect(first.pages).toBe(2);
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]!.loanNumber).toBe("L-001");
    // 55 × ¥100,000.00 principal; claim (principal + interest, the default basis) 55 × ¥108,000.00.
    expect(first.summary).toEqual({ count: 55, principal: 550_000_000n, claim: 594_000_000n });

    const second = await search(officer, {}, 2);
    expect(numbers(second.rows)).toEqual(["L-051", "L-052", "L-053", "L-054", "L-055"]);
    expect(second.summary.count).toBe(55);
  });

  it("masks personal data in every row: 王*明, 110105********, 138****5678, and never carries the clear values", async () => {
    await createTestLoan({ loanNumber: "L-1", borrowerName: "王小明", borrowerIdNumber: wangId, phone: "13812345678", collateral: "guarantee", guarantorName: "李大海" });
    await createTestLoan({ loanNumber: "L-2", borrowerType: "corporate", borrowerName: "城关商贸有限公司" });
    const { rows } = await search(await asUser("auditor@bank.example"), {});
    expect(rows[0]).toMatchObject({ loanNumber: "L-1", borrowerName: "王*明", borrowerIdMasked: `110105********${wangId.slice(-4)}`, phoneMasked: "138****5678", guarantorName: "李*海" });
    expect(rows[1]!.borrowerName).toBe("城关商贸有限公司"); // a company's name is not personal data
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    for (const secret of ["王小明", wangId, "13812345678", "李大海", "Cipher", "Hmac"]) expect(text).not.toContain(secret);
  });

  it("filters by branch, region, five-tier, difficulty, difficulty status, status and text (loan number, borrower, exact ID number)", async () => {
    await createTestLoan({ loanNumber: "A-1", branch: "B001", fiveTier: "loss", borrowerName: "王小明", borrowerIdNumber: wangId });
    await createTestLoan({ loanNumber: "A-2", branch: "B002", difficultyReason: "death", borrowerName: "李秀英" }); // suggested hard
    await createTestLoan({ loanNumber: "B-1", branch: "B003", difficulty: "recoverable", status: "PACKAGED", borrowerName: "张伟" });
    await createTestLoan({ loanNumber: "B-2", branch: "B004", fiveTier: "doubtful", borrowerName: "刘强" });
    const officer = await asUser("officer@bank.example");

    expect(numbers((await search(officer, { branch: "B003" })).rows)).toEqual(["B-1"]);
    expect(numbers((await search(officer, { region: "城关区" })).rows)).toEqual(["A-1", "A-2"]);
    expect(numbers((await search(officer, { five_tier: "loss" })).rows)).toEqual(["A-1"]);
    expect(numbers((await search(officer, { difficulty: "hard" })).rows)).toEqual(["A-2"]);
    expect(numbers((await search(officer, { difficulty_status: "TAPE" })).rows)).toEqual(["B-1"]);
    expect(numbers((await search(officer, { difficulty_status: "SUGGESTED" })).rows)).toEqual(["A-1", "A-2", "B-2"]);
    expect(numbers((await search(officer, { status: "PACKAGED" })).rows)).toEqual(["B-1"]);
    expect(numbers((await search(officer, { q: "B-" })).rows)).toEqual(["B-1", "B-2"]);
    expect(numbers((await search(officer, { q: "秀英" })).rows)).toEqual(["A-2"]);
    expect(numbers((await search(officer, { q: wangId.toLowerCase() })).rows)).toEqual(["A-1"]);
    expect(numbers((await search(officer, { region: "城关区", difficulty: "recoverable" })).rows)).toEqual(["A-1"]);
  });

  it("finds loans whose limitation expires within N days of today (China), not the lapsed ones", async () => {
    // Today is 2026-11-23.
    await createTestLoan({ loanNumber: "E-07", limitationExpiresOn: "2026-11-30" }); // 7 days left
    await createTestLoan({ loanNumber: "E-30", limitationExpiresOn: "2026-12-23" }); // 30 days left
    await createTestLoan({ loanNumber: "E-90", limitationExpiresOn: "2027-02-21" }); // 90 days left
    await createTestLoan({ loanNumber: "E-91", limitationExpiresOn: "2027-02-22" }); // 91 days left
    await createTestLoan({ loanNumber: "E-00", limitationExpiresOn: "2026-11-23" }); // expires today
    await createTestLoan({ loanNumber: "LAPSED", limitationExpiresOn: "2026-11-22" });
    const officer = await asUser("officer@bank.example");

    expect(numbers((await search(officer, { expiring_within_days: 0 })).rows)).toEqual(["E-00"]);
    expect(numbers((await search(officer, { expiring_within_days: 7 })).rows)).toEqual(["E-00", "E-07"]);
    expect(numbers((await search(officer, { expiring_within_days: 30 })).rows)).toEqual(["E-00", "E-07", "E-30"]);
    expect(numbers((await search(officer, { expiring_within_days: 90 })).rows)).toEqual(["E-00", "E-07", "E-30", "E-90"]);
    const row = (await search(officer, { loan_number: "E-07" })).rows[0]!;
    expect(row).toMatchObject({ daysLeft: 7, limitationBucket: 7, lapsed: false });
    expect((await search(officer, { loan_number: "LAPSED" })).rows[0]).toMatchObject({ daysLeft: -1, lapsed: true });
  });

  it("refuses invalid filter values field by field with message keys, never crashing", () => {
    const bad = parseLoanBookQuery(new URLSearchParams("five_tier=bogus&expiring_within_days=abc&status=&page=0"));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(queryFieldErrors(bad.error)).toEqual({
      five_tier: ["loans.filter.invalidChoice"],
      expiring_within_days: ["loans.filter.invalidDays"],
      page: ["loans.filter.invalidPage"],
    });
    expect(parseLoanBookQuery(new URLSearchParams("expiring_within_days=-1")).ok).toBe(false);
    const good = parseLoanBookQuery(new URLSearchParams("q=&branch=B001&expiring_within_days=30&difficulty_status=SUGGESTED&page=2"));
    expect(good).toEqual({ ok: true, filter: { branch: "B001", expiring_within_days: 30, difficulty_status: "SUGGESTED" }, page: 2 });
  });

  it("offers the bank's branches and the regions loans are in", async () => {
    await createTestLoan({ branch: "B003" });
    const options = await filterOptions();
    expect(options.branches.map((b) => b.code)).toEqual(["B001", "B002", "B003", "B004"]);
    expect(options.regions).toEqual(["河西县"]);
  });

  it("is for bank users with loans:view: agencies and internal bidders get 403", async () => {
    const loan = await createTestLoan();
    for (const email of ["officer@bank.example", "approver@bank.example", "auditor@bank.example", "finance@bank.example", "clerk@bank.example"]) {
      expect((await search(await asUser(email), {})).total, email).toBe(1);
    }
    for (const email of ["admin@huaxin.example", "member@huaxin.example", "bidder@bank.example"]) {
      const user = await asUser(email);
      expect(await refusalStatus(search(user, {})), email).toBe(403);
      expect(await refusalStatus(loanStatement(user, loan.loanNumber, now)), email).toBe(403);
      expect(await refusalStatus(exportLoans(ctx, user, {}, "zh-CN", now)), email).toBe(403);
    }
    // Even an agency user wrongly given a bank role sees no loans.
    const agency = await asUser("admin@huaxin.example");
    expect(await refusalStatus(search({ ...agency, roles: ["auditor"] }, {}))).toBe(403);
  });
});

describe("the loan page (借款人借款情况说明表)", () => {
  it("shows the statement masked, the price in force with its run, and the history newest first with who did it", async () => {
    const loan = await createTestLoan({
      loanNumber: "S-1", borrowerName: "王小明", borrowerIdNumber: wangId, collateral: "guarantee", guarantorName: "李大海",
      principal: 12_345_678n, interestOnBalance: 100_000n, interestOffBalance: 54_322n, lastInterruptionOn: "2025-05-06", price: 2_500_000n,
    });
    const officer = await asUser("officer@bank.example");
    const run = await prisma.pricingRun.create({
      data: { number: 1, pricingDate: "2026-11-01", settingsVersion: 1, claimBasis: "principal+interest", selection: "{}", loanCount: 1, totalClaim: 12_500_000n, totalPrice: 3_750_000n, createdById: officer.id },
    });
    const price = await prisma.loanPrice.create({
      data: { runId: run.id, loanId: loan.id, loanNumber: "S-1", claim: 12_500_000n, ageYears: 1, band: "upTo2", difficulty: "recoverable", ratio: "0.3", price: 3_750_000n },
    });
    await prisma.priceOverride.create({ data: { loanPriceId: price.id, price: 2_500_000n, reason: "抵押物已灭失", byId: officer.id, at: new Date("2026-11-10T02:00:00Z") } });
    await prisma.loan.update({ where: { id: loan.id }, data: { priceId: price.id } });
    await prisma.loanChange.create({ data: { loanId: loan.id, kind: "import.create", at: new Date("2026-01-01T00:00:00Z"), changes: "{}" } });
    await decideDifficulty(ctx, officer, "S-1", { decision: "confirm" }, new Date("2026-11-20T00:00:00Z"));

    const { loan: shown, price: inForce, history, canUnmask: unmaskable, canManage } = await loanStatement(officer, "S-1", now);
    expect(shown).toMatchObject({
      borrowerName: "王*明", borrowerIdMasked: `110105********${wangId.slice(-4)}`, phoneMasked: "138****5678", guarantorName: "李*海",
      branch: { code: "B001", name: "城关支行", region: "城关区" },
      principal: 12_345_678n, interestOnBalance: 100_000n, interestOffBalance: 54_322n,
      claim: 12_500_000n, // 123,456.78 + 1,000.00 + 543.22
      lastInterruptionOn: "2025-05-06", difficultyStatus: "CONFIRMED", difficultyDecidedBy: "陈保全", price: 2_500_000n,
    });
    expect(inForce).toMatchObject({
      inForce: 2_500_000n,
      computed: { claim: 12_500_000n, ratio: "0.3", price: 3_750_000n, band: "upTo2" },
      run: { number: 1, pricingDate: "2026-11-01", settingsVersion: 1 },
      override: { price: 2_500_000n, reason: "抵押物已灭失", by: "陈保全" },
    });
    expect(history.map((h) => [h.kind, h.actor])).toEqual([["difficulty.confirm", "陈保全"], ["import.create", null]]);
    expect(history[0]!.changes).toEqual([{ field: "difficultyStatus", before: "SUGGESTED", after: "CONFIRMED" }]);
    expect([unmaskable, canManage]).toEqual([true, true]);
    expect(JSON.stringify(shown, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toMatch(/王小明|李大海|13812345678/);

    const auditor = await loanStatement(await asUser("auditor@bank.example"), "S-1", now);
    expect([auditor.canUnmask, auditor.canManage]).toEqual([false, false]);
    expect(await refusalStatus(loanStatement(officer, "NOPE", now))).toBe(404);
  });
});

describe("unmasking (personal data in full is a permission; every unmasking is an audit entry)", () => {
  async function unmaskEntries(loanId: string) {
    return prisma.auditEntry.findMany({ where: { action: "loan.unmask", entityType: "Loan", entityId: loanId } });
  }

  it("the department unmasks any loan; each unmasking writes exactly one entry", async () => {
    const loan = await createTestLoan({ loanNumber: "U-1", branch: "B003", borrowerName: "王小明", borrowerIdNumber: wangId, phone: "13912345678", collateral: "guarantee", guarantorName: "李大海" });
    const officer = await asUser("officer@bank.example");
    expect(canUnmask(officer, loan)).toBe(true);
    const full = await unmaskLoan(ctx, officer, "U-1");
    expect(full).toEqual({ loanNumber: "U-1", borrowerName: "王小明", borrowerIdNumber: wangId, phone: "13912345678", guarantorName: "李大海" });
    const entries = await unmaskEntries(loan.id);
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.after!)).toEqual({ loanNumber: "U-1", fields: ["borrowerName", "borrowerIdNumber", "phone", "guarantorName"] });
    await unmaskLoan(ctx, officer, "U-1");
    expect(await unmaskEntries(loan.id)).toHaveLength(2);
  });

  it("a branch clerk unmasks only the loans of their own branch (B001)", async () => {
    const own = await createTestLoan({ loanNumber: "OWN", branch: "B001", borrowerIdNumber: wangId });
    const other = await createTestLoan({ loanNumber: "OTHER", branch: "B002" });
    const clerk = await asUser("clerk@bank.example");
    expect([canUnmask(clerk, own), canUnmask(clerk, other)]).toEqual([true, false]);
    expect((await unmaskLoan(ctx, clerk, "OWN")).borrowerIdNumber).toBe(wangId);
    expect(await refusalStatus(unmaskLoan(ctx, clerk, "OTHER"))).toBe(403);
    expect(await unmaskEntries(own.id)).toHaveLength(1);
    expect(await unmaskEntries(other.id)).toHaveLength(0);
  });

  it("approver, auditor and agency are refused with 403 and nothing is logged as unmasked", async () => {
    const loan = await createTestLoan({ loanNumber: "R-1" });
    for (const email of ["approver@bank.example", "auditor@bank.example", "finance@bank.example", "admin@huaxin.example"]) {
      const user = await asUser(email);
      expect(canUnmask(user, loan), email).toBe(false);
      expect(await refusalStatus(unmaskLoan(ctx, user, "R-1")), email).toBe(403);
    }
    expect(await unmaskEntries(loan.id)).toHaveLength(0);
    expect(await refusalStatus(unmaskLoan(ctx, await asUser("officer@bank.example"), "NOPE"))).toBe(404);
  });
});

describe("the XLSX export", () => {
  async function seedExportLoans() {
    await createTestLoan({ loanNumber: "X-1", branch: "B001", borrowerName: "王小明", borrowerIdNumber: wangId, phone: "13812345678", principal: 12_345_678n, interestOnBalance: 0n });
    await createTestLoan({ loanNumber: "X-2", branch: "B003", borrowerName: "李秀英", borrowerIdNumber: testResidentId(902), phone: "13987654321", fiveTier: "loss" });
  }
  const exports = () => prisma.auditEntry.findMany({ where: { action: "loan.export" }, orderBy: { id: "asc" } });

  it("is masked for a user without the unmask permission, with Chinese headers and tape words, and audited as masked", async () => {
    await seedExportLoans();
    const auditor = await asUser("auditor@bank.example");
    const file = await exportLoans(ctx, auditor, { q: "X-" }, "zh-CN", now);
    expect([file.rowCount, file.unmaskedRows]).toEqual([2, 0]);
    const [header, first, second] = await readWorkbook(file.body);
    expect(header!.slice(0, 8)).toEqual(["贷款编号", "借款人", "借款人类型", "证件号码", "联系电话", "经办机构", "区域", "本金余额"]);
    expect(first!.slice(0, 8)).toEqual(["X-1", "王*明", "个人", `110105********${wangId.slice(-4)}`, "138****5678", "城关支行", "城关区", 123456.78]);
    expect(second![1]).toBe("李*英");
    expect(second![header!.indexOf("五级分类")]).toBe("损失");
    const entries = await exports();
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.after!)).toMatchObject({ filter: { q: "X-" }, rowCount: 2, unmaskedRows: 0, masked: true });
  });

  it("is in full for the department (loans:unmask) and audited with the filter and row count", async () => {
    await seedExportLoans();
    const file = await exportLoans(ctx, await asUser("officer@bank.example"), {}, "en", now);
    const [header, first, second] = await readWorkbook(file.body);
    expect(header!.slice(0, 5)).toEqual(["Loan number", "Borrower", "Borrower type", "ID number", "Phone"]);
    expect(first!.slice(0, 5)).toEqual(["X-1", "王小明", "Individual", wangId, "13812345678"]);
    expect(second!.slice(0, 5)).toEqual(["X-2", "李秀英", "Individual", testResidentId(902), "13987654321"]);
    const entries = await exports();
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.after!)).toMatchObject({ filter: {}, rowCount: 2, unmaskedRows: 2, masked: false });
  });

  it("gives a branch clerk full data only for the rows of their own branch", async () => {
    await seedExportLoans();
    const file = await exportLoans(ctx, await asUser("clerk@bank.example"), {}, "zh-CN", now);
    const [, own, other] = await readWorkbook(file.body);
    expect(own!.slice(0, 5)).toEqual(["X-1", "王小明", "个人", wangId, "13812345678"]);
    expect(other!.slice(0, 5)).toEqual(["X-2", "李*英", "个人", `110105********${testResidentId(902).slice(-4)}`, "139****4321"]);
    expect(JSON.parse((await exports())[0]!.after!)).toMatchObject({ rowCount: 2, unmaskedRows: 1, masked: false });
  });

  it("streams more rows than one batch, in loan-number order", async () => {
    await createTestLoans(1005, (i) => ({ loanNumber: `M-${String(i).padStart(4, "0")}`, phone: null }));
    const file = await exportLoans(ctx, await asUser("auditor@bank.example"), {}, "zh-CN", now);
    const rows = await readWorkbook(file.body);
    expect(rows).toHaveLength(1006);
    expect(rows[1]![0]).toBe("M-0000");
    expect(rows[1005]![0]).toBe("M-1004");
  });
});

describe("recovery difficulty: the department confirms or overrides the suggestion", () => {
  it("confirm keeps the suggested class and writes history and audit in one go", async () => {
    const loan = await createTestLoan({ loanNumber: "D-1", difficultyReason: "bankruptcy" });
    expect([loan.suggestedDifficulty, loan.difficulty, loan.difficultyStatus]).toEqual(["hard", "hard", "SUGGESTED"]);
    const officer = await asUser("officer@bank.example");
    await decideDifficulty(ctx, officer, "D-1", { decision: "confirm" }, now);
    const after = await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } });
    expect(after).toMatchObject({ difficulty: "hard", difficultyStatus: "CONFIRMED", difficultyDecidedById: officer.id, version: 2 });
    const changes = await prisma.loanChange.findMany({ where: { loanId: loan.id } });
    expect(changes.map((c) => [c.kind, c.actorId])).toEqual([["difficulty.confirm", officer.id]]);
    const audit = await prisma.auditEntry.findMany({ where: { entityType: "Loan", entityId: loan.id } });
    expect(audit.map((a) => a.action)).toEqual(["loan.difficulty.confirm"]);
    // Decided once: a second confirmation is refused; a change needs an override with a note.
    expect((await refusal(decideDifficulty(ctx, officer, "D-1", { decision: "confirm" }, now))).key).toBe("loans.difficulty.alreadyDecided");
  });

  it("override needs a note, sets the other class and records it", async () => {
    const loan = await createTestLoan({ loanNumber: "D-2" });
    expect(loan.difficulty).toBe("recoverable");
    const officer = await asUser("officer@bank.example");
    const missing = await refusal(decideDifficulty(ctx, officer, "D-2", { decision: "override", difficulty: "hard", note: "  " }, now));
    expect([missing.key, missing.options.field]).toEqual(["loans.difficulty.noteRequired", "note"]);
    const same = await refusal(decideDifficulty(ctx, officer, "D-2", { decision: "override", difficulty: "recoverable", note: "维持" }, now));
    expect([same.key, same.options.field]).toEqual(["loans.difficulty.sameClass", "difficulty"]);
    expect(await prisma.loanChange.count({ where: { loanId: loan.id } })).toBe(0);

    await decideDifficulty(ctx, officer, "D-2", { decision: "override", difficulty: "hard", reason: "conviction", note: "借款人已被判刑" }, now);
    const after = await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } });
    expect(after).toMatchObject({ difficulty: "hard", difficultyStatus: "OVERRIDDEN", difficultyReason: "conviction", difficultyNote: "借款人已被判刑" });
    const change = await prisma.loanChange.findFirstOrThrow({ where: { loanId: loan.id } });
    expect(change.kind).toBe("difficulty.override");
    expect(JSON.parse(change.changes)).toEqual({
      difficulty: ["recoverable", "hard"], difficultyStatus: ["SUGGESTED", "OVERRIDDEN"], difficultyReason: [null, "conviction"], difficultyNote: [null, "借款人已被判刑"],
    });
    const entry = await prisma.auditEntry.findFirstOrThrow({ where: { action: "loan.difficulty.override", entityId: loan.id } });
    expect(JSON.parse(entry.after!)).toMatchObject({ loanNumber: "D-2", difficulty: "hard", difficultyStatus: "OVERRIDDEN" });
    // The list finds what is still unconfirmed.
    expect((await search(officer, { difficulty_status: "SUGGESTED" })).total).toBe(0);
    expect((await getMaskedLoan(officer, "D-2", now)).difficultyStatus).toBe("OVERRIDDEN");
  });

  it("only the department decides, and not on a loan in a package, tender or custody", async () => {
    await createTestLoan({ loanNumber: "D-3" });
    await createTestLoan({ loanNumber: "D-4", status: "IN_CUSTODY" });
    for (const email of ["approver@bank.example", "auditor@bank.example", "clerk@bank.example", "admin@huaxin.example"]) {
      expect(await refusalStatus(decideDifficulty(ctx, await asUser(email), "D-3", { decision: "confirm" }, now)), email).toBe(403);
    }
    const officer = await asUser("officer@bank.example");
    expect(await refusalStatus(decideDifficulty(ctx, officer, "D-4", { decision: "override", difficulty: "hard", note: "x" }, now))).toBe(409);
    expect(await refusalStatus(decideDifficulty(ctx, officer, "NOPE", { decision: "confirm" }, now))).toBe(404);
    expect(await prisma.auditEntry.count({ where: { action: { startsWith: "loan.difficulty" } } })).toBe(0);
  });
});

describe("the pages (thin routes over the services)", () => {
  async function cookieOf(email: string) {
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    return (await startSession(user.id, new Request("http://localhost/"))).split(";")[0]!;
  }
  type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
  const get = (url: string, cookie: string, params: Record<string, string> = {}): Args => ({ request: new Request(`http://localhost${url}`, { headers: { Cookie: cookie } }), params, context: {} });
  const post = (url: string, cookie: string, form: Record<string, string>, params: Record<string, string>): Args => ({
    request: new Request(`http://localhost${url}`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams(form) }),
    params,
    context: {},
  });
  type Result = { data: Record<string, unknown>; init: { status?: number; headers?: Record<string, string> } | null };

  it("the book shows a message for invalid filters instead of failing, and the list otherwise", async () => {
    await createTestLoan({ loanNumber: "P-1" });
    const cookie = await cookieOf("auditor@bank.example");
    const bad = await bookLoader(get("/loans?five_tier=bogus&expiring_within_days=x", cookie));
    expect(bad.result).toBeNull();
    expect(bad.errors).toEqual({ five_tier: ["loans.filter.invalidChoice"], expiring_within_days: ["loans.filter.invalidDays"] });
    const good = await bookLoader(get("/loans?q=P-", cookie));
    expect(good.result!.rows.map((r) => r.loanNumber)).toEqual(["P-1"]);
    expect(good.values.q).toBe("P-");
  });

  it("the loan page unmasks in place (no-store, audited) only for whom may, and records a difficulty decision", async () => {
    await createTestLoan({ loanNumber: "P-2", branch: "B002", borrowerIdNumber: wangId });
    const params = { loanNumber: "P-2" };
    const officer = await cookieOf("officer@bank.example");
    const page = await loanLoader(get("/loans/P-2", officer, params));
    expect(page.statement.canUnmask).toBe(true);
    expect(page.limitation.expiresOn).toBe(page.statement.loan.limitationExpiresOn);

    const shown = (await loanAction(post("/loans/P-2", officer, { intent: "unmask" }, params))) as unknown as Result;
    expect((shown.data.unmasked as { borrowerIdNumber: string }).borrowerIdNumber).toBe(wangId);
    expect(shown.init?.headers).toMatchObject({ "Cache-Control": "no-store" });
    expect(await prisma.auditEntry.count({ where: { action: "loan.unmask" } })).toBe(1);

    const clerk = await cookieOf("clerk@bank.example"); // branch B001, the loan is B002's
    expect((await loanLoader(get("/loans/P-2", clerk, params))).statement.canUnmask).toBe(false);
    const refused = (await loanAction(post("/loans/P-2", clerk, { intent: "unmask" }, params))) as unknown as Result;
    expect(refused.init?.status).toBe(403);
    expect(refused.data.unmasked).toBeUndefined();
    expect(await prisma.auditEntry.count({ where: { action: "loan.unmask" } })).toBe(1);

    const noNote = (await loanAction(post("/loans/P-2", officer, { intent: "difficulty", decision: "override", difficulty: "hard", reason: "", note: "" }, params))) as unknown as Result;
    expect(noNote.init?.status).toBe(400);
    expect(noNote.data.fieldErrors).toEqual({ note: ["loans.difficulty.noteRequired"] });
    const saved = await loanAction(post("/loans/P-2", officer, { intent: "difficulty", decision: "override", difficulty: "hard", reason: "death", note: "借款人已死亡" }, params));
    expect((saved as unknown as Response).status).toBe(302);
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "P-2" } })).difficultyStatus).toBe("OVERRIDDEN");
    const byClerk = await loanAction(post("/loans/P-2", clerk, { intent: "difficulty", decision: "confirm" }, params)).catch((e: unknown) => e);
    expect((byClerk as Response).status).toBe(403);
    await expect(loanLoader(get("/loans/NOPE", officer, { loanNumber: "NOPE" }))).rejects.toMatchObject({ status: 404 });
  });

  it("the export route answers an XLSX file", async () => {
    await createTestLoan({ loanNumber: "P-3" });
    const response = await exportLoader(get("/loans/export?q=P-", await cookieOf("auditor@bank.example")));
    expect(response.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="loans-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const rows = await readWorkbook(response.body!);
    expect(rows.map((r) => r[0])).toEqual(["贷款编号", "P-3"]);
    expect((await exportLoader(get("/loans/export?status=LOST", await cookieOf("auditor@bank.example")))).status).toBe(400);
  });
});
