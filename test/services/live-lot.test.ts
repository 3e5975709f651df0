import { beforeEach, describe, expect, it } from "vitest";
import { freshTenderCast, qualifyBidder, tenderWithLots } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { startSession } from "~/infra/session.server";
/* eslint-disable no-restricted-imports -- the route tests call the loader and action directly (as bidding.test.ts does) */
import { action as lotAction, loader as lotLoader } from "~/routes/tenders.$tenderId_.lots.$lotId";
import { action as notificationsAction, loader as notificationsLoader } from "~/routes/notifications";
/* eslint-enable no-restricted-imports */
import { placeBid } from "~/services/tenders/bidding.server";
import { liveLotPage } from "~/services/tenders/live-lot.server";
import { closeLot } from "~/services/tenders/lot-close.server";
import { markReadFormSchema, safeNotificationLink, unreadNotificationCount } from "~/services/tenders/notification-bell.server";
import { notify } from "~/services/tenders/notifications.server";

const ctx = systemContext("test");
const HOUR = 3_600_000;
installRecordingQueue();

let bidder: AuthUser;
let bidder2: AuthUser;
let officer: AuthUser;

beforeEach(async () => {
  ({ bidder, bidder2, officer } = await freshTenderCast());
});

/** A published tender whose lots are open now (started an hour ago, close in two hours). */
async function openTender(opts: { reserves?: bigint[]; audience?: string } = {}) {
  const now = Date.now();
  return tenderWithLots({ startsAt: new Date(now - HOUR), closesAt: new Date(now + 2 * HOUR), ...opts });
}

async function cookieOf(user: AuthUser): Promise<string> {
  return (await startSession(user.id, new Request("http://localhost/"))).split(";")[0]!;
}

function post(url: string, cookie: string, fields: Record<string, string>): Request {
  return new Request(`http://localhost${url}`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams(fields) });
}

/** A route's `data(...)` answer: its value and status. */
function answerOf<T>(result: unknown): { value: T; status: number } {
  const r = result as { data: T; init?: { status?: number } | null };
  return { value: r.data, status: r.init?.status ?? 200 };
}

describe("liveLotPage", () => {
  it("gives a qualified bidder the lot's state with the form, and the officer a watch-only view", async () => {
    const { tender, lots: [lot] } = await openTender();
    await qualifyBidder(bidder, tender.id, new Date());
    await qualifyBidder(bidder2, tender.id, new Date());
    await placeBid(ctx, bidder2, lot!.id, { amount: "100000", idempotencyKey: "a" });

    const page = await liveLotPage(bidder, tender.id, lot!.id);
    expect(page.ability).toEqual({ kind: "can_bid" });
    expect(page.outcome).toEqual({ kind: "open" });
    expect(page.tender).toMatchObject({ id: tender.id, status: "PUBLISHED", antiSnipingMinutes: 5 });
    expect(page.lot).toMatchObject({ lotId: lot!.id, open: true, highBid: 10_000_000n, highBidAlias: "竞买人1", myStatus: "none", nextMinimum: 10_100_000n, bidders: 1 });
    expect(page.serverTime).toBeInstanceOf(Date);

    expect((await liveLotPage(officer, tender.id, lot!.id)).ability).toEqual({ kind: "watch_only" });
  });

  it("says why a bidder cannot bid: not registered, deposit not confirmed, not eligible", async () => {
    const { tender, lots: [lot] } = await openTender();
    expect((await liveLotPage(bidder, tender.id, lot!.id)).ability).toEqual({ kind: "not_registered" });

    const registration = await prisma.tenderRegistration.create({
      data: { tenderId: tender.id, bidderKey: `user:${bidder.id}`, bidderKind: "STAFF", userId: bidder.id, organizationId: bidder.organizationId },
    });
    await prisma.bidDeposit.create({ data: { registrationId: registration.id, method: "BANK_TRANSFER", amount: 500_000n, status: "DECLARED" } });
    expect((await liveLotPage(bidder, tender.id, lot!.id)).ability).toEqual({ kind: "not_qualified" });

    const agencyOnly = await openTender({ audience: "AGENCY" });
    // A staff bidder may not even watch an agency-only tender's lot.
    const hidden = await refusal(liveLotPage(bidder, agencyOnly.tender.id, agencyOnly.lots[0]!.id));
    expect([hidden.key, hidden.status]).toEqual(["auction.bid.lotNotFound", 404]);

    await prisma.user.update({ where: { id: bidder.id }, data: { employmentStatus: "RESIGNED" } });
    const ability = (await liveLotPage(bidder, tender.id, lot!.id)).ability;
    expect(ability.kind).toBe("not_eligible");
    expect(ability.kind === "not_eligible" && ability.reasonsText.length > 0).toBe(true);
  });

  it("is a 404 for a lot of another tender", async () => {
    const a = await openTender();
    const b = await openTender();
    const error = await refusal(liveLotPage(bidder, a.tender.id, b.lots[0]!.id));
    expect([error.key, error.status]).toEqual(["auction.bid.lotNotFound", 404]);
  });

  it("after the close: the winner's price and alias (mine for the winner), or unsold", async () => {
    const { tender, lots: [sold, unsold] } = await openTender({ reserves: [10_000_000n, 20_000_000n] });
    await qualifyBidder(bidder, tender.id, new Date());
    await qualifyBidder(bidder2, tender.id, new Date());
    await placeBid(ctx, bidder, sold!.id, { amount: "100000", idempotencyKey: "a" });
    await placeBid(ctx, bidder2, sold!.id, { amount: "101000", idempotencyKey: "b" });
    const after = new Date(Date.now() + 3 * HOUR);
    await closeLot(sold!.id, after);
    await closeLot(unsold!.id, after);

    const winner = await liveLotPage(bidder2, tender.id, sold!.id);
    expect(winner.outcome).toMatchObject({ kind: "awarded", status: "AWAITING_SIGNATURE", price: 10_100_000n, alias: "竞买人2", mine: true });
    expect(winner.outcome.kind === "awarded" && winner.outcome.deadline).toBeInstanceOf(Date);
    expect((await liveLotPage(bidder, tender.id, sold!.id)).outcome).toMatchObject({ kind: "awarded", alias: "竞买人2", mine: false });
    expect((await liveLotPage(officer, tender.id, unsold!.id)).outcome).toEqual({ kind: "unsold", status: "UNSOLD" });
  });
});

describe("the live lot route", () => {
  it("loader: the page for a lot of the tender, 404 otherwise", async () => {
    const { tender, lots: [lot] } = await openTender();
    const other = await openTender();
    const cookie = await cookieOf(bidder);
    const page = await lotLoader({ request: new Request("http://localhost/", { headers: { Cookie: cookie } }), params: { tenderId: tender.id, lotId: lot!.id }, context: {} });
    expect(page.lot.lotId).toBe(lot!.id);
    const missing = await lotLoader({
      request: new Request("http://localhost/", { headers: { Cookie: cookie } }), params: { tenderId: tender.id, lotId: other.lots[0]!.id }, context: {},
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Response);
    expect((missing as Response).status).toBe(404);
  });

  it("action: accepted, the same attempt again is replayed, a low bid is refused with the minimum, nothing written", async () => {
    const { tender, lots: [lot] } = await openTender();
    await qualifyBidder(bidder, tender.id, new Date());
    await qualifyBidder(bidder2, tender.id, new Date());
    const url = `/tenders/${tender.id}/lots/${lot!.id}`;
    const params = { tenderId: tender.id, lotId: lot!.id };
    const cookie = await cookieOf(bidder);

    const first = answerOf<{ outcome: string; replayed: boolean; amount: bigint; alias: string }>(
      await lotAction({ request: post(url, cookie, { amount: "100000.00", idempotency_key: "attempt-1" }), params, context: {} }),
    );
    expect(first.status).toBe(200);
    expect(first.value).toMatchObject({ outcome: "accepted", replayed: false, amount: 10_000_000n, alias: "竞买人1" });

    const again = answerOf<{ outcome: string; replayed: boolean }>(
      await lotAction({ request: post(url, cookie, { amount: "100000.00", idempotency_key: "attempt-1" }), params, context: {} }),
    );
    expect(again.value).toMatchObject({ outcome: "accepted", replayed: true });
    expect(await prisma.bid.count({ where: { lotId: lot!.id } })).toBe(1);

    const low = answerOf<{ outcome: string; key: string; params: Record<string, string>; values: Record<string, string> }>(
      await lotAction({ request: post(url, await cookieOf(bidder2), { amount: "100500", idempotency_key: "attempt-2" }), params, context: {} }),
    );
    expect(low.status).toBe(409);
    expect(low.value).toMatchObject({ outcome: "refused", key: "auction.refused.below_minimum", params: { minimum: "101000.00" }, values: { amount: "100500" } });

    const noKey = answerOf<{ key: string }>(await lotAction({ request: post(url, cookie, { amount: "200000" }), params, context: {} }));
    expect([noKey.status, noKey.value.key]).toEqual([422, "auction.bid.idempotencyKeyRequired"]);

    const other = await openTender();
    const elsewhere = answerOf<{ key: string }>(
      await lotAction({ request: post(url, cookie, { amount: "200000", idempotency_key: "x" }), params: { tenderId: tender.id, lotId: other.lots[0]!.id }, context: {} }),
    );
    expect([elsewhere.status, elsewhere.value.key]).toEqual([404, "auction.bid.lotNotFound"]);
    expect(await prisma.bid.count()).toBe(1);
  });
});

describe("notifications", () => {
  it("counts the unread ones; the page lists them and marks one or all read, only the reader's own", async () => {
    await prisma.$transaction((tx) => notify(tx, [bidder.id], "auction.bid.outbid", { lotNumber: 1, tender: "TND-2026-001", amount: "101000.00", nextMinimum: "102000.00" }, "/tenders/x"));
    await prisma.$transaction((tx) => notify(tx, [bidder.id, bidder2.id], "auction.lot.lost", { lotNumber: 2, tender: "TND-2026-001", price: "5.00" }, null));
    expect(await unreadNotificationCount(bidder.id)).toBe(2);
    expect(await unreadNotificationCount(bidder2.id)).toBe(1);

    const cookie = await cookieOf(bidder);
    const list = await notificationsLoader({ request: new Request("http://localhost/notifications", { headers: { Cookie: cookie } }), params: {}, context: {} });
    expect(list.unread).toBe(2);
    expect(list.items.map((n) => n.read)).toEqual([false, false]);
    expect(list.items.some((n) => n.text.includes("TND-2026-001") && n.link === "/tenders/x")).toBe(true);

    const othersId = (await prisma.notification.findFirstOrThrow({ where: { userId: bidder2.id } })).id;
    const ignored = answerOf<{ changed: number }>(await notificationsAction({ request: post("/notifications", cookie, { intent: "read", id: othersId }), params: {}, context: {} }));
    expect(ignored.value.changed).toBe(0);
    expect(await unreadNotificationCount(bidder2.id)).toBe(1);

    const one = answerOf<{ changed: number }>(await notificationsAction({ request: post("/notifications", cookie, { intent: "read", id: list.items[0]!.id }), params: {}, context: {} }));
    expect(one.value.changed).toBe(1);
    expect(await unreadNotificationCount(bidder.id)).toBe(1);

    const bad = answerOf<{ formError: string }>(await notificationsAction({ request: post("/notifications", cookie, { intent: "delete" }), params: {}, context: {} }));
    expect([bad.status, bad.value.formError]).toEqual([400, "form.invalidChoice"]);
    expect(await unreadNotificationCount(bidder.id)).toBe(1);

    const all = answerOf<{ changed: number }>(await notificationsAction({ request: post("/notifications", cookie, { intent: "all" }), params: {}, context: {} }));
    expect(all.value.changed).toBe(1);
    expect(await unreadNotificationCount(bidder.id)).toBe(0);
    expect(await unreadNotificationCount(bidder2.id)).toBe(1);
    const unreadOnly = await notificationsLoader({ request: new Request("http://localhost/notifications?unread=1", { headers: { Cookie: cookie } }), params: {}, context: {} });
    expect(unreadOnly.items).toEqual([]);
  });

  it("the form schema and the link filter", () => {
    expect(markReadFormSchema.safeParse({ intent: "read", id: "" }).success).toBe(false);
    expect(markReadFormSchema.safeParse({ intent: "all" }).success).toBe(true);
    expect(safeNotificationLink("/tenders/1")).toBe("/tenders/1");
    expect(safeNotificationLink("//evil.example/")).toBeNull();
    expect(safeNotificationLink("https://evil.example/")).toBeNull();
    expect(safeNotificationLink(null)).toBeNull();
  });
});
