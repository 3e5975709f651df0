// Recoveries (收回登记, README steps 11–12, R7, R10): the custodian reports money collected with its
// evidence; the branch registers it (one balanced entry on the custodian's remittance receivable); audit
// verifies it (four eyes); a loan whose verified recoveries reach principal + interest is RECOVERED.
// Bad input is refused with a specific error and changes nothing; an agency sees only its own.
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { contractBalance } from "~/services/settlement/accounts.server";
import {
  getRecovery, listRecoveries, registerRecovery, rejectRecovery, reportRecovery, verifyRecovery, yuanInput, type ReportRecoveryInput,
} from "~/services/settlement/recoveries.server";
import { confirmRemittance, declareRemittance } from "~/services/settlement/remittances.server";

const ctx = systemContext("test");
installRecordingQueue();
/** Noon in China on 22 November 2026. */
const now = new Date("2026-11-22T04:00:00Z");
const pdf = (text = "receipt") => ({ bytes: new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`), originalName: "收据.pdf" });

let agency: AuthUser;
let other: AuthUser;
let clerk: AuthUser;
let auditor: AuthUser;
let officer: AuthUser;
let c: CustodyFixture;
let loanNumber: string;

/** ¥30,000 principal + ¥2,000 interest collected on 2 November (the loan: ¥100,000 + ¥8,000). */
const input = (extra: Partial<ReportRecoveryInput> = {}): ReportRecoveryInput => ({
  loanNumber, collectedOn: "2026-11-02", principal: 3_000_000n, interest: 200_000n, payer: "王小明", evidence: pdf(), note: "现金", ...extra,
});

/** What a refusal must leave untouched. */
async function snapshot() {
  return {
    recoveries: await prisma.recovery.count(),
    files: await prisma.storedFile.count(),
    entries: await prisma.journalEntry.count(),
    audit: await prisma.auditEntry.count(),
    statuses: (await prisma.recovery.findMany({ select: { status: true }, orderBy: { id: "asc" } })).map((r) => r.status),
  };
}

beforeEach(async () => {
  resetDatabase();
  await seed();
  agency = await asUser("admin@huaxin.example");
  other = await asUser("admin@anda.example");
  clerk = await asUser("clerk@bank.example");
  auditor = await asUser("auditor@bank.example");
  officer = await asUser("officer@bank.example");
  c = await custodyContract({ custodian: agency, loans: 2, startsAt: new Date("2026-10-01T00:00:00Z"), termMonths: 12 });
  loanNumber = c.loans[0]!.loanNumber;
});

describe("reporting", () => {
  it("the custodian reports ¥32,000 with its receipt: RCV-2026-000001, REPORTED, audited, the branch told; no money moves yet", async () => {
    const r = await reportRecovery(ctx, agency, input(), now);
    expect(r).toMatchObject({
      number: "RCV-2026-000001", status: "REPORTED", contractId: c.contract.id, loanNumber, collectedOn: "2026-11-02",
      principal: 3_000_000n, interest: 200_000n, amount: 3_200_000n, payer: "王小明", note: "现金", reportedById: agency.id,
    });
    const file = await prisma.storedFile.findUniqueOrThrow({ where: { id: r.evidenceFileId } });
    expect(file).toMatchObject({ originalName: "收据.pdf", mimeType: "application/pdf" });
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "settlement.recovery.report", entityId: r.id } });
    expect(JSON.parse(audit.after!)).toMatchObject({ number: "RCV-2026-000001", amount: "32000.00", principal: "30000.00", interest: "2000.00" });
    expect(await prisma.notification.count({ where: { userId: clerk.id, messageKey: "settlement.recoveries.notice.reported" } })).toBe(1);
    expect(await prisma.journalEntry.count({ where: { sourceType: "recovery" } })).toBe(0);
    expect((await reportRecovery(ctx, agency, input({ principal: 100_000n, interest: 0n }), now)).number).toBe("RCV-2026-000002");
  });

  it("refuses bad input with the field's own error and changes nothing", async () => {
    await reportRecovery(ctx, agency, input(), now);
    const before = await snapshot();
    const cases: [Partial<ReportRecoveryInput>, string, string, Record<string, string>?][] = [
      [{ collectedOn: "2026-11-23" }, "settlement.recoveries.collectedInFuture", "collected_on", { day: "2026-11-23", today: "2026-11-22" }],
      [{ collectedOn: "2026-09-30" }, "settlement.recoveries.outsideTerm", "collected_on", { from: "2026-10-01", to: "2027-10-01" }],
      [{ collectedOn: "2026-02-30" }, "settlement.recoveries.dayInvalid", "collected_on"],
      [{ principal: 0n, interest: 0n }, "settlement.recoveries.nothingCollected", "principal"],
      [{ principal: -1n }, "settlement.recoveries.amountNegative", "principal"],
      // ¥30,000 of the ¥100,000 is already reported: ¥70,000.01 is an over-recovery
      [{ principal: 7_000_001n, interest: 0n }, "settlement.recoveries.overRecoveryPrincipal", "principal", { left: "70000.00" }],
      [{ principal: 0n, interest: 600_001n }, "settlement.recoveries.overRecoveryInterest", "interest", { left: "6000.00" }],
      [{ payer: "  " }, "settlement.recoveries.payerRequired", "payer"],
      [{ evidence: null }, "settlement.recoveries.evidenceRequired", "evidence"],
      [{ loanNumber: "" }, "settlement.recoveries.loanRequired", "loan_number"],
    ];
    for (const [extra, key, field, params] of cases) {
      const error = await refusal(reportRecovery(ctx, agency, input(extra), now));
      expect(error.key, key).toBe(key);
      expect(error.options.field).toBe(field);
      if (params) expect(error.options.params).toMatchObject(params);
      expect(error.status).toBe(400);
    }
    const notPdf = await refusal(reportRecovery(ctx, agency, input({ evidence: { bytes: new TextEncoder().encode("just text"), originalName: "x.txt" } }), now));
    expect(notPdf.options.field).toBe("evidence");
    expect(await snapshot()).toEqual(before);
  });

  it("another agency gets the 404 of an unknown loan; the bank's clerk may not report; nothing changes", async () => {
    const before = await snapshot();
    expect(await refusal(reportRecovery(ctx, other, input(), now))).toMatchObject({ key: "settlement.recoveries.loanNotFound", status: 404 });
    expect(await refusal(reportRecovery(ctx, agency, input({ loanNumber: "NO-SUCH-LOAN" }), now))).toMatchObject({ key: "settlement.recoveries.loanNotFound", status: 404 });
    expect(await refusal(reportRecovery(ctx, clerk, input(), now))).toMatchObject({ key: "settlement.recoveries.notCustodian", status: 403 });
    expect(await snapshot()).toEqual(before);
  });

  it("reads yuan as typed and refuses junk", () => {
    expect(yuanInput("１２,３４５.６", "principal")).toBe(1_234_560n);
    expect(yuanInput("0", "interest", true)).toBe(0n);
    expect(() => yuanInput("0", "amount")).toThrow("settlement.recoveries.amountNotPositive");
    expect(() => yuanInput("1.234", "amount")).toThrow("settlement.recoveries.amountInvalid");
    expect(() => yuanInput("-5", "amount")).toThrow("settlement.recoveries.amountNegative");
  });
});

describe("register, verify, four eyes", () => {
  it("the branch registers (one balanced entry DEBIT remittance receivable / CREDIT loan recoveries), audit verifies", async () => {
    const r = await reportRecovery(ctx, agency, input(), now);
    expect(await refusal(registerRecovery(ctx, clerk, r.id, { registerReference: " " }, now))).toMatchObject({ key: "settlement.recoveries.referenceRequired", options: { field: "register_reference" } });
    expect(await refusal(registerRecovery(ctx, clerk, r.id, { registerReference: "X".repeat(65) }, now))).toMatchObject({ key: "settlement.recoveries.textTooLong" });
    expect(await refusal(registerRecovery(ctx, auditor, r.id, { registerReference: "DJ-1" }, now))).toMatchObject({ key: "settlement.recoveries.notBranch", status: 403 });
    expect(await refusal(verifyRecovery(ctx, auditor, r.id, now))).toMatchObject({ key: "settlement.recoveries.wrongState", status: 409 });
    expect((await prisma.recovery.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("REPORTED");

    const registered = await registerRecovery(ctx, clerk, r.id, { registerReference: "DJ-2026-0001" }, now);
    expect(registered).toMatchObject({ status: "REGISTERED", registerReference: "DJ-2026-0001", registeredById: clerk.id });
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: registered.registrationEntryId! }, include: { lines: { include: { account: true } } } });
    expect(entry.sourceType).toBe("recovery");
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([
      ["LOAN_RECOVERIES", "CREDIT", 3_200_000n],
      ["REMITTANCE_RECEIVABLE", "DEBIT", 3_200_000n],
    ]);
    expect(await prisma.$transaction((tx) => contractBalance(tx, "REMITTANCE_RECEIVABLE", c.contract))).toBe(3_200_000n);
    expect(await refusal(registerRecovery(ctx, clerk, r.id, { registerReference: "DJ-2" }, now))).toMatchObject({ key: "settlement.recoveries.wrongState", status: 409 });
    expect(await prisma.notification.count({ where: { userId: auditor.id, messageKey: "settlement.recoveries.notice.registered" } })).toBe(1);

    expect(await refusal(verifyRecovery(ctx, clerk, r.id, now))).toMatchObject({ key: "settlement.recoveries.notAuditor", status: 403 });
    const verified = await verifyRecovery(ctx, auditor, r.id, now);
    expect(verified).toMatchObject({ status: "VERIFIED", verifiedById: auditor.id });
    expect(await prisma.notification.count({ where: { userId: agency.id, messageKey: "settlement.recoveries.notice.verified" } })).toBe(1);
    expect(await prisma.auditEntry.count({ where: { entityId: r.id, action: { in: ["settlement.recovery.report", "settlement.recovery.register", "settlement.recovery.verify"] } } })).toBe(3);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("four eyes: who registered may not verify (a person holding both roles)", async () => {
    await prisma.userRole.create({ data: { userId: auditor.id, role: "branch_clerk" } });
    const both = await asUser("auditor@bank.example");
    const r = await reportRecovery(ctx, agency, input(), now);
    await registerRecovery(ctx, both, r.id, { registerReference: "DJ-9" }, now);
    expect(await refusal(verifyRecovery(ctx, both, r.id, now))).toMatchObject({ key: "settlement.recoveries.fourEyes", status: 403 });
    expect((await prisma.recovery.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("REGISTERED");
  });

  it("a loan whose verified recoveries reach principal + interest (¥108,000) is RECOVERED, the custody loan too", async () => {
    const first = await reportRecovery(ctx, agency, input({ principal: 6_000_000n, interest: 300_000n }), now);
    const second = await reportRecovery(ctx, agency, input({ collectedOn: "2026-11-20", principal: 4_000_000n, interest: 500_000n }), now);
    for (const r of [first, second]) await registerRecovery(ctx, clerk, r.id, { registerReference: `DJ-${r.number}` }, now);
    await verifyRecovery(ctx, auditor, first.id, now);
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber } })).status).toBe("IN_CUSTODY");
    await verifyRecovery(ctx, auditor, second.id, now);
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber } })).status).toBe("RECOVERED");
    expect((await prisma.custodyLoan.findFirstOrThrow({ where: { contractId: c.contract.id, loanNumber } })).status).toBe("RECOVERED");
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "settlement.loan.recovered" } });
    expect(JSON.parse(audit.after!)).toMatchObject({ status: "RECOVERED", verifiedTotal: "108000.00", byRecovery: second.number });
    // The other loan is untouched; nothing more can be reported on the recovered one (nothing is left of it).
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: c.loans[1]!.loanNumber } })).status).toBe("IN_CUSTODY");
    expect(await refusal(reportRecovery(ctx, agency, input({ principal: 1n, interest: 0n }), now))).toMatchObject({ key: "settlement.recoveries.overRecoveryPrincipal", options: { params: { left: "0.00" } } });
  });
});

describe("rejection", () => {
  it("the branch rejects a REPORTED one, audit a REGISTERED one (the registration entry reversed); reason required; custodian told by bell and email", async () => {
    const a = await reportRecovery(ctx, agency, input(), now);
    const b = await reportRecovery(ctx, agency, input({ principal: 1_000_000n, interest: 0n }), now);
    expect(await refusal(rejectRecovery(ctx, clerk, a.id, { reason: "" }, now))).toMatchObject({ key: "settlement.recoveries.reasonRequired", options: { field: "reason" } });
    expect(await refusal(rejectRecovery(ctx, auditor, a.id, { reason: "x" }, now))).toMatchObject({ key: "settlement.recoveries.rejectReportedByBranch", status: 403 });
    const rejected = await rejectRecovery(ctx, clerk, a.id, { reason: "收据金额与银行流水不符" }, now);
    expect(rejected).toMatchObject({ status: "REJECTED", rejectionReason: "收据金额与银行流水不符", rejectionEntryId: null });
    expect(await prisma.notification.count({ where: { userId: agency.id, messageKey: "settlement.recoveries.notice.rejected" } })).toBe(1);
    const email = await prisma.outboxEmail.findFirstOrThrow({ where: { to: agency.email, template: "settlementRecoveryRejected" } });
    expect(email.subject).toContain(a.number);
    expect(email.text).toContain("收据金额与银行流水不符");

    await registerRecovery(ctx, clerk, b.id, { registerReference: "DJ-B" }, now);
    expect(await refusal(rejectRecovery(ctx, clerk, b.id, { reason: "x" }, now))).toMatchObject({ key: "settlement.recoveries.rejectRegisteredByAudit", status: 403 });
    const byAudit = await rejectRecovery(ctx, auditor, b.id, { reason: "重复登记" }, now);
    expect(byAudit.rejectionEntryId).toBeTruthy();
    const reversal = await prisma.journalEntry.findUniqueOrThrow({ where: { id: byAudit.rejectionEntryId! } });
    expect(reversal.reversesId).toBe(byAudit.registrationEntryId);
    expect(await prisma.$transaction((tx) => contractBalance(tx, "REMITTANCE_RECEIVABLE", c.contract))).toBe(0n);
    expect(await refusal(rejectRecovery(ctx, auditor, b.id, { reason: "again" }, now))).toMatchObject({ key: "settlement.recoveries.wrongState", status: 409 });
    // A rejected recovery frees the loan's figures again (¥100,000 can be reported once more).
    expect((await reportRecovery(ctx, agency, input({ principal: 10_000_000n, interest: 0n }), now)).status).toBe("REPORTED");
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("a recovery money was remitted against is never rejected", async () => {
    const r = await reportRecovery(ctx, agency, input(), now);
    await registerRecovery(ctx, clerk, r.id, { registerReference: "DJ-R" }, now);
    const { remittance } = await declareRemittance(ctx, agency, { contractId: c.contract.id, amount: 1_000_000n, method: "bank_transfer", payerReference: "LS-1" }, now);
    await confirmRemittance(ctx, clerk, remittance.id, { voucherNumber: "PZ-1", remittedOn: "2026-11-03" }, now);
    const entries = await prisma.journalEntry.count();
    expect(await refusal(rejectRecovery(ctx, auditor, r.id, { reason: "x" }, now))).toMatchObject({ key: "settlement.recoveries.remittedCannotReject", status: 409, options: { params: { remitted: "10000.00" } } });
    expect((await prisma.recovery.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("REGISTERED");
    expect(await prisma.journalEntry.count()).toBe(entries);
  });
});

describe("who sees what", () => {
  it("an agency sees only its own recoveries (404 for another's); the bank sees every one", async () => {
    const mine = await reportRecovery(ctx, agency, input(), now);
    const otherContract = await custodyContract({ custodian: other, loans: 1, startsAt: new Date("2026-10-01T00:00:00Z"), termMonths: 12 });
    const theirs = await reportRecovery(ctx, other, input({ loanNumber: otherContract.loans[0]!.loanNumber }), now);
    expect((await listRecoveries(agency)).map((r) => r.number)).toEqual([mine.number]);
    expect((await listRecoveries(other)).map((r) => r.number)).toEqual([theirs.number]);
    expect(await refusal(getRecovery(agency, theirs.id))).toMatchObject({ key: "settlement.recoveries.notFound", status: 404 });
    expect((await listRecoveries(clerk)).map((r) => r.number).sort()).toEqual([mine.number, theirs.number].sort());
    expect((await listRecoveries(officer, { status: "REPORTED" })).length).toBe(2);
    const view = await getRecovery(agency, mine.id);
    expect(view).toMatchObject({ contractNumber: c.contract.number, amount: 3_200_000n, remitted: 0n, outstanding: 3_200_000n, evidence: { name: "收据.pdf" }, reportedBy: expect.any(String) });
    // Another agency may not register, verify or reject it either.
    expect(await refusal(registerRecovery(ctx, other, mine.id, { registerReference: "X" }, now))).toMatchObject({ status: 403 });
  });
});
