import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshTenderCast, qualifyBidder, tenderWithLots } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { startSession } from "~/infra/session.server";
// eslint-disable-next-line no-restricted-imports -- the route test calls the loader directly (as limitation.test.ts does)
import { loader as lotEventsLoader } from "~/routes/tenders.$tenderId.lots.$lotId.events";
import { bidderKeyOf, lotStates, placeBid } from "~/services/tenders/bidding.server";
import { closeLot } from "~/services/tenders/lot-close.server";

const ctx = systemContext("test");
const MIN = 60_000;
const close = new Date("2026-11-24T08:00:00Z");
const start = new Date("2026-11-24T06:00:00Z");
const during = new Date("2026-11-24T07:00:00Z");
const reserve = 10_000_000n; // ¥100,000.00

const publishedTender = (opts: { reserves?: bigint[]; startsAt?: Date; closesAt?: Date; audience?: string } = {}) =>
  tenderWithLots({ startsAt: start, closesAt: close, ...opts });
const qualify = (user: AuthUser, tenderId: string) => qualifyBidder(user, tenderId, start);

// The close job is moved on extensions: the queue records it instead of running it.
const { calls } = installRecordingQueue();

let bidder: AuthUser;
let bidder2: AuthUser;

beforeEach(async () => {
  ({ bidder, bidder2 } = await freshTenderCast());
  calls.length = 0;
});
afterEach(() => {
  calls.length = 0;
});

const bid = (user: AuthUser, lotId: string, amount: string, key: string, now = during) => placeBid(ctx, user, lotId, { amount, idempotencyKey: key }, now);

describe("placeBid: R3 with worked numbers", () => {
  it("reserve ¥100,000: ¥99,999.99 below minimum, ¥100,000 accepted, next minimum ¥101,000, ¥100,999.99 refused", async () => {
    const { tender, lots: [lot] } = await publishedTender();
    await qualify(bidder, tender.id);
    await qualify(bidder2, tender.id);

    const low = await refusal(bid(bidder, lot!.id, "99999.99", "k1"));
    expect(low.key).toBe("auction.refused.below_minimum");
    expect(low.status).toBe(409);
    expect(low.options.params).toEqual({ minimum: "100000.00" });

    const first = await bid(bidder, lot!.id, "100000", "k2");
    expect(first).toMatchObject({ status: "accepted", extended: false, nextMinimum: 10_100_000n, bidCount: 1, alias: "竞买人1" });
    expect(first.bid.amount).toBe(10_000_000n);
    expect(first.closesAt).toEqual(close);

    const short = await refusal(bid(bidder2, lot!.id, "100999.99", "k3"));
    expect(short.key).toBe("auction.refused.below_minimum");
    expect(short.options.params).toEqual({ minimum: "101000.00" });
    const own = await refusal(bid(bidder, lot!.id, "102000", "k4"));
    expect(own.key).toBe("auction.refused.own_high_bid");

    const second = await bid(bidder2, lot!.id, "101000.00", "k5");
    expect(second).toMatchObject({ status: "accepted", nextMinimum: 10_200_000n, bidCount: 2, alias: "竞买人2" });
    const row = await prisma.tenderLot.findUniqueOrThrow({ where: { id: lot!.id } });
    expect(row).toMatchObject({ highBid: 10_100_000n, highBidderKey: bidderKeyOf(bidder2), highBidId: second.bid.id, bidCount: 2, version: 3 });
    expect(await prisma.auditEntry.count({ where: { action: "bid.place", entityId: lot!.id } })).toBe(2);

    const bad = await refusal(bid(bidder2, lot!.id, "12.345", "k6"));
    expect([bad.key, bad.status]).toEqual(["auction.refused.invalid_amount", 422]);
  });

  it("refuses the unqualified, the ineligible, before the start and from the close on", async () => {
    const { tender, lots: [lot] } = await publishedTender();
    await qualify(bidder, tender.id);
    const unpaid = await refusal(bid(bidder2, lot!.id, "100000", "a"));
    expect([unpaid.key, unpaid.status]).toEqual(["auction.refused.not_qualified", 403]);

    const president = await asUser("president@bank.example");
    await qualify(president, tender.id);
    const excluded = await refusal(bid(president, lot!.id, "100000", "b"));
    expect([excluded.key, excluded.status]).toEqual(["auction.refused.not_eligible", 403]);
    expect(String(excluded.options.params?.reasons)).toContain("行长");

    const early = await refusal(bid(bidder, lot!.id, "100000", "c", new Date(start.getTime() - 1)));
    expect(early.key).toBe("auction.refused.not_open");
    const atClose = await refusal(bid(bidder, lot!.id, "100000", "d", close));
    expect(atClose.key).toBe("auction.refused.closed");
    expect(await prisma.bid.count()).toBe(0);

    const other = await publishedTender({ audience: "STAFF" });
    const agency = await asUser("member@huaxin.example");
    await qualify(agency, other.tender.id);
    const audience = await refusal(bid(agency, other.lots[0]!.id, "100000", "e"));
    expect(audience.key).toBe("auction.refused.not_eligible");
  });

  it("answers below-minimum bids from the lot alone for a bidder seen qualified in the last 30 s; accepting always checks everything", async () => {
    const { tender, lots: [lot] } = await publishedTender();
    await qualify(bidder, tender.id);
    await qualify(bidder2, tender.id);
    await bid(bidder, lot!.id, "100000", "a", during);
    await bid(bidder2, lot!.id, "101000", "b", during);
    // The bidder is moved to an excluded position (行长) a moment later.
    await prisma.user.update({ where: { id: bidder.id }, data: { position: "行长" } });
    const at = (ms: number) => new Date(during.getTime() + ms);
    // Within 30 s: below the minimum (¥102,000) is still refused as below the minimum — true, and a refusal either way …
    const low = await refusal(bid(bidder, lot!.id, "101500", "c", at(20_000)));
    expect([low.key, low.options.params?.minimum]).toEqual(["auction.refused.below_minimum", "102000.00"]);
    // … but a bid that could be accepted goes through every check.
    expect((await refusal(bid(bidder, lot!.id, "102000", "d", at(21_000)))).key).toBe("auction.refused.not_eligible");
    // That full check forgot the bidder's standing: now the reason is not_eligible, below the minimum too.
    expect((await refusal(bid(bidder, lot!.id, "101500", "e", at(22_000)))).key).toBe("auction.refused.not_eligible");
    expect(await prisma.bid.count()).toBe(2);
  });

  it("refuses bids once the lot is closed, even before its time", async () => {
    const { tender, lots: [lot] } = await publishedTender();
    await qualify(bidder, tender.id);
    await bid(bidder, lot!.id, "100000", "x");
    await closeLot(lot!.id, close);
    const late = await refusal(bid(bidder2, lot!.id, "200000", "y", during));
    expect(late.key).toBe("auction.refused.closed");
  });
});

describe("placeBid: atomic and idempotent", () => {
  it("20 concurrent bids from 4 bidders: accepted amounts strictly increase, none lost or counted twice", async () => {
    const { tender, lots: [lot] } = await publishedTender();
    const bidders = [bidder, bidder2, await asUser("retiree@bank.example"), await asUser("member@huaxin.example")];
    for (const b of bidders) await qualify(b, tender.id);
    // Pairs race for the same amount: ¥100,000, ¥100,000, ¥101,000, ¥101,000, …
    const attempts = Array.from({ length: 20 }, (_, i) => ({ user: bidders[i % 4]!, amount: `${100_000 + Math.floor(i / 2) * 1_000}`, key: `c-${i}` }));
    const outcomes = await Promise.all(
      attempts.map((a) =>
        bid(a.user, lot!.id, a.amount, a.key).then(
          (r) => ({ ok: true as const, r }),
          (e: unknown) => ({ ok: false as const, e }),
        ),
      ),
    );
    const accepted = outcomes.flatMap((o) => (o.ok ? [o.r] : []));
    for (const o of outcomes) {
      if (!o.ok) expect(["auction.refused.below_minimum", "auction.refused.own_high_bid"]).toContain((o.e as { key?: string }).key);
    }
    expect(accepted.length).toBeGreaterThan(1);
    expect(accepted.every((r) => r.status === "accepted")).toBe(true);

    const inOrder = await prisma.$queryRaw<{ amount: bigint }[]>`SELECT "amount" FROM "Bid" WHERE "lotId" = ${lot!.id} ORDER BY rowid`;
    const amounts = inOrder.map((b) => BigInt(b.amount));
    expect(amounts.length).toBe(accepted.length);
    for (let i = 1; i < amounts.length; i++) expect(amounts[i]! >= amounts[i - 1]! + 100_000n).toBe(true);
    expect(new Set(amounts).size).toBe(amounts.length);
    const row = await prisma.tenderLot.findUniqueOrThrow({ where: { id: lot!.id } });
    expect(row.bidCount).toBe(accepted.length);
    expect(row.highBid).toBe(amounts.at(-1));
    expect(new Set(accepted.map((r) => r.bid.id)).size).toBe(accepted.length);
  });

  it("a retry with the same key returns the first answer; the key with another amount is refused", async () => {
    const { tender, lots: [lot] } = await publishedTender();
    await qualify(bidder, tender.id);
    await qualify(bidder2, tender.id);
    const first = await bid(bidder, lot!.id, "100000", "same-key");
    // Concurrent duplicates too (a double submit): one bid.
    const [again, twice] = await Promise.all([bid(bidder, lot!.id, "100000.00", "same-key"), bid(bidder, lot!.id, "¥100,000", "same-key")]);
    for (const replay of [again, twice]) {
      expect(replay.status).toBe("replayed");
      expect(replay.bid.id).toBe(first.bid.id);
      expect(replay.closesAt).toEqual(first.closesAt);
      expect(replay.nextMinimum).toBe(first.nextMinimum);
    }
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: lot!.id } })).bidCount).toBe(1);
    const reused = await refusal(bid(bidder, lot!.id, "105000", "same-key"));
    expect([reused.key, reused.status]).toEqual(["auction.bid.idempotencyConflict", 409]);
    // Keys are per bidder: another bidder may use the same one.
    expect((await bid(bidder2, lot!.id, "101000", "same-key")).status).toBe("accepted");
    expect(await prisma.bid.count()).toBe(2);
    const missing = await refusal(bid(bidder, lot!.id, "102000", " "));
    expect(missing.key).toBe("auction.bid.idempotencyKeyRequired");
  });
});

describe("anti-sniping", () => {
  it("a bid 4:59 before the close moves it to now + 5:00 and the close job with it; 5:01 before does not", async () => {
    const { tender, lots: [late, early] } = await publishedTender({ reserves: [reserve, reserve] });
    await qualify(bidder, tender.id);

    const at459 = new Date(close.getTime() - 4 * MIN - 59_000);
    const extended = await bid(bidder, late!.id, "100000", "e1", at459);
    expect(extended.extended).toBe(true);
    expect(extended.closesAt).toEqual(new Date(at459.getTime() + 5 * MIN));
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: late!.id } })).closesAt).toEqual(extended.closesAt);
    expect(extended.bid).toMatchObject({ extended: true, closesAtAfter: extended.closesAt });
    expect(calls).toEqual([{ op: "reschedule", name: "tenders.closeLot", jobId: `tenders.closeLot__${late!.id}`, payload: { lotId: late!.id }, delayMs: 5 * MIN }]);

    calls.length = 0;
    const at501 = new Date(close.getTime() - 5 * MIN - 1_000);
    const kept = await bid(bidder, early!.id, "100000", "e2", at501);
    expect(kept.extended).toBe(false);
    expect(kept.closesAt).toEqual(close);
    expect(calls).toEqual([]);
  });
});

describe("lotStates and live events", () => {
  it("shows 竞买人1/竞买人2, my status, the next minimum and the server time", async () => {
    const { tender, lots: [lot] } = await publishedTender();
    await qualify(bidder, tender.id);
    await qualify(bidder2, tender.id);
    await bid(bidder, lot!.id, "100000", "s1", new Date(during.getTime()));
    await bid(bidder2, lot!.id, "101000", "s2", new Date(during.getTime() + 1_000));
    await bid(bidder, lot!.id, "102500", "s3", new Date(during.getTime() + 2_000));

    const mine = await lotStates(bidder, tender.id, during);
    const state = mine.lots[0]!;
    expect(state).toMatchObject({
      lotId: lot!.id, reserve, highBid: 10_250_000n, highBidAlias: "竞买人1", bidCount: 3, bidders: 2, nextMinimum: 10_350_000n,
      increment: 100_000n, myStatus: "leading", myAlias: "竞买人1", open: true, closesAt: close, serverTime: during,
    });
    expect(state.history.map((h) => [h.alias, h.amount, h.mine])).toEqual([
      ["竞买人1", 10_250_000n, true],
      ["竞买人2", 10_100_000n, false],
      ["竞买人1", 10_000_000n, true],
    ]);
    expect((await lotStates(bidder2, tender.id, during)).lots[0]).toMatchObject({ myStatus: "outbid", myAlias: "竞买人2" });
    const retiree = await asUser("retiree@bank.example");
    expect((await lotStates(retiree, tender.id, during)).lots[0]).toMatchObject({ myStatus: "none", myAlias: null });
    const officer = await asUser("officer@bank.example");
    expect((await lotStates(officer, tender.id, during)).lots[0]!.bidCount).toBe(3);
    const finance = await asUser("finance@bank.example");
    await expect(lotStates(finance, tender.id, during)).rejects.toBeInstanceOf(Response);
  });

  it("the SSE route streams text/event-stream and a published bid.accepted reaches the reader", async () => {
    const { tender, lots: [lot] } = await publishedTender({ closesAt: new Date(Date.now() + 3_600_000), startsAt: new Date(Date.now() - 3_600_000) });
    await qualify(bidder, tender.id);
    const cookie = (await startSession(bidder2.id, new Request("http://localhost/"))).split(";")[0]!;
    const abort = new AbortController();
    const request = new Request(`http://localhost/tenders/${tender.id}/lots/${lot!.id}/events`, { headers: { Cookie: cookie }, signal: abort.signal });
    const response = (await lotEventsLoader({ request, params: { tenderId: tender.id, lotId: lot!.id }, context: {} })) as Response;
    expect(response.headers.get("Content-Type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 5_000;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`no ${needle} in ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil("event: ready");
    const placed = await placeBid(ctx, bidder, lot!.id, { amount: "100000", idempotencyKey: "sse" });
    await readUntil("event: bid.accepted");
    const frame = text.slice(text.indexOf("event: bid.accepted"));
    const data = JSON.parse(/data: (.*)\n/.exec(frame)![1]!) as Record<string, unknown>;
    expect(data).toMatchObject({ lotId: lot!.id, amount: "100000.00", alias: "竞买人1", bidCount: 1, nextMinimum: "101000.00" });
    expect(text).toContain(`id: ${placed.bid.id}`);
    abort.abort();
    await reader.cancel().catch(() => undefined);

    // Someone the tender is not open to gets a 404.
    const staffOnly = await publishedTender({ audience: "STAFF" });
    const agency = await prisma.user.findUniqueOrThrow({ where: { email: "member@huaxin.example" } });
    const agencyCookie = (await startSession(agency.id, new Request("http://localhost/"))).split(";")[0]!;
    const refused = await lotEventsLoader({
      request: new Request("http://localhost/", { headers: { Cookie: agencyCookie } }),
      params: { tenderId: staffOnly.tender.id, lotId: staffOnly.lots[0]!.id },
      context: {},
    }).catch((e: unknown) => e);
    expect((refused as Response).status).toBe(404);
  });
});
