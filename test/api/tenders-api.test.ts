import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { seed } from "../../prisma/seed";
import { closedTender } from "../fixtures/tender-awards";
import { createApprovedPackage, createPublishedTender, registerAndPay } from "../fixtures/tenders";
import { callApi, tokenFor } from "../support/api-client";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { installStripeFake } from "../support/stripe-fake";
import { asUser } from "../support/users";
import { resetApiRateLimits } from "~/infra/api.server";
import { prisma } from "~/infra/db.server";
import { tendersApi } from "~/services/api/openapi-tenders";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { action as acceptAwardAction } from "~/routes/api.v1.awards.$id.accept";
import { action as refundConfirmAction } from "~/routes/api.v1.deposits.$id.refund-confirm";
import { action as reserveApprovalAction } from "~/routes/api.v1.lots.$id.reserve-approval";
import { action as refundsAction } from "~/routes/api.v1.tenders.$id.refunds";
import { action as retenderAction } from "~/routes/api.v1.tenders.$id.retender";
import { action as confirmDepositAction } from "~/routes/api.v1.deposits.$id.confirm";
import { loader as notificationsLoader } from "~/routes/api.v1.notifications";
import { action as markReadAction } from "~/routes/api.v1.notifications.read";
import { action as createTenderAction, loader as listTendersLoader } from "~/routes/api.v1.tenders";
import { loader as getTenderLoader } from "~/routes/api.v1.tenders.$id";
import { action as depositAction } from "~/routes/api.v1.tenders.$id.deposit";
import { action as bidAction, loader as bidLoader } from "~/routes/api.v1.tenders.$id.lots.$lotId.bids";
import { action as publishAction } from "~/routes/api.v1.tenders.$id.publish";
import { action as registerAction } from "~/routes/api.v1.tenders.$id.registration";
/* eslint-enable no-restricted-imports */

// Publishing schedules the lots' close jobs: the queue records them instead of running them.
const { calls } = installRecordingQueue();

// Stripe deposits go to the local Stripe stripe.fake.
const stripe = installStripeFake();

const hour = 60 * 60 * 1000;
let officer: string;
let bidder: string;

beforeEach(async () => {
  resetDatabase();
  await seed();
  resetApiRateLimits();
  officer = await tokenFor("officer@bank.example");
  bidder = await tokenFor("bidder@bank.example");
});

/** POST /tenders/{id}/lots/{lotId}/bids with an Idempotency-Key (none when `key` is null). */
async function bid(token: string, tenderId: string, lotId: string, amount: string, key: string | null) {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  if (key !== null) headers["Idempotency-Key"] = key;
  const request = new Request(`http://localhost/api/v1/tenders/${tenderId}/lots/${lotId}/bids`, { method: "POST", headers, body: JSON.stringify({ amount }) });
  const response = await bidAction({ request, params: { id: tenderId, lotId }, context: {} });
  expect(response.headers.get("Content-Type")).toMatch(/application\/json/);
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("/api/v1/tenders: create, publish, register, deposit", () => {
  it("an officer creates and publishes; a bidder registers and declares a bank transfer that finance confirms", async () => {
    const pkg = await createApprovedPackage({ prefix: "API-T" });
    const now = Date.now();
    const input = {
      title: "API 竞标", package_ids: [pkg.id], audience: "BOTH",
      registration_opens_at: new Date(now - 24 * hour).toISOString(), registration_closes_at: new Date(now + 24 * hour).toISOString(),
      auction_starts_at: new Date(now - hour).toISOString(), auction_ends_at: new Date(now + 48 * hour).toISOString(),
    };

    expect((await callApi(listTendersLoader, "/tenders", null)).status).toBe(401);
    const refused = await callApi(createTenderAction, "/tenders", bidder, { body: input });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    const invalid = await callApi(createTenderAction, "/tenders", officer, { body: { ...input, title: "" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ code: "invalid_input", fields: { title: [expect.any(String)] } });

    const created = await callApi(createTenderAction, "/tenders", officer, { body: input });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: "API 竞标", status: "DRAFT", number: null, audience: "BOTH", bid_deposit: expect.stringMatching(/^\d+\.\d{2}$/) });
    expect(created.body.lots).toMatchObject([{ lot_number: 1, package_id: pkg.id, reserve: "40000.00", high_bid: null, status: "OPEN" }]);
    const id = created.body.id as string;
    // Bidders do not see drafts.
    expect((await callApi(getTenderLoader, `/tenders/${id}`, bidder, { params: { id } })).body.error.code).toBe("auction.tender.notFound");

    expect((await callApi(publishAction, `/tenders/${id}/publish`, bidder, { params: { id }, method: "POST" })).status).toBe(403);
    const published = await callApi(publishAction, `/tenders/${id}/publish`, officer, { params: { id }, method: "POST" });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ id, status: "PUBLISHED", number: expect.stringMatching(/^TND-\d{4}-\d{3}$/), notified: expect.any(Number) });
    const again = await callApi(publishAction, `/tenders/${id}/publish`, officer, { params: { id }, method: "POST" });
    expect([again.status, again.body.error.code]).toEqual([409, "auction.tender.notDraft"]);

    const list = await callApi(listTendersLoader, "/tenders", bidder);
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([id]);

    const registered = await callApi(registerAction, `/tenders/${id}/registration`, bidder, { params: { id }, method: "POST" });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ tender_id: id, bidder_kind: "STAFF", qualified: false, deposits: [] });
    expect((await callApi(registerAction, `/tenders/${id}/registration`, bidder, { params: { id }, method: "POST" })).status).toBe(200);

    const badMethod = await callApi(depositAction, `/tenders/${id}/deposit`, bidder, { params: { id }, body: { method: "cash" } });
    expect(badMethod.status).toBe(400);
    const declared = await callApi(depositAction, `/tenders/${id}/deposit`, bidder, { params: { id }, body: { method: "bank_transfer" } });
    expect(declared.status).toBe(200);
    expect(declared.body).toMatchObject({ method: "BANK_TRANSFER", status: "DECLARED", client_secret: null, amount: created.body.bid_deposit });
    const depositId = declared.body.id as string;

    expect((await callApi(confirmDepositAction, `/deposits/${depositId}/confirm`, bidder, { params: { id: depositId }, body: { voucher_number: "V-1" } })).status).toBe(403);
    const finance = await tokenFor("finance@bank.example");
    const noVoucher = await callApi(confirmDepositAction, `/deposits/${depositId}/confirm`, finance, { params: { id: depositId }, body: { voucher_number: " " } });
    expect(noVoucher.status).toBe(400);
    const confirmed = await callApi(confirmDepositAction, `/deposits/${depositId}/confirm`, finance, { params: { id: depositId }, body: { voucher_number: "PZ-2026-0001" } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: depositId, status: "CONFIRMED", voucher_number: "PZ-2026-0001", confirmed_at: expect.any(String) });
    const twice = await callApi(confirmDepositAction, `/deposits/${depositId}/confirm`, finance, { params: { id: depositId }, body: { voucher_number: "PZ-2026-0001" } });
    expect([twice.status, twice.body.error.code]).toEqual([409, "auction.deposit.alreadyConfirmed"]);

    const mine = await callApi(getTenderLoader, `/tenders/${id}`, bidder, { params: { id } });
    expect(mine.status).toBe(200);
    expect(mine.body.bidder).toMatchObject({ eligible: true, qualified: true, registration: { deposits: [{ id: depositId, status: "CONFIRMED" }] } });
    expect(mine.body.registrations).toBeNull();
    const staff = await callApi(getTenderLoader, `/tenders/${id}`, officer, { params: { id } });
    expect(staff.body.registrations).toHaveLength(1);
    expect(staff.body.bidder).toBeNull();
  });
});

describe("POST /api/v1/tenders/{id}/deposit with Stripe", () => {
  it("returns the PaymentIntent's client secret to the bidder, AWAITING_PAYMENT; asking again returns the same deposit", async () => {
    stripe.fake.reset();
    const { tenderId } = await createPublishedTender();
    expect((await callApi(depositAction, `/tenders/${tenderId}/deposit`, bidder, { params: { id: tenderId }, body: { method: "stripe" } })).body.error.code).toBe("auction.deposit.notRegistered");
    await callApi(registerAction, `/tenders/${tenderId}/registration`, bidder, { params: { id: tenderId }, method: "POST" });
    const started = await callApi(depositAction, `/tenders/${tenderId}/deposit`, bidder, { params: { id: tenderId }, body: { method: "stripe", methods: ["card", "alipay"] } });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ method: "STRIPE", status: "AWAITING_PAYMENT", client_secret: expect.any(String) });
    const again = await callApi(depositAction, `/tenders/${tenderId}/deposit`, bidder, { params: { id: tenderId }, body: { method: "stripe" } });
    expect(again.body.id).toBe(started.body.id);
    // Staff see the deposit, never its client secret.
    const staff = await callApi(getTenderLoader, `/tenders/${tenderId}`, officer, { params: { id: tenderId } });
    expect(staff.body.registrations[0].deposits).toMatchObject([{ id: started.body.id, client_secret: null }]);
  });
});

describe("POST /api/v1/tenders/{id}/lots/{lotId}/bids", () => {
  it("accepts (201), replays the same Idempotency-Key (200), refuses without a key, below the minimum and without a deposit; GET shows the high bid and aliases", async () => {
    const now = new Date();
    const { tenderId, lotIds } = await createPublishedTender({ now: new Date(now.getTime() - 60_000) });
    const lotId = lotIds[0]!;
    await registerAndPay("bidder@bank.example", tenderId);
    await registerAndPay("bidder2@bank.example", tenderId);
    const bidder2 = await tokenFor("bidder2@bank.example");

    const before = await callApi(getTenderLoader, `/tenders/${tenderId}`, bidder, { params: { id: tenderId } });
    expect(before.status).toBe(200);
    const minimum = before.body.lots[0].state.next_minimum as string;
    expect(before.body.lots[0]).toMatchObject({ id: lotId, reserve: "40000.00", high_bid: null, state: { open: true, my_status: "none", history: [] } });

    const missing = await bid(bidder, tenderId, lotId, minimum, null);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "auction.bid.idempotencyKeyRequired", message: expect.stringContaining("Idempotency-Key") });

    const low = await bid(bidder, tenderId, lotId, "100.00", "k-low");
    expect(low.status).toBe(409);
    expect(low.body.error.code).toBe("auction.refused.below_minimum");
    // The minimum is in the details too, for programs: bid again at it without reading the state.
    expect(low.body.error.details).toEqual({ minimum: expect.stringMatching(/^\d+\.\d{2}$/) });

    const agency = await tokenFor("admin@huaxin.example");
    const unpaid = await bid(agency, tenderId, lotId, minimum, "k-agency");
    expect(unpaid.status).toBe(403);
    expect(unpaid.body.error.code).toBe("auction.refused.not_qualified");

    const accepted = await bid(bidder, tenderId, lotId, minimum, "k-1");
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ status: "accepted", bid: { lot_id: lotId, amount: minimum }, alias: "竞买人1", bid_count: 1 });
    const replay = await bid(bidder, tenderId, lotId, minimum, "k-1");
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ status: "replayed", bid: { id: accepted.body.bid.id } });
    expect(await prisma.bid.count({ where: { lotId } })).toBe(1);
    const conflict = await bid(bidder, tenderId, lotId, accepted.body.next_minimum, "k-1");
    expect([conflict.status, conflict.body.error.code]).toEqual([409, "auction.bid.idempotencyConflict"]);

    const higher = await bid(bidder2, tenderId, lotId, accepted.body.next_minimum, "k-2");
    expect(higher.status).toBe(201);
    expect(higher.body.alias).toBe("竞买人2");

    const state = await callApi(getTenderLoader, `/tenders/${tenderId}`, bidder, { params: { id: tenderId } });
    expect(state.body.lots[0]).toMatchObject({
      high_bid: accepted.body.next_minimum, bid_count: 2,
      state: { high_bid_alias: "竞买人2", my_status: "outbid", my_alias: "竞买人1", bidders: 2, next_minimum: higher.body.next_minimum },
    });
    expect(state.body.lots[0].state.history.map((h: { alias: string; amount: string; mine: boolean }) => [h.alias, h.amount, h.mine])).toEqual([
      ["竞买人2", accepted.body.next_minimum, false],
      ["竞买人1", minimum, true],
    ]);

    const elsewhere = await bid(bidder, tenderId, "no-such-lot", higher.body.next_minimum, "k-3");
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, "auction.bid.lotNotFound"]);
    expect((await callApi(bidLoader, `/tenders/${tenderId}/lots/${lotId}/bids`, bidder, { params: { id: tenderId, lotId } })).status).toBe(405);
    expect((await callApi(bidAction, `/tenders/${tenderId}/lots/${lotId}/bids`, null, { params: { id: tenderId, lotId }, body: { amount: "1.00" } })).status).toBe(401);
  });
});

describe("awards, refunds and re-tender", () => {
  it("the winner accepts (refunds queued), finance refunds and confirms the offline refund, an officer re-tenders and an approver approves the lower reserve", async () => {
    const [bidderUser, bidder2User] = [await asUser("bidder@bank.example"), await asUser("bidder2@bank.example")];
    const t = await closedTender({
      closedAt: new Date(Date.now() - hour), deposit: 5_000_000n, bidders: [bidderUser, bidder2User],
      lots: [{ price: 30_000_000n, bids: [[bidder2User, 30_000_000n], [bidderUser, 31_000_000n]] }, { price: 20_000_000n, bids: [] }],
    });
    const awardId = t.lots[0]!.awardId!;
    const bidder2 = await tokenFor("bidder2@bank.example");
    const finance = await tokenFor("finance@bank.example");

    const notYours = await callApi(acceptAwardAction, `/awards/${awardId}/accept`, bidder2, { params: { id: awardId }, method: "POST" });
    expect([notYours.status, notYours.body.error.code]).toEqual([403, "auction.award.notYours"]);
    const early = await callApi(refundsAction, `/tenders/${t.tenderId}/refunds`, finance, { params: { id: t.tenderId }, method: "POST" });
    expect([early.status, early.body.error.code]).toEqual([409, "auction.refund.notDecided"]);

    calls.length = 0;
    const accepted = await callApi(acceptAwardAction, `/awards/${awardId}/accept`, bidder, { params: { id: awardId }, method: "POST" });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ award_id: awardId, lot_id: t.lots[0]!.lotId, tender_id: t.tenderId, status: "ACCEPTED", price: "310000.00", tender_decided: true });
    expect(calls.filter((c) => c.name === "tenders.refundDeposits").map((c) => c.payload)).toEqual([{ tenderId: t.tenderId }]);

    expect((await callApi(refundsAction, `/tenders/${t.tenderId}/refunds`, bidder, { params: { id: t.tenderId }, method: "POST" })).status).toBe(403);
    const run = await callApi(refundsAction, `/tenders/${t.tenderId}/refunds`, finance, { params: { id: t.tenderId }, method: "POST" });
    expect(run.status).toBe(200);
    const loserDeposit = t.registrations["bidder2@bank.example"]!.depositId;
    expect(run.body.requested).toEqual([{ deposit_id: loserDeposit, bidder_key: t.registrations["bidder2@bank.example"]!.bidderKey, method: "BANK_TRANSFER", amount: "50000.00" }]);
    expect(run.body.kept).toEqual([{ bidder_key: t.registrations["bidder@bank.example"]!.bidderKey, deposit_id: t.registrations["bidder@bank.example"]!.depositId }]);

    const noVoucher = await callApi(refundConfirmAction, `/deposits/${loserDeposit}/refund-confirm`, finance, { params: { id: loserDeposit }, body: {} });
    expect([noVoucher.status, noVoucher.body.error.code]).toEqual([400, "invalid_input"]);
    const refunded = await callApi(refundConfirmAction, `/deposits/${loserDeposit}/refund-confirm`, finance, { params: { id: loserDeposit }, body: { voucher: "TK-0001" } });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ id: loserDeposit, status: "REFUNDED", refund_voucher: "TK-0001" });
    const twice = await callApi(refundConfirmAction, `/deposits/${loserDeposit}/refund-confirm`, finance, { params: { id: loserDeposit }, body: { voucher: "TK-0001" } });
    expect([twice.status, twice.body.error.code]).toEqual([409, "auction.refund.alreadyRefunded"]);

    const unsoldLot = t.lots[1]!.lotId;
    expect((await callApi(retenderAction, `/tenders/${t.tenderId}/retender`, bidder, { params: { id: t.tenderId }, body: { lot_ids: [unsoldLot] } })).status).toBe(403);
    const sold = await callApi(retenderAction, `/tenders/${t.tenderId}/retender`, officer, { params: { id: t.tenderId }, body: { lot_ids: [t.lots[0]!.lotId] } });
    expect([sold.status, sold.body.error.code]).toEqual([409, "auction.retender.lotNotReturnable"]);
    const retender = await callApi(retenderAction, `/tenders/${t.tenderId}/retender`, officer, { params: { id: t.tenderId }, body: { lot_ids: [unsoldLot], reserves: { [unsoldLot]: "150000.00" } } });
    expect(retender.status).toBe(201);
    expect(retender.body.lots).toMatchObject([{ from_lot_id: unsoldLot, reserve: "200000.00", requested_reserve: "150000.00" }]);
    const newLot = retender.body.lots[0].lot_id as string;

    expect((await callApi(reserveApprovalAction, `/lots/${newLot}/reserve-approval`, officer, { params: { id: newLot }, method: "POST" })).status).toBe(403);
    const approved = await callApi(reserveApprovalAction, `/lots/${newLot}/reserve-approval`, await tokenFor("approver@bank.example"), { params: { id: newLot }, method: "POST" });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: newLot, tender_id: retender.body.tender_id, reserve: "150000.00" });
  });
});

describe("/api/v1/notifications", () => {
  it("lists the token user's notifications and marks them read", async () => {
    await createPublishedTender();
    const list = await callApi(notificationsLoader, "/notifications", bidder);
    expect(list.status).toBe(200);
    expect(list.body.unread).toBeGreaterThan(0);
    expect(list.body.items[0]).toMatchObject({ message_key: "auction.notify.tenderPublished", text: expect.any(String), read_at: null });
    const marked = await callApi(markReadAction, "/notifications/read", bidder, { body: { all: true } });
    expect(marked.body.updated).toBe(list.body.unread);
    expect((await callApi(notificationsLoader, "/notifications?unread_only=true", bidder)).body).toMatchObject({ items: [], unread: 0 });
    expect((await callApi(notificationsLoader, "/notifications", null)).status).toBe(401);
  });
});

describe("OpenAPI", () => {
  it("the tenders area documents every operation and its schemas convert to JSON Schema", () => {
    const helpers = { ref: (name: string) => ({ $ref: `#/components/schemas/${name}` }), json: (schema: unknown) => schema, errors: () => ({}), queryParameters: () => [] };
    const paths = tendersApi.paths(helpers);
    expect(Object.keys(paths).sort()).toEqual([
      "/awards/{id}/accept", "/deposits/{id}/confirm", "/deposits/{id}/refund-confirm", "/lots/{id}/reserve-approval", "/notifications", "/notifications/read",
      "/tenders", "/tenders/{id}", "/tenders/{id}/deposit", "/tenders/{id}/lots/{lotId}/bids", "/tenders/{id}/publish", "/tenders/{id}/refunds",
      "/tenders/{id}/registration", "/tenders/{id}/retender",
    ]);
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of Object.entries(tendersApi.schemas)) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(tendersApi.schemas).sort());
    const refs = JSON.stringify(paths).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect([...Object.keys(tendersApi.schemas), "Error"]).toContain(ref.split("/").pop());
  });
});
