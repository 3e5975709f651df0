import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { seed } from "../../prisma/seed";
import { custodyContract } from "../fixtures/custody";
import { callApi, tokenFor } from "../support/api-client";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { asUser } from "../support/users";
import { addDays, todayInChina } from "~/domain/calendar";
import { latestDueOn } from "~/domain/repayment-agreement";
import { resetApiRateLimits } from "~/infra/api.server";
import { prisma } from "~/infra/db.server";
import { custodyAgreementsApi } from "~/services/api/openapi-custody-agreements";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as paymentAction } from "~/routes/api.v1.custody.agreements.$id.payments";
import { action as recordAction, loader as viewLoader } from "~/routes/api.v1.custody.loans.$loanNumber.agreements";
import { loader as waiversLoader } from "~/routes/api.v1.custody.waivers";
import { action as decisionAction } from "~/routes/api.v1.custody.waivers.$id.decision";
/* eslint-enable no-restricted-imports */

// The API runs on the clock: custody started 30 days ago (24 months), the agreement was signed 5 days ago.
installRecordingQueue();

let custodian: string;
let otherAgency: string;
let officer: string;
let loanNumber: string;
let signedOn: string;
let today: string;

beforeEach(async () => {
  resetDatabase();
  await seed();
  resetApiRateLimits();
  custodian = await tokenFor("admin@huaxin.example");
  otherAgency = await tokenFor("admin@anda.example");
  officer = await tokenFor("officer@bank.example");
  const c = await custodyContract({
    custodian: await asUser("admin@huaxin.example"),
    startsAt: new Date(Date.now() - 30 * 86_400_000),
    // ¥100,000 of principal and ¥20,000 of interest owed.
    loan: () => ({ principal: 10_000_000n, interestOnBalance: 2_000_000n, interestOffBalance: 0n }),
  });
  loanNumber = c.loans[0]!.loanNumber;
  today = todayInChina(new Date());
  signedOn = addDays(today, -5);
});

const path = () => `/custody/loans/${loanNumber}/agreements`;
/** Two instalments, the second on the last day allowed (36 months), collecting `principal` + `interest` yuan each. */
const twoInstalments = (principal: string, interest: string, lastDue = latestDueOn(signedOn, 36)) => [
  { due_on: addDays(signedOn, 30), principal, interest },
  { due_on: lastDue, principal, interest },
];
const record = (token: string, body: unknown) => callApi(recordAction, path(), token, { body, params: { loanNumber } });
const view = (token: string) => callApi(viewLoader, path(), token, { params: { loanNumber } });

describe("repayment agreements over the API (R5)", () => {
  it("shows what is owed and the limits; another agency gets 404 for reading and recording", async () => {
    const mine = await view(custodian);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      loan_number: loanNumber, outstanding: { principal: "100000.00", interest: "20000.00" }, waived: { principal: "0.00", interest: "0.00" },
      max_months: 36, latest_due_on: latestDueOn(today, 36), agreements: [], missed_count: 0,
    });
    const theirs = await view(otherAgency);
    expect([theirs.status, theirs.body.error.code]).toEqual([404, "custody.loanNotFound"]);
    const recorded = await record(otherAgency, { signed_on: signedOn, instalments: twoInstalments("50000", "10000") });
    expect([recorded.status, recorded.body.error.code]).toEqual([404, "custody.loanNotFound"]);
    expect(await prisma.repaymentAgreement.count()).toBe(0);
  });

  it("records a full schedule ACTIVE; refuses 37 months naming the latest day, and a schedule asking ¥130,000 as new lending", async () => {
    const tooLong = await record(custodian, { signed_on: signedOn, instalments: twoInstalments("50000", "10000", addDays(latestDueOn(signedOn, 36), 1)) });
    expect([tooLong.status, tooLong.body.error.code]).toEqual([400, "custodyAgreements.problem.tooLong"]);
    expect(tooLong.body.error.details).toMatchObject({ latest: latestDueOn(signedOn, 36), maxMonths: 36 });
    expect(tooLong.body.error.message).toContain(latestDueOn(signedOn, 36));
    const lending = await record(custodian, { signed_on: signedOn, instalments: twoInstalments("50000", "15000") });
    expect([lending.status, lending.body.error.code]).toEqual([400, "custodyAgreements.problem.newLendingInterest"]);
    expect(lending.body.error.fields.instalments).toHaveLength(1);
    const badAmount = await record(custodian, { signed_on: signedOn, instalments: [{ due_on: addDays(signedOn, 30), principal: "1.234", interest: "0" }] });
    expect(badAmount.status).toBe(400);
    expect(await prisma.repaymentAgreement.count()).toBe(0);

    const ok = await record(custodian, { signed_on: signedOn, instalments: twoInstalments("50000", "10000") });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: "ACTIVE", waiver: null, scheduled: { principal: "100000.00", interest: "20000.00" }, max_months: 36 });
    const paid = await callApi(paymentAction, `/custody/agreements/${ok.body.agreement_id}/payments`, custodian, {
      body: { paid_on: today, amount: "12000.00" }, params: { id: ok.body.agreement_id },
    });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ agreement_id: ok.body.agreement_id, paid_on: today, amount: "12000.00" });
    const zero = await callApi(paymentAction, `/custody/agreements/${ok.body.agreement_id}/payments`, custodian, { body: { paid_on: today, amount: "0" }, params: { id: ok.body.agreement_id } });
    expect(zero.status).toBe(400);
    const theirs = await callApi(paymentAction, `/custody/agreements/${ok.body.agreement_id}/payments`, otherAgency, { body: { paid_on: today, amount: "1.00" }, params: { id: ok.body.agreement_id } });
    expect(theirs.status).toBe(404);
    expect((await view(custodian)).body.agreements[0]).toMatchObject({ status: "ACTIVE", paid_to_date: "12000.00" });
  });

  it("a ¥15,000 interest waiver takes effect only once the department approves it; a custodian cannot decide (403)", async () => {
    const requested = await record(custodian, { signed_on: signedOn, instalments: twoInstalments("50000", "2500"), reason: "债务人重病" });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ status: "PENDING_WAIVER", waiver: { status: "PENDING", principal: "0.00", interest: "15000.00" } });
    const waiverId: string = requested.body.waiver.id;
    expect((await view(custodian)).body).toMatchObject({ outstanding: { interest: "20000.00" }, waived: { interest: "0.00" }, pending_decision: true });

    expect((await callApi(waiversLoader, "/custody/waivers", custodian)).status).toBe(403);
    const queue = await callApi(waiversLoader, "/custody/waivers", officer);
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual([expect.objectContaining({ id: waiverId, loan_number: loanNumber, waiver: { principal: "0.00", interest: "15000.00" }, can_decide: true })]);

    const decide = (token: string, body: unknown) => callApi(decisionAction, `/custody/waivers/${waiverId}/decision`, token, { body, params: { id: waiverId } });
    expect((await decide(custodian, { decision: "approve" })).status).toBe(403);
    const noNote = await decide(officer, { decision: "reject" });
    expect([noNote.status, noNote.body.error.code]).toEqual([400, "custodyAgreements.waiver.noteRequired"]);
    expect((await decide(officer, { decision: "maybe" })).status).toBe(400);

    const approved = await decide(officer, { decision: "approve", note: "同意" });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "APPROVED", agreement_status: "ACTIVE", loan_number: loanNumber });
    expect((await view(custodian)).body).toMatchObject({ outstanding: { principal: "100000.00", interest: "5000.00" }, waived: { interest: "15000.00" }, pending_decision: false });
    const again = await decide(officer, { decision: "reject", note: "x" });
    expect([again.status, again.body.error.code]).toEqual([409, "custodyAgreements.waiver.alreadyDecided"]);
  });
});

describe("OpenAPI", () => {
  it("documents every agreement operation and its schemas convert to JSON Schema", () => {
    const helpers = { ref: (name: string) => ({ $ref: `#/components/schemas/${name}` }), json: (schema: unknown) => schema, errors: () => ({}), queryParameters: () => [] };
    const paths = custodyAgreementsApi.paths(helpers);
    expect(Object.keys(paths).sort()).toEqual(["/custody/agreements/{id}/payments", "/custody/loans/{loan_number}/agreements", "/custody/waivers", "/custody/waivers/{id}/decision"]);
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(custodyAgreementsApi.schemas)) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(custodyAgreementsApi.schemas).sort());
    const refs = JSON.stringify(paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect([...Object.keys(custodyAgreementsApi.schemas), "Error"]).toContain(ref.split("/").pop());
  });
});
