import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { custodyContract } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { recoveryRow, remitted } from "../fixtures/settlement-contracts";
import { freshTenderCast } from "../fixtures/tenders";
import { callApi, tokenFor } from "../support/api-client";
import { installRecordingQueue } from "../support/recording-queue";
import { resetApiRateLimits } from "~/infra/api.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { openApiDocument } from "~/services/api/openapi";
import { settlementContractsApi } from "~/services/api/openapi-settlement-contracts";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as closeOutAction, loader as closeOutLoader } from "~/routes/api.v1.contracts.$id.close-out";
import { action as deductAction, loader as deductLoader } from "~/routes/api.v1.contracts.$id.deductions";
import { action as settlementAction, loader as settlementLoader } from "~/routes/api.v1.contracts.$id.settlement";
import { action as lossAction } from "~/routes/api.v1.recoveries.$id.loss";
import { loader as overviewLoader } from "~/routes/api.v1.settlement.overview";
/* eslint-enable no-restricted-imports */

/** /api/v1 settlement of contracts (R7, README step 16): the same rules and refusals as the services and pages. */

installRecordingQueue();
const DAY = 86_400_000;
/** A China day relative to the real today (the API runs at the real now). */
const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * DAY).toISOString().slice(0, 10);
const startsAt = new Date(Date.now() - 90 * DAY);

let bidder: AuthUser;
let agency: AuthUser;
let tokens: Record<"officer" | "finance" | "bidder" | "agency" | "anda", string>;

beforeEach(async () => {
  ({ bidder, agency } = await freshTenderCast());
  resetApiRateLimits();
  tokens = {
    officer: await tokenFor("officer@bank.example"),
    finance: await tokenFor("finance@bank.example"),
    bidder: await tokenFor("bidder@bank.example"),
    agency: await tokenFor("admin@huaxin.example"),
    anda: await tokenFor("admin@anda.example"),
  };
});

describe("reading", () => {
  it("GET /contracts/{id}/settlement and /settlement/overview: the custodian its own (404 for another agency), the department all", async () => {
    const own = (await custodyContract({ custodian: agency, startsAt })).contract;
    const other = (await custodyContract({ custodian: bidder, startsAt })).contract;
    const r = await recoveryRow(own, { collectedOn: day(-30), principal: 10_000_000n });
    await remitted(own, [[r, 10_000_000n]], day(-19)); // 11 days: ¥132.92
    await recoveryRow(other, { collectedOn: day(-2), principal: 1_000_000n });

    const mine = await callApi(settlementLoader, `/contracts/${own.id}/settlement`, tokens.agency, { params: { id: own.id } });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      contract: { id: own.id, number: own.number, custodian_kind: "AGENCY", legal_representative: "赵立国", task: "100000.00" },
      recovered: { total: "100000.00", percent_of_task: "100.00%" }, unremitted: "0.00", late_remittances: 1,
      late_interest: { booked: "0.00", accruing: "132.92" },
    });
    expect(mine.body.recoveries[0]).toMatchObject({ number: r.number, max_delay: 11, late_interest: "132.92", late: true, deductible: false });
    const foreign = await callApi(settlementLoader, `/contracts/${own.id}/settlement`, tokens.anda, { params: { id: own.id } });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, "settlement.contracts.notFound"]);
    expect((await callApi(settlementLoader, `/contracts/${other.id}/settlement`, tokens.agency, { params: { id: other.id } })).status).toBe(404);
    expect((await callApi(settlementLoader, `/contracts/${other.id}/settlement`, tokens.officer, { params: { id: other.id } })).body.unremitted).toBe("10000.00");
    expect((await callApi(settlementAction, `/contracts/${own.id}/settlement`, tokens.officer, { body: {}, params: { id: own.id } })).status).toBe(405);

    const agencyView = await callApi(overviewLoader, "/settlement/overview", tokens.agency);
    expect(agencyView.body.contracts.map((c: { number: string }) => c.number)).toEqual([own.number]);
    expect((await callApi(overviewLoader, "/settlement/overview", tokens.anda)).body).toMatchObject({ contracts: [], scorecard: [] });
    const all = await callApi(overviewLoader, "/settlement/overview", tokens.officer);
    expect(all.body.contracts).toHaveLength(2);
    expect(all.body.scorecard.find((s: { custodian_key: string }) => s.custodian_key === own.custodianKey)).toMatchObject({ contracts: 1, recovered: "100000.00", percent_of_task: "100.00%", late_remittances: 1 });
  });
});

describe("deductions, loss of funds, close-out", () => {
  it("refuses the wrong role and bad input with the specific error (nothing changes), then deducts, records a loss and closes out", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    const late = await recoveryRow(contract, { collectedOn: day(-11), principal: 10_000_000n });
    const fresh = await recoveryRow(contract, { collectedOn: day(-3), principal: 200_000n });
    const path = `/contracts/${contract.id}/deductions`;
    const params = { id: contract.id };

    expect((await callApi(deductAction, path, tokens.bidder, { body: { reason: "x" }, params })).status).toBe(403);
    const noReason = await callApi(deductAction, path, tokens.officer, { body: { recovery_ids: [late.id] }, params });
    expect([noReason.status, noReason.body.error.code, Object.keys(noReason.body.error.fields ?? {})]).toEqual([400, "invalid_input", ["reason"]]);
    const notYet = await callApi(deductAction, path, tokens.officer, { body: { recovery_ids: [fresh.id], reason: "x" }, params });
    expect([notYet.status, notYet.body.error.code, notYet.body.error.details]).toEqual([422, "settlement.contracts.notDeductible", { number: fresh.number, delay: 3, threshold: 10 }]);
    expect(notYet.body.error.message).toContain("3 天");
    expect((await callApi(deductLoader, path, tokens.officer, { params })).status).toBe(405);
    expect(await prisma.forcedDeduction.count()).toBe(0);
    expect(await prisma.remittance.count()).toBe(0);

    const deducted = await callApi(deductAction, path, tokens.officer, { body: { reason: "逾期十一天" }, params });
    expect(deducted.status).toBe(201);
    // ¥100,000 + ¥132.92: ¥5,000 from the deposit, ¥95,132.92 a claim; the fresh one (3 days) is not deductible.
    expect(deducted.body).toMatchObject({ unremitted: "100000.00", late_interest: "132.92", from_deposit: "5000.00", claim: "95132.92", top_up_owed: "5000.00", top_up_due_on: day(10), jointly_liable: null });
    expect(deducted.body.recoveries.map((r: { id: string }) => r.id)).toEqual([late.id]);

    const loss = await callApi(lossAction, `/recoveries/${fresh.id}/loss`, tokens.officer, { body: { note: "挪用" }, params: { id: fresh.id } });
    expect([loss.status, loss.body.number, loss.body.loss_note]).toEqual([200, fresh.number, "挪用"]);
    const again = await callApi(lossAction, `/recoveries/${fresh.id}/loss`, tokens.officer, { body: { note: "挪用" }, params: { id: fresh.id } });
    expect([again.status, again.body.error.code]).toEqual([409, "settlement.contracts.lossAlreadyRecorded"]);
    expect((await callApi(lossAction, `/recoveries/${fresh.id}/loss`, tokens.agency, { body: { note: "x" }, params: { id: fresh.id } })).status).toBe(403);
    expect((await callApi(deductAction, path, tokens.officer, { body: { recovery_ids: [fresh.id], reason: "资金损失" }, params })).status).toBe(201);

    const closePath = `/contracts/${contract.id}/close-out`;
    const active = await callApi(closeOutAction, closePath, tokens.finance, { body: { voucher_number: "V-1" }, params });
    expect([active.status, active.body.error.code]).toEqual([409, "settlement.contracts.notEnded"]);
    expect((await callApi(closeOutAction, closePath, tokens.officer, { body: { voucher_number: "V-1" }, params })).status).toBe(403);
    expect((await callApi(closeOutLoader, closePath, tokens.finance, { params })).status).toBe(405);
    await prisma.custodyContract.update({ where: { id: contract.id }, data: { status: "ENDED" } });
    const missing = await callApi(closeOutAction, closePath, tokens.finance, { body: { voucher_number: "V-1" }, params });
    expect([missing.status, missing.body.error.code]).toEqual([409, "settlement.contracts.finalMissing"]);
    await prisma.settlementStatement.create({
      data: {
        number: "STM-2026-990001", contractId: contract.id, kind: "FINAL", year: 2026, quarter: 4, periodStartsOn: day(-1), periodEndsOn: day(-1), custodianKind: "STAFF",
        custodianKey: contract.custodianKey, recoveredPrincipal: 0n, recoveredInterest: 0n, payableToCustodian: 0n, owedByCustodian: 0n, deductionsTaken: 0n, netPayable: 0n,
        generatedBy: "test", state: "paid",
      },
    });
    const closed = await callApi(closeOutAction, closePath, tokens.finance, { body: { voucher_number: "V-1" }, params });
    expect(closed.status).toBe(201);
    expect(closed.body).toMatchObject({ contract_id: contract.id, refund: "0.00", voucher_number: "V-1", entry_id: null, open_claims: [{ account: "CLAIM_RECEIVABLE", amount: "97132.92" }] }); // ¥95,132.92 + the ¥2,000 lost (the deposit was empty)
    const view = await callApi(settlementLoader, `/contracts/${contract.id}/settlement`, tokens.bidder, { params });
    expect(view.body.close_out).toMatchObject({ refund: "0.00", voucher_number: "V-1" });
    expect(view.body.deductions).toHaveLength(2);
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("OpenAPI", () => {
  it("documents the five operations; the schemas convert to JSON Schema; the document holds them", () => {
    const helpers = { ref: (name: string) => ({ $ref: `#/components/schemas/${name}` }), json: (schema: unknown) => schema, errors: () => ({}), queryParameters: () => [] };
    const paths = settlementContractsApi.paths(helpers);
    expect(Object.keys(paths).sort()).toEqual(["/contracts/{id}/close-out", "/contracts/{id}/deductions", "/contracts/{id}/settlement", "/recoveries/{id}/loss", "/settlement/overview"]);
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(settlementContractsApi.schemas)) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(settlementContractsApi.schemas).sort());
    const refs = JSON.stringify(paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect([...Object.keys(settlementContractsApi.schemas), "Error"]).toContain(ref.split("/").pop());
    const document = openApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(document.paths["/contracts/{id}/deductions"]?.post?.operationId).toBe("forceDeduction");
    expect(document.paths["/settlement/overview"]?.get?.operationId).toBe("getSettlementOverview");
  });
});
