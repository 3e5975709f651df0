import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { sessionCookie } from "../support/routes";
import { asUser, refusal } from "../support/users";
import type { Instalment } from "~/domain/repayment-agreement";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { parseSchedule } from "~/services/custody/agreement-schemas";
import { AgreementRefused, agreementView, missedInstalmentFlags, recordAgreement, recordAgreementPayment } from "~/services/custody/agreements.server";
import { decideWaiver, handleWaiverIntent, pendingWaivers, waiverInEffect } from "~/services/custody/waivers.server";
import { addDays, todayInChina } from "~/domain/calendar";
import { latestDueOn } from "~/domain/repayment-agreement";
/* eslint-disable no-restricted-imports -- the page tests call the route's loader and action directly, with a session cookie */
import { action as pageAction, loader as pageLoader } from "~/routes/custody.loans.$loanNumber_.agreements";
/* eslint-enable no-restricted-imports */

// R5: a repayment agreement of at most 36 months (setting), never collecting more than owed (no new
// lending); what it does not collect is a waiver the department approves before it takes effect.

const ctx = systemContext("test");
const { calls } = installRecordingQueue();

/** Custody from 08:00 China time on 2026-06-01, for 24 months. */
const startsAt = new Date("2026-06-01T00:00:00Z");
/** 10:00 China time on 2026-12-20. */
const now = new Date("2026-12-20T02:00:00Z");
const later = (ms: number, from = now) => new Date(from.getTime() + ms);
const hour = 3_600_000;

let custodian: AuthUser; // agency 华信
let colleague: AuthUser; // another user of 华信
let otherAgency: AuthUser; // 安达
let officer: AuthUser; // the department
let officer2: AuthUser;
let c: CustodyFixture;
let loanNumber: string;
let loanId: string;

beforeEach(async () => {
  resetDatabase();
  await seed();
  calls.length = 0;
  custodian = await asUser("admin@huaxin.example");
  colleague = await asUser("member@huaxin.example");
  otherAgency = await asUser("admin@anda.example");
  officer = await asUser("officer@bank.example");
  officer2 = await asUser("officer2@bank.example");
  // Each loan owes ¥100,000 of principal and ¥20,000 of interest.
  c = await custodyContract({ custodian, startsAt, loan: () => ({ principal: 10_000_000n, interestOnBalance: 2_000_000n, interestOffBalance: 0n }) });
  loanNumber = c.loans[0]!.loanNumber;
  loanId = c.loans[0]!.id;
});

/** `months` monthly instalments from 2027-01-15 collecting `principal` and `interest` (fen), the remainder on the last. */
function monthly(months: number, principal: bigint, interest: bigint, firstDue = "2027-01-15"): Instalment[] {
  const [y, m, d] = firstDue.split("-").map(Number) as [number, number, number];
  const n = BigInt(months);
  return Array.from({ length: months }, (_, i) => {
    const month = m - 1 + i;
    const dueOn = `${y + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    const last = i === months - 1;
    return {
      dueOn,
      principal: last ? principal - (principal / n) * (n - 1n) : principal / n,
      interest: last ? interest - (interest / n) * (n - 1n) : interest / n,
    };
  });
}

const auditActions = async () => (await prisma.auditEntry.findMany({ orderBy: { id: "asc" } })).map((a) => a.action);

describe("recording an agreement (R5)", () => {
  it("accepts a 36-month schedule collecting all ¥100,000 + ¥20,000: ACTIVE, no waiver", async () => {
    const schedule = monthly(36, 10_000_000n, 2_000_000n);
    expect(schedule.at(-1)!.dueOn).toBe("2029-12-15"); // signed 2026-12-15 + 36 months
    const { agreement, waiver } = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: schedule }, now);
    expect(waiver).toBeNull();
    expect(agreement).toMatchObject({
      status: "ACTIVE", outstandingPrincipal: 10_000_000n, outstandingInterest: 2_000_000n,
      scheduledPrincipal: 10_000_000n, scheduledInterest: 2_000_000n, lastDueOn: "2029-12-15", settingsVersion: 1,
    });
    expect(await prisma.agreementInstalment.count({ where: { agreementId: agreement.id } })).toBe(36);
    expect(await prisma.waiverRequest.count()).toBe(0);
    expect(await auditActions()).toContain("agreement.record");
    expect(await auditActions()).not.toContain("waiver.request");
  });

  it("refuses 37 months, naming the latest due day allowed (2029-12-15), and records nothing", async () => {
    const schedule = monthly(37, 10_000_000n, 2_000_000n);
    expect(schedule.at(-1)!.dueOn).toBe("2030-01-15");
    const error = await refusal(recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: schedule }, now));
    expect(error).toBeInstanceOf(AgreementRefused);
    expect(error.key).toBe("custodyAgreements.problem.tooLong");
    expect(error.options.params).toEqual({ lastDueOn: "2030-01-15", latest: "2029-12-15", maxMonths: 36 });
    expect(await prisma.repaymentAgreement.count()).toBe(0);
  });

  it("refuses a schedule asking ¥130,000 (¥100,000 + ¥30,000 against ¥20,000 of interest owed) as new lending", async () => {
    const error = await refusal(
      recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: monthly(12, 10_000_000n, 3_000_000n) }, now),
    );
    expect(error.key).toBe("custodyAgreements.problem.newLendingInterest");
    expect(error.options.params).toEqual({ scheduled: "¥30,000.00", outstanding: "¥20,000.00" });
    const principal = await refusal(
      recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: monthly(12, 11_000_000n, 2_000_000n) }, now),
    );
    expect(principal.key).toBe("custodyAgreements.problem.newLendingPrincipal");
    expect(await prisma.repaymentAgreement.count()).toBe(0);
  });

  it("reports every problem of a schedule with its instalment number", async () => {
    const error = (await refusal(
      recordAgreement(ctx, custodian, loanNumber, {
        signedOn: "2026-12-15",
        instalments: [
          { dueOn: "2026-12-10", principal: 100_000n, interest: 0n },
          { dueOn: "2027-02-15", principal: 0n, interest: 0n },
          { dueOn: "2027-01-15", principal: 100_000n, interest: 0n },
        ],
        reason: "困难",
      }, now),
    )) as AgreementRefused;
    expect(error.problems).toEqual([
      { key: "custodyAgreements.problem.dueBeforeSigning", params: { line: 1, signedOn: "2026-12-15" } },
      { key: "custodyAgreements.problem.nonPositive", params: { line: 2 } },
      { key: "custodyAgreements.problem.notInOrder", params: { line: 3 } },
    ]);
  });

  it("refuses a signing day in the future or before custody started", async () => {
    const future = await refusal(recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-21", instalments: monthly(12, 10_000_000n, 2_000_000n, "2027-01-21") }, now));
    expect([future.key, future.options.field]).toEqual(["custodyAgreements.signedOn.future", "signedOn"]);
    const before = await refusal(recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-05-31", instalments: monthly(12, 10_000_000n, 2_000_000n) }, now));
    expect(before.key).toBe("custodyAgreements.signedOn.beforeCustody");
    expect(before.options.params).toEqual({ startsOn: "2026-06-01" });
    expect(await prisma.repaymentAgreement.count()).toBe(0);
  });

  it("another agency can neither record nor see the loan's agreements (404, like a loan that does not exist)", async () => {
    await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: monthly(12, 10_000_000n, 2_000_000n) }, now);
    const record = await refusal(recordAgreement(ctx, otherAgency, loanNumber, { signedOn: "2026-12-15", instalments: monthly(12, 10_000_000n, 2_000_000n) }, now));
    expect([record.key, record.status]).toEqual(["custody.loanNotFound", 404]);
    const view = await refusal(agreementView(otherAgency, loanNumber, now));
    expect([view.key, view.status]).toEqual(["custody.loanNotFound", 404]);
    const agreement = await prisma.repaymentAgreement.findFirstOrThrow();
    const pay = await refusal(recordAgreementPayment(ctx, otherAgency, agreement.id, { paidOn: "2026-12-18", amount: 100_000n }, now));
    expect([pay.key, pay.status]).toEqual(["custodyAgreements.agreement.notFound", 404]);
    // After the custody term ends, the custodian too gets the 404.
    const ended = await refusal(agreementView(custodian, loanNumber, new Date("2028-06-01T00:00:00Z")));
    expect(ended.status).toBe(404);
    expect(await prisma.repaymentAgreement.count()).toBe(1);
  });

  it("a new agreement supersedes the ACTIVE one", async () => {
    const first = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-10", instalments: monthly(12, 10_000_000n, 2_000_000n) }, now);
    const second = await recordAgreement(ctx, colleague, loanNumber, { signedOn: "2026-12-15", instalments: monthly(24, 10_000_000n, 2_000_000n) }, now);
    expect(second.superseded).toBe(first.agreement.id);
    const statuses = await prisma.repaymentAgreement.findMany({ orderBy: { signedOn: "asc" }, select: { status: true } });
    expect(statuses.map((s) => s.status)).toEqual(["SUPERSEDED", "ACTIVE"]);
  });
});

describe("waivers (R5: effective only after the department's approval)", () => {
  /** 12 instalments collecting ¥100,000 + ¥5,000: a waiver of ¥15,000 of interest. */
  const reduced = () => monthly(12, 10_000_000n, 500_000n);

  it("a schedule collecting ¥100,000 + ¥5,000 requests a ¥15,000 interest waiver: PENDING, nothing in effect before approval, ¥15,000 after", async () => {
    const noReason = await refusal(recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: reduced() }, now));
    expect([noReason.key, noReason.options.field]).toEqual(["custodyAgreements.reasonRequired", "reason"]);
    expect(noReason.options.params).toEqual({ principal: "¥0.00", interest: "¥15,000.00" });

    const { agreement, waiver } = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: reduced(), reason: "债务人失业，家庭困难" }, now);
    expect(agreement.status).toBe("PENDING_WAIVER");
    expect(waiver).toMatchObject({ status: "PENDING", principal: 0n, interest: 1_500_000n, reason: "债务人失业，家庭困难", requestedById: custodian.id });
    expect(await waiverInEffect(loanId, now)).toEqual({ principal: 0n, interest: 0n });
    // The debtor still owes the full amount meanwhile.
    const pendingView = await agreementView(custodian, loanNumber, later(hour));
    expect(pendingView.outstanding).toEqual({ principal: 10_000_000n, interest: 2_000_000n });
    expect(pendingView.agreements[0]!.waiver).toMatchObject({ status: "PENDING", interest: 1_500_000n });
    expect(pendingView.canRecord).toBe(false);
    // The department is told, with a link to its review page.
    const officerNote = await prisma.notification.findFirstOrThrow({ where: { userId: officer.id } });
    expect(officerNote).toMatchObject({ messageKey: "custodyAgreements.notify.waiverRequested", link: "/custody/review" });
    expect(JSON.parse(officerNote.params)).toMatchObject({ loanNumber, interest: "¥15,000.00", principal: "¥0.00" });

    const queue = await pendingWaivers(officer);
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({
      loanNumber, contractNumber: c.contract.number, outstanding: { principal: 10_000_000n, interest: 2_000_000n },
      scheduled: { principal: 10_000_000n, interest: 500_000n }, waiver: { principal: 0n, interest: 1_500_000n }, canDecide: true,
    });

    const decidedAt = later(2 * hour);
    const decided = await decideWaiver(ctx, officer, waiver!.id, { decision: "approve", note: "同意" }, decidedAt);
    expect(decided).toMatchObject({ status: "APPROVED", agreementStatus: "ACTIVE" });
    expect(await waiverInEffect(loanId, new Date(decidedAt.getTime() - 1))).toEqual({ principal: 0n, interest: 0n });
    expect(await waiverInEffect(loanId, decidedAt)).toEqual({ principal: 0n, interest: 1_500_000n });
    expect((await prisma.repaymentAgreement.findUniqueOrThrow({ where: { id: agreement.id } })).status).toBe("ACTIVE");
    // What is owed now is ¥100,000 + ¥5,000.
    expect((await agreementView(custodian, loanNumber, later(hour, decidedAt))).outstanding).toEqual({ principal: 10_000_000n, interest: 500_000n });
    // The custodian's users are told in the app and by email.
    for (const u of [custodian, colleague]) {
      expect(await prisma.notification.count({ where: { userId: u.id, messageKey: "custodyAgreements.notify.waiverApproved" } })).toBe(1);
    }
    const emails = await prisma.outboxEmail.findMany({ where: { template: "custodyWaiverDecided" } });
    expect(emails.map((e) => e.to).sort()).toEqual(["admin@huaxin.example", "member@huaxin.example"]);
    expect(emails[0]!.text).toContain("¥15,000.00");
    expect(calls.filter((call) => call.name === "email.send")).toHaveLength(2);
    expect(await auditActions()).toEqual(expect.arrayContaining(["agreement.record", "waiver.request", "waiver.approve"]));
    // Decisions are final.
    const again = await refusal(decideWaiver(ctx, officer2, waiver!.id, { decision: "reject", note: "改判" }, later(3 * hour)));
    expect([again.key, again.status]).toEqual(["custodyAgreements.waiver.alreadyDecided", 409]);
  });

  it("a rejected waiver leaves nothing in effect and the agreement does not stand; a note is required", async () => {
    const { waiver, agreement } = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: reduced(), reason: "困难" }, now);
    const noNote = await refusal(decideWaiver(ctx, officer, waiver!.id, { decision: "reject", note: "  " }, later(hour)));
    expect([noNote.key, noNote.options.field]).toEqual(["custodyAgreements.waiver.noteRequired", "note"]);
    await decideWaiver(ctx, officer, waiver!.id, { decision: "reject", note: "理由不充分" }, later(hour));
    expect(await waiverInEffect(loanId, later(2 * hour))).toEqual({ principal: 0n, interest: 0n });
    expect((await prisma.repaymentAgreement.findUniqueOrThrow({ where: { id: agreement.id } })).status).toBe("WAIVER_REJECTED");
    expect(await prisma.notification.count({ where: { userId: custodian.id, messageKey: "custodyAgreements.notify.waiverRejected" } })).toBe(1);
    expect(await auditActions()).toContain("waiver.reject");
    // No payment on an agreement that does not stand; a new agreement may be recorded.
    const pay = await refusal(recordAgreementPayment(ctx, custodian, agreement.id, { paidOn: "2026-12-18", amount: 100_000n }, later(2 * hour)));
    expect([pay.key, pay.status]).toEqual(["custodyAgreements.payment.notStanding", 409]);
    const next = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-20", instalments: monthly(12, 10_000_000n, 2_000_000n), reason: "" }, later(2 * hour));
    expect(next.agreement.status).toBe("ACTIVE");
  });

  it("the department approves; a custodian cannot (403); nor can the requester (four eyes)", async () => {
    const { waiver } = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: reduced(), reason: "困难" }, now);
    const byCustodian = await refusal(decideWaiver(ctx, custodian, waiver!.id, { decision: "approve" }, later(hour)));
    expect([byCustodian.key, byCustodian.status]).toEqual(["custody.forbidden", 403]);
    expect((await refusal(pendingWaivers(custodian))).status).toBe(403);
    // Were the requester in the department, they still could not decide their own request.
    await prisma.waiverRequest.update({ where: { id: waiver!.id }, data: { requestedById: officer.id } });
    expect((await pendingWaivers(officer))[0]!.canDecide).toBe(false);
    const own = await refusal(decideWaiver(ctx, officer, waiver!.id, { decision: "approve" }, later(hour)));
    expect([own.key, own.status]).toEqual(["custodyAgreements.waiver.fourEyes", 403]);
    expect((await prisma.waiverRequest.findUniqueOrThrow({ where: { id: waiver!.id } })).status).toBe("PENDING");
    // The review page's action: officer2 approves through the form intent.
    const form = new FormData();
    form.set("intent", "waiver-approve");
    form.set("waiverId", waiver!.id);
    form.set("note", "");
    const handled = await handleWaiverIntent(ctx, officer2, form, later(hour));
    expect(handled.toast).toEqual({ key: "custodyAgreements.toast.waiverApproved", params: { loanNumber } });
    expect(await waiverInEffect(loanId, later(hour))).toEqual({ principal: 0n, interest: 1_500_000n });
  });

  it("no new agreement while one awaits its waiver decision; on approval it supersedes the ACTIVE one", async () => {
    const first = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-10", instalments: monthly(12, 10_000_000n, 2_000_000n) }, now);
    const second = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: reduced(), reason: "困难" }, now);
    // The first stands until the waiver is approved.
    expect((await prisma.repaymentAgreement.findUniqueOrThrow({ where: { id: first.agreement.id } })).status).toBe("ACTIVE");
    const blocked = await refusal(recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-16", instalments: monthly(12, 10_000_000n, 2_000_000n) }, now));
    expect([blocked.key, blocked.status]).toEqual(["custodyAgreements.pendingDecision", 409]);
    const decided = await decideWaiver(ctx, officer, second.waiver!.id, { decision: "approve" }, later(hour));
    expect(decided.superseded).toEqual([first.agreement.id]);
    expect((await prisma.repaymentAgreement.findUniqueOrThrow({ where: { id: first.agreement.id } })).status).toBe("SUPERSEDED");
  });
});

describe("payments and missed instalments", () => {
  /** 10 instalments of ¥10,000 + ¥2,000, due on the 15th from 2027-01-15. */
  const tenMonths = () => monthly(10, 10_000_000n, 2_000_000n);

  it("flags an instalment missed after its due day, with the shortfall", async () => {
    const { agreement } = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: tenMonths() }, now);
    await recordAgreementPayment(ctx, custodian, agreement.id, { paidOn: "2027-01-14", amount: 1_000_000n }, new Date("2027-01-14T04:00:00Z"));
    // On the due day itself nothing is missed yet.
    const onDueDay = await agreementView(custodian, loanNumber, new Date("2027-01-15T04:00:00Z"));
    expect(onDueDay.missedCount).toBe(0);
    expect(await missedInstalmentFlags(c.contract.id, "2027-01-15")).toEqual({});
    // The day after: instalment 1 (¥12,000 due, ¥10,000 paid) is ¥2,000 short.
    const after = await agreementView(custodian, loanNumber, new Date("2027-01-16T04:00:00Z"));
    expect(after.missedCount).toBe(1);
    expect(after.agreements[0]!.missed).toEqual([{ position: 1, dueOn: "2027-01-15", short: 200_000n }]);
    expect(after.agreements[0]!.instalments[0]!.missedShort).toBe(200_000n);
    expect(after.agreements[0]!.instalments[1]!.missedShort).toBeNull();
    expect(after.agreements[0]!.paidToDate).toBe(1_000_000n);
    expect(await missedInstalmentFlags(c.contract.id, "2027-01-16")).toEqual({ [loanId]: 1 });
    // Paying the rest clears the flag.
    await recordAgreementPayment(ctx, custodian, agreement.id, { paidOn: "2027-01-16", amount: 200_000n }, new Date("2027-01-16T05:00:00Z"));
    expect(await missedInstalmentFlags(c.contract.id, "2027-01-16")).toEqual({});
    expect(await auditActions()).toContain("agreement.payment");
  });

  it("refuses a payment in the future, before signing, or of no amount", async () => {
    const { agreement } = await recordAgreement(ctx, custodian, loanNumber, { signedOn: "2026-12-15", instalments: tenMonths() }, now);
    expect((await refusal(recordAgreementPayment(ctx, custodian, agreement.id, { paidOn: "2026-12-21", amount: 100n }, now))).key).toBe("custodyAgreements.payment.future");
    expect((await refusal(recordAgreementPayment(ctx, custodian, agreement.id, { paidOn: "2026-12-14", amount: 100n }, now))).key).toBe("custodyAgreements.payment.beforeSigning");
    expect((await refusal(recordAgreementPayment(ctx, custodian, agreement.id, { paidOn: "2026-12-16", amount: 0n }, now))).key).toBe("custodyAgreements.payment.invalidAmount");
    expect(await prisma.agreementPayment.count()).toBe(0);
  });
});

describe("the schedule textarea", () => {
  it("reads `YYYY-MM-DD principal interest` in yuan, one instalment a line, and names the bad lines", () => {
    expect(parseSchedule("2027-01-15 10000 500\n\n2027-02-15 10,000.50 0\n")).toEqual({
      instalments: [
        { dueOn: "2027-01-15", principal: 1_000_000n, interest: 50_000n },
        { dueOn: "2027-02-15", principal: 1_000_050n, interest: 0n },
      ],
      problems: [],
    });
    expect(parseSchedule("2027-01-15 10000\n2027-02-30 1 1\n2027-03-15 -5 1\n2027-04-15 1.234 0").problems).toEqual([
      { key: "custodyAgreements.schedule.lineFormat", params: { line: 1 } },
      { key: "custodyAgreements.problem.invalidDay", params: { line: 2 } },
      { key: "custodyAgreements.schedule.amount", params: { line: 3, value: "-5" } },
      { key: "custodyAgreements.schedule.amount", params: { line: 4, value: "1.234" } },
    ]);
    expect(parseSchedule("  \n").problems).toEqual([{ key: "custodyAgreements.problem.noInstalments", params: {} }]);
  });
});

describe("the agreements page (/custody/loans/:loanNumber/agreements, on the clock)", () => {
  type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;
  const cookieOf = sessionCookie;
  async function load(email: string, loan: string) {
    const request = new Request(`http://localhost/custody/loans/${loan}/agreements`, { headers: { Cookie: await cookieOf(email) } });
    try {
      return { status: 200, data: (await (pageLoader as Handler)({ request, params: { loanNumber: loan }, context: {} })) as Awaited<ReturnType<typeof pageLoader>> };
    } catch (error) {
      if (error instanceof Response) return { status: error.status, data: null };
      throw error;
    }
  }
  async function post(email: string, loan: string, fields: [string, string][]) {
    const request = new Request(`http://localhost/custody/loans/${loan}/agreements`, {
      method: "POST",
      headers: { Cookie: await cookieOf(email), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    const result = await (pageAction as Handler)({ request, params: { loanNumber: loan }, context: {} });
    if (result instanceof Response) return { status: result.status, location: result.headers.get("Location"), data: null };
    const wrapped = result as { data: { problems: { key: string; params: Record<string, unknown> }[] }; init: { status?: number } | null };
    return { status: wrapped.init?.status ?? 200, location: null, data: wrapped.data };
  }

  it("shows the limits, names the bad lines of a schedule, refuses 37 months, records a good one; another agency gets 404", async () => {
    const live = await custodyContract({ custodian, startsAt: new Date(Date.now() - 30 * 86_400_000), loans: 1, loan: () => ({ principal: 10_000_000n, interestOnBalance: 2_000_000n, interestOffBalance: 0n }) });
    const loan = live.loans[0]!.loanNumber;
    const today = todayInChina(new Date());
    const signed = addDays(today, -2);
    const page = await load("admin@huaxin.example", loan);
    expect(page.data).toMatchObject({ outstanding: { principal: 10_000_000n, interest: 2_000_000n }, maxMonths: 36, latestDueOn: latestDueOn(today, 36), canRecord: true });
    expect((await load("admin@anda.example", loan)).status).toBe(404);

    const bad = await post("admin@huaxin.example", loan, [["intent", "agreement"], ["signed_on", signed], ["schedule", `${addDays(signed, 30)} 50000 10000\n${addDays(signed, 60)} 50000\n${addDays(signed, 90)} abc 1`]]);
    expect(bad.status).toBe(400);
    expect(bad.data!.problems).toEqual([
      { key: "custodyAgreements.schedule.lineFormat", params: { line: 2 } },
      { key: "custodyAgreements.schedule.amount", params: { line: 3, value: "abc" } },
    ]);
    const tooLong = await post("admin@huaxin.example", loan, [["intent", "agreement"], ["signed_on", signed], ["schedule", `${addDays(latestDueOn(signed, 36), 1)} 100000 20000`]]);
    expect(tooLong.status).toBe(400);
    expect(tooLong.data!.problems).toEqual([{ key: "custodyAgreements.problem.tooLong", params: { lastDueOn: addDays(latestDueOn(signed, 36), 1), latest: latestDueOn(signed, 36), maxMonths: 36 } }]);
    expect(await prisma.repaymentAgreement.count()).toBe(0);

    const ok = await post("admin@huaxin.example", loan, [["intent", "agreement"], ["signed_on", signed], ["schedule", `${addDays(signed, 30)} 50000 10000\n${latestDueOn(signed, 36)} 50000 10000`], ["reason", ""]]);
    expect(ok).toMatchObject({ status: 302, location: `/custody/loans/${loan}/agreements` });
    const after = await load("admin@huaxin.example", loan);
    expect(after.data!.agreements.map((a) => [a.status, a.instalments.length])).toEqual([["ACTIVE", 2]]);
    const agreementId = after.data!.agreements[0]!.id;
    const paid = await post("admin@huaxin.example", loan, [["intent", "payment"], ["agreement_id", agreementId], ["paid_on", today], ["amount", "0"]]);
    expect(paid.status).toBe(400);
    expect(paid.data!.problems).toEqual([{ key: "custodyAgreements.payment.invalidAmount", params: {} }]);
    expect((await post("admin@huaxin.example", loan, [["intent", "payment"], ["agreement_id", agreementId], ["paid_on", today], ["amount", "60,000"]])).status).toBe(302);
    expect((await prisma.agreementPayment.findFirstOrThrow()).amount).toBe(6_000_000n);
  });
});
