import { beforeEach, describe, expect, it } from "vitest";
import { closedTender } from "../fixtures/tender-awards";
import { createApprovedPackage, createDraftTender, createPublishedTender, freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { callLoader, postForm } from "../support/routes";
import { installStripeFake } from "../support/stripe-fake";
import { asUser } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";

import { createRetender } from "~/services/tenders/retender.server";
/* eslint-disable no-restricted-imports -- these tests call the page loaders and actions directly, with a session cookie */
import { loader as listLoader } from "~/routes/tenders._index";
import { action as newAction, loader as newLoader } from "~/routes/tenders.new";
import { action as tenderAction, loader as tenderLoader } from "~/routes/tenders.$tenderId";
/* eslint-enable no-restricted-imports */

// Accepting the last award queues the refunds: recorded, not run.
const { calls } = installRecordingQueue();
// Stripe deposits: the API on loopback.
installStripeFake();

const ctx = systemContext("test");
let bidder: AuthUser;
let bidder2: AuthUser;

beforeEach(async () => {
  ({ bidder, bidder2 } = await freshTenderCast());
  calls.length = 0;
});

const load = callLoader;
const post = (handler: unknown, path: string, email: string, fields: [string, string][], params: Record<string, string> = {}) => postForm(handler, path, email, fields, { params });

const hour = 3600_000;
const local = (date: Date) => new Date(date.getTime() + 8 * hour).toISOString().slice(0, 16);

describe("/tenders and /tenders/new", () => {
  it("refuses a bad form field by field and saves nothing; a good one makes the draft", async () => {
    const pkg = await createApprovedPackage({ prefix: "RT-N" });
    const bad = await post(newAction, "/tenders/new", "officer@bank.example", [["title", " "], ["audience", "BOTH"], ["registration_opens_at", "2026-12-01T09:00"], ["registration_closes_at", "2026-11-30T09:00"]]);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.data!.fieldErrors)).toEqual(expect.arrayContaining(["title", "package_ids", "auction_starts_at", "auction_ends_at"]));
    expect(bad.data!.fieldErrors.title).toEqual(["auction.tender.titleRequired"]);
    expect(await prisma.tender.count()).toBe(0);

    const now = new Date();
    const good = await post(newAction, "/tenders/new", "officer@bank.example", [
      ["title", "第一期"], ["description", ""], ["package_ids", pkg.id], ["audience", "STAFF"], ["excluded_positions", "行长\n 副行长 \n"],
      ["registration_opens_at", local(now)], ["registration_closes_at", local(new Date(now.getTime() + 24 * hour))],
      ["auction_starts_at", local(new Date(now.getTime() + 25 * hour))], ["auction_ends_at", local(new Date(now.getTime() + 48 * hour))],
    ]);
    expect(good.status).toBe(302);
    const tender = await prisma.tender.findFirstOrThrow({ include: { lots: true } });
    expect(good.location).toBe(`/tenders/${tender.id}`);
    expect(tender).toMatchObject({ title: "第一期", audience: "STAFF", excludedPositions: JSON.stringify(["行长", "副行长"]), status: "DRAFT" });
    expect(tender.lots).toEqual([expect.objectContaining({ packageId: pkg.id, reserve: pkg.total, lotNumber: 1 })]);

    // The package is in a draft now: no longer offered; the list shows the draft to staff only.
    expect((await load(newLoader, "/tenders/new", "officer@bank.example")).data!.candidates).toEqual([]);
    expect((await load(listLoader, "/tenders", "officer@bank.example")).data!.tenders.map((t: { id: string }) => t.id)).toEqual([tender.id]);
    expect((await load(listLoader, "/tenders", "bidder@bank.example")).data!.tenders).toEqual([]);
  });

  it("is for tenders:manage only", async () => {
    expect((await load(newLoader, "/tenders/new", "bidder@bank.example")).status).toBe(403);
    expect((await post(newAction, "/tenders/new", "approver@bank.example", [["title", "x"]])).status).toBe(403);
  });
});

describe("/tenders/{id}", () => {
  it("officer publishes; bidder registers and declares a deposit; finance confirms it with a voucher", async () => {
    const { tenderId } = await createDraftTender({ packages: 1 });
    const path = `/tenders/${tenderId}`;
    const params = { tenderId };
    // Bidders do not see drafts.
    expect((await load(tenderLoader, path, "bidder@bank.example", params)).status).toBe(404);
    expect((await post(tenderAction, path, "officer@bank.example", [["intent", "publish"]], params)).status).toBe(302);
    expect((await prisma.tender.findUniqueOrThrow({ where: { id: tenderId } })).status).toBe("PUBLISHED");

    const before = await load(tenderLoader, path, "bidder@bank.example", params);
    expect(before.data!.bidder).toMatchObject({ eligible: true, registration: null, qualified: false });
    expect(before.data!.registrations).toBeNull();
    expect((await post(tenderAction, path, "bidder@bank.example", [["intent", "register"]], params)).status).toBe(302);

    const badMethod = await post(tenderAction, path, "bidder@bank.example", [["intent", "deposit"], ["method", "CASH"]], params);
    expect(badMethod).toMatchObject({ status: 400, data: { intent: "deposit", fieldErrors: { method: ["auction.deposit.invalidMethod"] } } });
    expect((await post(tenderAction, path, "bidder@bank.example", [["intent", "deposit"], ["method", "BANK_TRANSFER"]], params)).status).toBe(302);
    const deposit = await prisma.bidDeposit.findFirstOrThrow({ where: { registration: { tenderId } } });
    expect(deposit).toMatchObject({ method: "BANK_TRANSFER", status: "DECLARED" });

    // A bidder may not confirm; finance without a voucher is refused and nothing changes.
    const byBidder = await post(tenderAction, path, "bidder@bank.example", [["intent", "confirm-deposit"], ["target", deposit.id], ["deposit_id", deposit.id], ["voucher_number", "V1"]], params);
    expect(byBidder.data).toMatchObject({ formError: "auction.deposit.notFinance" });
    const noVoucher = await post(tenderAction, path, "finance@bank.example", [["intent", "confirm-deposit"], ["target", deposit.id], ["deposit_id", deposit.id], ["voucher_number", "  "]], params);
    expect(noVoucher).toMatchObject({ status: 400, data: { target: deposit.id, fieldErrors: { voucher_number: ["auction.deposit.voucherRequired"] } } });
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("DECLARED");

    // Finance sees the registration (no client secrets) and confirms.
    const staff = await load(tenderLoader, path, "finance@bank.example", params);
    expect(staff.data!.registrations).toHaveLength(1);
    expect(staff.data!.registrations[0].deposits[0]).not.toHaveProperty("clientSecret");
    expect(staff.data!.registrantNames[`user:${bidder.id}`]).toBe(bidder.displayName);
    const ok = await post(tenderAction, path, "finance@bank.example", [["intent", "confirm-deposit"], ["target", deposit.id], ["deposit_id", deposit.id], ["voucher_number", "PZ-001"]], params);
    expect(ok.status).toBe(302);
    expect(await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).toMatchObject({ status: "CONFIRMED", voucherNumber: "PZ-001" });
    expect((await load(tenderLoader, path, "bidder@bank.example", params)).data!.bidder.qualified).toBe(true);

    // Refunds are finance's, and only once every lot is decided.
    expect((await post(tenderAction, path, "bidder@bank.example", [["intent", "refunds"]], params)).status).toBe(403);
    expect((await post(tenderAction, path, "finance@bank.example", [["intent", "refunds"]], params)).data).toMatchObject({ formError: "auction.refund.notDecided" });
  });

  it("a deposit of another tender cannot be confirmed from this page", async () => {
    const a = await createPublishedTender({ packages: 1 });
    const b = await createPublishedTender({ packages: 1 });
    const user = await asUser("bidder2@bank.example");
    await post(tenderAction, `/tenders/${a.tenderId}`, user.email, [["intent", "register"]], { tenderId: a.tenderId });
    await post(tenderAction, `/tenders/${a.tenderId}`, user.email, [["intent", "deposit"], ["method", "PAYROLL"]], { tenderId: a.tenderId });
    const deposit = await prisma.bidDeposit.findFirstOrThrow({ where: { registration: { tenderId: a.tenderId } } });
    const wrong = await post(tenderAction, `/tenders/${b.tenderId}`, "finance@bank.example", [["intent", "confirm-deposit"], ["deposit_id", deposit.id], ["voucher_number", "V"]], { tenderId: b.tenderId });
    expect(wrong).toMatchObject({ status: 404, data: { formError: "auction.deposit.notFound" } });
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("DECLARED");
  });

  it("the winner accepts the award (refunds queued once every lot is decided); results show aliases to bidders", async () => {
    const closedAt = new Date(Date.now() - hour);
    const t = await closedTender({ closedAt, deposit: 500_000n, bidders: [bidder, bidder2], lots: [{ price: 30_000_000n, bids: [[bidder, 31_000_000n], [bidder2, 32_000_000n]] }] });
    const path = `/tenders/${t.tenderId}`;
    const params = { tenderId: t.tenderId };
    const view = await load(tenderLoader, path, "bidder2@bank.example", params);
    expect(view.data!.awards).toEqual([expect.objectContaining({ id: t.lots[0]!.awardId, status: "PENDING" })]);
    expect(view.data!.results[0]).toMatchObject({ price: 32_000_000n, bidders: 2, award: { alias: "竞买人2", name: null } });

    const notYours = await post(tenderAction, path, "bidder@bank.example", [["intent", "accept"], ["target", t.lots[0]!.awardId!], ["award_id", t.lots[0]!.awardId!]], params);
    expect(notYours.data).toMatchObject({ formError: "auction.award.notYours", target: t.lots[0]!.awardId });
    const accepted = await post(tenderAction, path, "bidder2@bank.example", [["intent", "accept"], ["award_id", t.lots[0]!.awardId!]], params);
    expect(accepted.status).toBe(302);
    expect((await prisma.lotAward.findUniqueOrThrow({ where: { id: t.lots[0]!.awardId! } })).status).toBe("ACCEPTED");
    expect(calls).toContainEqual(expect.objectContaining({ name: "tenders.refundDeposits", payload: { tenderId: t.tenderId } }));
  });

  it("re-tender with a lower reserve, then four-eyes approval", async () => {
    const closedAt = new Date(Date.now() - hour);
    const t = await closedTender({ closedAt, deposit: 500_000n, bidders: [bidder], lots: [{ price: 20_000_000n, bids: [] }] });
    const params = { tenderId: t.tenderId };
    const lotId = t.lots[0]!.lotId;
    const badReserve = await post(tenderAction, `/tenders/${t.tenderId}`, "officer@bank.example", [["intent", "retender"], ["lot_ids", lotId], [`reserve_${lotId}`, "abc"]], params);
    expect(badReserve).toMatchObject({ status: 400, data: { fieldErrors: { [`reserve_${lotId}`]: ["auction.retender.invalidReserve"] } } });
    const noLots = await post(tenderAction, `/tenders/${t.tenderId}`, "officer@bank.example", [["intent", "retender"]], params);
    expect(noLots.data!.fieldErrors.lot_ids).toEqual(["auction.retender.noLots"]);
    expect(await prisma.tender.count()).toBe(1);

    const made = await post(tenderAction, `/tenders/${t.tenderId}`, "officer@bank.example", [["intent", "retender"], ["lot_ids", lotId], [`reserve_${lotId}`, "150000.00"]], params);
    expect(made.status).toBe(302);
    const draft = await prisma.tender.findFirstOrThrow({ where: { retenderOfId: t.tenderId }, include: { lots: true } });
    expect(made.location).toBe(`/tenders/${draft.id}`);
    const newLot = draft.lots[0]!;
    expect(newLot).toMatchObject({ reserve: 20_000_000n, requestedReserve: 15_000_000n });

    const draftParams = { tenderId: draft.id };
    const publishRefused = await post(tenderAction, `/tenders/${draft.id}`, "officer@bank.example", [["intent", "publish"]], draftParams);
    expect(publishRefused.data).toMatchObject({ formError: "auction.retender.reservePending" });
    const approverView = await load(tenderLoader, `/tenders/${draft.id}`, "approver@bank.example", draftParams);
    expect(approverView.data!.pendingReserves).toEqual([expect.objectContaining({ lotId: newLot.id, mayApprove: true })]);
    expect((await post(tenderAction, `/tenders/${draft.id}`, "approver@bank.example", [["intent", "approve-reserve"], ["target", newLot.id], ["lot_id", newLot.id]], draftParams)).status).toBe(302);
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: newLot.id } })).reserve).toBe(15_000_000n);
  });

  it("an approver who asked for a lower reserve is refused (four eyes)", async () => {
    const closedAt = new Date(Date.now() - hour);
    const t = await closedTender({ closedAt, deposit: 500_000n, bidders: [bidder], lots: [{ price: 20_000_000n, bids: [] }] });
    // An approver who may also manage tenders asks for it themselves.
    const approver = await asUser("approver@bank.example");
    const both = { ...approver, roles: [...approver.roles, "preservation_officer"] };
    await prisma.userRole.create({ data: { userId: approver.id, role: "preservation_officer" } });
    const retender = await createRetender(ctx, both, t.tenderId, [t.lots[0]!.lotId], { reserves: { [t.lots[0]!.lotId]: 10_000_000n } });
    const lotId = retender.lots[0]!.lotId;
    const refused = await post(tenderAction, `/tenders/${retender.tenderId}`, "approver@bank.example", [["intent", "approve-reserve"], ["target", lotId], ["lot_id", lotId]], { tenderId: retender.tenderId });
    expect(refused).toMatchObject({ status: 403, data: { formError: "auction.retender.fourEyes", target: lotId } });
    expect((await prisma.tenderLot.findUniqueOrThrow({ where: { id: lotId } })).reserve).toBe(20_000_000n);
  });

  it("a Stripe deposit awaits the webhook: the bidder gets its client secret and the publishable key, never marked paid", async () => {
    const { tenderId } = await createPublishedTender({ packages: 1 });
    const path = `/tenders/${tenderId}`;
    const params = { tenderId };
    await post(tenderAction, path, "bidder@bank.example", [["intent", "register"]], params);
    const saved = process.env.STRIPE_PUBLISHABLE_KEY;
    process.env.STRIPE_PUBLISHABLE_KEY = "pk_test_page";
    try {
      expect((await post(tenderAction, path, "bidder@bank.example", [["intent", "deposit"], ["method", "STRIPE"]], params)).status).toBe(302);
      const view = await load(tenderLoader, path, "bidder@bank.example", params);
      expect(view.data!.stripePublishableKey).toBe("pk_test_page");
      const [deposit] = view.data!.bidder.registration.deposits;
      expect(deposit).toMatchObject({ method: "STRIPE", status: "AWAITING_PAYMENT", clientSecret: expect.any(String) });
      expect(view.data!.bidder.qualified).toBe(false);
      // Asking again returns the same payment; switching to an offline method is refused while it is pending.
      await post(tenderAction, path, "bidder@bank.example", [["intent", "deposit"], ["method", "STRIPE"]], params);
      expect(await prisma.bidDeposit.count({ where: { registration: { tenderId } } })).toBe(1);
      const other = await post(tenderAction, path, "bidder@bank.example", [["intent", "deposit"], ["method", "PAYROLL"]], params);
      expect(other.data).toMatchObject({ formError: "auction.deposit.pending" });
      // Staff never see the secret.
      const staff = await load(tenderLoader, path, "finance@bank.example", params);
      expect(staff.data!.registrations[0].deposits[0]).not.toHaveProperty("clientSecret");
    } finally {
      if (saved === undefined) delete process.env.STRIPE_PUBLISHABLE_KEY;
      else process.env.STRIPE_PUBLISHABLE_KEY = saved;
    }
  });
});
