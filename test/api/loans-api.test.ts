import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan, createTestLoans, testResidentId } from "../fixtures/loans";
import { resetDatabase } from "../support/reset-db";
import { resetApiRateLimits } from "~/infra/api.server";
import { systemContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { createApiToken } from "~/services/identity/api-tokens.server";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders directly */
import { loader as loansLoader } from "~/routes/api.v1.loans";
import { loader as loanLoader } from "~/routes/api.v1.loans.$loanNumber";
import { action as unmaskAction, loader as unmaskGetLoader } from "~/routes/api.v1.loans.$loanNumber.unmask";
import { loader as openApiLoader } from "~/routes/api.v1.openapi[.json]";
/* eslint-enable no-restricted-imports */

const ctx = systemContext("test");
type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;

async function call(handler: unknown, path: string, options: { token?: string; method?: string; params?: Record<string, string> } = {}) {
  const request = new Request(`http://localhost/api/v1${path}`, {
    method: options.method ?? "GET",
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
  });
  const response = await (handler as Handler)({ request, params: options.params ?? {}, context: {} });
  expect(response.headers.get("Content-Type")).toMatch(/application\/json/);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function tokenFor(email: string) {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  return (await createApiToken(ctx, user.id, "test")).token;
}

const errorShape = (code: string) => ({ error: expect.objectContaining({ code, message: expect.any(String) }) });
const wangId = testResidentId(901);

beforeEach(async () => {
  resetDatabase();
  await seed();
  resetApiRateLimits();
});

describe("GET /api/v1/loans", () => {
  it("lists the book 50 a page with masked personal data and money as yuan strings", async () => {
    await createTestLoan({
      loanNumber: "A-001", borrowerName: "王小明", borrowerIdNumber: wangId, phone: "13812345678", collateral: "guarantee", guarantorName: "李大海",
      principal: 12_345_678n, interestOnBalance: 100_000n, interestOffBalance: 5n, extendedMaturity: "2021-03-15", price: 3_703_704n,
    });
    await createTestLoans(54, (i) => ({ loanNumber: `B-${String(i).padStart(3, "0")}`, branch: "B003" }));
    const token = await tokenFor("auditor@bank.example");

    const page1 = await call(loansLoader, "/loans", { token });
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ page: 1, page_size: 50, total: 55, pages: 2 });
    const items = page1.body.items as Record<string, unknown>[];
    expect(items).toHaveLength(50);
    expect(items[0]).toEqual({
      loan_number: "A-001",
      borrower_name: "王*明",
      borrower_type: "individual",
      borrower_id_number: `110105********${wangId.slice(-4)}`,
      phone: "138****5678",
      branch: { code: "B001", name: "城关支行" },
      region: "城关区",
      principal: "123456.78",
      interest_on_balance: "1000.00",
      interest_off_balance: "0.05",
      claim: "124456.83",
      disbursed_on: "2018-03-15",
      matures_on: "2020-03-15",
      extended_maturity: "2021-03-15",
      last_payment_on: null,
      last_interruption_on: "2024-06-01",
      five_tier: "substandard",
      term_class: "overdue",
      balance_sheet: "on",
      written_off: false,
      collateral: "guarantee",
      guarantor_name: "李*海",
      litigation: "none",
      difficulty: "recoverable",
      difficulty_reason: null,
      suggested_difficulty: "recoverable",
      difficulty_status: "SUGGESTED",
      status: "IN_BOOK",
      limitation_expires_on: "2027-06-01",
      limitation_days_left: expect.any(Number),
      price: "37037.04",
    });
    expect(JSON.stringify(page1.body)).not.toMatch(/王小明|李大海|13812345678/);
    expect(JSON.stringify(page1.body)).not.toContain(wangId);

    const page2 = await call(loansLoader, "/loans?page=2", { token });
    expect((page2.body.items as unknown[]).length).toBe(5);
  });

  it("takes the loan book's filters", async () => {
    await createTestLoan({ loanNumber: "F-1", branch: "B001" });
    await createTestLoan({ loanNumber: "F-2", branch: "B003", status: "PACKAGED" });
    await createTestLoan({ loanNumber: "F-3", branch: "B004", limitationExpiresOn: "2000-01-01" });
    const token = await tokenFor("officer@bank.example");
    const numbersOf = async (query: string) => ((await call(loansLoader, `/loans?${query}`, { token })).body.items as { loan_number: string }[]).map((i) => i.loan_number);
    expect(await numbersOf("loan_number=F-2")).toEqual(["F-2"]);
    expect(await numbersOf("status=PACKAGED")).toEqual(["F-2"]);
    expect(await numbersOf("region=%E5%B1%B1%E5%8D%97%E5%8E%BF")).toEqual(["F-3"]); // 山南县
    expect(await numbersOf("branch=B001&status=IN_BOOK")).toEqual(["F-1"]);
    expect(await numbersOf("difficulty_status=SUGGESTED&q=F-")).toEqual(["F-1", "F-2", "F-3"]);
  });

  it("answers a bad filter with 400 and the fields, in the token user's language", async () => {
    const token = await tokenFor("officer@bank.example");
    const bad = await call(loansLoader, "/loans?status=LOST&expiring_within_days=soon&page=-1", { token });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(errorShape("invalid_input"));
    const fields = (bad.body.error as { fields: Record<string, string[]> }).fields;
    expect(Object.keys(fields).sort()).toEqual(["expiring_within_days", "page", "status"]);
    expect(fields.expiring_within_days).toEqual(["天数须为 0 至 3650 之间的整数。"]);
  });

  it("is refused without a token (401) and for agencies and bidders (403)", async () => {
    await createTestLoan();
    expect((await call(loansLoader, "/loans")).status).toBe(401);
    for (const email of ["admin@huaxin.example", "member@anda.example", "bidder@bank.example"]) {
      const refused = await call(loansLoader, "/loans", { token: await tokenFor(email) });
      expect(refused.status, email).toBe(403);
      expect(refused.body).toEqual(errorShape("forbidden"));
    }
  });
});

describe("GET /api/v1/loans/{loan_number}", () => {
  it("returns one loan masked, or 404", async () => {
    await createTestLoan({ loanNumber: "ONE/1", borrowerName: "欧阳小明" });
    const token = await tokenFor("approver@bank.example");
    const one = await call(loanLoader, "/loans/ONE%2F1", { token, params: { loanNumber: "ONE/1" } });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ loan_number: "ONE/1", borrower_name: "欧**明", phone: "138****5678" });
    const missing = await call(loanLoader, "/loans/NOPE", { token, params: { loanNumber: "NOPE" } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorShape("not_found"));
    expect((await call(loanLoader, "/loans/ONE%2F1", { token: await tokenFor("admin@huaxin.example"), params: { loanNumber: "ONE/1" } })).status).toBe(403);
  });
});

describe("POST /api/v1/loans/{loan_number}/unmask", () => {
  const unmask = (loanNumber: string, token: string) => call(unmaskAction, `/loans/${loanNumber}/unmask`, { token, method: "POST", params: { loanNumber } });
  const entries = (loanId: string) => prisma.auditEntry.count({ where: { action: "loan.unmask", entityId: loanId } });

  it("gives the department any loan in full, one audit entry per call", async () => {
    const loan = await createTestLoan({ loanNumber: "U-1", branch: "B004", borrowerName: "王小明", borrowerIdNumber: wangId, phone: "13812345678" });
    const token = await tokenFor("officer@bank.example");
    const full = await unmask("U-1", token);
    expect(full.status).toBe(200);
    expect(full.body).toEqual({ loan_number: "U-1", borrower_name: "王小明", borrower_id_number: wangId, phone: "13812345678", guarantor_name: null });
    await unmask("U-1", token);
    expect(await entries(loan.id)).toBe(2);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "loan.unmask", entityId: loan.id } });
    const officer = await prisma.user.findUniqueOrThrow({ where: { email: "officer@bank.example" } });
    expect([audit.actorId, audit.entityType]).toEqual([officer.id, "Loan"]);
  });

  it("lets a branch clerk unmask only own-branch loans; approver, auditor and agency get 403", async () => {
    const own = await createTestLoan({ loanNumber: "OWN", branch: "B001" });
    const other = await createTestLoan({ loanNumber: "OTHER", branch: "B002" });
    const clerk = await tokenFor("clerk@bank.example");
    expect((await unmask("OWN", clerk)).status).toBe(200);
    const refused = await unmask("OTHER", clerk);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(errorShape("forbidden"));
    for (const email of ["approver@bank.example", "auditor@bank.example", "admin@huaxin.example"]) {
      expect((await unmask("OWN", await tokenFor(email))).status, email).toBe(403);
    }
    expect([await entries(own.id), await entries(other.id)]).toEqual([1, 0]);
    expect((await unmask("NOPE", await tokenFor("officer@bank.example"))).status).toBe(404);
  });

  it("does not unmask on a GET", async () => {
    const loan = await createTestLoan({ loanNumber: "G-1" });
    const get = await call(unmaskGetLoader, "/loans/G-1/unmask", { token: await tokenFor("officer@bank.example"), params: { loanNumber: "G-1" } });
    expect(get.status).toBe(405);
    expect(await entries(loan.id)).toBe(0);
  });
});

describe("OpenAPI", () => {
  it("documents the loan operations with their schemas and filters", async () => {
    const doc = await call(openApiLoader, "/openapi.json");
    const paths = doc.body.paths as Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    expect(paths["/loans"]!.get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(["q", "loan_number", "branch", "region", "five_tier", "difficulty", "difficulty_status", "status", "expiring_within_days", "page"]),
    );
    expect(paths["/loans/{loan_number}"]!.get!.responses["404"]).toBeDefined();
    expect(paths["/loans/{loan_number}/unmask"]!.post!.responses["403"]).toBeDefined();
    const schemas = (doc.body.components as { schemas: Record<string, { properties?: Record<string, unknown> }> }).schemas;
    expect(Object.keys(schemas.Loan!.properties!)).toEqual(expect.arrayContaining(["loan_number", "borrower_id_number", "price", "difficulty_status"]));
    expect(schemas.LoanPage!.properties).toHaveProperty("items");
    expect(schemas.UnmaskedLoan!.properties).toHaveProperty("borrower_id_number");
  });
});
