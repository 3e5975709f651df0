import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { resetDatabase } from "../support/reset-db";
import { sessionCookie } from "../support/routes";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { chinaLocalToInstant, instantToChinaLocal } from "~/services/custody/activity-schemas";
import { listActivities, pendingCustodianInterruptions, recordActivity, type RecordActivityInput } from "~/services/custody/activities.server";
import { custodyLoanView } from "~/services/custody/workbench.server";
import { decideInterruption } from "~/services/loans/limitation.server";
import { addDays, todayInChina } from "~/domain/calendar";
/* eslint-disable no-restricted-imports -- the page test calls the loader and action directly, with a session cookie */
import { action as loanPageAction, loader as loanPageLoader } from "~/routes/custody.loans.$loanNumber";
/* eslint-enable no-restricted-imports */

// Issue 7 item 3, README "Conduct and privacy": a custodian contacts only the debtor or a guarantor,
// never from 22:00 to 08:00 China time (UTC+8: 22:00 CST = 14:00Z, 08:00 CST = 00:00Z), at most 3
// effective contacts per debtor per China day. A refusal changes nothing but is audit-logged.
// Evidence of a signed collection-notice receipt or a filing is a PENDING limitation interruption:
// the expiry moves only once the department verifies it.

const ctx = systemContext("test");
/** China time → the instant: cst("2026-12-20 21:59") = 2026-12-20T13:59Z. */
const cst = (text: string) => chinaLocalToInstant(text.replace(" ", "T"))!;
/** Noon in China on 22 December 2026: every activity below is in the past. */
const now = new Date("2026-12-22T04:00:00Z");

let agency: AuthUser;
let officer: AuthUser;
let c: CustodyFixture;
let loanNumber: string;
let loanId: string;

const call = (at: string, extra: Partial<RecordActivityInput> = {}): RecordActivityInput => ({ kind: "call", party: "debtor", at: cst(at), effective: true, outcome: "承诺月底还款", ...extra });
const activityCount = () => prisma.collectionActivity.count();
const refusedEntries = async () =>
  (await prisma.auditEntry.findMany({ where: { action: "custody.contact.refused" }, orderBy: { id: "asc" } })).map((e) => JSON.parse(e.after!) as Record<string, unknown>);
const pdf = (text = "signed receipt") => ({ bytes: new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`), originalName: "回执.pdf" });

beforeEach(async () => {
  resetDatabase();
  await seed();
  agency = await asUser("admin@huaxin.example");
  officer = await asUser("officer@bank.example");
  // Last interruption 2024-06-01: the limitation expires 2027-06-01 (3 years).
  c = await custodyContract({ custodian: agency, loans: 1, startsAt: new Date("2026-12-01T00:00:00Z"), termMonths: 12, loan: () => ({ lastInterruptionOn: "2024-06-01" }) });
  loanNumber = c.loans[0]!.loanNumber;
  loanId = c.loans[0]!.id;
});

describe("China time on the form", () => {
  it("reads a datetime-local value as UTC+8 and writes it back", () => {
    expect(cst("2026-12-20 21:59").toISOString()).toBe("2026-12-20T13:59:00.000Z");
    expect(cst("2026-12-21 07:59").toISOString()).toBe("2026-12-20T23:59:00.000Z");
    expect(instantToChinaLocal(new Date("2026-12-20T16:30:00Z"))).toBe("2026-12-21T00:30");
    expect(chinaLocalToInstant("2026-02-30T10:00")).toBeNull();
  });
});

describe("quiet hours 22:00–08:00 China time", () => {
  it("allows a call at 21:59 and 08:00, refuses one at 22:00 and 07:59 with the hours in the message", async () => {
    const allowed = await recordActivity(ctx, agency, loanNumber, call("2026-12-20 21:59"), now);
    expect(allowed).toMatchObject({ kind: "call", party: "debtor", effective: true, contractId: c.contract.id, loanId });
    expect(allowed.at.toISOString()).toBe("2026-12-20T13:59:00.000Z");
    for (const at of ["2026-12-20 22:00", "2026-12-21 07:59"]) {
      const refused = await refusal(recordActivity(ctx, agency, loanNumber, call(at), now));
      expect([refused.key, refused.status, refused.options.params]).toEqual(["custody.conduct.quietHours", 422, { from: "22:00", until: "08:00" }]);
    }
    await recordActivity(ctx, agency, loanNumber, call("2026-12-21 08:00"), now);
    expect(await activityCount()).toBe(2);
  });

  it("does not apply to filings, which reach no one: a lawyer's letter recorded at 23:00 stands", async () => {
    const row = await recordActivity(ctx, agency, loanNumber, { kind: "lawyer_letter", party: "third_party", at: cst("2026-12-20 23:00"), effective: true }, now);
    expect(row).toMatchObject({ kind: "lawyer_letter", party: null, effective: false });
  });
});

describe("3 effective contacts per debtor per China day", () => {
  it("refuses the 4th effective contact of 21 December while a non-effective one is still recorded", async () => {
    for (const at of ["2026-12-21 09:00", "2026-12-21 10:00", "2026-12-21 11:00"]) await recordActivity(ctx, agency, loanNumber, call(at), now);
    const fourth = await refusal(recordActivity(ctx, agency, loanNumber, call("2026-12-21 11:30"), now));
    expect([fourth.key, fourth.status, fourth.options.params]).toEqual(["custody.conduct.dailyLimit", 422, { limit: 3, day: "2026-12-21" }]);
    const noAnswer = await recordActivity(ctx, agency, loanNumber, call("2026-12-21 11:30", { effective: false, outcome: "无人接听" }), now);
    expect(noAnswer.effective).toBe(false);
    // the next China day starts afresh at 08:00 (00:00Z)
    await recordActivity(ctx, agency, loanNumber, call("2026-12-22 08:00"), now);
    expect(await activityCount()).toBe(5);
  });

  it("counts per debtor across custodians: contacts under a previous contract of the loan count too", async () => {
    const previous = await custodyContract({ custodian: await asUser("admin@anda.example"), loans: 1, startsAt: new Date("2026-01-01T00:00:00Z"), termMonths: 6 });
    await prisma.collectionActivity.createMany({
      data: ["2026-12-21 09:00", "2026-12-21 09:30"].map((at) => ({ contractId: previous.contract.id, loanId, kind: "sms", party: "debtor", at: cst(at), effective: true, recordedById: agency.id })),
    });
    await recordActivity(ctx, agency, loanNumber, call("2026-12-21 10:00"), now); // the 3rd
    expect((await refusal(recordActivity(ctx, agency, loanNumber, call("2026-12-21 10:30"), now))).key).toBe("custody.conduct.dailyLimit");
  });
});

describe("only the debtor or a guarantor", () => {
  it("records a guarantor, refuses a third party, and needs a party for a contact", async () => {
    await recordActivity(ctx, agency, loanNumber, call("2026-12-21 09:00", { party: "guarantor" }), now);
    const third = await refusal(recordActivity(ctx, agency, loanNumber, call("2026-12-21 09:30", { party: "third_party" }), now));
    expect([third.key, third.status]).toEqual(["custody.conduct.notAParty", 422]);
    expect((await refusal(recordActivity(ctx, agency, loanNumber, call("2026-12-21 09:30", { party: null }), now))).key).toBe("custody.activity.partyRequired");
  });
});

describe("a refusal changes nothing but is audit-logged", () => {
  it("writes no activity, no file, no interruption, and one custody.contact.refused entry per attempt", async () => {
    await refusal(recordActivity(ctx, agency, loanNumber, { ...call("2026-12-20 22:30"), kind: "collection_notice", evidence: pdf() }, now));
    await refusal(recordActivity(ctx, agency, loanNumber, call("2026-12-21 09:00", { party: "third_party" }), now));
    expect(await activityCount()).toBe(0);
    expect(await prisma.limitationInterruption.count()).toBe(0);
    expect(await prisma.storedFile.count()).toBe(0);
    expect(await prisma.auditEntry.count({ where: { action: "custody.activity.record" } })).toBe(0);
    const entries = await refusedEntries();
    expect(entries.map((e) => [e.reason, e.kind, e.party, e.at])).toEqual([
      ["quiet_hours", "collection_notice", "debtor", "2026-12-20T14:30:00.000Z"],
      ["not_a_party", "call", "third_party", "2026-12-21T01:00:00.000Z"],
    ]);
    expect(entries[0]).toMatchObject({ loanNumber, contractId: c.contract.id, rules: { quietFrom: "22:00", quietUntil: "08:00", maxContactsPerDay: 3 } });
  });

  it("an allowed activity is one custody.activity.record entry", async () => {
    const row = await recordActivity(ctx, agency, loanNumber, call("2026-12-21 09:00"), now);
    const entry = await prisma.auditEntry.findFirstOrThrow({ where: { action: "custody.activity.record" } });
    expect(entry.entityId).toBe(row.id);
    expect(JSON.parse(entry.after!)).toMatchObject({ loanNumber, kind: "call", party: "debtor", effective: true, chinaDay: "2026-12-21" });
  });
});

describe("the time of an activity", () => {
  it("may not be in the future nor before custody started (2026-12-01T00:00Z)", async () => {
    expect((await refusal(recordActivity(ctx, agency, loanNumber, { ...call("2026-12-22 12:01") }, now))).key).toBe("custody.activity.atInFuture");
    expect((await refusal(recordActivity(ctx, agency, loanNumber, { kind: "lawsuit", at: new Date("2026-11-30T23:59:59Z") }, now))).key).toBe("custody.activity.atBeforeCustody");
    const defaulted = await recordActivity(ctx, agency, loanNumber, { kind: "letter", party: "debtor" }, now);
    expect(defaulted.at.toISOString()).toBe(now.toISOString());
  });

  it("after the custody end the loan is out of reach (404), activities included", async () => {
    const after = c.contract.custodyEndsAt!;
    expect((await refusal(recordActivity(ctx, agency, loanNumber, { kind: "letter", party: "debtor", at: new Date(after.getTime() - 3_600_000) }, after))).status).toBe(404);
    expect((await refusal(listActivities(await asUser("admin@anda.example"), loanNumber, now))).status).toBe(404);
  });
});

describe("evidence: a pending interruption the department verifies", () => {
  it("a collection notice with its signed receipt: PENDING, the expiry 2027-06-01 stays until verified, then 2026-12-21 + 3 years = 2029-12-21", async () => {
    const row = await recordActivity(ctx, agency, loanNumber, { ...call("2026-12-21 10:00"), kind: "collection_notice", evidence: pdf() }, now);
    const interruption = await prisma.limitationInterruption.findUniqueOrThrow({ where: { id: row.interruptionId! } });
    expect(interruption).toMatchObject({ loanId, kind: "notice_receipt", occurredOn: "2026-12-21", status: "PENDING", recordedById: agency.id, evidenceFileId: row.evidenceFileId });
    expect((await prisma.loan.findUniqueOrThrow({ where: { id: loanId } })).limitationExpiresOn).toBe("2027-06-01");
    expect((await custodyLoanView(ctx, agency, loanNumber, now)).limitation).toMatchObject({ expiresOn: "2027-06-01", interruptions: [{ status: "PENDING", kind: "notice_receipt" }] });

    // in the department's queue, with the link to the loan page where it is decided
    expect(await pendingCustodianInterruptions(officer)).toEqual([
      expect.objectContaining({ interruptionId: interruption.id, loanNumber, kind: "notice_receipt", contractNumber: c.contract.number, link: `/loans/${loanNumber}` }),
    ]);
    expect((await refusal(pendingCustodianInterruptions(agency))).status).toBe(403);

    const decided = await decideInterruption(ctx, officer, interruption.id, { decision: "verify" }, now);
    expect(decided).toMatchObject({ status: "VERIFIED", moved: true, limitationExpiresOn: "2029-12-21" });
    expect((await prisma.loan.findUniqueOrThrow({ where: { id: loanId } })).limitationExpiresOn).toBe("2029-12-21");
    expect(await pendingCustodianInterruptions(officer)).toEqual([]);
    const view = await custodyLoanView(ctx, agency, loanNumber, now);
    expect(view.limitation).toMatchObject({ expiresOn: "2029-12-21", anchor: { day: "2026-12-21", source: "interruption" } });
    expect(view.activities[0]).toMatchObject({ kind: "collection_notice", interruption: { status: "VERIFIED" } });
  });

  it("a payment order filed at 04:00 China time on 21 December (20:00Z on the 20th) interrupts on the China day 2026-12-21", async () => {
    const row = await recordActivity(ctx, agency, loanNumber, { kind: "payment_order", at: cst("2026-12-21 04:00"), evidence: pdf("filing") }, now);
    expect(await prisma.limitationInterruption.findUniqueOrThrow({ where: { id: row.interruptionId! } })).toMatchObject({ kind: "payment_order", occurredOn: "2026-12-21" });
  });

  it("a call with no evidence, or a lawyer's letter with some, is no interruption", async () => {
    await recordActivity(ctx, agency, loanNumber, call("2026-12-21 10:00"), now);
    const letter = await recordActivity(ctx, agency, loanNumber, { kind: "lawyer_letter", evidence: pdf("letter") }, now);
    expect(letter.evidenceFileId).not.toBeNull();
    expect(await prisma.limitationInterruption.count()).toBe(0);
  });

  it("evidence that is not a PDF, PNG or JPEG is refused before anything is written", async () => {
    const refused = await refusal(recordActivity(ctx, agency, loanNumber, { kind: "lawsuit", evidence: { bytes: new TextEncoder().encode("hello"), originalName: "x.txt" } }, now));
    expect([refused.key, refused.status]).toEqual(["files.typeNotAllowed", 415]);
    expect(await activityCount()).toBe(0);
  });
});

describe("the workbench loan page (form in China time)", () => {
  type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;
  const cookieOf = sessionCookie;
  async function submit(email: string, number: string, fields: Record<string, string>) {
    const form = new FormData();
    form.set("intent", "record");
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    const request = new Request(`http://localhost/custody/loans/${number}`, { method: "POST", headers: { Cookie: await cookieOf(email) }, body: form });
    const result = await (loanPageAction as Handler)({ request, params: { loanNumber: number }, context: {} });
    if (result instanceof Response) return { status: result.status, location: result.headers.get("Location"), data: null };
    const wrapped = result as { data: { error?: { key: string; params?: Record<string, unknown> } }; init: { status?: number } | null };
    return { status: wrapped.init?.status ?? 200, location: null, data: wrapped.data };
  }

  it("reads activity-at as China time: 21:59 is recorded as 13:59Z, 22:30 is refused with the rule shown", async () => {
    const live = await custodyContract({ custodian: agency, loans: 1, startsAt: new Date(Date.now() - 30 * 86_400_000), termMonths: 12 });
    const number = live.loans[0]!.loanNumber;
    const yesterday = addDays(todayInChina(new Date()), -1);
    const refused = await submit("member@huaxin.example", number, { kind: "call", party: "debtor", at: `${yesterday}T22:30`, effective: "on" });
    expect([refused.status, refused.data?.error]).toEqual([422, { key: "custody.conduct.quietHours", params: { from: "22:00", until: "08:00" } }]);
    const ok = await submit("member@huaxin.example", number, { kind: "call", party: "debtor", at: `${yesterday}T21:59`, effective: "on", outcome: "已接通" });
    expect([ok.status, ok.location]).toEqual([302, `/custody/loans/${number}`]);
    const row = await prisma.collectionActivity.findFirstOrThrow({ where: { loanId: live.loans[0]!.id } });
    expect(row.at.toISOString()).toBe(`${yesterday}T13:59:00.000Z`);
    expect(row).toMatchObject({ effective: true, outcome: "已接通" });

    const request = new Request(`http://localhost/custody/loans/${number}`, { headers: { Cookie: await cookieOf("member@huaxin.example") } });
    const page = (await (loanPageLoader as Handler)({ request, params: { loanNumber: number }, context: {} })) as { data: { view: { activities: unknown[]; loan: { borrowerIdNumber: string } } } };
    expect(page.data.view.activities).toHaveLength(1);
    expect(page.data.view.loan.borrowerIdNumber).toMatch(/^\d{17}[\dX]$/);
    const other = new Request(`http://localhost/custody/loans/${number}`, { headers: { Cookie: await cookieOf("admin@anda.example") } });
    await expect((loanPageLoader as Handler)({ request: other, params: { loanNumber: number }, context: {} })).rejects.toMatchObject({ status: 404 });
  });
});

describe("evidence downloads", () => {
  it("the custodian downloads the evidence of its loan during the term; another agency and the custodian after the end get nothing", async () => {
    const { downloadFile } = await import("~/services/loans/limitation.server");
    const notice = await recordActivity(ctx, agency, loanNumber, { kind: "collection_notice", party: "debtor", at: cst("2026-12-20 10:00"), effective: true, evidence: pdf() }, now);
    const letter = await recordActivity(ctx, agency, loanNumber, { kind: "lawyer_letter", party: null, at: cst("2026-12-20 11:00"), effective: false, evidence: pdf("lawyer") }, now);
    for (const fileId of [notice.evidenceFileId!, letter.evidenceFileId!]) {
      const file = await downloadFile(ctx, agency, fileId, now);
      expect(new TextDecoder().decode(file!.bytes)).toContain("%PDF-1.4");
      expect(await downloadFile(ctx, await asUser("admin@anda.example"), fileId, now)).toBeNull();
      expect(await downloadFile(ctx, agency, fileId, c.contract.custodyEndsAt!)).toBeNull();
      expect(await downloadFile(ctx, officer, fileId, c.contract.custodyEndsAt!)).not.toBeNull();
    }
    const downloads = await prisma.auditEntry.findMany({ where: { action: "file.download" } });
    expect(downloads).toHaveLength(4);
  });
});
