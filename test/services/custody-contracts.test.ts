// Custody contracts (issue 7, item 1; R4, R5): generation with the terms in force, signing order,
// the credit of the bid deposit on the first signing, custody start when the last condition is met,
// and the end of custody.
import { beforeEach, describe, expect, it } from "vitest";
import { everyEntryBalanced, generatedContract } from "../fixtures/custody-contracts";
import { accountBalance } from "../fixtures/tender-awards";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { refusal } from "../support/users";
import { parseTerms } from "~/domain/contract";
import { defaultSettings } from "~/domain/settings";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { performanceDepositHeld } from "~/services/custody/accounts.server";
import { contractRecord as getContract, visibleContracts as listContracts } from "~/services/custody/contract-views.server";
import { countersignContract, endDueCustody, setContractTask, signContract } from "~/services/custody/contracts.server";
import { confirmOfflineTopUp, declareOfflineTopUp } from "~/services/custody/deposit-topup.server";
import { acceptAward } from "~/services/tenders/awards.server";
import { closedTender } from "../fixtures/tender-awards";
import { createTestLoan } from "../fixtures/loans";
import { endDueCustodyJob } from "../../jobs/custody-contract-jobs";

const ctx = systemContext("test");
const at = new Date("2026-11-24T03:00:00Z"); // 11:00 China time, the award accepted
const signAt = new Date("2026-11-25T02:00:00Z");
const countersignAt = new Date("2026-11-25T06:00:00Z");
const paidAt = new Date("2026-11-26T01:30:00Z");
const sig = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (test)" };
const staffPrice = 30_000_000n; // ¥300,000
const bidDeposit = 500_000n; // ¥5,000

const { calls } = installRecordingQueue();

let officer: AuthUser;
let finance: AuthUser;
let bidder: AuthUser;
let bidder2: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ officer, finance, bidder, bidder2, agency } = await freshTenderCast());
  calls.length = 0;
});

const held = (contract: { id: string; custodianKey: string }) => prisma.$transaction((tx) => performanceDepositHeld(tx, contract));

describe("generation (R4, R5)", () => {
  it("staff at ¥300,000: CTR-2026-001, performance deposit ¥15,000 (5%), task ¥300,000, 24 months, settings version 1, loans PENDING at their package price", async () => {
    const g = await generatedContract({ winner: bidder, lots: [{ price: staffPrice, loans: 2 }], at });
    const c = g.contracts[0]!;
    expect(c).toMatchObject({
      number: "CTR-2026-001", status: "AWAITING_SIGNATURE", custodianKey: `user:${bidder.id}`, custodianKind: "STAFF", custodianUserId: bidder.id,
      winningPrice: staffPrice, task: staffPrice, performanceDeposit: 1_500_000n, termMonths: 24, settingsVersion: 1, bidDepositCredit: 0n,
    });
    expect(parseTerms(c.terms)).toMatchObject({ kind: "staff", settingsVersion: 1, performanceDeposit: "1500000", task: "30000000", termMonths: 24 });
    const loans = await prisma.custodyLoan.findMany({ where: { contractId: c.id }, orderBy: { pricedValue: "asc" } });
    expect(loans.map((l) => [l.loanNumber, l.pricedValue, l.status])).toEqual(g.loans[0]!.map((l) => [l.loanNumber, l.price, "PENDING"]));
    const loan = await prisma.loan.findUniqueOrThrow({ where: { id: loans[0]!.loanId } });
    expect(loans[0]!.principal).toBe(loan.principal);
    expect(loans[0]!.interest).toBe(loan.interestOnBalance + loan.interestOffBalance);
    expect(await prisma.auditEntry.count({ where: { action: "contract.generate", entityId: c.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "custody.notify.contractToSign", link: `/contracts/${c.id}` } })).toBe(1);
    expect(await prisma.outboxEmail.count({ where: { to: bidder.email, template: "contractToSign" } })).toBe(1);
    // The next contract of the year gets the next number.
    const next = await generatedContract({ winner: bidder2, lots: [{ price: staffPrice, loans: 1 }], at });
    expect(next.contracts[0]!.number).toBe("CTR-2026-002");
  });

  it("the terms record the settings version: a new approved version (6%) applies to a new contract; the old one keeps its terms", async () => {
    const old = (await generatedContract({ winner: bidder, lots: [{ price: staffPrice }], at })).contracts[0]!;
    await prisma.settingVersion.create({
      data: {
        version: 2, effectiveFrom: new Date("2026-12-01T00:00:00Z"), values: JSON.stringify({ ...defaultSettings, internalDepositRate: "0.06", contractTermMonths: 36 }),
        status: "APPROVED", reason: "test", decidedAt: at,
      },
    });
    const later = (await generatedContract({ winner: bidder2, lots: [{ price: staffPrice }], at: new Date("2026-12-02T00:00:00Z") })).contracts[0]!;
    expect([later.settingsVersion, later.performanceDeposit, later.termMonths]).toEqual([2, 1_800_000n, 36]);
    expect(parseTerms(later.terms)).toMatchObject({ settingsVersion: 2, performanceDeposit: "1800000", depositRule: { kind: "rate", rate: "0.06" } });
    const reread = await prisma.custodyContract.findUniqueOrThrow({ where: { id: old.id } });
    expect([reread.settingsVersion, reread.performanceDeposit, reread.termMonths, reread.terms]).toEqual([1, 1_500_000n, 24, old.terms]);
  });
});

describe("accepting an award generates the contract", () => {
  it("acceptAward (in its transaction) creates the contract of the lot with its loans, awaiting the winner's signature", async () => {
    const loan = await createTestLoan({ loanNumber: "CTR-ACCEPT-1", price: 2_500_000n, status: "IN_TENDER" });
    const t = await closedTender({ closedAt: new Date("2026-11-24T02:00:00Z"), deposit: bidDeposit, bidders: [agency], lots: [{ price: staffPrice, bids: [[agency, staffPrice]], loanIds: [loan.id] }] });
    const accepted = await acceptAward(ctx, agency, t.lots[0]!.awardId!, at);
    const contract = await prisma.custodyContract.findUniqueOrThrow({ where: { awardId: t.lots[0]!.awardId! } });
    expect(accepted.contractId).toBe(contract.id);
    expect(contract).toMatchObject({ status: "AWAITING_SIGNATURE", custodianKind: "AGENCY", performanceDeposit: 20_000_000n, registrationId: t.registrations[agency.email]!.id });
    expect((await prisma.custodyLoan.findMany({ where: { contractId: contract.id } })).map((l) => [l.loanNumber, l.pricedValue])).toEqual([["CTR-ACCEPT-1", 2_500_000n]]);
  });
});

describe("signing, the credit of the bid deposit and the signing order (R4)", () => {
  it("staff: countersigning before signing is refused; a stranger cannot sign; on signing the ¥5,000 bid deposit is credited → top-up ¥10,000", async () => {
    const g = await generatedContract({ winner: bidder, lots: [{ price: staffPrice }], at });
    const c = g.contracts[0]!;
    const early = await refusal(countersignContract(ctx, officer, c.id, sig, signAt));
    expect([early.key, early.status]).toEqual(["custody.contract.notSignedYet", 409]);
    expect((await refusal(signContract(ctx, bidder2, c.id, sig, signAt))).status).toBe(404); // another bidder: not even visible
    expect(await refusal(signContract(ctx, officer, c.id, sig, signAt))).toMatchObject({ key: "custody.forbidden", status: 403 });

    const signed = await signContract(ctx, bidder, c.id, sig, signAt);
    expect(signed).toMatchObject({
      status: "AWAITING_COUNTERSIGNATURE", signedById: bidder.id, signedAt: signAt, signedIp: "203.0.113.7", signedUserAgent: "Mozilla/5.0 (test)", bidDepositCredit: bidDeposit,
    });
    expect((await prisma.bidDeposit.findUniqueOrThrow({ where: { id: g.depositId } })).status).toBe("CREDITED");
    expect(await held(c)).toBe(bidDeposit);
    expect(await accountBalance({ bidderKey: `user:${bidder.id}` })).toBe(0n);
    const view = await getContract(bidder, c.id);
    expect([view.held, view.owed]).toEqual([500_000n, 1_000_000n]); // ¥15,000 − ¥5,000 = ¥10,000
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "contract.sign", entityId: c.id } });
    expect(JSON.parse(audit.after!)).toMatchObject({ signedById: bidder.id, signedAt: signAt.toISOString(), ip: "203.0.113.7", userAgent: "Mozilla/5.0 (test)", bidDepositCredit: "5000.00" });
    expect(await prisma.auditEntry.count({ where: { action: "deposit.credit", entityId: g.depositId } })).toBe(1);
    expect(await prisma.notification.count({ where: { userId: officer.id, messageKey: "custody.notify.contractSigned" } })).toBe(1);

    const again = await refusal(signContract(ctx, bidder, c.id, sig, signAt));
    expect([again.key, again.status, again.options.params]).toEqual(["custody.contract.wrongState", 409, { status: "AWAITING_COUNTERSIGNATURE" }]);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("the custodian cannot countersign their own contract, even holding the department's role; bidders are not the department", async () => {
    const c = (await generatedContract({ winner: bidder, lots: [{ price: staffPrice }], at })).contracts[0]!;
    await signContract(ctx, bidder, c.id, sig, signAt);
    expect(await refusal(countersignContract(ctx, bidder2, c.id, sig, countersignAt))).toMatchObject({ key: "custody.contract.notDepartment", status: 403 });
    const both = { ...bidder, roles: [...bidder.roles, "preservation_officer" as const] };
    expect(await refusal(countersignContract(ctx, both, c.id, sig, countersignAt))).toMatchObject({ key: "custody.contract.custodianCannotCountersign", status: 403 });
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("AWAITING_COUNTERSIGNATURE");
  });

  it("agency: the ¥200,000 bond, ¥5,000 credited → top-up ¥195,000; payroll deduction is for staff only", async () => {
    const c = (await generatedContract({ winner: agency, lots: [{ price: staffPrice }], at })).contracts[0]!;
    expect(c).toMatchObject({ custodianKind: "AGENCY", custodianUserId: null, custodianOrgId: agency.organizationId, performanceDeposit: 20_000_000n });
    await signContract(ctx, agency, c.id, sig, signAt);
    const view = await getContract(agency, c.id);
    expect([view.contract.bidDepositCredit, view.held, view.owed]).toEqual([500_000n, 500_000n, 19_500_000n]);
    expect(await refusal(declareOfflineTopUp(ctx, agency, c.id, { method: "PAYROLL" }, signAt))).toMatchObject({ key: "custody.topup.payrollStaffOnly" });
    const declared = await declareOfflineTopUp(ctx, agency, c.id, { method: "BANK_TRANSFER" }, signAt);
    expect([declared.amount, declared.status]).toEqual([19_500_000n, "DECLARED"]);
  });

  it("two lots won in one tender: the bid deposit goes to the first contract signed; the second gets no credit (top-up = whole deposit)", async () => {
    const g = await generatedContract({ winner: bidder, lots: [{ price: staffPrice }, { price: 20_000_000n }], at });
    const [first, second] = g.contracts as [typeof g.contracts[0], typeof g.contracts[0]];
    // The second lot's contract is signed first: it gets the credit.
    await signContract(ctx, bidder, second.id, sig, signAt);
    await signContract(ctx, bidder, first.id, sig, new Date(signAt.getTime() + 60_000));
    const a = await getContract(bidder, second.id);
    const b = await getContract(bidder, first.id);
    expect([a.contract.bidDepositCredit, a.held, a.owed]).toEqual([500_000n, 500_000n, 500_000n]); // 5% of ¥200,000 = ¥10,000 − ¥5,000
    expect([b.contract.bidDepositCredit, b.held, b.owed]).toEqual([0n, 0n, 1_500_000n]); // the whole ¥15,000
    expect(await prisma.auditEntry.count({ where: { action: "deposit.credit" } })).toBe(1);
  });

  it("with the setting creditBidDepositToPerformance off: nothing is credited, the whole ¥15,000 is owed, and the first signing releases the bid deposit for refund", async () => {
    await prisma.settingVersion.create({
      data: { version: 2, effectiveFrom: new Date("2026-01-01T00:00:00Z"), values: JSON.stringify({ ...defaultSettings, creditBidDepositToPerformance: false }), status: "APPROVED", reason: "test", decidedAt: at },
    });
    const g = await generatedContract({ winner: bidder, lots: [{ price: staffPrice }], at });
    const c = g.contracts[0]!;
    await signContract(ctx, bidder, c.id, sig, signAt);
    const view = await getContract(bidder, c.id);
    expect([view.contract.bidDepositCredit, view.held, view.owed]).toEqual([0n, 0n, 1_500_000n]);
    const deposit = await prisma.bidDeposit.findUniqueOrThrow({ where: { id: g.depositId } });
    expect([deposit.status, deposit.refundRef]).toEqual(["REFUND_PENDING", `offline-refund:refund:${g.depositId}`]);
    expect(await prisma.auditEntry.count({ where: { action: "deposit.refundRequest", entityId: g.depositId } })).toBe(1);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("a bid deposit above a small 5% deposit moves whole into the contract's deposit (the excess is refunded at close-out): nothing owed", async () => {
    const c = (await generatedContract({ winner: bidder, lots: [{ price: 4_000_000n }], deposit: 500_000n, at })).contracts[0]!; // 5% of ¥40,000 = ¥2,000
    await signContract(ctx, bidder, c.id, sig, signAt);
    const view = await getContract(bidder, c.id);
    expect([view.contract.performanceDeposit, view.contract.bidDepositCredit, view.held, view.owed]).toEqual([200_000n, 500_000n, 500_000n, 0n]);
    const credit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "deposit.credit" } });
    expect(JSON.parse(credit.after!)).toMatchObject({ amount: "5000.00", countedTowardDeposit: "2000.00", aboveDeposit: "3000.00" });
    expect(await refusal(declareOfflineTopUp(ctx, bidder, c.id, { method: "PAYROLL" }, signAt))).toMatchObject({ key: "custody.topup.nothingOwed", status: 409 });
    // Countersigned with the deposit covered: custody starts at the countersignature.
    const active = await countersignContract(ctx, officer, c.id, sig, countersignAt);
    expect([active.status, active.custodyStartsAt]).toEqual(["ACTIVE", countersignAt]);
  });
});

describe("custody starts when the last condition is met, and ends at its end", () => {
  it("countersigned first, then the ¥10,000 top-up confirmed by finance with a voucher: ACTIVE at that instant for 24 months, loans IN_CUSTODY", async () => {
    const g = await generatedContract({ winner: bidder, lots: [{ price: staffPrice, loans: 2 }], at });
    const c = g.contracts[0]!;
    await signContract(ctx, bidder, c.id, sig, signAt);
    const countersigned = await countersignContract(ctx, officer, c.id, { ip: "10.0.0.5", userAgent: "Edge" }, countersignAt);
    expect(countersigned).toMatchObject({ status: "AWAITING_DEPOSIT", countersignedById: officer.id, countersignedAt: countersignAt, countersignedIp: "10.0.0.5", custodyStartsAt: null });
    expect(await prisma.custodyLoan.count({ where: { contractId: c.id, status: "PENDING" } })).toBe(2);
    expect(await prisma.notification.count({ where: { userId: bidder.id, messageKey: "custody.notify.contractCountersigned" } })).toBe(1);

    const payroll = await declareOfflineTopUp(ctx, bidder, c.id, { method: "PAYROLL" }, paidAt);
    expect([payroll.amount, payroll.status]).toEqual([1_000_000n, "DECLARED"]);
    expect(await refusal(confirmOfflineTopUp(ctx, bidder, payroll.id, { voucher_number: "V1" }, paidAt))).toMatchObject({ key: "custody.topup.notFinance", status: 403 });
    expect(await refusal(confirmOfflineTopUp(ctx, finance, payroll.id, { voucher_number: "  " }, paidAt))).toMatchObject({ key: "custody.topup.voucherRequired" });
    expect(await refusal(confirmOfflineTopUp(ctx, finance, payroll.id, { voucher_number: "V".repeat(65) }, paidAt))).toMatchObject({ key: "custody.topup.voucherTooLong" });
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("AWAITING_DEPOSIT");

    const confirmed = await confirmOfflineTopUp(ctx, finance, payroll.id, { voucher_number: "PAY-2026-11-001" }, paidAt);
    expect(confirmed).toMatchObject({ status: "CONFIRMED", voucherNumber: "PAY-2026-11-001", confirmedById: finance.id });
    const active = await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } });
    expect(active).toMatchObject({ status: "ACTIVE", custodyStartsAt: paidAt, custodyEndsAt: new Date("2028-11-26T01:30:00Z") });
    expect(await held(c)).toBe(1_500_000n);
    const loans = await prisma.custodyLoan.findMany({ where: { contractId: c.id } });
    expect(loans.map((l) => l.status)).toEqual(["IN_CUSTODY", "IN_CUSTODY"]);
    const rows = await prisma.loan.findMany({ where: { id: { in: loans.map((l) => l.loanId) } } });
    expect(rows.map((l) => l.status)).toEqual(["IN_CUSTODY", "IN_CUSTODY"]);
    expect(await prisma.loanChange.count({ where: { loanId: { in: rows.map((r) => r.id) }, kind: "status" } })).toBe(2);
    expect(await prisma.auditEntry.count({ where: { action: "custody.start", entityId: c.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { messageKey: "custody.notify.custodyStarted", userId: { in: [bidder.id, officer.id] } } })).toBe(2);
    expect(await refusal(confirmOfflineTopUp(ctx, finance, payroll.id, { voucher_number: "again" }, paidAt))).toMatchObject({ key: "custody.topup.alreadyConfirmed" });
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("paid while waiting for the countersignature: custody starts at the countersignature", async () => {
    const c = (await generatedContract({ winner: bidder, lots: [{ price: staffPrice }], at })).contracts[0]!;
    await signContract(ctx, bidder, c.id, sig, signAt);
    const transfer = await declareOfflineTopUp(ctx, bidder, c.id, { method: "BANK_TRANSFER" }, signAt);
    await confirmOfflineTopUp(ctx, finance, transfer.id, { voucher_number: "BT-1" }, paidAt);
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("AWAITING_COUNTERSIGNATURE");
    const later = new Date("2026-11-27T08:00:00Z");
    const active = await countersignContract(ctx, officer, c.id, sig, later);
    expect(active).toMatchObject({ status: "ACTIVE", custodyStartsAt: later, custodyEndsAt: new Date("2028-11-27T08:00:00Z") });
  });

  it("endDueCustody at exactly custodyEndsAt ends the contract and returns the loans; one millisecond before nothing; a second run changes nothing", async () => {
    const c = (await generatedContract({ winner: bidder, lots: [{ price: 4_000_000n, loans: 2 }], at })).contracts[0]!; // the bid deposit covers ¥2,000
    await signContract(ctx, bidder, c.id, sig, signAt);
    const active = await countersignContract(ctx, officer, c.id, sig, countersignAt);
    const endsAt = active.custodyEndsAt!;
    expect(endsAt.toISOString()).toBe("2028-11-25T06:00:00.000Z");
    expect((await endDueCustody(new Date(endsAt.getTime() - 1), ctx)).ended).toEqual([]);
    const result = await endDueCustody(endsAt, ctx);
    expect(result).toEqual({ ended: [c.id], returnedLoans: 2 });
    const ended = await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } });
    expect([ended.status, ended.endedAt]).toEqual(["ENDED", endsAt]);
    const loans = await prisma.custodyLoan.findMany({ where: { contractId: c.id } });
    expect(loans.map((l) => [l.status, l.returnedAt])).toEqual([["RETURNED", endsAt], ["RETURNED", endsAt]]);
    const rows = await prisma.loan.findMany({ where: { id: { in: loans.map((l) => l.loanId) } } });
    expect(rows.map((r) => r.status)).toEqual(["RETURNED", "RETURNED"]);
    // Back in the book, they may be bundled again: no longer members of the package, which records why.
    expect(await prisma.packageLoan.count({ where: { loanId: { in: loans.map((l) => l.loanId) } } })).toBe(0);
    const event = await prisma.packageEvent.findFirstOrThrow({ where: { packageId: c.packageId, kind: "custody_returned" } });
    expect(JSON.parse(event.detail)).toEqual({ contract: c.number, count: 2, loans: loans.map((l) => l.loanNumber).sort().join("、") });
    expect(await prisma.auditEntry.count({ where: { action: "custody.end", entityId: c.id } })).toBe(1);
    expect(await prisma.notification.count({ where: { messageKey: "custody.notify.custodyEnded", userId: { in: [bidder.id, officer.id] } } })).toBe(2);
    expect(await endDueCustody(new Date(endsAt.getTime() + 86_400_000), ctx)).toEqual({ ended: [], returnedLoans: 0 });
  });

  it("the daily job (custody.endDue, keyed by the China day) ends what is due by the time it runs, and a rerun changes nothing", async () => {
    const c = (await generatedContract({ winner: bidder, lots: [{ price: 4_000_000n, loans: 1 }], at })).contracts[0]!;
    await signContract(ctx, bidder, c.id, sig, signAt);
    await countersignContract(ctx, officer, c.id, sig, countersignAt);
    const payload = endDueCustodyJob.payload.parse({});
    expect(payload.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect([endDueCustodyJob.name, endDueCustodyJob.idempotencyKey({ day: "2026-11-24" })]).toEqual(["custody.endDue", "2026-11-24"]);
    const logs: string[] = [];
    const jobCtx = { jobId: "j1", attempt: 1, logger: { info: (m: string) => logs.push(m), warn: () => {}, error: () => {} } };
    // The job runs at the real clock: make the term end a second before it.
    await prisma.custodyContract.update({ where: { id: c.id }, data: { custodyEndsAt: new Date(Date.now() - 1000) } });
    await endDueCustodyJob.handler(payload, jobCtx);
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("ENDED");
    expect(logs).toEqual(["custody ended"]);
    await endDueCustodyJob.handler(payload, jobCtx);
    expect(logs).toEqual(["custody ended"]);
    expect(await prisma.auditEntry.count({ where: { action: "custody.end", entityId: c.id } })).toBe(1);
  });
});

describe("reading and the task", () => {
  it("a custodian lists their own contracts; the department and finance all; another agency sees none and gets 404 on the contract", async () => {
    const mine = (await generatedContract({ winner: bidder, lots: [{ price: staffPrice }], at })).contracts[0]!;
    const theirs = (await generatedContract({ winner: agency, lots: [{ price: staffPrice }], at })).contracts[0]!;
    expect((await listContracts(bidder)).map((c) => c.id)).toEqual([mine.id]);
    expect((await listContracts(agency)).map((c) => c.id)).toEqual([theirs.id]);
    expect((await listContracts(officer)).map((c) => c.id).sort()).toEqual([mine.id, theirs.id].sort());
    expect((await listContracts(finance)).length).toBe(2);
    expect(await refusal(getContract(bidder, theirs.id))).toMatchObject({ key: "contractPages.notFound", status: 404 });
    expect((await getContract(officer, theirs.id)).viewer).toEqual({ custodian: false, department: true, finance: false });
  });

  it("the department sets the task only when the setting says the task is not the winning price, before signing", async () => {
    const fixed = (await generatedContract({ winner: bidder, lots: [{ price: staffPrice }], at })).contracts[0]!;
    expect(await refusal(setContractTask(ctx, officer, fixed.id, 25_000_000n))).toMatchObject({ key: "custody.contract.taskFixed" });
    await prisma.settingVersion.create({
      data: { version: 2, effectiveFrom: new Date("2026-01-01T00:00:00Z"), values: JSON.stringify({ ...defaultSettings, taskEqualsWinningPrice: false }), status: "APPROVED", reason: "test", decidedAt: at },
    });
    const open = (await generatedContract({ winner: bidder2, lots: [{ price: staffPrice }], at })).contracts[0]!;
    expect(await refusal(setContractTask(ctx, bidder2, open.id, 25_000_000n))).toMatchObject({ key: "custody.contract.notDepartment" });
    const set = await setContractTask(ctx, officer, open.id, 25_000_000n);
    expect([set.task, parseTerms(set.terms).task]).toEqual([25_000_000n, "30000000"]); // the column is the task; the terms stay as generated
    await signContract(ctx, bidder2, open.id, sig, signAt);
    expect(await refusal(setContractTask(ctx, officer, open.id, 26_000_000n))).toMatchObject({ key: "custody.contract.wrongState" });
  });
});
