import { beforeEach, describe, expect, it } from "vitest";
import { closedTender } from "../fixtures/tender-awards";
import { createApprovedPackage, createDraftTender, freshTenderCast } from "../fixtures/tenders";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { bidderKeyOf } from "~/services/tenders/bidding.server";
import { createRetender } from "~/services/tenders/retender.server";
import { awardInTender, depositInTender, lotInTender, newTenderOptions, premiumOf, tenderPageExtras } from "~/services/tenders/tender-page.server";

const ctx = systemContext("test");
const closedAt = new Date("2026-11-24T02:00:00Z");
const deposit = 5_000_000n;

let officer: AuthUser;
let approver: AuthUser;
let finance: AuthUser;
let bidder: AuthUser;
let bidder2: AuthUser;

beforeEach(async () => {
  ({ officer, approver, finance, bidder, bidder2 } = await freshTenderCast());
});

async function thrownStatus(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error.status;
    throw error;
  }
  throw new Error("expected a thrown Response");
}

describe("premiumOf", () => {
  it("is the price over the reserve in fen and as a share; nothing without a price", () => {
    expect(premiumOf(30_000_000n, 33_000_000n)).toEqual({ premium: 3_000_000n, share: 0.1 });
    expect(premiumOf(30_000_000n, 30_000_000n)).toEqual({ premium: 0n, share: 0 });
    expect(premiumOf(30_000_000n, null)).toEqual({ premium: null, share: null });
    expect(premiumOf(0n, 100n)).toEqual({ premium: 100n, share: null });
  });
});

describe("newTenderOptions", () => {
  it("offers approved packages not in a draft tender, reserve = the package total, with the settings in force", async () => {
    const inDraft = await createApprovedPackage({ prefix: "NT-A" });
    const free = await createApprovedPackage({ prefix: "NT-B", prices: [2_000_000n, 2_000_000n, 2_000_000n, 2_000_000n] });
    await createDraftTender({ packageIds: [inDraft.id] });
    const options = await newTenderOptions(officer);
    expect(options.candidates.map((c) => c.id)).toEqual([free.id]);
    expect(options.candidates[0]).toMatchObject({ number: free.number, loanCount: 4, total: 8_000_000n, reserve: 8_000_000n });
    expect(options.settings).toMatchObject({ bidDeposit: 500_000n, incrementMinimum: 100_000n, incrementRate: "0.005", antiSnipingMinutes: 5, contractTermMonths: 24, signingDays: 5 });
  });

  it("is for tenders:manage only", async () => {
    expect(await thrownStatus(newTenderOptions(bidder))).toBe(403);
    expect(await thrownStatus(newTenderOptions(approver))).toBe(403);
  });
});

describe("tenderPageExtras", () => {
  const oneSoldOneUnsold = () =>
    closedTender({
      closedAt, deposit, bidders: [bidder, bidder2],
      lots: [
        { price: 30_000_000n, bids: [[bidder, 31_000_000n], [bidder2, 32_000_000n], [bidder, 33_000_000n]] },
        { price: 20_000_000n, bids: [] },
      ],
    });

  it("gives the bidder their award and the results with aliases only", async () => {
    const t = await oneSoldOneUnsold();
    const extras = await tenderPageExtras(bidder, { id: t.tenderId, status: "CLOSED" }, bidderKeyOf(bidder));
    expect(extras.awards).toHaveLength(1);
    expect(extras.awards[0]).toMatchObject({ id: t.lots[0]!.awardId, lotNumber: 1, price: 33_000_000n, status: "PENDING", round: 1 });
    const [sold, unsold] = extras.results;
    expect(sold).toMatchObject({ lotId: t.lots[0]!.lotId, status: "AWAITING_SIGNATURE", price: 33_000_000n, premium: 3_000_000n, premiumShare: 0.1, bidders: 2, bidCount: 3 });
    expect(sold!.award).toMatchObject({ round: 1, status: "PENDING", alias: "竞买人1", name: null });
    expect(unsold).toMatchObject({ lotId: t.lots[1]!.lotId, status: "UNSOLD", price: null, premium: null, bidders: 0, award: null });
    // Bidders never get names, nor the officer's re-tender or approvals.
    expect(extras.registrantNames).toEqual({});
    expect(extras.retenderable).toEqual([]);
    expect(extras.tenderDecided).toBe(false);
    // The other bidder has no award.
    expect((await tenderPageExtras(bidder2, { id: t.tenderId, status: "CLOSED" }, bidderKeyOf(bidder2))).awards).toEqual([]);
  });

  it("gives staff the winner's and registrants' names, and the officer the lots to re-tender", async () => {
    const t = await oneSoldOneUnsold();
    const staffView = await tenderPageExtras(officer, { id: t.tenderId, status: "CLOSED" }, null);
    expect(staffView.awards).toEqual([]);
    expect(staffView.results[0]!.award).toMatchObject({ alias: "竞买人1", name: bidder.displayName });
    expect(staffView.registrantNames).toEqual({ [bidderKeyOf(bidder)]: bidder.displayName, [bidderKeyOf(bidder2)]: bidder2.displayName });
    expect(staffView.retenderable).toEqual([expect.objectContaining({ lotId: t.lots[1]!.lotId, lotNumber: 2, status: "UNSOLD", packagePrice: 20_000_000n })]);
    expect(staffView.lotBidders).toEqual({ [t.lots[0]!.lotId]: 2, [t.lots[1]!.lotId]: 0 });
    // Finance sees names but may not re-tender.
    expect((await tenderPageExtras(finance, { id: t.tenderId, status: "CLOSED" }, null)).retenderable).toEqual([]);
  });

  it("says when every lot is decided (the refunds may run)", async () => {
    const t = await oneSoldOneUnsold();
    await prisma.tenderLot.update({ where: { id: t.lots[0]!.lotId }, data: { status: "ACCEPTED", winningPrice: 33_000_000n, winnerKey: bidderKeyOf(bidder) } });
    const extras = await tenderPageExtras(finance, { id: t.tenderId, status: "CLOSED" }, null);
    expect(extras.tenderDecided).toBe(true);
    expect(extras.results[0]).toMatchObject({ status: "ACCEPTED", price: 33_000_000n });
  });

  it("lists a re-tender's lower reserve for approvers (four eyes: not the requester)", async () => {
    const t = await oneSoldOneUnsold();
    const retender = await createRetender(ctx, officer, t.tenderId, [t.lots[1]!.lotId], { reserves: { [t.lots[1]!.lotId]: 15_000_000n } });
    const draft = { id: retender.tenderId, status: "DRAFT" };
    const asApprover = await tenderPageExtras(approver, draft, null);
    expect(asApprover.pendingReserves).toEqual([
      expect.objectContaining({ lotId: retender.lots[0]!.lotId, lotNumber: 1, requested: 15_000_000n, packagePrice: 20_000_000n, requestedBy: officer.displayName, mayApprove: true, ownRequest: false }),
    ]);
    const asOfficer = await tenderPageExtras(officer, draft, null);
    expect(asOfficer.pendingReserves[0]).toMatchObject({ mayApprove: false, ownRequest: true });
    expect((await tenderPageExtras(bidder, draft, bidderKeyOf(bidder))).pendingReserves).toEqual([]);
  });

  it("checks that deposits, awards and lots belong to the tender", async () => {
    const t = await oneSoldOneUnsold();
    const other = await closedTender({ closedAt, deposit, bidders: [bidder], lots: [{ price: 10_000_000n, bids: [[bidder, 10_000_000n]] }] });
    const depositId = t.registrations[bidder.email]!.depositId;
    expect(await depositInTender(depositId, t.tenderId)).toBe(true);
    expect(await depositInTender(depositId, other.tenderId)).toBe(false);
    expect(await awardInTender(t.lots[0]!.awardId!, t.tenderId)).toBe(true);
    expect(await awardInTender(t.lots[0]!.awardId!, other.tenderId)).toBe(false);
    expect(await lotInTender(t.lots[1]!.lotId, t.tenderId)).toBe(true);
    expect(await lotInTender(t.lots[1]!.lotId, other.tenderId)).toBe(false);
  });
});
