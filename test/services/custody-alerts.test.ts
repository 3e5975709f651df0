import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { asUser } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { sendLimitationAlerts } from "~/services/custody/limitation-alerts.server";
import { addDays, todayInChina } from "~/domain/calendar";
import { limitationAlertsJob } from "../../jobs/custody-work-jobs";
import { decideInterruption, recordInterruption } from "~/services/loans/limitation.server";

// R8: alerts 90, 30 and 7 days before the limitation expiry of a loan in custody, in the bell and by
// email, to the custodian's users and the department; once per loan, expiry and threshold; when
// several thresholds are reached at once only the tightest is sent (the looser ones are recorded so
// they never arrive late). A verified interruption moves the expiry, and the alerts follow it.

const ctx = systemContext("test");
/** 10:00 China time on 20 December 2026: today is 2026-12-20. */
const now = new Date("2026-12-20T02:00:00Z");
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);

const queue = installRecordingQueue();
let agency: AuthUser;
let c: CustodyFixture;

const alertRows = async () => (await prisma.limitationAlert.findMany({ orderBy: [{ expiresOn: "asc" }, { days: "desc" }] })).map((a) => [a.expiresOn, a.days]);
const bellRecipients = async () => {
  const rows = await prisma.notification.findMany({ where: { messageKey: "custody.alert.limitation" } });
  const users = await prisma.user.findMany({ where: { id: { in: rows.map((r) => r.userId) } }, select: { id: true, email: true } });
  return rows.map((r) => users.find((u) => u.id === r.userId)!.email).sort();
};
const emailRecipients = async () => (await prisma.outboxEmail.findMany({ where: { template: "custodyLimitationAlert" } })).map((e) => e.to).sort();

/** Expiries (limitation = last interruption + 3 years): 2027-03-20 is 90 days after 2026-12-20; 2027-03-21 is 91. */
async function contractWith(expiries: string[]) {
  return custodyContract({
    custodian: agency, loans: expiries.length, startsAt: new Date("2026-06-01T00:00:00Z"), termMonths: 12,
    loan: (i) => ({ lastInterruptionOn: null, limitationExpiresOn: expiries[i]! }),
  });
}

beforeEach(async () => {
  queue.calls.length = 0;
  resetDatabase();
  await seed();
  agency = await asUser("admin@huaxin.example");
});

describe("the 90/30/7-day alerts", () => {
  it("sends the 90-day alert once, to the agency's users and the department, in the bell and by email", async () => {
    c = await contractWith(["2027-03-20", "2027-03-21"]);
    const run = await sendLimitationAlerts(now, ctx);
    expect(run.sent).toEqual([{ loanNumber: c.loans[0]!.loanNumber, contractNumber: c.contract.number, expiresOn: "2027-03-20", daysLeft: 90, days: 90, recipients: expect.any(Number) }]);
    const expected = ["admin@huaxin.example", "member@huaxin.example", "officer2@bank.example", "officer@bank.example"];
    expect(await bellRecipients()).toEqual(expect.arrayContaining(expected));
    expect(await emailRecipients()).toEqual(await bellRecipients());
    expect((await bellRecipients()).some((e) => e.endsWith("@anda.example") || e === "bidder@bank.example")).toBe(false);
    expect(run.sent[0]!.recipients).toBe((await bellRecipients()).length);
    expect(await alertRows()).toEqual([["2027-03-20", 90]]);
    const email = await prisma.outboxEmail.findFirstOrThrow({ where: { template: "custodyLimitationAlert", to: "admin@huaxin.example" } });
    expect(email.subject).toContain("90 天");
    expect(email.text).toContain("2027-03-20");
    // handed to email.send after the commit, one job per message
    const outbox = await prisma.outboxEmail.findMany({ where: { template: "custodyLimitationAlert" } });
    expect(queue.calls.filter((q) => q.name === "email.send").map((q) => (q.payload as { outboxId: string }).outboxId).sort()).toEqual(outbox.map((o) => o.id).sort());

    // the same day again: nothing more; the next day only the second loan reaches its 90 days (the first one's 30 comes on 2027-02-18)
    expect((await sendLimitationAlerts(now, ctx)).sent).toEqual([]);
    expect(await prisma.notification.count({ where: { messageKey: "custody.alert.limitation" } })).toBe(run.sent[0]!.recipients);
    expect((await sendLimitationAlerts(later(1), ctx)).sent.map((s) => [s.loanNumber, s.daysLeft, s.days])).toEqual([[c.loans[1]!.loanNumber, 90, 90]]);
    expect((await sendLimitationAlerts(later(2), ctx)).sent).toEqual([]);
  });

  it("sends 30 on 2027-02-18 and 7 on 2027-03-13, each once", async () => {
    c = await contractWith(["2027-03-20"]);
    await sendLimitationAlerts(now, ctx);
    expect((await sendLimitationAlerts(later(59), ctx)).sent).toEqual([]); // 31 days left
    expect((await sendLimitationAlerts(later(60), ctx)).sent.map((s) => [s.daysLeft, s.days])).toEqual([[30, 30]]);
    expect((await sendLimitationAlerts(later(75), ctx)).sent).toEqual([]);
    expect((await sendLimitationAlerts(later(83), ctx)).sent.map((s) => [s.daysLeft, s.days])).toEqual([[7, 7]]);
    expect((await sendLimitationAlerts(later(85), ctx)).sent).toEqual([]);
    expect(await alertRows()).toEqual([["2027-03-20", 90], ["2027-03-20", 30], ["2027-03-20", 7]]);
  });

  it("sends only the tightest threshold reached: 5 days left → the 7-day alert, with 30 and 90 recorded as done", async () => {
    c = await contractWith(["2026-12-25"]);
    const run = await sendLimitationAlerts(now, ctx);
    expect(run.sent.map((s) => [s.daysLeft, s.days])).toEqual([[5, 7]]);
    expect(await alertRows()).toEqual([["2026-12-25", 90], ["2026-12-25", 30], ["2026-12-25", 7]]);
    // one message per person, not three
    const people = await bellRecipients();
    expect(new Set(people).size).toBe(people.length);
    expect((await sendLimitationAlerts(later(1), ctx)).sent).toEqual([]);
  });

  it("says nothing for a lapsed loan, nor for loans outside a custody term", async () => {
    c = await contractWith(["2026-12-19"]);
    const ended = await custodyContract({
      custodian: agency, loans: 1, startsAt: new Date("2025-06-01T00:00:00Z"), termMonths: 12, loan: () => ({ lastInterruptionOn: null, limitationExpiresOn: "2027-01-10" }),
    });
    const notYet = await custodyContract({
      custodian: agency, loans: 1, startsAt: new Date("2027-01-01T00:00:00Z"), termMonths: 12, loan: () => ({ lastInterruptionOn: null, limitationExpiresOn: "2027-01-10" }),
    });
    expect(ended.contract.custodyEndsAt!.getTime()).toBeLessThan(now.getTime());
    expect(notYet.contract.custodyStartsAt!.getTime()).toBeGreaterThan(now.getTime());
    expect((await sendLimitationAlerts(now, ctx)).sent).toEqual([]);
    expect(await alertRows()).toEqual([]);
  });

  it("follows a verified interruption to the new expiry: 2026-12-25 (7-day alert) → receipt of 2024-01-10 verified → 2027-01-10, 21 days: the 30-day alert", async () => {
    c = await contractWith(["2026-12-25"]);
    await prisma.loan.update({ where: { id: c.loans[0]!.id }, data: { lastInterruptionOn: "2023-12-25" } });
    expect((await sendLimitationAlerts(now, ctx)).sent.map((s) => [s.expiresOn, s.days])).toEqual([["2026-12-25", 7]]);
    const officer = await asUser("officer@bank.example");
    const officer2 = await asUser("officer2@bank.example");
    const pdf = { bytes: new TextEncoder().encode("%PDF-1.4\n% receipt\n%%EOF\n"), originalName: "回执.pdf" };
    const recorded = await recordInterruption(ctx, officer, c.loans[0]!.loanNumber, { kind: "notice_receipt", occurredOn: "2024-01-10", evidence: pdf }, now);
    // not verified yet: the old expiry holds, no new alert
    expect((await sendLimitationAlerts(now, ctx)).sent).toEqual([]);
    await decideInterruption(ctx, officer2, recorded.id, { decision: "verify" }, now);
    expect((await prisma.loan.findUniqueOrThrow({ where: { id: c.loans[0]!.id } })).limitationExpiresOn).toBe("2027-01-10");
    expect((await sendLimitationAlerts(now, ctx)).sent.map((s) => [s.expiresOn, s.daysLeft, s.days])).toEqual([["2027-01-10", 21, 30]]);
    expect(await alertRows()).toEqual([["2026-12-25", 90], ["2026-12-25", 30], ["2026-12-25", 7], ["2027-01-10", 90], ["2027-01-10", 30]]);
  });

  it("is audit-logged once per alert sent", async () => {
    c = await contractWith(["2027-03-20"]);
    await sendLimitationAlerts(now, ctx);
    await sendLimitationAlerts(now, ctx);
    const entries = await prisma.auditEntry.findMany({ where: { action: "custody.limitation.alert" } });
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.after!)).toMatchObject({ loanNumber: c.loans[0]!.loanNumber, expiresOn: "2027-03-20", days: 90, recorded: [90] });
  });
});

describe("the daily job custody.limitationAlerts", () => {
  it("runs the alerts for today (China) and is idempotent", async () => {
    const expiresOn = addDays(todayInChina(new Date()), 5);
    c = await custodyContract({
      custodian: agency, loans: 1, startsAt: new Date(Date.now() - 30 * 86_400_000), termMonths: 12, loan: () => ({ lastInterruptionOn: null, limitationExpiresOn: expiresOn }),
    });
    const logs: unknown[] = [];
    const jobCtx = { jobId: "test", attempt: 1, logger: { info: (_m: string, meta?: unknown) => logs.push(meta), warn: () => {}, error: () => {} } };
    const payload = limitationAlertsJob.payload.parse({});
    expect(payload.day).toBe(todayInChina(new Date()));
    await limitationAlertsJob.handler(payload, jobCtx);
    await limitationAlertsJob.handler(payload, jobCtx);
    expect(await alertRows()).toEqual([[expiresOn, 90], [expiresOn, 30], [expiresOn, 7]]);
    expect(logs).toEqual([expect.objectContaining({ sent: 1 }), expect.objectContaining({ sent: 0 })]);
    expect(limitationAlertsJob.name).toBe("custody.limitationAlerts");
  });
});
