// Recoveries and remittances over /api/v1: the custodian reports (evidence base64) and remits, the
// branch registers and confirms, audit verifies (four eyes). Every answer matches its documented
// schema; bad input is a 400 naming the field and changes nothing; an agency gets 404 for another's.
// These run on the real clock: custody started 30 days ago for 12 months.
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { callApi, tokenFor } from "../support/api-client";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { asUser } from "../support/users";
import { addDays, todayInChina } from "~/domain/calendar";
import { resetApiRateLimits } from "~/infra/api.server";
import { prisma } from "~/infra/db.server";
import { recoveryListSchema, recoverySchema, remittanceCreatedSchema, remittanceListSchema, remittanceSchema } from "~/services/api/openapi-settlement-recoveries";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { loader as openApiLoader } from "~/routes/api.v1.openapi[.json]";
import { action as reportAction, loader as listLoader } from "~/routes/api.v1.recoveries";
import { loader as recoveryLoader } from "~/routes/api.v1.recoveries.$id";
import { action as registerAction } from "~/routes/api.v1.recoveries.$id.register";
import { action as rejectAction } from "~/routes/api.v1.recoveries.$id.reject";
import { action as verifyAction } from "~/routes/api.v1.recoveries.$id.verify";
import { action as declareAction, loader as remittancesLoader } from "~/routes/api.v1.remittances";
import { loader as remittanceLoader } from "~/routes/api.v1.remittances.$id";
import { action as confirmAction } from "~/routes/api.v1.remittances.$id.confirm";
import { action as rejectRemittanceAction } from "~/routes/api.v1.remittances.$id.reject";
/* eslint-enable no-restricted-imports */

installRecordingQueue();

const daysAgo = (n: number) => addDays(todayInChina(new Date()), -n);
const evidence = { file_name: "收据.pdf", content_base64: Buffer.from("%PDF-1.4\n% receipt\n%%EOF\n").toString("base64") };

let huaxin: string;
let anda: string;
let clerk: string;
let auditor: string;
let c: CustodyFixture;
let loanNumber: string;

const report = (extra: Record<string, unknown> = {}, token = huaxin) =>
  callApi(reportAction, "/recoveries", token, { body: { loan_number: loanNumber, collected_on: daysAgo(10), principal: "12000.00", interest: "500", payer: "王小明", evidence, ...extra } });

beforeEach(async () => {
  resetDatabase();
  resetApiRateLimits();
  await seed();
  [huaxin, anda, clerk, auditor] = (await Promise.all(["admin@huaxin.example", "admin@anda.example", "clerk@bank.example", "auditor@bank.example"].map((e) => tokenFor(e)))) as [string, string, string, string];
  c = await custodyContract({ custodian: await asUser("admin@huaxin.example"), loans: 1, startsAt: new Date(Date.now() - 30 * 86_400_000), termMonths: 12 });
  loanNumber = c.loans[0]!.loanNumber;
});

describe("the OpenAPI document", () => {
  it("documents every operation of the area", async () => {
    const doc = await callApi(openApiLoader, "/openapi.json", null);
    const paths = doc.body.paths as Record<string, Record<string, { operationId: string }>>;
    const mine = Object.keys(paths).filter((p) => p.startsWith("/recoveries") || p.startsWith("/remittances"));
    for (const p of ["/recoveries", "/recoveries/{id}", "/recoveries/{id}/register", "/recoveries/{id}/verify", "/recoveries/{id}/reject", "/remittances", "/remittances/{id}", "/remittances/{id}/confirm", "/remittances/{id}/reject"]) {
      expect(mine).toContain(p);
    }
    expect(paths["/recoveries"]!.post!.operationId).toBe("reportRecovery");
    expect(paths["/remittances/{id}/confirm"]!.post!.operationId).toBe("confirmRemittance");
    expect(Object.keys(doc.body.components.schemas)).toEqual(expect.arrayContaining(["Recovery", "RecoveryRequest", "Remittance", "RemittanceCreated", "ConfirmRemittanceRequest"]));
  });
});

describe("recoveries", () => {
  it("report → register → verify, each answer as documented; the registration is one balanced entry", async () => {
    const created = await report();
    expect(created.status).toBe(201);
    const recovery = recoverySchema.parse(created.body);
    expect(recovery).toMatchObject({ number: expect.stringMatching(/^RCV-\d{4}-000001$/), status: "REPORTED", principal: "12000.00", interest: "500.00", amount: "12500.00", outstanding: "12500.00", evidence_file_name: "收据.pdf" });
    const params = { id: recovery.id };
    expect((await callApi(verifyAction, `/recoveries/${recovery.id}/verify`, auditor, { method: "POST", params })).status).toBe(409);
    const registered = await callApi(registerAction, `/recoveries/${recovery.id}/register`, clerk, { body: { register_reference: "DJ-1" }, params });
    expect(registered.status).toBe(200);
    expect(recoverySchema.parse(registered.body)).toMatchObject({ status: "REGISTERED", register_reference: "DJ-1" });
    const verified = await callApi(verifyAction, `/recoveries/${recovery.id}/verify`, auditor, { method: "POST", params });
    expect(verified.status).toBe(200);
    expect(recoverySchema.parse(verified.body).status).toBe("VERIFIED");
    const entry = await prisma.journalEntry.findFirstOrThrow({ where: { sourceType: "recovery", sourceId: recovery.id }, include: { lines: true } });
    expect(entry.lines.map((l) => [l.side, l.amount]).sort()).toEqual([["CREDIT", 1_250_000n], ["DEBIT", 1_250_000n]]);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("bad input is a 400 naming the field and changes nothing", async () => {
    const before = await prisma.recovery.count();
    const future = await report({ collected_on: addDays(todayInChina(new Date()), 1) });
    expect(future).toMatchObject({ status: 400, body: { error: { code: "settlement.recoveries.collectedInFuture", fields: { collected_on: [expect.stringContaining("不能晚于今天")] } } } });
    expect((await report({ principal: "1.234" })).body.error).toMatchObject({ code: "settlement.recoveries.amountInvalid", fields: { principal: expect.any(Array) } });
    expect((await report({ principal: "100000.01" })).body.error).toMatchObject({ code: "settlement.recoveries.overRecoveryPrincipal", details: { left: "100000.00" } });
    expect((await report({ evidence: { file_name: "x.pdf", content_base64: "not base64!" } })).body.error).toMatchObject({ code: "settlement.recoveries.invalidEvidence" });
    expect((await report({ payer: undefined })).status).toBe(400);
    expect((await callApi(reportAction, "/recoveries", huaxin, { body: "{not json" })).status).toBe(400);
    expect(await prisma.recovery.count()).toBe(before);
  });

  it("four eyes: who registered may not verify", async () => {
    await prisma.userRole.create({ data: { userId: (await asUser("auditor@bank.example")).id, role: "branch_clerk" } });
    const id = (await report()).body.id as string;
    expect((await callApi(registerAction, `/recoveries/${id}/register`, auditor, { body: { register_reference: "DJ-2" }, params: { id } })).status).toBe(200);
    const refused = await callApi(verifyAction, `/recoveries/${id}/verify`, auditor, { method: "POST", params: { id } });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: "settlement.recoveries.fourEyes" } } });
  });

  it("authorization: another agency gets 404 and an empty list; roles are checked", async () => {
    const id = (await report()).body.id as string;
    expect((await callApi(recoveryLoader, `/recoveries/${id}`, anda, { params: { id } })).status).toBe(404);
    expect(recoveryListSchema.parse((await callApi(listLoader, "/recoveries", anda)).body).items).toEqual([]);
    expect(recoveryListSchema.parse((await callApi(listLoader, "/recoveries?status=REPORTED", clerk)).body).items.map((r) => r.id)).toEqual([id]);
    expect((await callApi(listLoader, "/recoveries?status=BOGUS", clerk)).status).toBe(400);
    expect((await report({}, anda)).status).toBe(404);
    expect((await report({}, clerk)).status).toBe(403);
    expect((await callApi(registerAction, `/recoveries/${id}/register`, huaxin, { body: { register_reference: "X" }, params: { id } })).status).toBe(403);
    expect((await callApi(rejectAction, `/recoveries/${id}/reject`, anda, { body: { reason: "x" }, params: { id } })).status).toBe(403);
    const rejected = await callApi(rejectAction, `/recoveries/${id}/reject`, clerk, { body: { reason: "凭证不清" }, params: { id } });
    expect(recoverySchema.parse(rejected.body)).toMatchObject({ status: "REJECTED", rejection_reason: "凭证不清", outstanding: "0.00" });
  });
});

describe("remittances", () => {
  it("declare a bank transfer, the branch confirms it; another agency gets 404; a rejected one says why", async () => {
    const id = (await report()).body.id as string;
    const declared = await callApi(declareAction, "/remittances", huaxin, { body: { contract_id: c.contract.id, amount: "12,500", method: "bank_transfer", recovery_ids: [id], payer_reference: "LS-9" } });
    expect(declared.status).toBe(201);
    const remittance = remittanceCreatedSchema.parse(declared.body);
    expect(remittance).toMatchObject({ status: "DECLARED", amount: "12500.00", method: "BANK_TRANSFER", client_secret: null, named_recoveries: [{ id }] });
    const params = { id: remittance.id };
    expect((await callApi(remittanceLoader, `/remittances/${remittance.id}`, anda, { params })).status).toBe(404);
    expect(remittanceListSchema.parse((await callApi(remittancesLoader, "/remittances", anda)).body).items).toEqual([]);
    expect((await callApi(declareAction, "/remittances", anda, { body: { contract_id: c.contract.id, amount: "1", method: "bank_transfer", payer_reference: "x" } })).status).toBe(404);

    const early = await callApi(confirmAction, `/remittances/${remittance.id}/confirm`, clerk, { body: { voucher_number: "PZ-1", remitted_on: daysAgo(11) }, params });
    expect(early).toMatchObject({ status: 400, body: { error: { code: "settlement.recoveries.remittance.remittedBeforeCollected", fields: { remitted_on: expect.any(Array) } } } });
    expect(await prisma.remittanceAllocation.count()).toBe(0);
    const confirmed = await callApi(confirmAction, `/remittances/${remittance.id}/confirm`, clerk, { body: { voucher_number: "PZ-1", remitted_on: daysAgo(3) }, params });
    expect(confirmed.status).toBe(200);
    expect(remittanceSchema.parse(confirmed.body)).toMatchObject({ status: "CONFIRMED", remitted_on: daysAgo(3), voucher_number: "PZ-1", allocations: [{ recovery_id: id, amount: "12500.00", remitted_on: daysAgo(3) }] });
    expect(recoverySchema.parse((await callApi(recoveryLoader, `/recoveries/${id}`, huaxin, { params: { id } })).body)).toMatchObject({ remitted: "12500.00", outstanding: "0.00" });

    // Nothing left: a second declaration is refused with what is open.
    const more = await callApi(declareAction, "/remittances", huaxin, { body: { contract_id: c.contract.id, amount: "1", method: "bank_transfer", payer_reference: "x" } });
    expect(more).toMatchObject({ status: 400, body: { error: { code: "settlement.recoveries.remittance.amountAboveOutstanding", details: { open: "0.00" } } } });
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("the branch rejects a declared remittance; the custodian cannot confirm or reject", async () => {
    await report();
    const remittance = (await callApi(declareAction, "/remittances", huaxin, { body: { contract_id: c.contract.id, amount: "100", method: "bank_transfer", payer_reference: "LS" } })).body;
    const params = { id: remittance.id as string };
    expect((await callApi(confirmAction, `/remittances/${params.id}/confirm`, huaxin, { body: { voucher_number: "PZ", remitted_on: daysAgo(1) }, params })).status).toBe(403);
    expect((await callApi(rejectRemittanceAction, `/remittances/${params.id}/reject`, clerk, { body: { reason: "" }, params })).status).toBe(400);
    const rejected = await callApi(rejectRemittanceAction, `/remittances/${params.id}/reject`, clerk, { body: { reason: "未到账" }, params });
    expect(remittanceSchema.parse(rejected.body)).toMatchObject({ status: "REJECTED", rejection_reason: "未到账" });
  });
});
