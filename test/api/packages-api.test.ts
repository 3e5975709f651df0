import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan } from "../fixtures/loans";
import { callApi, tokenFor } from "../support/api-client";
import { resetDatabase } from "../support/reset-db";
import { resetApiRateLimits } from "~/infra/api.server";
import { prisma } from "~/infra/db.server";
import { openApiDocument } from "~/services/api/openapi";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as bundleAction, loader as bundleLoader } from "~/routes/api.v1.bundles";
import { action as createPackages, loader as listPackagesRoute } from "~/routes/api.v1.packages";
import { loader as getPackageRoute } from "~/routes/api.v1.packages.$id";
import { action as approveAction } from "~/routes/api.v1.packages.$id.approve";
import { action as moveAction } from "~/routes/api.v1.packages.$id.move";
import { action as rejectAction } from "~/routes/api.v1.packages.$id.reject";
import { action as submitAction } from "~/routes/api.v1.packages.$id.submit";
/* eslint-enable no-restricted-imports */

let officer: string;
let approver: string;
const numbers = Array.from({ length: 12 }, (_, i) => `API-${String(i + 1).padStart(2, "0")}`);
const firstSix = numbers.slice(0, 6);
const lastSix = numbers.slice(6);

/** Two packages of the six loans, saved through the API. */
async function saveTwo(token = officer) {
  return callApi(createPackages, "/packages", token, {
    body: { loan_numbers: numbers, target_amount: "24000", mode: "mixed", packages: [{ loan_numbers: firstSix }, { loan_numbers: lastSix }] },
  });
}

beforeEach(async () => {
  resetDatabase();
  await seed();
  resetApiRateLimits();
  officer = await tokenFor("officer@bank.example");
  approver = await tokenFor("approver@bank.example");
  // ¥4,000 each: six in 城关区 (API-01…06), six in 河西县 (API-07…12); a third of each region hard.
  for (const [i, loanNumber] of numbers.entries()) {
    await createTestLoan({ loanNumber, price: 400_000n, branch: i < 6 ? "B001" : "B003", difficulty: i % 3 === 1 ? "hard" : "recoverable" });
  }
});

describe("POST /api/v1/bundles", () => {
  it("returns the packages (loan numbers, total in yuan, hard share, region), the quality report and the loans left out", async () => {
    await createTestLoan({ loanNumber: "API-UNPRICED" });
    const res = await callApi(bundleAction, "/bundles", officer, { body: { loan_numbers: [...numbers, "API-UNPRICED"], target_amount: "24000.00", mode: "by-region", seed: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.packages.length).toBeGreaterThan(0);
    for (const p of res.body.packages) {
      expect(p).toMatchObject({ loan_numbers: expect.any(Array), total: expect.stringMatching(/^\d+\.\d{2}$/), hard_share: expect.any(Number), remainder: expect.any(Boolean) });
      expect(p.region === null || typeof p.region === "string").toBe(true);
    }
    expect(res.body.packages.flatMap((p: { loan_numbers: string[] }) => p.loan_numbers).sort()).toEqual(numbers);
    expect(res.body.packages.find((p: { region: string | null }) => p.region === "城关区")).toMatchObject({ total: "24000.00", hard_share: 0.3333 });
    expect(res.body.quality).toMatchObject({ target: "24000.00", pool_total: "48000.00", max_deviation: expect.any(Number), max_hard_share_deviation: expect.any(Number), region_purity: expect.any(Number), package_count: res.body.packages.length });
    expect(res.body.left_out).toEqual([{ loan_number: "API-UNPRICED", reason: "unpriced", detail: {} }]);
    expect(await prisma.bundle.count()).toBe(0);
  });

  it("refuses without packages:manage, unauthenticated, a bad target, both selections, unknown loans and GET", async () => {
    expect((await callApi(bundleAction, "/bundles", null, { body: { target_amount: "1" } })).status).toBe(401);
    expect((await callApi(bundleAction, "/bundles", approver, { body: { target_amount: "1" } })).status).toBe(403);
    expect((await callApi(bundleAction, "/bundles", await tokenFor("bidder@bank.example"), { body: { target_amount: "1" } })).status).toBe(403);
    const bad = await callApi(bundleAction, "/bundles", officer, { body: { target_amount: "-5" } });
    expect(bad.body.error).toMatchObject({ code: "invalid_input", fields: { target_amount: [expect.any(String)] } });
    const both = await callApi(bundleAction, "/bundles", officer, { body: { loan_numbers: ["API-01"], filter: {}, target_amount: "1" } });
    expect(both.body.error.code).toBe("packages.selectOne");
    const unknown = await callApi(bundleAction, "/bundles", officer, { body: { loan_numbers: ["API-01", "NOPE"], target_amount: "1" } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "packages.unknownLoans", fields: { loan_numbers: [expect.stringContaining("NOPE")] } });
    expect((await callApi(bundleLoader, "/bundles", officer)).status).toBe(405);
  });
});

describe("/api/v1/packages", () => {
  it("POST saves drafts (201); GET lists and reads them; a bidder is refused", async () => {
    const res = await saveTwo();
    expect(res.status).toBe(201);
    expect(res.body.bundle_id).toEqual(expect.any(String));
    expect(res.body.packages.map((p: { draft_index: number; status: string; total: string; loan_count: number; number: null }) => [p.draft_index, p.status, p.total, p.loan_count, p.number])).toEqual([
      [1, "DRAFT", "24000.00", 6, null],
      [2, "DRAFT", "24000.00", 6, null],
    ]);
    expect(res.body.packages[0].quality).toMatchObject({ total: "24000.00", loan_count: 6, hard_share: 0.3333 });

    const list = await callApi(listPackagesRoute, "/packages?status=DRAFT", officer);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 2, page: 1, pages: 1 });
    const id = res.body.packages[0].id as string;
    const one = await callApi(getPackageRoute, `/packages/${id}`, await tokenFor("auditor@bank.example"), { params: { id } });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id, status: "DRAFT", bundle: { mode: "mixed", target: "24000.00" } });
    expect(one.body.loans.map((l: { loan_number: string }) => l.loan_number)).toEqual(firstSix);
    expect(one.body.loans[0]).toMatchObject({ borrower_name: "王*明", price: "4000.00", borrower_id_masked: expect.stringContaining("*") });
    expect(one.body.events.map((e: { kind: string }) => e.kind)).toEqual(["created"]);

    const bidder = await tokenFor("bidder@bank.example");
    expect((await callApi(getPackageRoute, `/packages/${id}`, bidder, { params: { id } })).status).toBe(403);
    expect((await callApi(listPackagesRoute, "/packages", bidder)).status).toBe(403);
    expect((await callApi(listPackagesRoute, "/packages", null)).status).toBe(401);
    expect((await callApi(getPackageRoute, "/packages/nope", officer, { params: { id: "nope" } })).status).toBe(404);
    const twice = await saveTwo();
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe("packages.loanInPackage");
    expect((await saveTwo(approver)).status).toBe(403);
  });

  it("submit, approve by another person (four eyes: 403 for the submitter), reject with a comment, move", async () => {
    const saved = await saveTwo();
    const [a, b] = saved.body.packages.map((p: { id: string }) => p.id) as [string, string];

    const moved = await callApi(moveAction, `/packages/${a}/move`, officer, { params: { id: a }, body: { loan_number: "API-03", to_package_id: b } });
    expect(moved.status).toBe(200);
    expect([moved.body.from.total, moved.body.to.total]).toEqual(["20000.00", "28000.00"]);
    expect(moved.body.from.quality.violations.map((v: { rule: string }) => v.rule)).toContain("tolerance");

    const submitted = await callApi(submitAction, `/packages/${a}/submit`, officer, { params: { id: a }, method: "POST" });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: "SUBMITTED", submitted_by: "陈保全" });
    expect((await callApi(submitAction, `/packages/${a}/submit`, approver, { params: { id: a }, method: "POST" })).status).toBe(403);

    // The submitter, given the approver's role too, still may not decide.
    const officerUser = await prisma.user.findUniqueOrThrow({ where: { email: "officer@bank.example" } });
    await prisma.userRole.create({ data: { userId: officerUser.id, role: "approver" } });
    const own = await callApi(approveAction, `/packages/${a}/approve`, officer, { params: { id: a }, method: "POST" });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe("packages.fourEyes");
    expect((await callApi(rejectAction, `/packages/${a}/reject`, officer, { params: { id: a }, body: { comment: "x" } })).body.error.code).toBe("packages.fourEyes");
    expect((await callApi(approveAction, `/packages/${a}/approve`, await tokenFor("officer2@bank.example"), { params: { id: a }, method: "POST" })).status).toBe(403);

    const noComment = await callApi(rejectAction, `/packages/${a}/reject`, approver, { params: { id: a }, body: {} });
    expect(noComment.status).toBe(400);
    expect(noComment.body.error.fields).toHaveProperty("comment");
    const rejected = await callApi(rejectAction, `/packages/${a}/reject`, approver, { params: { id: a }, body: { comment: "金额不足" } });
    expect(rejected.body).toMatchObject({ status: "DRAFT", number: null, decision: "REJECTED", decision_comment: "金额不足" });

    await callApi(submitAction, `/packages/${a}/submit`, officer, { params: { id: a }, method: "POST" });
    const approved = await callApi(approveAction, `/packages/${a}/approve`, approver, { params: { id: a }, body: { comment: "同意" } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "APPROVED", number: expect.stringMatching(/^PKG-\d{4}-0001$/), decided_by: "黄领导", decision_comment: "同意" });
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "API-01" } })).status).toBe("PACKAGED");
    const again = await callApi(approveAction, `/packages/${a}/approve`, approver, { params: { id: a }, method: "POST" });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "packages.notSubmitted" } } });
    const moveOut = await callApi(moveAction, `/packages/${a}/move`, officer, { params: { id: a }, body: { loan_number: "API-01", to_package_id: b } });
    expect(moveOut.body.error.code).toBe("packages.notDraft");
  });

  it("documents every new path in the OpenAPI document", () => {
    const paths = Object.keys(openApiDocument().paths);
    for (const p of ["/bundles", "/packages", "/packages/{id}", "/packages/{id}/submit", "/packages/{id}/approve", "/packages/{id}/reject", "/packages/{id}/move"]) {
      expect(paths).toContain(p);
    }
  });
});
