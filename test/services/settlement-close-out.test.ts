import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { claimOf, depositHeld, recoveryRow, remitted } from "../fixtures/settlement-contracts";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import { ensureAccount, postEntry } from "~/infra/ledger.server";
import { claimAccountOf } from "~/services/custody/accounts.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { closeOutContract } from "~/services/settlement/close-out.server";
import { forceDeduction } from "~/services/settlement/deductions.server";
import { accrueLateInterest } from "~/services/settlement/late-interest.server";

/**
 * Close-out (README step 16): finance closes an ENDED contract once nothing is unremitted and the FINAL
 * statement is paid; the deposit balance is refunded (one entry), open claims are recorded as they stood.
 */

const ctx = systemContext("test");
const { calls } = installRecordingQueue();
const startsAt = new Date("2026-06-01T00:00:00Z");
const at = new Date("2026-07-12T02:00:00Z");

let officer: AuthUser;
let finance: AuthUser;
let bidder: AuthUser;

beforeEach(async () => {
  ({ officer, finance, bidder } = await freshTenderCast());
  calls.length = 0;
});

async function ended(custodian: AuthUser) {
  const { contract } = await custodyContract({ custodian, startsAt, termMonths: 1 });
  return prisma.custodyContract.update({ where: { id: contract.id }, data: { status: "ENDED", endedAt: new Date("2026-07-01T00:00:00Z") } });
}

async function finalStatement(contract: { id: string; custodianKey: string }, state: string, netPayable = 0n) {
  return prisma.settlementStatement.create({
    data: {
      number: `STM-2026-${Math.floor(Math.random() * 900000 + 100000)}`, contractId: contract.id, kind: "FINAL", year: 2026, quarter: 3,
      periodStartsOn: "2026-07-01", periodEndsOn: "2026-07-01", custodianKind: "STAFF", custodianKey: contract.custodianKey,
      recoveredPrincipal: 0n, recoveredInterest: 0n, payableToCustodian: netPayable > 0n ? netPayable : 0n, owedByCustodian: netPayable < 0n ? -netPayable : 0n,
      deductionsTaken: 0n, netPayable, generatedBy: "test", state,
    },
  });
}

const counts = () => Promise.all([prisma.contractCloseOut.count(), prisma.journalEntry.count(), prisma.auditEntry.count(), prisma.notification.count()]);

describe("closing out", () => {
  it("refuses (nothing changes) until the contract ended, everything is remitted and the FINAL statement is paid; then refunds the deposit balance", async () => {
    const active = (await custodyContract({ custodian: bidder, startsAt })).contract;
    const contract = await ended(bidder);
    const r = await recoveryRow(contract, { collectedOn: "2026-06-25", principal: 100_000n });
    const before = await counts();
    expect(await refusal(closeOutContract(ctx, officer, { contractId: contract.id, voucherNumber: "V1" }, at))).toMatchObject({ key: "settlement.contracts.notFinance", status: 403 });
    expect(await refusal(closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: " " }, at))).toMatchObject({ key: "settlement.contracts.voucherRequired", status: 400 });
    expect(await refusal(closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: "V".repeat(65) }, at))).toMatchObject({ key: "settlement.contracts.voucherTooLong" });
    expect(await refusal(closeOutContract(ctx, finance, { contractId: active.id, voucherNumber: "V1" }, at))).toMatchObject({ key: "settlement.contracts.notEnded", status: 409 });
    expect(await refusal(closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: "V1" }, at))).toMatchObject({ key: "settlement.contracts.unremitted", status: 409, options: { params: { amount: "¥1,000.00" } } });
    await remitted(contract, [[r, 100_000n]], "2026-06-27");
    expect(await refusal(closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: "V1" }, at))).toMatchObject({ key: "settlement.contracts.finalMissing", status: 409 });
    const draft = await finalStatement(contract, "draft");
    expect(await refusal(closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: "V1" }, at))).toMatchObject({ key: "settlement.contracts.finalNotPaid", options: { params: { number: draft.number, state: "draft" } } });
    expect(await counts()).toEqual(before);

    await prisma.settlementStatement.update({ where: { id: draft.id }, data: { state: "paid" } });
    const done = await closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: " BT-REFUND-7 " }, at);
    expect([done.refund, done.voucherNumber, done.openClaims]).toEqual([500_000n, "BT-REFUND-7", []]);
    expect(await depositHeld(contract)).toBe(0n);
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: done.entryId! }, include: { lines: { include: { account: true } } } });
    expect([entry.sourceType, entry.sourceId]).toEqual(["close-out", contract.id]);
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([["CLEARING_BANK_TRANSFER", "CREDIT", 500_000n], ["PERFORMANCE_DEPOSIT", "DEBIT", 500_000n]]);
    const row = await prisma.contractCloseOut.findUniqueOrThrow({ where: { contractId: contract.id } });
    expect([row.refund, row.voucherNumber, row.closedById, row.entryId]).toEqual([500_000n, "BT-REFUND-7", finance.id, entry.id]);
    expect(await prisma.auditEntry.count({ where: { action: "settlement.closeOut", entityId: row.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "settlement.contracts.notice.closedOut" } })).toBe(1);
    expect(await prisma.outboxEmail.count({ where: { to: bidder.email, template: "settlementContractClosedOut" } })).toBe(1);

    // Once: a second close-out, a deduction or an accrual on it are refused or skipped.
    expect(await refusal(closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: "V2" }, at))).toMatchObject({ key: "settlement.contracts.closedOut", status: 409 });
    expect(await refusal(forceDeduction(ctx, officer, { contractId: contract.id, reason: "x" }, at))).toMatchObject({ key: "settlement.contracts.closedOut", status: 409 });
    expect(await accrueLateInterest("2026-07-12")).toEqual({ contracts: 0, posted: 0, total: 0n });
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("after a deduction that emptied the deposit: nothing to refund (no entry), the open claim and an unpaid statement owed to the bank are recorded", async () => {
    const contract = await ended(bidder);
    await recoveryRow(contract, { collectedOn: "2026-06-20", principal: 10_000_000n }); // 22 days on 07-12
    const deduction = await forceDeduction(ctx, officer, { contractId: contract.id, reason: "逾期" }, at);
    expect(deduction.claim).toBe(10_000_000n + 26_583n - 500_000n);
    await finalStatement(contract, "paid");
    const quarterly = await prisma.settlementStatement.create({
      data: {
        number: "STM-2026-777001", contractId: contract.id, kind: "QUARTERLY", year: 2026, quarter: 2, periodStartsOn: "2026-06-01", periodEndsOn: "2026-06-30",
        custodianKind: "STAFF", custodianKey: contract.custodianKey, recoveredPrincipal: 0n, recoveredInterest: 0n, payableToCustodian: 0n,
        owedByCustodian: 12_000n, deductionsTaken: 0n, netPayable: -12_000n, generatedBy: "test", state: "reviewed",
      },
    });
    const entries = await prisma.journalEntry.count();
    const done = await closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: "NONE-0" }, at);
    expect([done.refund, done.entryId]).toEqual([0n, null]);
    expect(await prisma.journalEntry.count()).toBe(entries);
    expect(done.openClaims).toEqual([{ account: "CLAIM_RECEIVABLE", amount: "95265.83" }, { account: `STATEMENT:${quarterly.number}`, amount: "120.00" }]);
    expect(JSON.parse((await prisma.contractCloseOut.findUniqueOrThrow({ where: { contractId: contract.id } })).openClaims)).toEqual(done.openClaims);
    expect(await claimOf(contract)).toBe(9_526_583n);
    const mail = await prisma.outboxEmail.findFirstOrThrow({ where: { to: bidder.email, template: "settlementContractClosedOut" } });
    expect(mail.text).toContain("95265.83");
  });

  it("nets what the custodian still owes from the deposit before refunding: late interest accrued after the final statement, then its claims", async () => {
    const contract = await ended(bidder); // deposit ¥5,000
    const r = await recoveryRow(contract, { collectedOn: "2026-06-20", principal: 10_000_000n });
    await remitted(contract, [[r, 10_000_000n]], "2026-07-10"); // 20 days: ¥100,000 × 4.35% × 20 / 360 = ¥241.666… → ¥241.67
    await finalStatement(contract, "paid"); // written before that interest was booked
    // A ¥1,000 claim on the same contractor (e.g. a liability on another contract).
    await postEntry(ctx, {
      description: "claim (test)", sourceType: "test", sourceId: contract.id,
      lines: [
        { accountId: (await prisma.$transaction((tx) => claimAccountOf(tx, contract.custodianKey))).id, side: "DEBIT", amount: 100_000n },
        { accountId: (await prisma.$transaction((tx) => ensureAccount(tx, { type: "BANK_INCOME" }))).id, side: "CREDIT", amount: 100_000n },
      ],
    });

    const done = await closeOutContract(ctx, finance, { contractId: contract.id, voucherNumber: "BT-REFUND-8" }, at);
    // ¥5,000 − ¥241.67 − ¥1,000 = ¥3,758.33 refunded; nothing stays open.
    expect([done.lateInterestNetted, done.claimsNetted, done.refund, done.openClaims]).toEqual([24_167n, 100_000n, 375_833n, []]);
    const mail = await prisma.outboxEmail.findFirstOrThrow({ where: { to: bidder.email, template: "settlementContractClosedOut" } });
    expect(mail.text).toContain("241.67");
    expect(mail.text).toContain("3,758.33");
    const entry = await prisma.journalEntry.findUniqueOrThrow({ where: { id: done.entryId! }, include: { lines: { include: { account: true } } } });
    expect(entry.lines.map((l) => [l.account.type, l.side, l.amount]).sort()).toEqual([
      ["CLAIM_RECEIVABLE", "CREDIT", 100_000n],
      ["CLEARING_BANK_TRANSFER", "CREDIT", 375_833n],
      ["LATE_INTEREST_RECEIVABLE", "CREDIT", 24_167n],
      ["PERFORMANCE_DEPOSIT", "DEBIT", 500_000n],
    ]);
    expect([await depositHeld(contract), await claimOf(contract)]).toEqual([0n, 0n]);
    expect(await everyEntryBalanced()).toBe(true);
  });
});
