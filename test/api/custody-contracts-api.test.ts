// /api/v1 custody contracts (issue 7, items 1 and 6): the same services as the contract page, as an
// agency's or the bank's own systems call them.
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { generatedContract } from "../fixtures/custody-contracts";
import { freshTenderCast } from "../fixtures/tenders";
import { callApi, tokenFor } from "../support/api-client";
import { installRecordingQueue } from "../support/recording-queue";
import { installStripeFake } from "../support/stripe-fake";
import { resetApiRateLimits } from "~/infra/api.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { custodyContractsApi } from "~/services/api/openapi-custody-contracts";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as confirmAction } from "~/routes/api.v1.contract-deposits.$id.confirm";
import { action as listAction, loader as listLoader } from "~/routes/api.v1.contracts";
import { loader as getLoader } from "~/routes/api.v1.contracts.$id";
import { action as countersignAction } from "~/routes/api.v1.contracts.$id.countersign";
import { action as depositAction, loader as depositLoader } from "~/routes/api.v1.contracts.$id.deposit";
import { action as signAction, loader as signLoader } from "~/routes/api.v1.contracts.$id.sign";
/* eslint-enable no-restricted-imports */

installRecordingQueue();
const stripe = installStripeFake();

let bidder: AuthUser;
let agency: AuthUser;
let tokens: Record<"bidder" | "agency" | "member" | "other" | "officer" | "finance", string>;

beforeEach(async () => {
  ({ bidder, agency } = await freshTenderCast());
  resetApiRateLimits();
  stripe.fake.reset();
  tokens = {
    bidder: await tokenFor("bidder@bank.example"),
    agency: await tokenFor("admin@huaxin.example"),
    member: await tokenFor("member@huaxin.example"),
    other: await tokenFor("admin@anda.example"),
    officer: await tokenFor("officer@bank.example"),
    finance: await tokenFor("finance@bank.example"),
  };
});

/** A POST without a body, as the sign/countersign operations take, from a given address. */
async function post(handler: unknown, path: string, token: string, id: string, ip: string) {
  const request = new Request(`http://localhost/api/v1${path}`, {
    method: "POST", headers: { Authorization: `Bearer ${token}`, "X-Forwarded-For": `${ip}, 10.0.0.1`, "User-Agent": "agency-system/1.0" },
  });
  const response = await (handler as (a: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>)({ request, params: { id }, context: {} });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("/api/v1/contracts", () => {
  it("an agency signs, pays the ¥195,000 top-up by bank transfer, finance confirms, the department countersigns: custody starts", async () => {
    const c = (await generatedContract({ winner: agency, lots: [{ price: 30_000_000n, loans: 2 }], at: new Date() })).contracts[0]!;
    const mine = await generatedContract({ winner: bidder, lots: [{ price: 30_000_000n, loans: 1 }], at: new Date() });

    // Listing: the agency's users see the agency's contract only; another agency none; the department both.
    expect((await callApi(listLoader, "/contracts", tokens.member)).body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    expect((await callApi(listLoader, "/contracts", tokens.other)).body.items).toEqual([]);
    expect((await callApi(listLoader, "/contracts", tokens.officer)).body.items).toHaveLength(2);
    expect((await callApi(listAction, "/contracts", tokens.officer, { body: {} })).status).toBe(405);
    expect((await callApi(getLoader, `/contracts/${c.id}`, tokens.other, { params: { id: c.id } })).status).toBe(404);
    expect((await callApi(getLoader, `/contracts/${mine.contracts[0]!.id}`, tokens.agency, { params: { id: mine.contracts[0]!.id } })).status).toBe(404);

    const detail = await callApi(getLoader, `/contracts/${c.id}`, tokens.agency, { params: { id: c.id } });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      number: c.number, status: "AWAITING_SIGNATURE", custodian_kind: "AGENCY", winning_price: "300000.00", task: "300000.00",
      performance_deposit: "200000.00", bid_deposit_credit: "0.00", deposit_held: "0.00", top_up_owed: "200000.00", term_months: 24, settings_version: 1,
      loan_count: 2, signed: null, countersigned: null,
    });
    expect(detail.body.terms).toMatchObject({ kind: "agency", performanceDeposit: "20000000" });

    // Countersigning first is refused (signing order); a GET on sign is a 405.
    const early = await post(countersignAction, `/contracts/${c.id}/countersign`, tokens.officer, c.id, "198.51.100.2");
    expect([early.status, early.body.error.code]).toEqual([409, "custody.contract.notSignedYet"]);
    expect((await callApi(signLoader, `/contracts/${c.id}/sign`, tokens.agency, { params: { id: c.id } })).status).toBe(405);
    expect((await post(signAction, `/contracts/${c.id}/sign`, tokens.officer, c.id, "198.51.100.2")).status).toBe(403);

    const signed = await post(signAction, `/contracts/${c.id}/sign`, tokens.member, c.id, "203.0.113.9");
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ status: "AWAITING_COUNTERSIGNATURE", bid_deposit_credit: "5000.00", deposit_held: "5000.00", top_up_owed: "195000.00" });
    expect(signed.body.signed).toMatchObject({ ip: "203.0.113.9", user_agent: "agency-system/1.0" });

    const payroll = await callApi(depositAction, `/contracts/${c.id}/deposit`, tokens.agency, { body: { method: "payroll" }, params: { id: c.id } });
    expect([payroll.status, payroll.body.error.code]).toEqual([422, "custody.topup.payrollStaffOnly"]);
    expect((await callApi(depositAction, `/contracts/${c.id}/deposit`, tokens.agency, { body: { method: "cash" }, params: { id: c.id } })).status).toBe(400);
    const declared = await callApi(depositAction, `/contracts/${c.id}/deposit`, tokens.agency, { body: { method: "bank_transfer" }, params: { id: c.id } });
    expect(declared.status).toBe(200);
    expect(declared.body).toMatchObject({ method: "BANK_TRANSFER", amount: "195000.00", status: "DECLARED", client_secret: null });

    const noVoucher = await callApi(confirmAction, `/contract-deposits/${declared.body.id}/confirm`, tokens.finance, { body: { voucher_number: "" }, params: { id: declared.body.id } });
    expect(noVoucher.status).toBe(400);
    expect((await callApi(confirmAction, `/contract-deposits/${declared.body.id}/confirm`, tokens.agency, { body: { voucher_number: "X" }, params: { id: declared.body.id } })).status).toBe(403);
    const confirmed = await callApi(confirmAction, `/contract-deposits/${declared.body.id}/confirm`, tokens.finance, { body: { voucher_number: "BT-77" }, params: { id: declared.body.id } });
    expect(confirmed.body).toMatchObject({ status: "CONFIRMED", voucher_number: "BT-77" });

    const countersigned = await post(countersignAction, `/contracts/${c.id}/countersign`, tokens.officer, c.id, "198.51.100.2");
    expect(countersigned.status).toBe(200);
    expect(countersigned.body).toMatchObject({ status: "ACTIVE", deposit_held: "200000.00", top_up_owed: "0.00" });
    expect(countersigned.body.countersigned).toMatchObject({ ip: "198.51.100.2" });
    expect(countersigned.body.loans.map((l: { status: string }) => l.status)).toEqual(["IN_CUSTODY", "IN_CUSTODY"]);
    expect(new Date(countersigned.body.custody_ends_at).getTime() - new Date(countersigned.body.custody_starts_at).getTime()).toBeGreaterThan(700 * 86_400_000);

    const payments = await callApi(depositLoader, `/contracts/${c.id}/deposit`, tokens.officer, { params: { id: c.id } });
    expect(payments.body.items.map((p: { status: string }) => p.status)).toEqual(["CONFIRMED"]);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "contract.sign", entityId: c.id } });
    expect(audit.ip).toBe("203.0.113.9");
  });

  it("a staff contractor starts a Stripe top-up of ¥10,000: the client secret goes to the custodian only", async () => {
    const c = (await generatedContract({ winner: bidder, lots: [{ price: 30_000_000n }], at: new Date() })).contracts[0]!;
    await post(signAction, `/contracts/${c.id}/sign`, tokens.bidder, c.id, "203.0.113.10");
    const started = await callApi(depositAction, `/contracts/${c.id}/deposit`, tokens.bidder, { body: { method: "stripe", methods: ["card", "alipay"] }, params: { id: c.id } });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ method: "STRIPE", amount: "10000.00", status: "AWAITING_PAYMENT" });
    expect(started.body.client_secret).toMatch(/_secret_/);
    const asCustodian = await callApi(getLoader, `/contracts/${c.id}`, tokens.bidder, { params: { id: c.id } });
    const asOfficer = await callApi(getLoader, `/contracts/${c.id}`, tokens.officer, { params: { id: c.id } });
    expect(asCustodian.body.top_ups[0].client_secret).toMatch(/_secret_/);
    expect(asOfficer.body.top_ups[0].client_secret).toBeNull();
    const manual = await callApi(confirmAction, `/contract-deposits/${started.body.id}/confirm`, tokens.finance, { body: { voucher_number: "V" }, params: { id: started.body.id } });
    expect([manual.status, manual.body.error.code]).toEqual([409, "custody.topup.stripeByWebhookOnly"]);
  });
});

describe("OpenAPI", () => {
  it("the custody contracts area documents every operation and its schemas convert to JSON Schema", () => {
    const helpers = { ref: (name: string) => ({ $ref: `#/components/schemas/${name}` }), json: (schema: unknown) => schema, errors: () => ({}), queryParameters: () => [] };
    const paths = custodyContractsApi.paths(helpers);
    expect(Object.keys(paths).sort()).toEqual(["/contract-deposits/{id}/confirm", "/contracts", "/contracts/{id}", "/contracts/{id}/countersign", "/contracts/{id}/deposit", "/contracts/{id}/sign"]);
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(custodyContractsApi.schemas)) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(custodyContractsApi.schemas).sort());
    const refs = JSON.stringify(paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect([...Object.keys(custodyContractsApi.schemas), "Error"]).toContain(ref.split("/").pop());
  });
});
