import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { testResidentId } from "../fixtures/loans";
import { callApi, tokenFor } from "../support/api-client";
import { resetDatabase } from "../support/reset-db";
import { asUser } from "../support/users";
import { addDays, todayInChina } from "~/domain/calendar";
import { resetApiRateLimits } from "~/infra/api.server";
import { prisma } from "~/infra/db.server";
import { custodyWorkApi } from "~/services/api/openapi-custody-work";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { loader as listLoader } from "~/routes/api.v1.custody.loans";
import { loader as loanLoader } from "~/routes/api.v1.custody.loans.$loanNumber";
import { action as activityAction, loader as activityLoader } from "~/routes/api.v1.custody.loans.$loanNumber.activities";
/* eslint-enable no-restricted-imports */

// The workbench over /api/v1 (issue 7, item 6): the custodian's loans, one loan in full (logged,
// 404 for anyone else), and activities with the conduct rules (a refusal is a 422 naming the rule).
// These run on the real clock: custody started 30 days ago for 12 months.

const idNumber = testResidentId(77);
const yesterday = () => addDays(todayInChina(new Date()), -1);
let huaxin: string;
let anda: string;
let officer: string;
let c: CustodyFixture;
let loanNumber: string;

const activities = (n = loanNumber) => `/custody/loans/${n}/activities`;
const post = (body: unknown) => callApi(activityAction, activities(), huaxin, { body, params: { loanNumber } });

beforeEach(async () => {
  resetDatabase();
  resetApiRateLimits();
  await seed();
  [huaxin, anda, officer] = await Promise.all(["admin@huaxin.example", "admin@anda.example", "officer@bank.example"].map((e) => tokenFor(e))) as [string, string, string];
  c = await custodyContract({
    custodian: await asUser("admin@huaxin.example"), loans: 1, startsAt: new Date(Date.now() - 30 * 86_400_000), termMonths: 12,
    loan: () => ({ borrowerName: "王小明", borrowerIdNumber: idNumber, phone: "13912345678" }),
  });
  loanNumber = c.loans[0]!.loanNumber;
});

describe("GET /custody/loans", () => {
  it("lists the custodian's loans (masked), nothing for another agency, 403 for the department", async () => {
    const mine = await callApi(listLoader, "/custody/loans", huaxin);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ loan_number: loanNumber, contract_number: c.contract.number, borrower: "王*明", open_agreement: false })]);
    expect((await callApi(listLoader, "/custody/loans", anda)).body.items).toEqual([]);
    expect((await callApi(listLoader, "/custody/loans", officer)).status).toBe(403);
    expect((await callApi(listLoader, "/custody/loans", null)).status).toBe(401);
  });
});

describe("GET /custody/loans/{loan_number}", () => {
  it("gives the custodian the borrower in full and logs the read; another agency gets the 404 of an unknown loan", async () => {
    const full = await callApi(loanLoader, `/custody/loans/${loanNumber}`, huaxin, { params: { loanNumber } });
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ loan_number: loanNumber, borrower_name: "王小明", borrower_id_number: idNumber, phone: "13912345678" });
    expect(full.body.conduct).toMatchObject({ quiet_hours_from: "22:00", quiet_hours_until: "08:00", max_contacts_per_day: 3, effective_contacts_today: 0 });
    expect(full.headers.get("Cache-Control")).toContain("no-store");
    const other = await callApi(loanLoader, `/custody/loans/${loanNumber}`, anda, { params: { loanNumber } });
    expect([other.status, other.body.error.code]).toEqual([404, "custody.loanNotFound"]);
    expect(JSON.stringify(other.body)).not.toContain(idNumber);
    const entries = await prisma.auditEntry.findMany({ where: { action: "custody.loan.view" } });
    expect(entries.map((e) => e.actorLabel)).toEqual(["admin@huaxin.example"]);
  });
});

describe("POST /custody/loans/{loan_number}/activities", () => {
  it("records a call at 10:00 China time yesterday (201) and lists it", async () => {
    const at = `${yesterday()}T10:00:00+08:00`;
    const created = await post({ kind: "call", party: "debtor", at, effective: true, outcome: "承诺月底还款" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: "call", party: "debtor", effective: true, at: new Date(at).toISOString(), interruption: null });
    const list = await callApi(activityLoader, activities(), huaxin, { params: { loanNumber } });
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
  });

  it("refuses a call at 22:30 China time with 422 custody.conduct.quietHours and the hours; records nothing but the attempt", async () => {
    const refused = await post({ kind: "call", party: "debtor", at: `${yesterday()}T22:30:00+08:00`, effective: true });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: "custody.conduct.quietHours", details: { from: "22:00", until: "08:00" } });
    expect(refused.body.error.message).toContain("22:00");
    expect(await prisma.collectionActivity.count()).toBe(0);
    expect(await prisma.auditEntry.count({ where: { action: "custody.contact.refused" } })).toBe(1);
  });

  it("refuses a third party (422) and the 4th effective contact of a day (422 with the limit)", async () => {
    expect((await post({ kind: "visit", party: "third_party", at: `${yesterday()}T10:00:00+08:00` })).body.error.code).toBe("custody.conduct.notAParty");
    for (const hour of ["09", "10", "11"]) expect((await post({ kind: "sms", party: "debtor", at: `${yesterday()}T${hour}:00:00+08:00`, effective: true })).status).toBe(201);
    const fourth = await post({ kind: "sms", party: "debtor", at: `${yesterday()}T12:00:00+08:00`, effective: true });
    expect([fourth.status, fourth.body.error.code, fourth.body.error.details.limit]).toEqual([422, "custody.conduct.dailyLimit", 3]);
  });

  it("takes a signed receipt as base64: a PENDING interruption dated the China day", async () => {
    const receipt = Buffer.from("%PDF-1.4\n% signed receipt\n%%EOF\n").toString("base64");
    const created = await post({ kind: "collection_notice", party: "debtor", at: `${yesterday()}T15:00:00+08:00`, evidence: { file_name: "回执.pdf", content_base64: receipt } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ evidence_file_name: "回执.pdf", interruption: { kind: "notice_receipt", status: "PENDING", occurred_on: yesterday() } });
    const bad = await post({ kind: "lawsuit", evidence: { file_name: "x.pdf", content_base64: "not base64!" } });
    expect([bad.status, bad.body.error.code]).toEqual([400, "custody.activity.invalidEvidence"]);
  });

  it("refuses bad input with 400 and other agencies with 404", async () => {
    expect((await post({ kind: "fax" })).status).toBe(400);
    expect((await post({ kind: "call", party: "debtor", at: "yesterday" })).status).toBe(400);
    const other = await callApi(activityAction, activities(), anda, { body: { kind: "lawsuit" }, params: { loanNumber } });
    expect([other.status, other.body.error.code]).toEqual([404, "custody.loanNotFound"]);
  });
});

describe("OpenAPI", () => {
  it("the custody work area documents its operations and its schemas convert to JSON Schema", () => {
    const helpers = { ref: (name: string) => ({ $ref: `#/components/schemas/${name}` }), json: (schema: unknown) => schema, errors: () => ({}), queryParameters: () => [] };
    const paths = custodyWorkApi.paths(helpers);
    expect(Object.keys(paths).sort()).toEqual(["/custody/loans", "/custody/loans/{loan_number}", "/custody/loans/{loan_number}/activities"]);
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(custodyWorkApi.schemas)) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(custodyWorkApi.schemas).sort());
    const refs = JSON.stringify(paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect([...Object.keys(custodyWorkApi.schemas), "Error"]).toContain(ref.split("/").pop());
  });
});
