import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan } from "../fixtures/loans";
import { callApi, tokenFor } from "../support/api-client";
import { resetDatabase } from "../support/reset-db";
import { resetApiRateLimits } from "~/infra/api.server";
import { prisma } from "~/infra/db.server";
import { openApiDocument } from "~/services/api/openapi";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as createRun, loader as listRuns } from "~/routes/api.v1.pricing-runs";
import { loader as getRun } from "~/routes/api.v1.pricing-runs.$id";
import { action as overrideAction, loader as overrideLoader } from "~/routes/api.v1.pricing-runs.$id.prices.$loanNumber.override";
/* eslint-enable no-restricted-imports */

let officer: string;

beforeEach(async () => {
  resetDatabase();
  await seed();
  resetApiRateLimits();
  officer = await tokenFor("officer@bank.example");
  // Claim ¥100,000.00 (80,000 + 15,000 + 5,000), overdue since 2025-06-30.
  await createTestLoan({ loanNumber: "API-1", principal: 8_000_000n, interestOnBalance: 1_500_000n, interestOffBalance: 500_000n, maturesOn: "2025-06-30", difficulty: "recoverable", branch: "B003" });
  await createTestLoan({ loanNumber: "API-2", principal: 8_000_000n, interestOnBalance: 1_500_000n, interestOffBalance: 500_000n, maturesOn: "2019-06-30", difficulty: "hard" });
});

describe("POST /api/v1/pricing-runs", () => {
  it("prices loan numbers: 201 with the run and each loan's claim, age, difficulty, ratio and price in yuan", async () => {
    const res = await callApi(createRun, "/pricing-runs", officer, { body: { loan_numbers: ["API-1", "API-2"], pricing_date: "2026-11-22" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(String), number: 1, settings_version: 1, pricing_date: "2026-11-22", claim_basis: "principal+interest", loan_count: 2, total_claim: "200000.00", total_price: "33000.00", skipped: [] });
    expect(res.headers.get("Location")).toBe(`/api/v1/pricing-runs/${res.body.id}`);
    expect(res.body.prices).toEqual([
      { loan_number: "API-1", claim: "100000.00", age_years: 1, band: "upTo2", difficulty: "recoverable", ratio: "0.3", price: "30000.00" },
      { loan_number: "API-2", claim: "100000.00", age_years: 7, band: "upTo10", difficulty: "hard", ratio: "0.03", price: "3000.00" },
    ]);
    expect(await prisma.auditEntry.count({ where: { action: "pricing.run", entityId: res.body.id } })).toBe(1);
  });

  it("prices the loans of a filter", async () => {
    const res = await callApi(createRun, "/pricing-runs", officer, { body: { filter: { region: "河西县" }, pricing_date: "2026-11-22" } });
    expect(res.status).toBe(201);
    expect(res.body.prices.map((p: { loan_number: string }) => p.loan_number)).toEqual(["API-1"]);
  });

  it("refuses without loans:manage, an unknown loan number, both or neither selection, a bad filter and bad JSON", async () => {
    const approver = await tokenFor("approver@bank.example");
    expect((await callApi(createRun, "/pricing-runs", approver, { body: { loan_numbers: ["API-1"] } })).status).toBe(403);
    expect((await callApi(createRun, "/pricing-runs", null, { body: { loan_numbers: ["API-1"] } })).status).toBe(401);

    const unknown = await callApi(createRun, "/pricing-runs", officer, { body: { loan_numbers: ["API-1", "NOPE"] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "pricing.error.unknownLoans", fields: { loan_numbers: [expect.stringContaining("NOPE")] } });
    expect(unknown.body.error.message).toContain("NOPE");

    const both = await callApi(createRun, "/pricing-runs", officer, { body: { loan_numbers: ["API-1"], filter: {} } });
    expect(both.status).toBe(400);
    expect(both.body.error).toMatchObject({ code: "invalid_input", fields: { loan_numbers: [expect.any(String)] } });
    expect((await callApi(createRun, "/pricing-runs", officer, { body: {} })).body.error.code).toBe("invalid_input");
    const badFilter = await callApi(createRun, "/pricing-runs", officer, { body: { filter: { status: "LOST" } } });
    expect(badFilter.body.error).toMatchObject({ code: "invalid_input", fields: { "filter.status": [expect.any(String)] } });
    const badDate = await callApi(createRun, "/pricing-runs", officer, { body: { loan_numbers: ["API-1"], pricing_date: "2024-09-31" } });
    expect(badDate.body.error.fields).toHaveProperty("pricing_date");
    const empty = await callApi(createRun, "/pricing-runs", officer, { body: { filter: { region: "无此地区" } } });
    expect(empty.body.error.code).toBe("pricing.error.emptySelection");
    expect((await callApi(createRun, "/pricing-runs", officer, { body: "{not json" })).body.error.code).toBe("api.invalidJson");
    expect(await prisma.pricingRun.count()).toBe(0);
  });
});

describe("GET /api/v1/pricing-runs and /pricing-runs/{id}, POST …/override", () => {
  it("lists runs, reads one with effective prices, and overrides a price with a reason", async () => {
    const created = await callApi(createRun, "/pricing-runs", officer, { body: { loan_numbers: ["API-1", "API-2"], pricing_date: "2026-11-22" } });
    const id = created.body.id as string;

    const list = await callApi(listRuns, "/pricing-runs", officer);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, total: 1, pages: 1, items: [{ id, number: 1, created_by: "陈保全", total_price: "33000.00" }] });

    const override = await callApi(overrideAction, `/pricing-runs/${id}/prices/API-1/override`, officer, { body: { price: "28000", reason: "抵押物已被查封" }, params: { id, loanNumber: "API-1" } });
    expect(override.status).toBe(200);
    expect(override.body).toEqual({ run_id: id, run_number: 1, loan_number: "API-1", computed_price: "30000.00", previous_price: "30000.00", effective_price: "28000.00", reason: "抵押物已被查封", in_force: true });
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "API-1" } })).price).toBe(2_800_000n);

    const run = await callApi(getRun, "/pricing-runs/1", officer, { params: { id: "1" } });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ id, number: 1, total_price: "33000.00", total_effective_price: "31000.00", ratio_table: { claim_basis: "principal+interest", recoverable: { upTo2: "0.3" }, hard: { upTo10: "0.03" } }, total: 2 });
    expect(run.body.prices[0]).toMatchObject({ loan_number: "API-1", borrower: "王*明", price: "30000.00", effective_price: "28000.00", in_force: true, override_count: 1, override: { price: "28000.00", reason: "抵押物已被查封", by: "陈保全" } });
    expect(run.body.prices[1]).toMatchObject({ loan_number: "API-2", effective_price: "3000.00", override: null });
  });

  it("an override needs a reason and a valid price; unknown runs and loans are 404; GET is 405", async () => {
    const { body } = await callApi(createRun, "/pricing-runs", officer, { body: { loan_numbers: ["API-1"] } });
    const params = { id: body.id as string, loanNumber: "API-1" };
    const noReason = await callApi(overrideAction, "/x", officer, { body: { price: "28000", reason: " " }, params });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields).toHaveProperty("reason");
    const badPrice = await callApi(overrideAction, "/x", officer, { body: { price: "28000.001", reason: "x" }, params });
    expect(badPrice.body.error.fields).toHaveProperty("price");
    const aboveClaim = await callApi(overrideAction, "/x", officer, { body: { price: "100000.01", reason: "x" }, params });
    expect(aboveClaim.body.error).toMatchObject({ code: "pricing.error.priceAboveClaim", fields: { price: [expect.any(String)] } });
    expect((await callApi(overrideAction, "/x", officer, { body: { price: "1", reason: "x" }, params: { id: body.id, loanNumber: "API-2" } })).status).toBe(404);
    expect((await callApi(overrideAction, "/x", officer, { body: { price: "1", reason: "x" }, params: { id: "99", loanNumber: "API-1" } })).status).toBe(404);
    expect((await callApi(getRun, "/x", officer, { params: { id: "no-such-run" } })).body.error.code).toBe("pricing.error.unknownRun");
    expect((await callApi(overrideAction, "/x", await tokenFor("clerk@bank.example"), { body: { price: "1", reason: "x" }, params })).status).toBe(403);
    expect((await callApi(overrideLoader, "/x", officer, { params })).status).toBe(405);
    expect(await prisma.priceOverride.count()).toBe(0);
  });

  it("the OpenAPI document describes the pricing operations", () => {
    const doc = openApiDocument();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/pricing-runs", "/pricing-runs/{id}", "/pricing-runs/{id}/prices/{loan_number}/override"]));
    const schemas = doc.components.schemas as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(schemas.PricingRunCreated!.properties!)).toEqual(expect.arrayContaining(["id", "number", "settings_version", "pricing_date", "prices"]));
    expect(Object.keys(schemas.PriceOverrideRequest!.properties!)).toEqual(["price", "reason"]);
    expect(JSON.stringify(doc)).not.toContain("$defs");
  });
});
