import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { claimOf, depositHeld, lateInterestReceivable, recoveryRow, remitted } from "../fixtures/settlement-contracts";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { confirmOfflineTopUp, declareOfflineTopUp } from "~/services/custody/deposit-topup.server";
import { forceDeduction, recordLossOfFunds } from "~/services/settlement/deductions.server";

/**
 * R7 forced deduction (强行扣收): more than 10 days unremitted (or a recorded loss of funds) lets the
 * department take the unremitted amount plus its late interest from the performance deposit; what the
 * deposit does not hold becomes a claim (an agency's legal representative jointly liable); the custodian
 * is told and owes a top-up within 10 days. One balanced entry; bad input changes nothing.
 */

const ctx = systemContext("test");
const { calls } = installRecordingQueue();
const startsAt = new Date("2026-06-01T00:00:00Z");
const onJuly12 = new Date("2026-07-12T02:00:00Z"); // 10:00 China time
const hundredThousand = 10_000_000n;

let officer: AuthUser;
let finance: AuthUser;
let bidder: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ officer, finance, bidder, agency } = await freshTenderCast());
  calls.length = 0;
});

/** What a refusal must leave untouched. */
async function counts() {
  return Promise.all([
    prisma.remittance.count(), prisma.remittanceAllocation.count(), prisma.journalEntry.count(), prisma.lateInterestAccrual.count(),
    prisma.forcedDeduction.count(), prisma.auditEntry.count(), prisma.notification.count(), prisma.outboxEmail.count(),
  ]);
}

describe("a deduction larger than the deposit (staff contractor, deposit ¥5,000)", () => {
  it("takes the whole deposit to zero and books the rest as a claim; accrues first; settles the recovery with a DEDUCTION remittance; tells the custodian; the top-up is then payable", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt }); // deposit 5% of ¥100,000 = ¥5,000
    const late = await recoveryRow(contract, { collectedOn: "2026-07-01", principal: 9_000_000n, interest: 1_000_000n }); // 11 days on 07-12
    const onTime = await recoveryRow(contract, { collectedOn: "2026-07-08", principal: 500_000n }); // 4 days: not deductible
    void onTime;
    const result = await forceDeduction(ctx, officer, { contractId: contract.id, reason: "逾期未交账" }, onJuly12);

    // ¥100,000 + ¥132.92 = ¥100,132.92: ¥5,000 from the deposit, ¥95,132.92 a claim.
    expect(result).toMatchObject({
      deductedOn: "2026-07-12", unremitted: hundredThousand, lateInterest: 13_292n, fromDeposit: 500_000n, claim: 9_513_292n,
      jointlyLiable: null, topUpDueOn: "2026-07-22", topUpOwed: 500_000n,
    });
    expect(result.recoveries).toEqual([{ id: late.id, number: late.number, outstanding: hundredThousand, lateInterest: 13_292n, delay: 11 }]);
    expect(await depositHeld(contract)).toBe(0n);
    expect(await claimOf(contract)).toBe(9_513_292n);
    // Accrued to today first (¥132.92 booked), then taken: the receivable is back to zero.
    expect(await prisma.lateInterestAccrual.findMany({ where: { contractId: contract.id }, select: { asOf: true, cumulative: true } })).toEqual([{ asOf: "2026-07-12", cumulative: 13_292n }]);
    expect(await lateInterestReceivable(contract)).toBe(0n);

    const remittance = await prisma.remittance.findUniqueOrThrow({ where: { id: result.remittanceId }, include: { allocations: true } });
    expect([remittance.method, remittance.status, remittance.amount, remittance.remittedOn, remittance.entryId]).toEqual(["DEDUCTION", "CONFIRMED", hundredThousand, "2026-07-12", result.entryId]);
    expect(remittance.number).toMatch(/^RMT-2026-\d{6}$/);
    expect(remittance.allocations.map((a) => [a.recoveryId, a.amount, a.remittedOn])).toEqual([[late.id, hundredThousand, "2026-07-12"]]);
    const row = await prisma.forcedDeduction.findUniqueOrThrow({ where: { id: result.id } });
    expect([row.unremitted, row.lateInterest, row.fromDeposit, row.claim, row.topUpDueOn, row.reason, row.decidedById]).toEqual([hundredThousand, 13_292n, 500_000n, 9_513_292n, "2026-07-22", "逾期未交账", officer.id]);

    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: result.entryId }, include: { lines: { include: { account: true } } } });
    expect(entry.sourceType).toBe("forced-deduction");
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([
      ["CLAIM_RECEIVABLE", "DEBIT", 9_513_292n],
      ["LATE_INTEREST_RECEIVABLE", "CREDIT", 13_292n],
      ["PERFORMANCE_DEPOSIT", "DEBIT", 500_000n],
      ["REMITTANCE_RECEIVABLE", "CREDIT", hundredThousand],
    ]);
    expect(await everyEntryBalanced()).toBe(true);
    expect(await prisma.auditEntry.count({ where: { action: "settlement.deduct", entityId: result.id } })).toBe(1);

    const bell = await prisma.notification.findFirstOrThrow({ where: { userId: bidder.id, messageKey: "settlement.contracts.notice.deducted" } });
    expect(JSON.parse(bell.params)).toMatchObject({ unremitted: "¥100,000.00", lateInterest: "¥132.92", fromDeposit: "¥5,000.00", claim: "¥95,132.92", topUp: "¥5,000.00", dueOn: "2026-07-22" });
    const mail = await prisma.outboxEmail.findFirstOrThrow({ where: { to: bidder.email, template: "settlementForcedDeduction" } });
    expect(mail.text).toContain("2026-07-22");
    expect(mail.text).toContain("¥95,132.92");

    // Nothing left to deduct: the recovery is settled.
    expect(await refusal(forceDeduction(ctx, officer, { contractId: contract.id, recoveryIds: [late.id], reason: "again" }, onJuly12))).toMatchObject({ key: "settlement.contracts.nothingOutstanding", status: 409 });

    // The top-up after the deduction (R7), on the ACTIVE contract, with the custody top-up flow.
    const declared = await declareOfflineTopUp(ctx, bidder, contract.id, { method: "BANK_TRANSFER" }, onJuly12);
    expect([declared.status, declared.amount]).toEqual(["DECLARED", 500_000n]);
    await confirmOfflineTopUp(ctx, finance, declared.id, { voucher_number: "BT-TOPUP-1" }, onJuly12);
    expect(await depositHeld(contract)).toBe(500_000n);
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: contract.id } })).status).toBe("ACTIVE");
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("an agency (its legal representative jointly liable for the claim)", () => {
  it("a deposit that covers it: all from the deposit, no claim; a small deposit: the notice names the legal representative", async () => {
    const big = (await custodyContract({ custodian: agency, startsAt })).contract; // bond ¥200,000
    await recoveryRow(big, { collectedOn: "2026-07-01", principal: hundredThousand });
    const covered = await forceDeduction(ctx, officer, { contractId: big.id, reason: "逾期" }, onJuly12);
    expect([covered.fromDeposit, covered.claim, covered.jointlyLiable]).toEqual([10_013_292n, 0n, "赵立国"]);
    expect(await depositHeld(big)).toBe(20_000_000n - 10_013_292n);

    const small = (await custodyContract({ custodian: agency, startsAt, performanceDeposit: 1_000_000n })).contract;
    await recoveryRow(small, { collectedOn: "2026-06-20", principal: hundredThousand }); // 22 days
    const short = await forceDeduction(ctx, officer, { contractId: small.id, reason: "逾期" }, onJuly12);
    // 100,000 × 4.35% × 22 / 360 = 265.833… → ¥265.83
    expect([short.lateInterest, short.fromDeposit, short.claim, short.jointlyLiable]).toEqual([26_583n, 1_000_000n, 9_026_583n, "赵立国"]);
    const bell = await prisma.notification.findFirstOrThrow({ where: { userId: agency.id, messageKey: "settlement.contracts.notice.deductedAgency" }, orderBy: { createdAt: "desc" } });
    expect(JSON.parse(bell.params)).toMatchObject({ representative: "赵立国", claim: "¥90,265.83", agency: "华信资产清收有限公司" });
    const mail = await prisma.outboxEmail.findFirstOrThrow({ where: { to: agency.email, template: "settlementForcedDeduction" }, orderBy: { createdAt: "desc" } });
    expect(mail.text).toContain("赵立国");
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("bad input: a specific error and nothing changes", () => {
  it("refuses another role, a recovery 10 days late (not more than 10), an empty reason, an unknown or foreign recovery, and nothing deductible", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    const other = (await custodyContract({ custodian: agency, startsAt })).contract;
    const tenDays = await recoveryRow(contract, { collectedOn: "2026-07-02", principal: hundredThousand }); // 10 days on 07-12
    const foreign = await recoveryRow(other, { collectedOn: "2026-06-01", principal: hundredThousand });
    const partly = await recoveryRow(contract, { collectedOn: "2026-07-03", principal: hundredThousand });
    await remitted(contract, [[partly, hundredThousand]], "2026-07-04");
    const before = await counts();

    expect(await refusal(forceDeduction(ctx, finance, { contractId: contract.id, reason: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.notDepartment", status: 403 });
    expect(await refusal(forceDeduction(ctx, bidder, { contractId: contract.id, reason: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.notDepartment", status: 403 });
    const notYet = await refusal(forceDeduction(ctx, officer, { contractId: contract.id, recoveryIds: [tenDays.id], reason: "x" }, onJuly12));
    expect([notYet.key, notYet.status, notYet.options.params]).toEqual(["settlement.contracts.notDeductible", 422, { number: tenDays.number, delay: 10, threshold: 10 }]);
    expect(await refusal(forceDeduction(ctx, officer, { contractId: contract.id, reason: "  " }, onJuly12))).toMatchObject({ key: "settlement.contracts.reasonRequired", status: 400, options: { field: "reason" } });
    expect(await refusal(forceDeduction(ctx, officer, { contractId: contract.id, recoveryIds: ["nope"], reason: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.recoveryNotFound", status: 404 });
    expect(await refusal(forceDeduction(ctx, officer, { contractId: contract.id, recoveryIds: [foreign.id], reason: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.recoveryNotFound", status: 404 });
    expect(await refusal(forceDeduction(ctx, officer, { contractId: contract.id, recoveryIds: [partly.id], reason: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.nothingOutstanding", status: 409 });
    expect(await refusal(forceDeduction(ctx, officer, { contractId: contract.id, reason: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.nothingDeductible", status: 409, options: { params: { threshold: 10 } } });
    expect(await refusal(forceDeduction(ctx, officer, { contractId: "missing", reason: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.notFound", status: 404 });
    expect(await counts()).toEqual(before);
  });
});

describe("loss of funds (R7: deductible whatever the delay)", () => {
  it("the department records it once; the recovery 2 days old may then be deducted; refusals change nothing", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    const fresh = await recoveryRow(contract, { collectedOn: "2026-07-10", principal: 300_000n }); // 2 days
    const rejected = await recoveryRow(contract, { collectedOn: "2026-07-10", principal: 300_000n, status: "REJECTED" });
    const before = await counts();
    expect(await refusal(recordLossOfFunds(ctx, bidder, fresh.id, { note: "挪用" }, onJuly12))).toMatchObject({ key: "settlement.contracts.notDepartment", status: 403 });
    expect(await refusal(recordLossOfFunds(ctx, officer, fresh.id, { note: "" }, onJuly12))).toMatchObject({ key: "settlement.contracts.lossNoteRequired", status: 400 });
    expect(await refusal(recordLossOfFunds(ctx, officer, rejected.id, { note: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.recoveryRejected", status: 409 });
    expect(await refusal(recordLossOfFunds(ctx, officer, "missing", { note: "x" }, onJuly12))).toMatchObject({ key: "settlement.contracts.recoveryNotFound", status: 404 });
    expect(await counts()).toEqual(before);

    const loss = await recordLossOfFunds(ctx, officer, fresh.id, { note: "承包人挪用" }, onJuly12);
    expect(loss).toMatchObject({ number: fresh.number, lossNote: "承包人挪用" });
    const row = await prisma.recovery.findUniqueOrThrow({ where: { id: fresh.id } });
    expect([row.lossRecordedById, row.lossNote]).toEqual([officer.id, "承包人挪用"]);
    expect(await prisma.auditEntry.count({ where: { action: "settlement.lossOfFunds", entityId: fresh.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "settlement.contracts.notice.lossRecorded" } })).toBe(1);
    expect(await refusal(recordLossOfFunds(ctx, officer, fresh.id, { note: "again" }, onJuly12))).toMatchObject({ key: "settlement.contracts.lossAlreadyRecorded", status: 409 });

    const deducted = await forceDeduction(ctx, officer, { contractId: contract.id, recoveryIds: [fresh.id], reason: "资金损失" }, onJuly12);
    expect([deducted.unremitted, deducted.lateInterest, deducted.fromDeposit, deducted.claim]).toEqual([300_000n, 0n, 300_000n, 0n]);
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: deducted.entryId }, include: { lines: true } });
    expect(entry.lines).toHaveLength(2); // zero lines (claim, late interest) left out
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("late interest a fee statement already nets is not taken again", () => {
  it("takes only the interest booked since: ¥181.25 booked − ¥132.92 on the Q3 statement = ¥48.33", async () => {
    const { generateStatement } = await import("~/services/settlement/statements.server");
    const { contract } = await custodyContract({ custodian: bidder, startsAt }); // deposit ¥5,000
    const r = await recoveryRow(contract, { collectedOn: "2026-07-01", principal: hundredThousand });
    await remitted(contract, [[r, 5_000_000n]], "2026-07-12"); // ¥50,000 after 11 days: ¥66.46
    // 07-12: the department generates the current quarter's statement; the open ¥50,000 has also cost ¥66.46 so far.
    const statement = await generateStatement(ctx, officer, { contractId: contract.id, year: 2026, quarter: 3 }, onJuly12);
    const line = await prisma.settlementStatementLine.findFirstOrThrow({ where: { statementId: statement.id, kind: "late_interest" } });
    expect(line.amount).toBe(13_292n);

    // 07-20: the open ¥50,000 is 19 days late: ¥114.79; booked in all ¥66.46 + ¥114.79 = ¥181.25.
    const result = await forceDeduction(ctx, officer, { contractId: contract.id, reason: "逾期未交账" }, new Date("2026-07-20T02:00:00Z"));
    expect(result.recoveries).toEqual([{ id: r.id, number: r.number, outstanding: 5_000_000n, lateInterest: 18_125n, delay: 19 }]);
    expect(result).toMatchObject({ unremitted: 5_000_000n, lateInterest: 4_833n, fromDeposit: 500_000n, claim: 4_504_833n });
    // What the statement nets when paid plus what the deduction took is exactly what was booked.
    expect(line.amount + result.lateInterest).toBe(18_125n);
    expect(await everyEntryBalanced()).toBe(true);
  });
});
