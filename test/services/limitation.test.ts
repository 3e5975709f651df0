import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan } from "../fixtures/loans";
import { resetDatabase } from "../support/reset-db";
import { defaultSettings } from "~/domain/settings";
import { systemContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { getEnv } from "~/infra/env.server";
import {
  decideInterruption, downloadFile, expiringLoans, limitationOverview, loadLimitationPanel, pendingInterruptions, recordInterruption,
} from "~/services/loans/limitation.server";
import { decideSettings, proposeSettings } from "~/services/settings/settings.server";
import { popToast, startSession } from "~/infra/session.server";
/* eslint-disable no-restricted-imports -- the route tests call the action and loader directly */
import { loader as fileLoader } from "~/routes/files.$fileId";
import { action as interruptionAction } from "~/routes/loans.$loanNumber.interruptions";
import { asUser, refusal } from "../support/users";
/* eslint-enable no-restricted-imports */

// R8: expiry = last interruption + 3 years (setting); alerts 90/30/7 days before; an interruption
// moves the clock only once a second officer of the department has verified its evidence.

const ctx = systemContext("test");
/** 10:00 in China on 20 December 2026: the bank's "today" is 2026-12-20. */
const now = new Date("2026-12-20T02:00:00Z");



const pdf = (text = "signed receipt") => ({ bytes: new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`), originalName: "回执.pdf" });
const png = { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]), originalName: "ack.png" };

function storedFileCount(): number {
  const root = path.join(getEnv().dataDir, "files");
  if (!fs.existsSync(root)) return 0;
  return fs.readdirSync(root).reduce((n, dir) => n + fs.readdirSync(path.join(root, dir)).length, 0);
}

const auditActions = async () => (await prisma.auditEntry.findMany({ orderBy: { id: "asc" } })).map((a) => a.action);

beforeEach(async () => {
  resetDatabase();
  await seed();
});

describe("the limitation clock (R8)", () => {
  it("runs from the last interruption: 2024-03-15 + 3 years = 2027-03-15, 85 days after 2026-12-20, in the 90-day alert", async () => {
    const loan = await createTestLoan({ loanNumber: "L-0315", lastInterruptionOn: "2024-03-15", lastPaymentOn: "2023-08-01", maturesOn: "2021-06-30" });
    expect(loan.limitationExpiresOn).toBe("2027-03-15");
    const panel = await loadLimitationPanel(await asUser("auditor@bank.example"), loan.id, now);
    expect(panel.anchor).toEqual({ day: "2024-03-15", source: "interruption" });
    expect(panel).toMatchObject({ expiresOn: "2027-03-15", daysLeft: 85, bucket: 90, lapsed: false, limitationYears: 3, alertDays: [90, 30, 7] });
    expect(panel.clock.alerts.map((a) => [a.days, a.day])).toEqual([[90, "2026-12-15"], [30, "2027-02-13"], [7, "2027-03-08"]]);
    expect(panel.timeline.map((e) => [e.kind, e.day])).toEqual([
      ["disbursed", "2018-03-15"], ["matures", "2021-06-30"], ["lastPayment", "2023-08-01"], ["lastInterruption", "2024-03-15"], ["alert", "2026-12-15"],
      ["today", "2026-12-20"], ["alert", "2027-02-13"], ["alert", "2027-03-08"], ["expiry", "2027-03-15"],
    ]);
  });

  it("lists the loans expiring within 90, 30 and 7 days of today (ordered by expiry, names masked) and the lapsed ones apart", async () => {
    // expiry = interruption + 3 years; today is 2026-12-20
    const loans: [string, string][] = [
      ["A-today", "2023-12-20"], // expires 2026-12-20: 0 days left
      ["B-7", "2023-12-27"], // 2026-12-27: 7 days
      ["C-30", "2024-01-19"], // 2027-01-19: 30 days
      ["D-90", "2024-03-20"], // 2027-03-20: 90 days
      ["E-91", "2024-03-21"], // 2027-03-21: 91 days, no alert yet
      ["F-lapsed", "2023-12-19"], // 2026-12-19: lapsed yesterday
      ["G-lapsed", "2022-06-30"], // 2025-06-30: lapsed long ago
    ];
    for (const [loanNumber, lastInterruptionOn] of loans) await createTestLoan({ loanNumber, lastInterruptionOn, borrowerName: "王小明" });
    await createTestLoan({ loanNumber: "H-recovered", lastInterruptionOn: "2023-12-22", status: "RECOVERED" });
    await createTestLoan({ loanNumber: "I-corporate", lastInterruptionOn: "2023-12-24", borrowerType: "corporate", borrowerName: "示范商贸有限公司", branch: "B003" });
    const clerk = await asUser("clerk@bank.example");

    const within = async (withinDays: number) => (await expiringLoans(clerk, { withinDays }, now)).expiring.rows.map((r) => [r.loanNumber, r.daysLeft, r.bucket]);
    expect(await within(7)).toEqual([["A-today", 0, 7], ["I-corporate", 4, 7], ["B-7", 7, 7]]);
    expect(await within(30)).toEqual([["A-today", 0, 7], ["I-corporate", 4, 7], ["B-7", 7, 7], ["C-30", 30, 30]]);
    expect(await within(90)).toEqual([["A-today", 0, 7], ["I-corporate", 4, 7], ["B-7", 7, 7], ["C-30", 30, 30], ["D-90", 90, 90]]);

    const list = await expiringLoans(clerk, { withinDays: 90 }, now);
    expect(list.expiring.rows[0]).toMatchObject({ borrower: "王*明", branchCode: "B001", anchorDay: "2023-12-20", anchorSource: "interruption", expiresOn: "2026-12-20" });
    expect(list.expiring.rows[1]).toMatchObject({ borrower: "示范商贸有限公司", branchCode: "B003" });
    expect(list.lapsed.rows.map((r) => [r.loanNumber, r.daysLeft])).toEqual([["F-lapsed", -1], ["G-lapsed", -538]]);

    const overview = await limitationOverview(clerk, now);
    expect(overview.within).toEqual([{ days: 90, count: 5 }, { days: 30, count: 4 }, { days: 7, count: 3 }]);
    expect(overview.lapsed).toBe(2);
  });

  it("is for loan-book viewers only", async () => {
    const bidder = await asUser("bidder@bank.example");
    await expect(expiringLoans(bidder, { withinDays: 90 }, now)).rejects.toMatchObject({ status: 403 });
    await expect(limitationOverview(bidder, now)).rejects.toMatchObject({ status: 403 });
  });
});

describe("recording and verifying an interruption", () => {
  it("recording does not move the clock; another officer's verification does, with history and audit", async () => {
    const loan = await createTestLoan({ loanNumber: "L-0315", lastInterruptionOn: "2024-03-15" });
    const officer = await asUser("officer@bank.example");
    const second = await asUser("officer2@bank.example");

    const recorded = await recordInterruption(ctx, officer, "L-0315", { kind: "notice_receipt", occurredOn: "2026-11-30", note: "担保人签收", evidence: pdf() }, now);
    expect(recorded.status).toBe("PENDING");
    let row = await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } });
    expect(row).toMatchObject({ lastInterruptionOn: "2024-03-15", limitationExpiresOn: "2027-03-15", version: 1 });
    const file = await prisma.storedFile.findUniqueOrThrow({ where: { id: recorded.evidenceFileId } });
    expect(file).toMatchObject({ mimeType: "application/pdf", originalName: "回执.pdf", path: `files/${file.sha256.slice(0, 2)}/${file.sha256}` });
    expect(fs.existsSync(path.join(getEnv().dataDir, file.path))).toBe(true);

    // The recorder cannot verify their own evidence.
    const own = await refusal(decideInterruption(ctx, officer, recorded.id, { decision: "verify" }, now));
    expect([own.key, own.status]).toEqual(["interruption.fourEyes", 403]);
    const panel = await loadLimitationPanel(officer, loan.id, now);
    expect(panel.interruptions[0]).toMatchObject({ status: "PENDING", recordedBy: "陈保全", canDecide: false });
    expect((await loadLimitationPanel(second, loan.id, now)).interruptions[0]?.canDecide).toBe(true);

    const result = await decideInterruption(ctx, second, recorded.id, { decision: "verify", note: "回执原件已核对" }, now);
    expect(result).toEqual({ status: "VERIFIED", moved: true, lastInterruptionOn: "2026-11-30", limitationExpiresOn: "2029-11-30" });
    row = await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } });
    expect(row).toMatchObject({ lastInterruptionOn: "2026-11-30", limitationExpiresOn: "2029-11-30", limitationYears: 3, version: 2 });
    const history = await prisma.loanChange.findMany({ where: { loanId: loan.id } });
    expect(history.map((h) => [h.kind, h.actorId, JSON.parse(h.changes)])).toEqual([
      ["interruption.verify", second.id, { lastInterruptionOn: ["2024-03-15", "2026-11-30"], limitationExpiresOn: ["2027-03-15", "2029-11-30"] }],
    ]);
    expect((await auditActions()).filter((a) => a.startsWith("limitation."))).toEqual(["limitation.interruption.record", "limitation.interruption.verify"]);
    const verified = await prisma.limitationInterruption.findUniqueOrThrow({ where: { id: recorded.id } });
    expect(verified).toMatchObject({ status: "VERIFIED", decidedById: second.id, decisionNote: "回执原件已核对" });
    expect((await refusal(decideInterruption(ctx, second, recorded.id, { decision: "reject", note: "x" }, now))).key).toBe("interruption.alreadyDecided");

    const after = await loadLimitationPanel(second, loan.id, now);
    expect(after).toMatchObject({ anchor: { day: "2026-11-30", source: "interruption" }, expiresOn: "2029-11-30", daysLeft: 1076, bucket: null });
    expect(after.interruptions[0]).toMatchObject({ status: "VERIFIED", decidedBy: "林复核", evidence: { fileId: file.id, name: "回执.pdf" } });
  });

  it("an older interruption, once verified, does not move the clock back", async () => {
    const loan = await createTestLoan({ loanNumber: "L-1", lastInterruptionOn: "2025-04-01" }); // expires 2028-04-01
    const clerk = await asUser("clerk@bank.example"); // branch B001, as the loan
    const officer = await asUser("officer@bank.example");
    const older = await recordInterruption(ctx, clerk, "L-1", { kind: "payment", occurredOn: "2024-09-10", evidence: png }, now);
    const result = await decideInterruption(ctx, officer, older.id, { decision: "verify" }, now);
    expect(result).toMatchObject({ status: "VERIFIED", moved: false, lastInterruptionOn: "2025-04-01", limitationExpiresOn: "2028-04-01" });
    expect(await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } })).toMatchObject({ lastInterruptionOn: "2025-04-01", limitationExpiresOn: "2028-04-01", version: 1 });
    expect(await prisma.loanChange.count({ where: { loanId: loan.id } })).toBe(0);
  });

  it("rejected evidence leaves the clock as it was (and a rejection needs a reason)", async () => {
    const loan = await createTestLoan({ loanNumber: "L-2", lastInterruptionOn: "2024-03-15" });
    const officer = await asUser("officer@bank.example");
    const second = await asUser("officer2@bank.example");
    const recorded = await recordInterruption(ctx, officer, "L-2", { kind: "acknowledgement", occurredOn: "2026-12-01", evidence: pdf("unsigned") }, now);
    expect((await refusal(decideInterruption(ctx, second, recorded.id, { decision: "reject", note: " " }, now))).key).toBe("interruption.reasonRequired");
    expect(await decideInterruption(ctx, second, recorded.id, { decision: "reject", note: "回执无债务人签字" }, now)).toMatchObject({ status: "REJECTED", moved: false });
    expect(await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } })).toMatchObject({ lastInterruptionOn: "2024-03-15", limitationExpiresOn: "2027-03-15", version: 1 });
    expect((await auditActions()).filter((a) => a.startsWith("limitation."))).toEqual(["limitation.interruption.record", "limitation.interruption.reject"]);
  });

  it("a branch clerk records only for loans of their own branch; deciding needs loans:manage", async () => {
    await createTestLoan({ loanNumber: "L-B003", branch: "B003" });
    const own = await createTestLoan({ loanNumber: "L-B001", branch: "B001" });
    const clerk = await asUser("clerk@bank.example");
    const error = await refusal(recordInterruption(ctx, clerk, "L-B003", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence: pdf() }, now));
    expect([error.key, error.status]).toEqual(["interruption.otherBranch", 403]);
    expect(await prisma.limitationInterruption.count()).toBe(0);
    expect(await prisma.storedFile.count()).toBe(0);

    const recorded = await recordInterruption(ctx, clerk, "L-B001", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence: pdf() }, now);
    await expect(decideInterruption(ctx, clerk, recorded.id, { decision: "verify" }, now)).rejects.toMatchObject({ status: 403 });
    await expect(decideInterruption(ctx, await asUser("approver@bank.example"), recorded.id, { decision: "verify" }, now)).rejects.toMatchObject({ status: 403 });
    await expect(recordInterruption(ctx, await asUser("auditor@bank.example"), "L-B001", { kind: "payment", occurredOn: "2026-12-01", evidence: pdf() }, now)).rejects.toMatchObject({ status: 403 });
    const panel = await loadLimitationPanel(clerk, own.id, now);
    expect([panel.canRecord, panel.canDecide]).toEqual([true, false]);
    const other = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "L-B003" } });
    expect((await loadLimitationPanel(clerk, other.id, now)).canRecord).toBe(false);
    // The department's pending list shows it, for someone other than the recorder to decide.
    expect((await pendingInterruptions(await asUser("officer@bank.example"))).map((p) => [p.loanNumber, p.recordedBy, p.canDecide])).toEqual([["L-B001", "何经办", true]]);
  });

  it("junk evidence (an executable named .pdf) is refused and nothing is written", async () => {
    await createTestLoan({ loanNumber: "L-3" });
    const officer = await asUser("officer@bank.example");
    const filesBefore = storedFileCount();
    const auditBefore = await prisma.auditEntry.count();
    const junk = { bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]), originalName: "回执.pdf" };
    const error = await refusal(recordInterruption(ctx, officer, "L-3", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence: junk }, now));
    expect([error.key, error.options.params, error.options.field]).toEqual(["files.typeNotAllowed", { allowed: "PDF, PNG, JPEG" }, "evidence"]);
    const html = { bytes: new TextEncoder().encode("<html><script>alert(1)</script></html>"), originalName: "receipt.pdf" };
    expect((await refusal(recordInterruption(ctx, officer, "L-3", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence: html }, now))).key).toBe("files.typeNotAllowed");
    const text = { bytes: new TextEncoder().encode("plain text is not evidence"), originalName: "note.txt" };
    expect((await refusal(recordInterruption(ctx, officer, "L-3", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence: text }, now))).key).toBe("files.typeNotAllowed");
    const big = { bytes: new Uint8Array(10 * 1024 * 1024 + 1).fill(0x20), originalName: "big.pdf" };
    big.bytes.set(new TextEncoder().encode("%PDF-1.4"));
    expect((await refusal(recordInterruption(ctx, officer, "L-3", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence: big }, now))).key).toBe("files.tooLarge");
    expect((await refusal(recordInterruption(ctx, officer, "L-3", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence: null }, now))).key).toBe("interruption.evidenceRequired");
    expect(await prisma.limitationInterruption.count()).toBe(0);
    expect(await prisma.storedFile.count()).toBe(0);
    expect(await prisma.auditEntry.count()).toBe(auditBefore);
    expect(storedFileCount()).toBe(filesBefore);
  });

  it("refuses a day in the future, before the disbursement or not a calendar day, and an unknown kind", async () => {
    await createTestLoan({ loanNumber: "L-4", disbursedOn: "2019-05-10" });
    const officer = await asUser("officer@bank.example");
    const attempt = (occurredOn: string, kind = "lawsuit") => refusal(recordInterruption(ctx, officer, "L-4", { kind, occurredOn, evidence: pdf() }, now));
    expect((await attempt("2026-12-21")).key).toBe("interruption.dayInFuture");
    expect(await attempt("2019-05-09")).toMatchObject({ key: "interruption.beforeDisbursement", options: { params: { disbursedOn: "2019-05-10" } } });
    expect((await attempt("2025-02-29")).key).toBe("interruption.invalidDay");
    expect((await attempt("2025-03-01", "phone_call")).key).toBe("interruption.invalidKind");
    expect((await refusal(recordInterruption(ctx, officer, "NOPE", { kind: "lawsuit", occurredOn: "2025-03-01", evidence: pdf() }, now))).status).toBe(404);
    expect(await prisma.limitationInterruption.count()).toBe(0);
    // The limit day itself (today) is fine.
    expect((await recordInterruption(ctx, officer, "L-4", { kind: "lawsuit", occurredOn: "2026-12-20", evidence: pdf() }, now)).status).toBe("PENDING");
  });

  it("the evidence is downloadable by loan-book viewers only, and each download is audited", async () => {
    await createTestLoan({ loanNumber: "L-5" });
    const officer = await asUser("officer@bank.example");
    const evidence = pdf("download me");
    const recorded = await recordInterruption(ctx, officer, "L-5", { kind: "notice_receipt", occurredOn: "2026-12-01", evidence }, now);
    const file = await downloadFile(ctx, await asUser("auditor@bank.example"), recorded.evidenceFileId);
    expect(file?.row.mimeType).toBe("application/pdf");
    expect(Buffer.from(file!.bytes).equals(Buffer.from(evidence.bytes))).toBe(true);
    expect(await downloadFile(ctx, await asUser("bidder@bank.example"), recorded.evidenceFileId)).toBeNull();
    expect(await downloadFile(ctx, officer, "no-such-file")).toBeNull();
    const downloads = await prisma.auditEntry.findMany({ where: { action: "file.download" } });
    expect(downloads.map((d) => [d.entityId, JSON.parse(d.after!).loanNumber])).toEqual([[recorded.evidenceFileId, "L-5"]]);
  });
});

describe("a new limitation period in the settings", () => {
  it("recomputes the stored expiries from the day it takes effect (3 → 5 years: 2027-03-15 → 2029-03-15)", async () => {
    const loan = await createTestLoan({ loanNumber: "L-0315", lastInterruptionOn: "2024-03-15" });
    const lapsed = await createTestLoan({ loanNumber: "L-old", lastInterruptionOn: "2022-06-30" }); // 2025-06-30 with 3 years
    const officer = await asUser("officer@bank.example");
    const second = await asUser("officer2@bank.example");
    const proposal = await proposeSettings(ctx, officer, { effectiveFrom: new Date("2026-12-21T00:00:00Z"), reason: "时效期间调整", values: { ...defaultSettings, limitationYears: 5 } }, now);
    await decideSettings(ctx, second, proposal.id, "APPROVED", "同意");

    // Not yet in force on 2026-12-20: nothing changes.
    expect((await expiringLoans(officer, { withinDays: 90 }, now)).expiring.rows.map((r) => r.loanNumber)).toEqual(["L-0315"]);
    expect(await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } })).toMatchObject({ limitationExpiresOn: "2027-03-15", limitationYears: 3 });

    const nextDay = new Date("2026-12-21T02:00:00Z");
    const list = await expiringLoans(officer, { withinDays: 90 }, nextDay);
    expect(list.expiring.rows).toEqual([]);
    expect(list.lapsed.rows).toEqual([]); // L-old now runs to 2027-06-30
    expect(await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } })).toMatchObject({ limitationExpiresOn: "2029-03-15", limitationYears: 5, version: 2 });
    expect(await prisma.loan.findUniqueOrThrow({ where: { id: lapsed.id } })).toMatchObject({ limitationExpiresOn: "2027-06-30", limitationYears: 5 });
    const history = await prisma.loanChange.findMany({ where: { loanId: loan.id } });
    expect(history.map((h) => [h.kind, JSON.parse(h.changes)])).toEqual([
      ["limitation.recompute", { limitationYears: [3, 5], limitationExpiresOn: ["2027-03-15", "2029-03-15"] }],
    ]);
    const recompute = await prisma.auditEntry.findMany({ where: { action: "limitation.recompute" } });
    expect(recompute.map((a) => JSON.parse(a.after!))).toEqual([{ settingsVersion: 2, limitationYears: 5, loans: 2 }]);

    // Cheap when nothing is stale: a second listing recomputes nothing.
    await limitationOverview(officer, nextDay);
    expect(await prisma.auditEntry.count({ where: { action: "limitation.recompute" } })).toBe(1);

    // A verification after the change uses the period in force: 2026-12-21 + 5 years.
    const recorded = await recordInterruption(ctx, officer, "L-0315", { kind: "payment_order", occurredOn: "2026-12-21", evidence: pdf() }, nextDay);
    expect(await decideInterruption(ctx, second, recorded.id, { decision: "verify" }, nextDay)).toMatchObject({ limitationExpiresOn: "2031-12-21" });
  });
});

describe("the interruption and file routes", () => {
  type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;
  async function cookieFor(email: string) {
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    return (await startSession(user.id, new Request("http://localhost/"))).split(";")[0]!;
  }
  async function post(cookie: string, loanNumber: string, form: FormData, headers: Record<string, string> = {}) {
    const request = new Request(`http://localhost/loans/${loanNumber}/interruptions`, { method: "POST", body: form, headers: { Cookie: cookie, ...headers } });
    const response = await (interruptionAction as unknown as Handler)({ request, params: { loanNumber }, context: {} });
    const toastCookie = response.headers.get("Set-Cookie")?.split(";")[0] ?? "";
    const { toast } = await popToast(new Request("http://localhost/", { headers: { Cookie: toastCookie } }));
    return { status: response.status, location: response.headers.get("Location"), toast };
  }
  const recordForm = (evidence: Blob | null, name = "回执.pdf", occurredOn = "2025-01-10") => {
    const form = new FormData();
    form.set("intent", "record");
    form.set("kind", "notice_receipt");
    form.set("occurredOn", occurredOn);
    form.set("note", "签收");
    if (evidence) form.set("evidence", evidence, name);
    return form;
  };

  it("records with a multipart upload, verifies by another officer, and serves the evidence to viewers", async () => {
    await createTestLoan({ loanNumber: "L-R1", lastInterruptionOn: "2024-03-15" });
    const officer = await cookieFor("officer@bank.example");
    const recorded = await post(officer, "L-R1", recordForm(new Blob([pdf().bytes], { type: "application/pdf" })));
    expect(recorded).toMatchObject({ status: 302, location: "/loans/L-R1", toast: { kind: "success", key: "interruption.recorded" } });
    const row = await prisma.limitationInterruption.findFirstOrThrow();

    const decide = (decision: string) => {
      const form = new FormData();
      form.set("intent", "decide");
      form.set("id", row.id);
      form.set("decision", decision);
      return form;
    };
    expect((await post(officer, "L-R1", decide("verify"))).toast).toMatchObject({ kind: "error", key: "interruption.fourEyes" });
    expect((await post(await cookieFor("officer2@bank.example"), "L-R1", decide("verify"))).toast).toMatchObject({ kind: "success", key: "interruption.verified" });
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "L-R1" } })).limitationExpiresOn).toBe("2028-01-10");

    const download = async (cookie: string) =>
      (fileLoader as unknown as Handler)({ request: new Request(`http://localhost/files/${row.evidenceFileId}`, { headers: { Cookie: cookie } }), params: { fileId: row.evidenceFileId }, context: {} }).catch((e: unknown) => e as Response);
    const response = await download(await cookieFor("auditor@bank.example"));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/pdf");
    expect(response.headers.get("Content-Disposition")).toBe(`inline; filename="__.pdf"; filename*=UTF-8''${encodeURIComponent("回执.pdf")}`);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pdf().bytes);
    expect((await download(await cookieFor("bidder@bank.example"))).status).toBe(404);
  });

  it("bad input changes nothing: junk named .pdf, a missing file, an oversized body", async () => {
    await createTestLoan({ loanNumber: "L-R2" });
    const clerk = await cookieFor("clerk@bank.example");
    const junk = await post(clerk, "L-R2", recordForm(new Blob([new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])], { type: "application/pdf" })));
    expect(junk).toMatchObject({ status: 302, location: "/loans/L-R2", toast: { kind: "error", key: "files.typeNotAllowed", params: { allowed: "PDF, PNG, JPEG" } } });
    expect((await post(clerk, "L-R2", recordForm(null))).toast).toMatchObject({ kind: "error", key: "interruption.evidenceRequired" });
    const big = new Uint8Array(10 * 1024 * 1024 + 200 * 1024);
    big.set(new TextEncoder().encode("%PDF-1.4"));
    expect((await post(clerk, "L-R2", recordForm(new Blob([big])))).toast).toMatchObject({ kind: "error", key: "files.tooLarge" });
    expect(await prisma.limitationInterruption.count()).toBe(0);
    expect(await prisma.storedFile.count()).toBe(0);
    // Deciding needs loans:manage: a branch clerk gets a 403.
    const form = new FormData();
    form.set("intent", "decide");
    form.set("id", "x");
    form.set("decision", "verify");
    await expect(post(clerk, "L-R2", form)).rejects.toMatchObject({ status: 403 });
  });
});
