// The finance desk for bid deposits (/deposits): what waits for finance across tenders (declared
// offline deposits, offline refunds), Stripe money in flight (read only), and the latest 50
// confirmations with who confirmed and the voucher; settlement:finance only.
import { beforeEach, describe, expect, it } from "vitest";
import { closedTender } from "../fixtures/tender-awards";
import { createPublishedTender, freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { asUser, refusal } from "../support/users";
// eslint-disable-next-line no-restricted-imports -- the page's action is called with a Request carrying a session
import { action as desk, loader as deskLoader } from "~/routes/deposits";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { startSession } from "~/infra/session.server";
import { acceptAward } from "~/services/tenders/awards.server";
import { depositDesk, deskDeposit, recentLimit } from "~/services/tenders/deposit-desk.server";
import { confirmOfflineRefund, refundTenderDeposits } from "~/services/tenders/refunds.server";
import { confirmOfflineDeposit, declareOfflineDeposit, registerForTender } from "~/services/tenders/registration.server";

const ctx = systemContext("test");
installRecordingQueue();

let bidder: AuthUser;
let bidder2: AuthUser;
let agency: AuthUser;
let finance: AuthUser;

beforeEach(async () => {
  ({ bidder, bidder2, agency, finance } = await freshTenderCast());
});

async function declare(user: AuthUser, tenderId: string, method: "BANK_TRANSFER" | "PAYROLL", now: Date) {
  await registerForTender(ctx, user, tenderId, now);
  return declareOfflineDeposit(ctx, user, tenderId, { method }, now);
}

describe("depositDesk", () => {
  it("is for finance only", async () => {
    for (const user of [bidder, agency, await asUser("officer@bank.example"), await asUser("approver@bank.example")]) {
      const error = await refusal(depositDesk(user));
      expect(error.key).toBe("auction.deposit.notFinance");
      expect(error.status).toBe(403);
      expect((await refusal(deskDeposit(user, "x"))).status).toBe(403);
    }
  });

  it("is empty with nothing waiting", async () => {
    expect(await depositDesk(finance)).toEqual({
      pendingDeposits: [], pendingDepositsTotal: 0, pendingRefunds: [], pendingRefundsTotal: 0, stripeInFlight: [], stripeInFlightTotal: 0, recent: [],
    });
  });

  it("lists declared offline deposits across tenders, oldest first, with the tender number and a readable bidder", async () => {
    const now = new Date();
    const first = await createPublishedTender({ now });
    const second = await createPublishedTender({ now });
    const staffDeposit = await declare(bidder, first.tenderId, "PAYROLL", new Date(now.getTime() + 1000));
    const agencyDeposit = await declare(agency, second.tenderId, "BANK_TRANSFER", new Date(now.getTime() + 2000));

    const desk = await depositDesk(finance);
    expect(desk.pendingDepositsTotal).toBe(2);
    expect(desk.pendingDeposits.map((d) => d.id)).toEqual([staffDeposit.id, agencyDeposit.id]);
    const [staff, org] = desk.pendingDeposits;
    expect(staff).toMatchObject({
      tender: { id: first.tenderId, number: first.number },
      bidder: { kind: "STAFF", name: "王明", staffNumber: "S2001", contactName: null },
      method: "PAYROLL", amount: staffDeposit.amount, status: "DECLARED", declaredAt: new Date(now.getTime() + 1000),
    });
    expect(staff!.amount).toBeGreaterThan(0n);
    expect(org).toMatchObject({
      tender: { id: second.tenderId, number: second.number },
      bidder: { kind: "AGENCY", name: "华信资产清收有限公司", staffNumber: null, contactName: "钱敏" },
      method: "BANK_TRANSFER", status: "DECLARED",
    });
    expect(desk.pendingRefunds).toEqual([]);
    expect(desk.stripeInFlight).toEqual([]);
    expect(desk.recent).toEqual([]);
  });

  it("moves a confirmed deposit from the waiting list to the recent confirmations, with the voucher and who confirmed", async () => {
    const now = new Date();
    const t = await createPublishedTender({ now });
    const deposit = await declare(bidder, t.tenderId, "BANK_TRANSFER", now);
    const other = await declare(bidder2, t.tenderId, "BANK_TRANSFER", now);
    const confirmedAt = new Date(now.getTime() + 60_000);
    await confirmOfflineDeposit(ctx, finance, deposit.id, { voucher_number: " PZ-2026-0001 " }, confirmedAt);

    const desk = await depositDesk(finance);
    expect(desk.pendingDeposits.map((d) => d.id)).toEqual([other.id]);
    expect(desk.pendingDepositsTotal).toBe(1);
    expect(desk.recent).toEqual([
      {
        kind: "deposit", depositId: deposit.id, tender: { id: t.tenderId, number: t.number, title: expect.any(String) },
        bidder: { kind: "STAFF", name: "王明", staffNumber: "S2001", contactName: null },
        method: "BANK_TRANSFER", amount: deposit.amount, at: confirmedAt, voucher: "PZ-2026-0001", by: "冯财务",
      },
    ]);

    // A second confirmation is refused and changes nothing on the desk.
    expect((await refusal(confirmOfflineDeposit(ctx, finance, deposit.id, { voucher_number: "PZ-2" }))).key).toBe("auction.deposit.alreadyConfirmed");
    expect((await depositDesk(finance)).recent.map((r) => r.voucher)).toEqual(["PZ-2026-0001"]);
    expect(await deskDeposit(finance, deposit.id)).toMatchObject({ id: deposit.id, status: "CONFIRMED", voucherNumber: "PZ-2026-0001", bidder: { name: "王明" } });
    expect(await deskDeposit(finance, "no-such-deposit")).toBeNull();
  });

  it("lists offline refunds waiting for finance, and the refund finance confirmed with its voucher and who", async () => {
    const closedAt = new Date("2026-11-24T02:00:00Z");
    const t = await closedTender({
      closedAt, deposit: 5_000_000n, bidders: [bidder, bidder2, agency],
      methods: { [bidder2.email]: "PAYROLL" },
      lots: [{ price: 30_000_000n, bids: [[bidder2, 31_000_000n], [bidder, 32_000_000n]] }],
    });
    await acceptAward(ctx, bidder, t.lots[0]!.awardId!, new Date("2026-11-25T02:00:00Z"));
    const requestedAt = new Date("2026-11-25T03:00:00Z");
    await refundTenderDeposits(ctx, t.tenderId, requestedAt);

    let desk = await depositDesk(finance);
    const loser = t.registrations[bidder2.email]!.depositId;
    const agencyDeposit = t.registrations[agency.email]!.depositId;
    expect(desk.pendingRefundsTotal).toBe(2);
    expect(desk.pendingRefunds.map((d) => d.id).sort()).toEqual([loser, agencyDeposit].sort());
    expect(desk.pendingRefunds.find((d) => d.id === loser)).toMatchObject({
      status: "REFUND_PENDING", method: "PAYROLL", amount: 5_000_000n, refundRequestedAt: requestedAt,
      bidder: { kind: "STAFF", name: "刘强", staffNumber: "S2002" }, voucherNumber: `V-${t.registrations[bidder2.email]!.id}`,
    });
    // The winner's deposit stays CONFIRMED: not on the desk.
    expect(desk.pendingRefunds.some((d) => d.id === t.registrations[bidder.email]!.depositId)).toBe(false);

    await confirmOfflineRefund(ctx, finance, loser, " RF-0001 ");
    desk = await depositDesk(finance);
    expect(desk.pendingRefunds.map((d) => d.id)).toEqual([agencyDeposit]);
    expect(desk.recent).toHaveLength(1);
    expect(desk.recent[0]).toMatchObject({
      kind: "refund", depositId: loser, voucher: "RF-0001", by: "冯财务", method: "PAYROLL", amount: 5_000_000n,
      tender: { id: t.tenderId }, bidder: { name: "刘强", staffNumber: "S2002" },
    });
    // The fixture's confirmed deposits have no confirming user: not "finance confirmations".
    expect(desk.recent.some((r) => r.kind === "deposit")).toBe(false);

    // Confirming again is refused; the desk is unchanged.
    expect((await refusal(confirmOfflineRefund(ctx, finance, loser, "RF-0002"))).key).toBe("auction.refund.alreadyRefunded");
    expect((await depositDesk(finance)).recent.map((r) => r.voucher)).toEqual(["RF-0001"]);
  });

  it("shows Stripe deposits awaiting payment and Stripe refunds pending, read only, and never as offline work", async () => {
    const now = new Date();
    const t = await createPublishedTender({ now });
    const { registration } = await registerForTender(ctx, bidder, t.tenderId, now);
    const { registration: agencyRegistration } = await registerForTender(ctx, agency, t.tenderId, now);
    const awaiting = await prisma.bidDeposit.create({
      data: { registrationId: registration.id, method: "STRIPE", amount: 500_000n, status: "AWAITING_PAYMENT", providerRef: "pi_awaiting", createdAt: now },
    });
    const refunding = await prisma.bidDeposit.create({
      data: {
        registrationId: agencyRegistration.id, method: "STRIPE", amount: 500_000n, status: "REFUND_PENDING", providerRef: "pi_paid",
        refundRef: "re_1", refundRequestedAt: now, confirmedAt: now, createdAt: new Date(now.getTime() + 1000),
      },
    });
    await prisma.bidDeposit.create({
      data: { registrationId: registration.id, method: "STRIPE", amount: 500_000n, status: "FAILED", providerRef: "pi_failed", createdAt: now },
    });

    const desk = await depositDesk(finance);
    expect(desk.stripeInFlightTotal).toBe(2);
    expect(desk.stripeInFlight.map((d) => [d.id, d.status])).toEqual([[awaiting.id, "AWAITING_PAYMENT"], [refunding.id, "REFUND_PENDING"]]);
    expect(desk.stripeInFlight[1]).toMatchObject({ refundRef: "re_1", providerRef: "pi_paid", bidder: { kind: "AGENCY", name: "华信资产清收有限公司" } });
    expect(desk.pendingDeposits).toEqual([]);
    expect(desk.pendingRefunds).toEqual([]);
    expect(desk.recent).toEqual([]);
  });

  it("keeps only the latest 50 confirmations, newest first", async () => {
    const now = new Date();
    const t = await createPublishedTender({ now });
    const { registration } = await registerForTender(ctx, bidder, t.tenderId, now);
    const base = new Date("2026-11-01T00:00:00Z").getTime();
    await prisma.bidDeposit.createMany({
      data: Array.from({ length: recentLimit + 5 }, (_, i) => ({
        registrationId: registration.id, method: "BANK_TRANSFER", amount: 500_000n, status: "CONFIRMED",
        voucherNumber: `PZ-${String(i).padStart(3, "0")}`, confirmedAt: new Date(base + i * 60_000), confirmedById: finance.id, declaredAt: new Date(base),
      })),
    });
    const desk = await depositDesk(finance);
    expect(desk.recent).toHaveLength(recentLimit);
    expect(desk.recent[0]).toMatchObject({ voucher: `PZ-${String(recentLimit + 4).padStart(3, "0")}`, by: "冯财务" });
    expect(desk.recent.at(-1)!.voucher).toBe("PZ-005");
    const times = desk.recent.map((r) => r.at.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe("/deposits page (loader and action)", () => {
  async function cookieOf(user: AuthUser) {
    const cookie = await startSession(user.id, new Request("http://localhost/login"));
    return cookie.split(";")[0]!;
  }

  async function post(user: AuthUser, fields: Record<string, string>) {
    const request = new Request("http://localhost/deposits", {
      method: "POST",
      headers: { cookie: await cookieOf(user), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    try {
      return await desk({ request, params: {}, context: {} });
    } catch (thrown) {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    }
  }

  /** A refused answer (Remix `data()`): its status and body. */
  function refused(result: unknown) {
    const d = result as { init?: { status?: number }; data?: Record<string, unknown> };
    return { status: d.init?.status, body: d.data };
  }

  it("confirms a declared deposit with a voucher; a missing voucher or a second confirmation is refused and changes nothing", async () => {
    const now = new Date();
    const t = await createPublishedTender({ now });
    const deposit = await declare(bidder, t.tenderId, "BANK_TRANSFER", now);

    const missing = refused(await post(finance, { intent: "confirm-deposit", deposit_id: deposit.id, voucher_number: "  " }));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ intent: "confirm-deposit", depositId: deposit.id, fieldErrors: { voucher_number: ["auction.deposit.voucherRequired"] } });
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("DECLARED");

    const tooLong = refused(await post(finance, { intent: "confirm-deposit", deposit_id: deposit.id, voucher_number: "x".repeat(65) }));
    expect(tooLong.body).toMatchObject({ fieldErrors: { voucher_number: ["auction.deposit.voucherTooLong"] } });

    const ok = await post(finance, { intent: "confirm-deposit", deposit_id: deposit.id, voucher_number: "PZ-9" });
    expect(ok).toBeInstanceOf(Response);
    expect((ok as Response).status).toBe(302);
    expect((ok as Response).headers.get("location")).toBe("/deposits");
    expect(await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).toMatchObject({ status: "CONFIRMED", voucherNumber: "PZ-9", confirmedById: finance.id });

    const again = refused(await post(finance, { intent: "confirm-deposit", deposit_id: deposit.id, voucher_number: "PZ-10" }));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ formError: "auction.deposit.alreadyConfirmed", depositId: deposit.id });
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).voucherNumber).toBe("PZ-9");

    const unknown = refused(await post(finance, { intent: "confirm-deposit", deposit_id: "nope", voucher_number: "PZ-11" }));
    expect(unknown).toMatchObject({ status: 404, body: { formError: "auction.deposit.notFound" } });
    const badIntent = refused(await post(finance, { intent: "delete", deposit_id: deposit.id, voucher_number: "PZ-12" }));
    expect(badIntent).toMatchObject({ status: 400, body: { formError: "form.invalidChoice" } });
  });

  it("confirms an offline refund with its voucher; a missing voucher is refused next to the input", async () => {
    const closedAt = new Date("2026-11-24T02:00:00Z");
    const t = await closedTender({ closedAt, deposit: 5_000_000n, bidders: [bidder, bidder2], lots: [{ price: 30_000_000n, bids: [[bidder2, 31_000_000n], [bidder, 32_000_000n]] }] });
    await acceptAward(ctx, bidder, t.lots[0]!.awardId!, new Date("2026-11-25T02:00:00Z"));
    await refundTenderDeposits(ctx, t.tenderId, new Date("2026-11-25T03:00:00Z"));
    const loser = t.registrations[bidder2.email]!.depositId;

    const missing = refused(await post(finance, { intent: "confirm-refund", deposit_id: loser, voucher_number: "" }));
    expect(missing).toMatchObject({ status: 400, body: { intent: "confirm-refund", depositId: loser, fieldErrors: { voucher_number: ["auction.refund.voucherRequired"] } } });
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: loser } })).status).toBe("REFUND_PENDING");

    const ok = (await post(finance, { intent: "confirm-refund", deposit_id: loser, voucher_number: "RF-7" })) as Response;
    expect(ok.status).toBe(302);
    expect(await prisma.bidDeposit.findUniqueOrThrow({ where: { id: loser } })).toMatchObject({ status: "REFUNDED", refundVoucher: "RF-7" });
    const again = refused(await post(finance, { intent: "confirm-refund", deposit_id: loser, voucher_number: "RF-8" }));
    expect(again).toMatchObject({ status: 409, body: { formError: "auction.refund.alreadyRefunded" } });
  });

  it("is closed to users without settlement:finance", async () => {
    const now = new Date();
    const t = await createPublishedTender({ now });
    const deposit = await declare(bidder, t.tenderId, "BANK_TRANSFER", now);
    const answer = (await post(bidder, { intent: "confirm-deposit", deposit_id: deposit.id, voucher_number: "PZ-1" })) as Response;
    expect(answer.status).toBe(403);
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: deposit.id } })).status).toBe("DECLARED");
    const request = new Request("http://localhost/deposits", { headers: { cookie: await cookieOf(bidder) } });
    await expect(deskLoader({ request, params: {}, context: {} })).rejects.toMatchObject({ status: 403 });
    const financeRequest = new Request("http://localhost/deposits", { headers: { cookie: await cookieOf(finance) } });
    expect((await deskLoader({ request: financeRequest, params: {}, context: {} })).pendingDeposits.map((d) => d.id)).toEqual([deposit.id]);
  });
});
