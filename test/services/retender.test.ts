import { beforeEach, describe, expect, it } from "vitest";
import { freshTenderCast } from "../fixtures/tenders";
import { createTestLoan } from "../fixtures/loans";
import { closedTender } from "../fixtures/tender-awards";
import { asUser, refusal } from "../support/users";
import { defaultSettings } from "~/domain/settings";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { retenderReserves, retenderSchema } from "~/services/tenders/award-schemas";
import { acceptAward, expireAwards } from "~/services/tenders/awards.server";
import { publishTender } from "~/services/tenders/tenders.server";
import { approveLowerReserve, assertReservesApproved, createRetender, pendingReserveRequests } from "~/services/tenders/retender.server";

const ctx = systemContext("test");
const closedAt = new Date("2026-11-24T02:00:00Z");
const late = new Date("2026-11-29T16:00:00Z");
const deposit = 5_000_000n;

let officer: AuthUser;
let approver: AuthUser;
let bidder: AuthUser;
let bidder2: AuthUser;

beforeEach(async () => {
  ({ officer, approver, bidder, bidder2 } = await freshTenderCast());
});

/** Lot 1 (¥300,000, two PACKAGED loans) reneged and returned (no next bidder); lot 2 (¥200,000) unsold; lot 3 (¥100,000) accepted. */
async function decidedTender() {
  const loans = [
    await createTestLoan({ loanNumber: "RT-01", status: "PACKAGED", price: 20_000_000n }),
    await createTestLoan({ loanNumber: "RT-02", status: "PACKAGED", price: 10_000_000n }),
  ];
  const t = await closedTender({
    closedAt, deposit, bidders: [bidder, bidder2],
    lots: [
      { price: 30_000_000n, bids: [[bidder, 31_000_000n]], loanIds: loans.map((l) => l.id) },
      { price: 20_000_000n, bids: [] },
      { price: 10_000_000n, bids: [[bidder2, 11_000_000n]] },
    ],
  });
  await acceptAward(ctx, bidder2, t.lots[2]!.awardId!, closedAt);
  await expireAwards(late, ctx);
  const statuses = await prisma.tenderLot.findMany({ where: { tenderId: t.tenderId }, orderBy: { lotNumber: "asc" }, select: { status: true } });
  expect(statuses.map((s) => s.status)).toEqual(["RETURNED", "UNSOLD", "ACCEPTED"]);
  return t;
}

describe("re-tender of unsold and returned lots", () => {
  it("puts the packages back to APPROVED (loans stay PACKAGED) and creates a DRAFT tender with the package prices and the settings in force", async () => {
    await prisma.settingVersion.create({
      data: { version: 2, effectiveFrom: new Date("2026-01-01T00:00:00Z"), values: JSON.stringify({ ...defaultSettings, bidDepositFen: "3000000", antiSnipingMinutes: 3 }), status: "APPROVED", reason: "test", decidedAt: new Date() },
    });
    const t = await decidedTender();
    const now = new Date("2026-12-01T02:00:00Z");
    const input = retenderSchema.parse({ lot_ids: [t.lots[0]!.lotId, t.lots[1]!.lotId] });
    const result = await createRetender(ctx, officer, t.tenderId, input.lot_ids, { reserves: retenderReserves(input) }, now);

    const tender = await prisma.tender.findUniqueOrThrow({ where: { id: result.tenderId }, include: { lots: { orderBy: { lotNumber: "asc" } } } });
    expect(tender).toMatchObject({ status: "DRAFT", retenderOfId: t.tenderId, number: null, bidDeposit: 3_000_000n, antiSnipingMinutes: 3, settingsVersion: 2, createdById: officer.id });
    expect(tender.registrationOpensAt.toISOString()).toBe(now.toISOString());
    expect(tender.lots.map((l) => [l.lotNumber, l.packageId, l.reserve, l.status])).toEqual([
      [1, t.lots[0]!.packageId, 30_000_000n, "OPEN"],
      [2, t.lots[1]!.packageId, 20_000_000n, "OPEN"],
    ]);
    const packages = await prisma.package.findMany({ where: { id: { in: t.lots.map((l) => l.packageId) } }, select: { id: true, status: true } });
    expect(Object.fromEntries(packages.map((p) => [p.id, p.status]))).toEqual({
      [t.lots[0]!.packageId]: "APPROVED", [t.lots[1]!.packageId]: "APPROVED", [t.lots[2]!.packageId]: "IN_TENDER",
    });
    const loans = await prisma.loan.findMany({ where: { loanNumber: { in: ["RT-01", "RT-02"] } }, select: { status: true } });
    expect(loans.map((l) => l.status)).toEqual(["PACKAGED", "PACKAGED"]);
    expect(await prisma.auditEntry.count({ where: { action: "tender.retender", entityId: result.tenderId } })).toBe(1);
    expect(await pendingReserveRequests(prisma, result.tenderId)).toEqual([]);
    await assertReservesApproved(prisma, result.tenderId);

    // Once re-tendered, the same lot is refused.
    expect((await refusal(createRetender(ctx, officer, t.tenderId, [t.lots[1]!.lotId], {}, now))).key).toBe("auction.retender.alreadyRetendered");
  });

  it("refuses lots that were sold, people without tenders:manage, and an empty choice", async () => {
    const t = await decidedTender();
    const sold = await refusal(createRetender(ctx, officer, t.tenderId, [t.lots[2]!.lotId]));
    expect([sold.key, sold.options.params]).toEqual(["auction.retender.lotNotReturnable", { lots: "3" }]);
    await expect(createRetender(ctx, bidder, t.tenderId, [t.lots[1]!.lotId])).rejects.toMatchObject({ status: 403 });
    expect(retenderSchema.safeParse({ lot_ids: [] }).error?.issues[0]?.message).toBe("auction.retender.noLots");
    expect(retenderSchema.safeParse({ lot_ids: ["x"], reserves: { x: "-5" } }).error?.issues[0]?.message).toBe("auction.retender.invalidReserve");
  });
});

describe("a lower reserve needs a second person's approval (four eyes)", () => {
  it("keeps the package price until an approver other than the requester approves; the tender is not publishable meanwhile", async () => {
    const t = await decidedTender();
    // The approver also works as a preservation officer here, so the four-eyes rule is what refuses.
    await prisma.userRole.create({ data: { userId: approver.id, role: "preservation_officer" } });
    const requester = await asUser("approver@bank.example");
    const input = retenderSchema.parse({ lot_ids: [t.lots[0]!.lotId, t.lots[1]!.lotId], reserves: { [t.lots[0]!.lotId]: "250000.00", [t.lots[1]!.lotId]: "210000" } });
    const result = await createRetender(ctx, requester, t.tenderId, input.lot_ids, { reserves: retenderReserves(input) });
    const [lowered, raised] = result.lots;
    // A higher reserve needs nobody's approval; a lower one waits at the package price.
    expect(raised).toMatchObject({ reserve: 21_000_000n, requestedReserve: null });
    expect(lowered).toMatchObject({ reserve: 30_000_000n, requestedReserve: 25_000_000n });
    expect((await pendingReserveRequests(prisma, result.tenderId)).map((r) => [r.lotId, r.requested, r.requestedById])).toEqual([[lowered!.lotId, 25_000_000n, requester.id]]);
    const pending = await refusal(assertReservesApproved(prisma, result.tenderId));
    expect([pending.key, pending.status]).toEqual(["auction.retender.reservePending", 409]);
    expect((await refusal(publishTender(ctx, requester, result.tenderId))).key).toBe("auction.retender.reservePending");
    // The requester, though an approver, is not asked to approve their own request.
    expect(await prisma.notification.count({ where: { messageKey: "auction.retender.reserveRequestNotice", userId: requester.id } })).toBe(0);

    const own = await refusal(approveLowerReserve(ctx, requester, lowered!.lotId));
    expect([own.key, own.status]).toEqual(["auction.retender.fourEyes", 403]);
    await expect(approveLowerReserve(ctx, bidder, lowered!.lotId)).rejects.toMatchObject({ status: 403 });
    expect((await refusal(approveLowerReserve(ctx, requester, raised!.lotId))).key).toBe("auction.retender.noReserveRequest");

    await prisma.userRole.create({ data: { userId: officer.id, role: "approver" } });
    const second = await asUser("officer@bank.example");
    const approved = await approveLowerReserve(ctx, second, lowered!.lotId);
    expect(approved.reserve).toBe(25_000_000n);
    // The lot keeps who asked for what and who approved it.
    expect(approved).toMatchObject({ requestedReserve: 25_000_000n, reserveRequestedById: requester.id, reserveApprovedById: second.id });
    expect(await pendingReserveRequests(prisma, result.tenderId)).toEqual([]);
    await assertReservesApproved(prisma, result.tenderId);
    expect((await refusal(approveLowerReserve(ctx, second, lowered!.lotId))).key).toBe("auction.retender.noReserveRequest");
    expect((await publishTender(ctx, requester, result.tenderId)).number).toMatch(/^TND-\d{4}-\d{3}$/);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "retender.reserveApprove", entityId: lowered!.lotId } });
    expect(JSON.parse(audit.after!)).toMatchObject({ reserve: "25000000", approvedById: second.id, requestedById: requester.id });
  });

  it("notifies the approvers of a lower reserve request", async () => {
    const t = await decidedTender();
    await createRetender(ctx, officer, t.tenderId, [t.lots[1]!.lotId], { reserves: { [t.lots[1]!.lotId]: 15_000_000n } });
    const notes = await prisma.notification.findMany({ where: { messageKey: "auction.retender.reserveRequestNotice" } });
    expect(notes.map((n) => n.userId)).toEqual([approver.id]);
    expect(JSON.parse(notes[0]!.params)).toMatchObject({ requested: "150000.00", price: "200000.00" });
  });
});
