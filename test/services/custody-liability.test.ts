import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { freshTenderCast } from "../fixtures/tenders";
import { custodyContract } from "../fixtures/custody";
import { installRecordingQueue } from "../support/recording-queue";
import { sessionCookie } from "../support/routes";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { balanceIn, ensureAccount } from "~/infra/ledger.server";
import { claimAccountOf } from "~/services/custody/accounts.server";
import { FullTimeApply } from "~/components/full-time-apply";
import { FullTimeReview } from "~/components/full-time-review";
import { LiabilityReview } from "~/components/liability-review";
import { applyFullTime, fullTimeCard, fullTimeQueue } from "~/services/custody/full-time.server";
import { decideLiability, detectLapses, handleLiabilityIntent, liabilityQueue, listLiabilityEvents, recordAssetLoss } from "~/services/custody/liability.server";
/* eslint-disable no-restricted-imports -- the page's loader is called directly, with a session cookie */
import { loader as liabilityPageLoader } from "~/routes/custody.liability";
/* eslint-enable no-restricted-imports */

/**
 * R8 liability events (issue 7 item 5): the product detects a limitation that lapsed during custody,
 * the department confirms it, then the deposit is forfeited (staff) or drawn (agency) and the
 * compensation booked as a claim — one balanced journal entry — with notices to the custodian.
 */

const ctx = systemContext("test");
const { calls } = installRecordingQueue();

// Custody from 2026-06-01 08:00 China time for 24 months.
const startsAt = new Date("2026-06-01T00:00:00Z");
// 2026-10-02 10:00 China time.
const now = new Date("2026-10-02T02:00:00Z");

let officer: AuthUser;
let bidder: AuthUser;
let agency: AuthUser;
let otherAgency: AuthUser;

beforeEach(async () => {
  ({ officer, bidder, agency } = await freshTenderCast());
  otherAgency = await asUser("admin@anda.example");
  calls.length = 0;
});

const yuan = (y: number) => BigInt(y) * 100n;

async function bankIncome() {
  return prisma.$transaction(async (tx) => balanceIn(tx, (await ensureAccount(tx, { type: "BANK_INCOME" })).id));
}
async function balanceOf(accountId: string) {
  return prisma.$transaction((tx) => balanceIn(tx, accountId));
}
async function claimOf(custodianKey: string) {
  return prisma.$transaction(async (tx) => balanceIn(tx, (await claimAccountOf(tx, custodianKey)).id));
}

/** A contract of one loan whose limitation expires on `expiry`. */
function oneLoan(custodian: AuthUser, expiry: string, loan: { principal?: bigint; interest?: bigint; price?: bigint } = {}, performanceDeposit?: bigint) {
  return custodyContract({
    custodian, startsAt, loans: 1, ...(performanceDeposit !== undefined ? { performanceDeposit } : {}),
    loan: () => ({
      limitationExpiresOn: expiry,
      ...(loan.principal !== undefined ? { principal: loan.principal } : {}),
      ...(loan.interest !== undefined ? { interestOnBalance: loan.interest, interestOffBalance: 0n } : {}),
      ...(loan.price !== undefined ? { price: loan.price } : {}),
    }),
  });
}

describe("detecting a lapse (R8: only a lapse during custody is the custodian's)", () => {
  it("a limitation that lapsed the day before custody started is never the custodian's", async () => {
    // Last day 2026-05-30: lapsed on 2026-05-31, before custody started on 2026-06-01.
    await oneLoan(bidder, "2026-05-30");
    expect((await detectLapses(now, ctx)).created).toHaveLength(0);
    expect(await prisma.liabilityEvent.count()).toBe(0);
  });

  it("a lapse on the start day itself (before custody began that morning) is not the custodian's either", async () => {
    await oneLoan(bidder, "2026-05-31");
    expect((await detectLapses(now, ctx)).created).toHaveLength(0);
  });

  it("a lapse during custody is one DETECTED event on the expiry; running detection twice still leaves one", async () => {
    const c = await oneLoan(bidder, "2026-06-01"); // lapsed 2026-06-02, during custody
    const first = await detectLapses(now, ctx);
    expect(first.created).toHaveLength(1);
    const second = await detectLapses(now, ctx);
    expect(second.created).toHaveLength(0);
    expect(second.existing).toBe(1);
    const events = await prisma.liabilityEvent.findMany();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ contractId: c.contract.id, loanId: c.loans[0]!.id, kind: "LIMITATION_LAPSE", occurredOn: "2026-06-01", status: "DETECTED" });
    // Audited, the department belled (link to the review page), the custodian belled and emailed.
    expect(await prisma.auditEntry.count({ where: { action: "liability.detect", entityId: events[0]!.id } })).toBe(1);
    const bells = await prisma.notification.findMany({ where: { messageKey: { startsWith: "custody.liability.notice.detected" } } });
    expect(bells.find((b) => b.userId === officer.id)?.link).toBe("/custody/review");
    expect(bells.some((b) => b.userId === bidder.id && b.messageKey === "custody.liability.notice.detectedCustodian")).toBe(true);
    const mail = await prisma.outboxEmail.findMany({ where: { template: "custodyLapseDetected" } });
    expect(mail.map((m) => m.to)).toEqual([bidder.email]);
    expect(mail[0]!.text).toContain(c.loans[0]!.loanNumber);
  });

  it("a limitation that lapses later than today is not yet an event", async () => {
    await oneLoan(bidder, "2026-10-02"); // lapses 2026-10-03, tomorrow
    expect((await detectLapses(now, ctx)).created).toHaveLength(0);
  });

  it("a lapse during the term of a contract that has since ended is still detected", async () => {
    const c = await oneLoan(bidder, "2026-07-01");
    await prisma.custodyContract.update({ where: { id: c.contract.id }, data: { status: "ENDED", endedAt: new Date("2026-08-01T00:00:00Z"), custodyEndsAt: new Date("2026-08-01T00:00:00Z") } });
    await prisma.custodyLoan.updateMany({ where: { contractId: c.contract.id }, data: { status: "RETURNED", returnedAt: new Date("2026-08-01T00:00:00Z") } });
    expect((await detectLapses(now, ctx)).created).toHaveLength(1);
  });

  it("a lapse after the loan went back to the bank is not the custodian's", async () => {
    const c = await oneLoan(bidder, "2026-09-01");
    await prisma.custodyContract.update({ where: { id: c.contract.id }, data: { status: "ENDED", endedAt: new Date("2026-08-01T00:00:00Z"), custodyEndsAt: new Date("2026-08-01T00:00:00Z") } });
    await prisma.custodyLoan.updateMany({ where: { contractId: c.contract.id }, data: { status: "RETURNED", returnedAt: new Date("2026-08-01T00:00:00Z") } });
    expect((await detectLapses(now, ctx)).created).toHaveLength(0);
  });
});

describe("confirming a liability (R8, R10: one balanced entry, a deposit never negative)", () => {
  it("internal contractor, deposit ¥15,000, loan priced ¥80,000: ¥15,000 forfeited, claim ¥80,000, bank income +¥95,000", async () => {
    const c = await oneLoan(bidder, "2026-07-01", { price: yuan(80_000) }, yuan(15_000));
    await detectLapses(now, ctx);
    const event = await prisma.liabilityEvent.findFirstOrThrow();
    const incomeBefore = await bankIncome();
    expect(await balanceOf(c.depositAccountId)).toBe(yuan(15_000));

    const decided = await decideLiability(ctx, officer, event.id, { decision: "confirm", note: "" }, now);

    expect(decided.liability).toEqual({ forfeit: yuan(15_000), compensation: yuan(80_000), fromDeposit: 0n, claim: yuan(80_000) });
    expect(await balanceOf(c.depositAccountId)).toBe(0n);
    expect(await claimOf(`user:${bidder.id}`)).toBe(yuan(80_000));
    expect((await bankIncome()) - incomeBefore).toBe(yuan(95_000));
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: decided.entryId! }, include: { lines: true } });
    expect(entry.sourceType).toBe("liability-event");
    expect(entry.sourceId).toBe(event.id);
    const sum = (side: string) => entry.lines.filter((l) => l.side === side).reduce((s, l) => s + l.amount, 0n);
    expect(sum("DEBIT")).toBe(yuan(95_000));
    expect(sum("CREDIT")).toBe(yuan(95_000));
    const stored = await prisma.liabilityEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(stored).toMatchObject({ status: "CONFIRMED", forfeit: yuan(15_000), compensation: yuan(80_000), fromDeposit: 0n, claim: yuan(80_000), entryId: entry.id, decidedById: officer.id });
    expect(await prisma.auditEntry.count({ where: { action: "liability.confirm", entityId: event.id } })).toBe(1);
    const notice = await prisma.notification.findFirstOrThrow({ where: { userId: bidder.id, messageKey: "custody.liability.notice.confirmedCustodian" } });
    expect(JSON.parse(notice.params)).toMatchObject({ forfeit: "¥15,000.00", claim: "¥80,000.00" });
    const mail = await prisma.outboxEmail.findFirstOrThrow({ where: { template: "custodyLiabilityConfirmed", to: bidder.email } });
    expect(mail.text).toContain("¥15,000.00");
    expect(mail.text).toContain("¥80,000.00");
  });

  it("agency, deposit ¥200,000, principal ¥180,000 + interest ¥40,000: ¥200,000 from the deposit, claim ¥20,000 owed jointly by the legal representative", async () => {
    const c = await oneLoan(agency, "2026-07-01", { principal: yuan(180_000), interest: yuan(40_000) }, yuan(200_000));
    await detectLapses(now, ctx);
    const event = await prisma.liabilityEvent.findFirstOrThrow();
    const incomeBefore = await bankIncome();

    const decided = await decideLiability(ctx, officer, event.id, { decision: "confirm" }, now);

    expect(decided.liability).toEqual({ forfeit: 0n, compensation: yuan(220_000), fromDeposit: yuan(200_000), claim: yuan(20_000) });
    expect(await balanceOf(c.depositAccountId)).toBe(0n);
    expect(await claimOf(`org:${agency.organizationId}`)).toBe(yuan(20_000));
    expect((await bankIncome()) - incomeBefore).toBe(yuan(220_000));
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: decided.entryId! }, include: { lines: true } });
    expect(entry.lines).toHaveLength(3);
    expect(entry.description).toContain("赵立国");
    const notice = await prisma.notification.findFirstOrThrow({ where: { userId: agency.id, messageKey: "custody.liability.notice.confirmedAgency" } });
    expect(JSON.parse(notice.params)).toMatchObject({ representative: "赵立国", fromDeposit: "¥200,000.00", claim: "¥20,000.00" });
    const mail = await prisma.outboxEmail.findFirstOrThrow({ where: { template: "custodyLiabilityConfirmed", to: agency.email } });
    expect(mail.text).toContain("赵立国");
  });

  it("agency, principal ¥100,000 + interest ¥20,000 with ¥200,000 held: ¥120,000 from the deposit, no claim, ¥80,000 left", async () => {
    const c = await oneLoan(agency, "2026-07-01", { principal: yuan(100_000), interest: yuan(20_000) }, yuan(200_000));
    await detectLapses(now, ctx);
    const event = await prisma.liabilityEvent.findFirstOrThrow();
    const decided = await decideLiability(ctx, officer, event.id, { decision: "confirm" }, now);
    expect(decided.liability).toEqual({ forfeit: 0n, compensation: yuan(120_000), fromDeposit: yuan(120_000), claim: 0n });
    expect(await balanceOf(c.depositAccountId)).toBe(yuan(80_000));
    expect(await claimOf(`org:${agency.organizationId}`)).toBe(0n);
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: decided.entryId! }, include: { lines: true } });
    expect(entry.lines).toHaveLength(2); // no zero claim line
  });

  it("a dismissed event posts nothing; a dismissal needs a reason; an event is decided once", async () => {
    const c = await oneLoan(bidder, "2026-07-01", { price: yuan(80_000) }, yuan(15_000));
    await detectLapses(now, ctx);
    const event = await prisma.liabilityEvent.findFirstOrThrow();
    const noReason = await refusal(decideLiability(ctx, officer, event.id, { decision: "dismiss", note: " " }, now));
    expect(noReason.key).toBe("custody.liability.noteRequired");
    expect(noReason.options.field).toBe("note");
    expect(await prisma.liabilityEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "DETECTED" });

    const decided = await decideLiability(ctx, officer, event.id, { decision: "dismiss", note: "已提交中断证据，待核实" }, now);
    expect(decided.status).toBe("DISMISSED");
    expect(await prisma.journalEntry.count({ where: { sourceType: "liability-event" } })).toBe(0);
    expect(await balanceOf(c.depositAccountId)).toBe(yuan(15_000));
    expect(await prisma.liabilityEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "DISMISSED", decisionNote: "已提交中断证据，待核实", forfeit: null });
    expect(await prisma.outboxEmail.count({ where: { template: "custodyLiabilityDismissed", to: bidder.email } })).toBe(1);

    const again = await refusal(decideLiability(ctx, officer, event.id, { decision: "confirm" }, now));
    expect(again.key).toBe("custody.liability.alreadyDecided");
    expect(again.status).toBe(409);
  });

  it("only the department decides: the custodian is refused (403) and nothing changes", async () => {
    await oneLoan(bidder, "2026-07-01");
    await detectLapses(now, ctx);
    const event = await prisma.liabilityEvent.findFirstOrThrow();
    const refused = await refusal(decideLiability(ctx, bidder, event.id, { decision: "dismiss", note: "不是我的责任" }, now));
    expect(refused.key).toBe("custody.liability.notDepartment");
    expect(refused.status).toBe(403);
    expect((await refusal(liabilityQueue(bidder, now))).status).toBe(403);
    expect(await prisma.liabilityEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "DETECTED" });
  });
});

describe("recording the loss of a foreclosed asset (department only, during the term)", () => {
  it("records a loss within the term, refuses one before custody or in the future, and the custodian may not record", async () => {
    const c = await oneLoan(agency, "2027-12-31", { principal: yuan(100_000), interest: yuan(20_000) }, yuan(200_000));
    const input = { contractId: c.contract.id, loanId: c.loans[0]!.id, note: "抵债房产因未及时续保遭火灾灭失" };
    expect((await refusal(recordAssetLoss(ctx, agency, { ...input, occurredOn: "2026-09-01" }, now))).status).toBe(403);
    const before = await refusal(recordAssetLoss(ctx, officer, { ...input, occurredOn: "2026-05-31" }, now));
    expect(before.key).toBe("custody.liability.outsideTerm");
    expect(before.options.params).toMatchObject({ from: "2026-06-01" });
    expect((await refusal(recordAssetLoss(ctx, officer, { ...input, occurredOn: "2026-10-03" }, now))).key).toBe("custody.liability.inFuture");
    const other = await oneLoan(bidder, "2027-12-31");
    expect((await refusal(recordAssetLoss(ctx, officer, { ...input, loanId: other.loans[0]!.id, occurredOn: "2026-09-01" }, now))).key).toBe("custody.liability.loanNotInContract");

    const event = await recordAssetLoss(ctx, officer, { ...input, occurredOn: "2026-09-01" }, now);
    expect(event).toMatchObject({ kind: "ASSET_LOSS", status: "DETECTED", occurredOn: "2026-09-01", recordedById: officer.id });
    expect((await refusal(recordAssetLoss(ctx, officer, { ...input, occurredOn: "2026-09-01" }, now))).key).toBe("custody.liability.duplicate");
    expect(await prisma.notification.count({ where: { userId: agency.id, messageKey: "custody.liability.notice.assetLoss" } })).toBe(1);

    const decided = await decideLiability(ctx, officer, event.id, { decision: "confirm" }, now);
    expect(decided.liability).toEqual({ forfeit: 0n, compensation: yuan(120_000), fromDeposit: yuan(120_000), claim: 0n });
  });
});

describe("who sees which events, and the review section", () => {
  it("the custodian sees its own, another agency none, the department all; the queue shows what confirming would cost now", async () => {
    await oneLoan(agency, "2026-07-01", { principal: yuan(180_000), interest: yuan(40_000) }, yuan(200_000));
    await oneLoan(bidder, "2026-07-01", { price: yuan(80_000) }, yuan(15_000));
    await detectLapses(now, ctx);
    expect(await listLiabilityEvents(agency)).toHaveLength(1);
    expect(await listLiabilityEvents(await asUser("member@huaxin.example"))).toHaveLength(1);
    expect(await listLiabilityEvents(otherAgency)).toHaveLength(0);
    expect(await listLiabilityEvents(bidder)).toHaveLength(1);
    expect(await listLiabilityEvents(officer)).toHaveLength(2);
    expect(await listLiabilityEvents(await asUser("auditor@bank.example"))).toHaveLength(2);

    const queue = await liabilityQueue(officer, now);
    expect(queue.rows).toHaveLength(2);
    const staffRow = queue.rows.find((r) => r.custodianKind === "STAFF")!;
    expect(staffRow.preview).toEqual({ forfeit: yuan(15_000), compensation: yuan(80_000), fromDeposit: 0n, claim: yuan(80_000) });
    const agencyRow = queue.rows.find((r) => r.custodianKind === "AGENCY")!;
    expect(agencyRow.preview).toEqual({ forfeit: 0n, compensation: yuan(220_000), fromDeposit: yuan(200_000), claim: yuan(20_000) });
    expect(queue.loans).toHaveLength(2);
  });

  it("the section's action: confirm by intent, a dismissal without a note refused on the note field", async () => {
    await oneLoan(bidder, "2026-07-01", { price: yuan(80_000) }, yuan(15_000));
    await detectLapses(now, ctx);
    const event = await prisma.liabilityEvent.findFirstOrThrow();
    const form = (entries: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(entries)) f.set(k, v);
      return f;
    };
    const refused = await refusal(handleLiabilityIntent(ctx, officer, form({ intent: "liability-dismiss", eventId: event.id, note: "" }), now));
    expect(refused.key).toBe("custody.liability.noteRequired");
    expect(refused.options.field).toBe("note");
    const done = await handleLiabilityIntent(ctx, officer, form({ intent: "liability-confirm", eventId: event.id, note: "" }), now);
    expect(done.toast.key).toBe("custody.liability.toast.confirmed");
    expect(await prisma.liabilityEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "CONFIRMED" });
  });
});

describe("the /custody/liability page", () => {
  async function load(email: string) {
    const cookie = await sessionCookie(email);
    const request = new Request("http://localhost/custody/liability", { headers: { Cookie: cookie } });
    try {
      return { status: 200, data: await liabilityPageLoader({ request, params: {}, context: {} }) };
    } catch (error) {
      if (error instanceof Response) return { status: error.status, data: null };
      throw error;
    }
  }

  it("shows the custodian its own events with its notices, another agency nothing, the department everything", async () => {
    await oneLoan(agency, "2026-07-01", { principal: yuan(100_000), interest: yuan(20_000) }, yuan(200_000));
    await oneLoan(bidder, "2026-07-01");
    await detectLapses(now, ctx);
    const mine = await load("member@huaxin.example");
    expect(mine.data!.events).toHaveLength(1);
    expect(mine.data!.notices!.map((n) => n.text).join(" ")).toContain("诉讼时效");
    expect((await load("admin@anda.example")).data!.events).toHaveLength(0);
    const department = await load("officer@bank.example");
    expect(department.data!.events).toHaveLength(2);
    expect(department.data!.notices).toBeNull();
  });
});

describe("the review sections render with the test ids the e2e journey uses", () => {
  /** Server-renders a section on a one-route static router (what the page does on the server). */
  async function render(element: ReturnType<typeof createElement>): Promise<string> {
    const handler = createStaticHandler([{ path: "/", element }]);
    const context = await handler.query(new Request("http://localhost/"));
    if (context instanceof Response) throw new Error("unexpected redirect");
    return renderToString(createElement(StaticRouterProvider, { router: createStaticRouter(handler.dataRoutes, context), context }));
  }

  it("liability rows with their cost, note, confirm and dismiss; full-time rows and the custodian's card", async () => {
    await oneLoan(bidder, "2026-07-01", { price: yuan(80_000) }, yuan(15_000));
    for (let i = 0; i < 2; i++) await custodyContract({ custodian: bidder, startsAt, loans: 1 });
    await detectLapses(now, ctx);
    const queue = await liabilityQueue(officer, now);
    const event = queue.rows[0]!;
    const html = await render(createElement(LiabilityReview, { queue, result: { intent: "liability-dismiss", target: event.id, fieldErrors: { note: ["custody.liability.noteRequired"] } } }));
    for (const id of ["liability-row", "liability-note", "liability-confirm", "liability-dismiss", "liability-loss-loan", "liability-loss-submit"]) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain("¥15,000.00");
    expect(html).toContain("¥80,000.00");
    expect(html).toContain("驳回时必须填写理由。");

    const before = await render(createElement(FullTimeApply, { card: await fullTimeCard(bidder, now) }));
    for (const id of ["fulltime-reason", "fulltime-apply", "fulltime-status"]) expect(before).toContain(`data-testid="${id}"`);
    await applyFullTime(ctx, bidder, { reason: "专职清收" }, now);
    const after = await render(createElement(FullTimeApply, { card: await fullTimeCard(bidder, now) }));
    expect(after).toContain("审批中");
    expect(after).not.toContain('data-testid="fulltime-apply"');
    const review = await render(createElement(FullTimeReview, { applications: await fullTimeQueue(officer) }));
    for (const id of ["fulltime-row", "fulltime-approve", "fulltime-reject"]) expect(review).toContain(`data-testid="${id}"`);
    expect(await render(createElement(FullTimeApply, { card: await fullTimeCard(agency, now) }))).not.toContain("fulltime-card");
  });
});
