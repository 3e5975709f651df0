import { beforeEach, describe, expect, it } from "vitest";
import { freshTenderCast } from "../fixtures/tenders";
import { custodyContract } from "../fixtures/custody";
import { installRecordingQueue } from "../support/recording-queue";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { applyFullTime, decideFullTime, fullTimeCard, fullTimeQueue, handleFullTimeIntent, listFullTimeApplications } from "~/services/custody/full-time.server";

/**
 * Full-time collection (issue 7 item 2, README step 10): a staff contractor holding at least
 * fullTimeMinPackages (3) contracts may apply; the department decides, never the applicant.
 */

const ctx = systemContext("test");
const { calls } = installRecordingQueue();
const now = new Date("2026-10-02T02:00:00Z");
const startsAt = new Date("2026-06-01T00:00:00Z");

let officer: AuthUser;
let bidder: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ officer, bidder, agency } = await freshTenderCast());
  calls.length = 0;
});

async function contracts(custodian: AuthUser, n: number) {
  for (let i = 0; i < n; i++) await custodyContract({ custodian, startsAt, loans: 1 });
}

const reason = { reason: "已承包 3 个资产包，申请脱产专职清收。" };

describe("applying to collect full time", () => {
  it("with 2 contracts the staff contractor is refused, the message naming 2 and the threshold 3", async () => {
    await contracts(bidder, 2);
    const refused = await refusal(applyFullTime(ctx, bidder, reason, now));
    expect(refused.key).toBe("custody.fullTime.tooFew");
    expect(refused.options.params).toEqual({ count: 2, threshold: 3 });
    expect(await prisma.fullTimeApplication.count()).toBe(0);
  });

  it("a contract still awaiting the custodian's signature does not count; an ended one neither", async () => {
    await contracts(bidder, 2);
    await custodyContract({ custodian: bidder, startsAt, loans: 1, status: "AWAITING_SIGNATURE" });
    const ended = await custodyContract({ custodian: bidder, startsAt, loans: 1 });
    await prisma.custodyContract.update({ where: { id: ended.contract.id }, data: { status: "ENDED" } });
    expect((await refusal(applyFullTime(ctx, bidder, reason, now))).options.params).toEqual({ count: 2, threshold: 3 });
  });

  it("with 3 contracts the application is PENDING, audited and the department told; a second one is refused while it is pending", async () => {
    await contracts(bidder, 3);
    const application = await applyFullTime(ctx, bidder, reason, now);
    expect(application).toMatchObject({ userId: bidder.id, contractCount: 3, status: "PENDING" });
    expect(await prisma.auditEntry.count({ where: { action: "fulltime.apply", entityId: application.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: officer.id, messageKey: "custody.fullTime.notice.applied" } })).toBe(1);
    const second = await refusal(applyFullTime(ctx, bidder, reason, now));
    expect(second.key).toBe("custody.fullTime.pending");
    expect(await prisma.fullTimeApplication.count()).toBe(1);
    expect(await fullTimeCard(bidder, now)).toMatchObject({ staff: true, count: 3, threshold: 3, mayApply: false, latest: { status: "PENDING" } });
  });

  it("agencies and bank staff who are not contractors may not apply; a reason is required", async () => {
    await contracts(agency, 3);
    expect((await refusal(applyFullTime(ctx, agency, reason, now))).key).toBe("custody.fullTime.staffOnly");
    expect((await refusal(applyFullTime(ctx, officer, reason, now))).status).toBe(403);
    await contracts(bidder, 3);
    const blank = await refusal(applyFullTime(ctx, bidder, { reason: "  " }, now));
    expect(blank.key).toBe("custody.fullTime.reasonRequired");
    expect(blank.options.field).toBe("reason");
  });
});

describe("deciding an application (the department, not the applicant)", () => {
  it("the officer approves: APPROVED, audited, the applicant belled and emailed; decided once", async () => {
    await contracts(bidder, 3);
    const application = await applyFullTime(ctx, bidder, reason, now);
    expect((await fullTimeQueue(officer)).map((a) => a.id)).toEqual([application.id]);
    const decided = await decideFullTime(ctx, officer, application.id, { decision: "approve" }, now);
    expect(decided.status).toBe("APPROVED");
    expect(await prisma.fullTimeApplication.findUniqueOrThrow({ where: { id: application.id } })).toMatchObject({ status: "APPROVED", decidedById: officer.id });
    expect(await prisma.auditEntry.count({ where: { action: "fulltime.approve", entityId: application.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "custody.fullTime.notice.approved" } })).toBe(1);
    expect(await prisma.outboxEmail.count({ where: { template: "custodyFullTimeDecided", to: bidder.email } })).toBe(1);
    expect((await refusal(decideFullTime(ctx, officer, application.id, { decision: "reject", note: "x" }, now))).key).toBe("custody.fullTime.alreadyDecided");
    expect(await fullTimeQueue(officer)).toHaveLength(0);
    expect((await refusal(applyFullTime(ctx, bidder, reason, now))).key).toBe("custody.fullTime.alreadyApproved");
  });

  it("the applicant cannot decide (not the department: 403); nor can a department member decide their own application", async () => {
    await contracts(bidder, 3);
    const application = await applyFullTime(ctx, bidder, reason, now);
    const own = await refusal(decideFullTime(ctx, bidder, application.id, { decision: "approve" }, now));
    expect(own.status).toBe(403);
    // A department member's own application (written directly: the rule holds whoever applied).
    const officer2 = await asUser("officer2@bank.example");
    const theirs = await prisma.fullTimeApplication.create({ data: { userId: officer2.id, contractCount: 3, reason: "test" } });
    expect((await refusal(decideFullTime(ctx, officer2, theirs.id, { decision: "approve" }, now))).key).toBe("custody.fullTime.ownApplication");
    expect(await prisma.fullTimeApplication.findUniqueOrThrow({ where: { id: application.id } })).toMatchObject({ status: "PENDING" });
  });

  it("a rejection needs a note; the applicant may apply again after a rejection", async () => {
    await contracts(bidder, 3);
    const application = await applyFullTime(ctx, bidder, reason, now);
    const form = new FormData();
    form.set("intent", "fulltime-reject");
    form.set("applicationId", application.id);
    form.set("note", "");
    const refused = await refusal(handleFullTimeIntent(ctx, officer, form, now));
    expect(refused.key).toBe("custody.fullTime.noteRequired");
    expect(refused.options.field).toBe("note");
    form.set("note", "清收任务完成率不足，暂不批准");
    expect((await handleFullTimeIntent(ctx, officer, form, now)).toast.key).toBe("custody.fullTime.toast.rejected");
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "custody.fullTime.notice.rejected" } })).toBe(1);
    expect((await applyFullTime(ctx, bidder, reason, now)).status).toBe("PENDING");
    expect(await listFullTimeApplications(bidder)).toHaveLength(2);
    expect(await listFullTimeApplications(await asUser("bidder2@bank.example"))).toHaveLength(0);
  });
});
