import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { verifiedRecovery, yuan } from "../fixtures/settlement-statements";
import { freshTenderCast } from "../fixtures/tenders";
import { callApi, tokenFor } from "../support/api-client";
import { installRecordingQueue } from "../support/recording-queue";
import { resetApiRateLimits } from "~/infra/api.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { settlementStatementsApi } from "~/services/api/openapi-settlement-statements";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as generateAction, loader as contractStatementsLoader } from "~/routes/api.v1.contracts.$id.statements";
import { action as stepAction, loader as stepLoader } from "~/routes/api.v1.statements.$id.$action";
import { loader as statementLoader } from "~/routes/api.v1.statements.$id";
import { action as verifyLineAction } from "~/routes/api.v1.statements.$id.lines.$position.verify";
import { loader as listLoader } from "~/routes/api.v1.statements";
/* eslint-enable no-restricted-imports */

/** /api/v1 settlement statements (R9): the same rules as the services and pages. */

installRecordingQueue();
let agency: AuthUser;
let tokens: Record<"clerk" | "officer" | "officer2" | "finance" | "finance2" | "agency" | "anda", string>;

beforeEach(async () => {
  ({ agency } = await freshTenderCast());
  resetApiRateLimits();
  tokens = {
    clerk: await tokenFor("clerk@bank.example"),
    officer: await tokenFor("officer@bank.example"),
    officer2: await tokenFor("officer2@bank.example"),
    finance: await tokenFor("finance@bank.example"),
    finance2: await tokenFor("finance2@bank.example"),
    agency: await tokenFor("admin@huaxin.example"),
    anda: await tokenFor("admin@anda.example"),
  };
});

async function contractWithRecovery() {
  const c = await custodyContract({ custodian: agency, startsAt: new Date("2026-06-01T00:00:00Z"), termMonths: 6, price: yuan(1_000_000) });
  await verifiedRecovery(c, { collectedOn: "2026-06-20", principal: yuan(40_000), interest: yuan(10_000) });
  return c;
}

describe("generate, list, read", () => {
  it("the branch clerk generates (201, yuan strings); refusals carry their code; an agency sees its own only", async () => {
    const c = await contractWithRecovery();
    const id = c.contract.id;
    const path = `/contracts/${id}/statements`;
    const refused = await callApi(generateAction, path, tokens.agency, { body: { year: 2026, quarter: 2 }, params: { id } });
    expect([refused.status, refused.body.error.code]).toEqual([403, "settlement.statements.forbiddenGenerate"]);
    const invalid = await callApi(generateAction, path, tokens.clerk, { body: { quarter: 2 }, params: { id } });
    expect([invalid.status, invalid.body.error.code, Object.keys(invalid.body.error.fields)]).toEqual([400, "invalid_input", ["year"]]);
    const outside = await callApi(generateAction, path, tokens.clerk, { body: { year: 2026, quarter: 1 }, params: { id } });
    expect([outside.status, outside.body.error.code, outside.body.error.details]).toEqual([422, "settlement.statements.outsideTerm", { from: "2026-06-01", to: "2026-12-01" }]);
    expect(await prisma.settlementStatement.count()).toBe(0);

    const created = await callApi(generateAction, path, tokens.clerk, { body: { year: 2026, quarter: 2 }, params: { id } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      contract_id: id, contract_number: c.contract.number, kind: "QUARTERLY", year: 2026, quarter: 2, period_starts_on: "2026-06-01", period_ends_on: "2026-06-30",
      custodian_kind: "AGENCY", custodian_name: "华信资产清收有限公司", state: "draft", recovered_principal: "40000.00", recovered_interest: "10000.00",
      payable_to_custodian: "6000.00", owed_by_custodian: "0.00", net_payable: "6000.00", earned_to_date: "6000.00", steps: [],
    });
    expect(created.body.lines.map((l: { kind: string; amount: string }) => [l.kind, l.amount])).toEqual([["recovery", "50000.00"], ["fee", "6000.00"], ["late_interest", "0.00"]]);
    const duplicate = await callApi(generateAction, path, tokens.officer, { body: { year: 2026, quarter: 2 }, params: { id } });
    expect([duplicate.status, duplicate.body.error.code]).toEqual([409, "settlement.statements.duplicate"]);

    expect((await callApi(listLoader, "/statements", tokens.agency)).body.items.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
    expect((await callApi(listLoader, "/statements", tokens.anda)).body.items).toEqual([]);
    expect((await callApi(listLoader, "/statements?state=paid", tokens.finance)).body.items).toEqual([]);
    expect((await callApi(listLoader, `/statements?contract_id=${id}&year=2026&quarter=2`, tokens.finance)).body.items).toHaveLength(1);
    expect((await callApi(contractStatementsLoader, path, tokens.agency, { params: { id } })).body.items).toHaveLength(1);
    expect((await callApi(contractStatementsLoader, path, tokens.anda, { params: { id } })).status).toBe(404);
    const sid = created.body.id as string;
    expect((await callApi(statementLoader, `/statements/${sid}`, tokens.agency, { params: { id: sid } })).body.number).toBe(created.body.number);
    const hidden = await callApi(statementLoader, `/statements/${sid}`, tokens.anda, { params: { id: sid } });
    expect([hidden.status, hidden.body.error.code]).toEqual([404, "settlement.statements.notFound"]);
    expect((await callApi(listLoader, "/statements", null)).status).toBe(401);
  });
});

describe("the workflow over the API", () => {
  it("submit, verify line by line, verify, review, invoice, pay — four-eyes refusals with their codes; paid is final", async () => {
    const c = await contractWithRecovery();
    const created = await callApi(generateAction, `/contracts/${c.contract.id}/statements`, tokens.officer, { body: { year: 2026, quarter: 2 }, params: { id: c.contract.id } });
    const id = created.body.id as string;
    const step = (token: string, action: string, body: unknown = {}) => callApi(stepAction, `/statements/${id}/${action}`, token, { body, params: { id, action } });
    const line = (token: string, position: number) => callApi(verifyLineAction, `/statements/${id}/lines/${position}/verify`, token, { method: "POST", params: { id, position: String(position) } });

    expect((await step(tokens.clerk, "approve")).status).toBe(404);
    expect((await callApi(stepLoader, `/statements/${id}/submit`, tokens.clerk, { params: { id, action: "submit" } })).status).toBe(405);
    const wrongRole = await step(tokens.finance, "submit");
    expect([wrongRole.status, wrongRole.body.error.code]).toEqual([403, "settlement.statements.refused.wrong_role"]);
    expect((await step(tokens.clerk, "submit")).body.state).toBe("submitted");
    const early = await step(tokens.officer, "verify");
    expect([early.status, early.body.error.code, early.body.error.details]).toMatchObject([422, "settlement.statements.refused.lines_not_verified", { verified: 0, count: 3 }]);
    expect((await line(tokens.agency, 1)).status).toBe(403);
    const verified = await line(tokens.officer, 1);
    expect(verified.body.lines[0]).toMatchObject({ position: 1, verified_by: expect.any(String) });
    expect((await line(tokens.officer2, 1)).status).toBe(409);
    await line(tokens.officer2, 2);
    await line(tokens.officer, 3);
    expect((await step(tokens.officer, "verify")).body.state).toBe("verified");
    expect((await step(tokens.finance, "review")).body.state).toBe("reviewed");
    const same = await step(tokens.finance, "invoice", { invoice_number: "FP-1" });
    expect([same.status, same.body.error.code]).toEqual([403, "settlement.statements.refused.same_person"]);
    const missing = await step(tokens.finance2, "invoice", {});
    expect([missing.status, missing.body.error.code]).toEqual([400, "invalid_input"]);
    expect((await step(tokens.finance2, "invoice", { invoice_number: "FP-1" })).body).toMatchObject({ state: "invoice_recorded", invoice_number: "FP-1" });
    const noVoucher = await step(tokens.finance, "pay", { method: "BANK_TRANSFER" });
    expect([noVoucher.status, noVoucher.body.error.code]).toEqual([400, "settlement.statements.pay.referenceRequired"]);
    const paid = await step(tokens.finance, "pay", { method: "BANK_TRANSFER", reference: "FK-77" });
    expect(paid.body).toMatchObject({ state: "paid", payment_method: "BANK_TRANSFER", payment_reference: "FK-77", entry_id: expect.any(String) });
    expect(paid.body.steps.map((s: { step: string }) => s.step)).toEqual(["submitted", "verified", "reviewed", "invoice_recorded", "paid"]);
    const again = await step(tokens.finance2, "pay", { method: "BANK_TRANSFER", reference: "FK-78" });
    expect([again.status, again.body.error.code]).toEqual([409, "settlement.statements.refused.immutable"]);
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("OpenAPI", () => {
  it("documents every statement path", () => {
    const paths = settlementStatementsApi.paths({ ref: (n) => ({ $ref: n }), json: (s) => s, errors: () => ({}), queryParameters: () => [] });
    expect(Object.keys(paths).sort()).toEqual([
      "/contracts/{id}/statements",
      "/statements",
      "/statements/{id}",
      "/statements/{id}/invoice",
      "/statements/{id}/lines/{position}/verify",
      "/statements/{id}/pay",
      "/statements/{id}/review",
      "/statements/{id}/submit",
      "/statements/{id}/verify",
    ]);
    expect(Object.keys(settlementStatementsApi.schemas)).toContain("SettlementStatement");
  });
});
