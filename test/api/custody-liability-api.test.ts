import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { custodyContract } from "../fixtures/custody";
import { freshTenderCast } from "../fixtures/tenders";
import { callApi, tokenFor } from "../support/api-client";
import { installRecordingQueue } from "../support/recording-queue";
import { resetApiRateLimits } from "~/infra/api.server";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { custodyLiabilityApi } from "~/services/api/openapi-custody-liability";
import { detectLapses } from "~/services/custody/liability.server";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as applyAction, loader as applicationsLoader } from "~/routes/api.v1.custody.full-time-applications";
import { action as fullTimeDecisionAction, loader as fullTimeDecisionLoader } from "~/routes/api.v1.custody.full-time-applications.$id.decision";
import { action as assetLossAction, loader as eventsLoader } from "~/routes/api.v1.custody.liability-events";
import { action as decisionAction } from "~/routes/api.v1.custody.liability-events.$id.decision";
/* eslint-enable no-restricted-imports */

/** /api/v1 liability events and full-time applications (issue 7 items 2, 5, 6): the same rules as the services. */

const { calls } = installRecordingQueue();
// Custody from 2026-06-01 08:00 China time; the API runs at the real now (after the lapse below).
const startsAt = new Date("2026-06-01T00:00:00Z");
const yuan = (y: number) => BigInt(y) * 100n;

let bidder: AuthUser;
let agency: AuthUser;
let tokens: Record<"officer" | "bidder" | "agency" | "anda", string>;

beforeEach(async () => {
  ({ bidder, agency } = await freshTenderCast());
  resetApiRateLimits();
  calls.length = 0;
  tokens = {
    officer: await tokenFor("officer@bank.example"),
    bidder: await tokenFor("bidder@bank.example"),
    agency: await tokenFor("admin@huaxin.example"),
    anda: await tokenFor("admin@anda.example"),
  };
});

describe("liability events", () => {
  it("lists by viewer, refuses the custodian's decision (403), confirms for the department with the amounts in yuan", async () => {
    const c = await custodyContract({
      custodian: agency, startsAt, loans: 1, performanceDeposit: yuan(200_000),
      loan: () => ({ limitationExpiresOn: "2026-07-01", principal: yuan(180_000), interestOnBalance: yuan(40_000), interestOffBalance: 0n }),
    });
    await detectLapses(new Date(), systemContext("test"));

    const own = await callApi(eventsLoader, "/custody/liability-events", tokens.agency);
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(1);
    expect(own.body.items[0]).toMatchObject({ contract_id: c.contract.id, loan_number: c.loans[0]!.loanNumber, kind: "LIMITATION_LAPSE", occurred_on: "2026-07-01", status: "DETECTED", claim: null });
    expect((await callApi(eventsLoader, "/custody/liability-events", tokens.anda)).body.items).toHaveLength(0);
    expect((await callApi(eventsLoader, "/custody/liability-events?status=CONFIRMED", tokens.officer)).body.items).toHaveLength(0);
    const id = own.body.items[0].id as string;

    const refused = await callApi(decisionAction, `/custody/liability-events/${id}/decision`, tokens.agency, { body: { decision: "confirm" }, params: { id } });
    expect(refused.status).toBe(403);
    const noNote = await callApi(decisionAction, `/custody/liability-events/${id}/decision`, tokens.officer, { body: { decision: "dismiss" }, params: { id } });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.fields.note).toBeDefined();

    const confirmed = await callApi(decisionAction, `/custody/liability-events/${id}/decision`, tokens.officer, { body: { decision: "confirm", note: "核实属实" }, params: { id } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: "CONFIRMED", forfeit: "0.00", compensation: "220000.00", from_deposit: "200000.00", claim: "20000.00", decision_note: "核实属实" });
    expect(confirmed.body.entry_id).toEqual(expect.any(String));
    const again = await callApi(decisionAction, `/custody/liability-events/${id}/decision`, tokens.officer, { body: { decision: "dismiss", note: "x" }, params: { id } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("custody.liability.alreadyDecided");
  });

  it("the department records an asset loss (201); the custodian may not (403); a day before custody is refused (422)", async () => {
    const c = await custodyContract({ custodian: bidder, startsAt, loans: 1 });
    const body = { contract_id: c.contract.id, loan_id: c.loans[0]!.id, occurred_on: "2026-09-01", note: "抵债车辆被盗" };
    expect((await callApi(assetLossAction, "/custody/liability-events", tokens.bidder, { body })).status).toBe(403);
    const early = await callApi(assetLossAction, "/custody/liability-events", tokens.officer, { body: { ...body, occurred_on: "2026-05-20" } });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe("custody.liability.outsideTerm");
    const bad = await callApi(assetLossAction, "/custody/liability-events", tokens.officer, { body: { ...body, occurred_on: "2026-02-30" } });
    expect(bad.status).toBe(400);
    const created = await callApi(assetLossAction, "/custody/liability-events", tokens.officer, { body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: "ASSET_LOSS", status: "DETECTED", occurred_on: "2026-09-01", note: "抵债车辆被盗", custodian_kind: "STAFF" });
    expect(await prisma.liabilityEvent.count()).toBe(1);
  });
});

describe("full-time applications", () => {
  it("refused with 2 contracts (409 naming 2 and 3), applied with 3 (201), decided by the officer, never by the applicant", async () => {
    await custodyContract({ custodian: bidder, startsAt, loans: 1 });
    await custodyContract({ custodian: bidder, startsAt, loans: 1 });
    const tooFew = await callApi(applyAction, "/custody/full-time-applications", tokens.bidder, { body: { reason: "申请专职清收" } });
    expect(tooFew.status).toBe(409);
    expect(tooFew.body.error).toMatchObject({ code: "custody.fullTime.tooFew", details: { count: 2, threshold: 3 } });
    expect(tooFew.body.error.message).toContain("2");
    expect(tooFew.body.error.message).toContain("3");

    await custodyContract({ custodian: bidder, startsAt, loans: 1 });
    const applied = await callApi(applyAction, "/custody/full-time-applications", tokens.bidder, { body: { reason: "申请专职清收" } });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ status: "PENDING", contract_count: 3, user_id: bidder.id });
    const id = applied.body.id as string;
    expect((await callApi(applyAction, "/custody/full-time-applications", tokens.bidder, { body: { reason: "再次申请" } })).status).toBe(409);
    expect((await callApi(applyAction, "/custody/full-time-applications", tokens.agency, { body: { reason: "机构申请" } })).status).toBe(403);

    expect((await callApi(applicationsLoader, "/custody/full-time-applications", tokens.bidder)).body.items).toHaveLength(1);
    expect((await callApi(applicationsLoader, "/custody/full-time-applications", tokens.agency)).body.items).toHaveLength(0);
    expect((await callApi(applicationsLoader, "/custody/full-time-applications?status=PENDING", tokens.officer)).body.items).toHaveLength(1);

    const byApplicant = await callApi(fullTimeDecisionAction, `/custody/full-time-applications/${id}/decision`, tokens.bidder, { body: { decision: "approve" }, params: { id } });
    expect(byApplicant.status).toBe(403);
    expect((await callApi(fullTimeDecisionLoader, `/custody/full-time-applications/${id}/decision`, tokens.officer, { params: { id } })).status).toBe(405);
    const approved = await callApi(fullTimeDecisionAction, `/custody/full-time-applications/${id}/decision`, tokens.officer, { body: { decision: "approve" }, params: { id } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id, status: "APPROVED" });
  });
});

describe("OpenAPI", () => {
  it("the liability area documents its operations and its schemas convert to JSON Schema", () => {
    const helpers = { ref: (name: string) => ({ $ref: `#/components/schemas/${name}` }), json: (schema: unknown) => schema, errors: () => ({}), queryParameters: () => [] };
    const paths = custodyLiabilityApi.paths(helpers);
    expect(Object.keys(paths).sort()).toEqual([
      "/custody/full-time-applications", "/custody/full-time-applications/{id}/decision", "/custody/liability-events", "/custody/liability-events/{id}/decision",
    ]);
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(custodyLiabilityApi.schemas)) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(custodyLiabilityApi.schemas).sort());
    const refs = JSON.stringify(paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect([...Object.keys(custodyLiabilityApi.schemas), "Error"]).toContain(ref.split("/").pop());
  });
});
