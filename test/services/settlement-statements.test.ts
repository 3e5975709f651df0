import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { endContract, forcedDeduction, lateInterestAccrual, verifiedRecovery, yuan } from "../fixtures/settlement-statements";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { asUser, refusal } from "../support/users";
import { quarterlyStatementsJob } from "../../jobs/settlement-statement-jobs";
import { systemContext, verifyAuditChain } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { listStatements } from "~/services/settlement/statement-views.server";
import { contractTerm, generateDueStatements, generateStatement } from "~/services/settlement/statements.server";

/**
 * R9 statement generation: the quarterly job and on demand, with the lines R6/R7 say (rules.md's
 * worked numbers), recoveries and late interest written straight to the database.
 */

installRecordingQueue();
const ctx = systemContext("test");

let officer: AuthUser;
let finance: AuthUser;
let bidder: AuthUser;
let agency: AuthUser;
let clerk: AuthUser;

beforeEach(async () => {
  ({ officer, finance, bidder, agency } = await freshTenderCast());
  clerk = await asUser("clerk@bank.example");
});

const statementsOf = (contractId: string) =>
  prisma.settlementStatement.findMany({ where: { contractId }, orderBy: [{ year: "asc" }, { quarter: "asc" }, { kind: "asc" }], include: { lines: { orderBy: { position: "asc" } } } });
const amountOf = (s: { lines: { kind: string; amount: bigint }[] }, kind: string) => s.lines.filter((l) => l.kind === kind).reduce((a, l) => a + l.amount, 0n);

// Custody from 2026-01-01 08:00 China time.
const startsJan = new Date("2026-01-01T00:00:00Z");
// Custody from 2026-06-01 08:00 China time, six months: the last day is 2026-12-01.
const startsJune = new Date("2026-06-01T00:00:00Z");

describe("the quarterly job", () => {
  it("internal contract, T ¥1,000,000: payouts 0, 5,000, 45,000, 60,000, 120,000 as R reaches 40k, 50k, 500k, 800k, 1.2M (R6)", async () => {
    const c = await custodyContract({ custodian: bidder, startsAt: startsJan, termMonths: 24, price: yuan(1_000_000), loans: 2 });
    await verifiedRecovery(c, { collectedOn: "2026-02-10", principal: yuan(30_000), interest: yuan(10_000) });
    await verifiedRecovery(c, { collectedOn: "2026-05-20", principal: yuan(10_000) });
    await verifiedRecovery(c, { collectedOn: "2026-08-01", principal: yuan(400_000), interest: yuan(50_000), loan: 1 });
    await verifiedRecovery(c, { collectedOn: "2026-12-31", principal: yuan(300_000) });
    await verifiedRecovery(c, { collectedOn: "2027-01-01", principal: yuan(400_000) });
    // not verified yet: never on a statement
    await verifiedRecovery(c, { collectedOn: "2026-02-11", principal: yuan(99_000), status: "REGISTERED" });
    await verifiedRecovery(c, { collectedOn: "2026-02-12", principal: yuan(98_000), status: "REJECTED" });

    expect(await generateDueStatements("2027-04-01", new Date("2027-04-01T02:00:00Z"))).toEqual({ generated: 5 });
    const statements = await statementsOf(c.contract.id);
    expect(statements.map((s) => [s.year, s.quarter, s.kind, s.periodStartsOn, s.periodEndsOn])).toEqual([
      [2026, 1, "QUARTERLY", "2026-01-01", "2026-03-31"],
      [2026, 2, "QUARTERLY", "2026-04-01", "2026-06-30"],
      [2026, 3, "QUARTERLY", "2026-07-01", "2026-09-30"],
      [2026, 4, "QUARTERLY", "2026-10-01", "2026-12-31"],
      [2027, 1, "QUARTERLY", "2027-01-01", "2027-03-31"],
    ]);
    expect(statements.map((s) => amountOf(s, "commission"))).toEqual([0n, yuan(5_000), yuan(45_000), yuan(60_000), yuan(120_000)]);
    expect(statements.map((s) => s.earnedToDate)).toEqual([0n, yuan(5_000), yuan(50_000), yuan(110_000), yuan(230_000)]);
    expect(statements.map((s) => s.recoveredPrincipal + s.recoveredInterest)).toEqual([yuan(40_000), yuan(10_000), yuan(450_000), yuan(300_000), yuan(400_000)]);
    expect(statements.map((s) => s.netPayable)).toEqual([0n, yuan(5_000), yuan(45_000), yuan(60_000), yuan(120_000)]);
    expect(statements.every((s) => s.state === "draft" && s.generatedBy === "job:settlement.quarterlyStatements" && s.custodianKind === "STAFF")).toBe(true);
    expect(statements.map((s) => s.number)).toEqual(["STM-2026-000001", "STM-2026-000002", "STM-2026-000003", "STM-2026-000004", "STM-2027-000001"]);
    // zero lines are shown: Q1's commission 0 and every statement's late interest 0
    expect(statements[0]!.lines.map((l) => [l.kind, l.amount])).toEqual([["recovery", yuan(40_000)], ["commission", 0n], ["late_interest", 0n]]);
    expect(statements[0]!.lines[1]!.basis).toContain("c 4.00%");
    // audited per statement; branch clerks told
    expect(await prisma.auditEntry.count({ where: { action: "statement.generate" } })).toBe(5);
    expect(await prisma.notification.count({ where: { userId: clerk.id, messageKey: "settlement.statements.notice.generatedMany" } })).toBe(1);
    // the batch-written audit entries chain like appendAudit's
    expect((await verifyAuditChain()).broken).toBeNull();
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "statement.generate", entityId: statements[2]!.id } });
    expect(JSON.parse(audit.after!)).toMatchObject({ number: "STM-2026-000003", payable: "45000.00", recovered: "450000.00" });
    expect(statements[0]!.generatedAt.getTime()).toBe(new Date("2027-04-01T02:00:00Z").getTime());

    // idempotent: a second run (or a retry of the job) writes nothing
    expect(await generateDueStatements("2027-04-01")).toEqual({ generated: 0 });
    expect(await prisma.settlementStatement.count()).toBe(5);
    expect(await prisma.settlementStatementLine.count()).toBe(statements.reduce((s, x) => s + x.lines.length, 0));
  });

  it("a recovery verified after its quarter's statement lands on the next statement", async () => {
    const c = await custodyContract({ custodian: bidder, startsAt: startsJan, termMonths: 24, price: yuan(1_000_000) });
    await verifiedRecovery(c, { collectedOn: "2026-03-01", principal: yuan(60_000) });
    const pending = await verifiedRecovery(c, { collectedOn: "2026-03-05", principal: yuan(1_000), status: "REGISTERED" });
    await generateDueStatements("2026-04-02");
    await prisma.recovery.update({ where: { id: pending.id }, data: { status: "VERIFIED", verifiedAt: new Date() } });
    await generateDueStatements("2026-07-02");
    const [q1, q2] = await statementsOf(c.contract.id);
    expect(q1!.lines.filter((l) => l.kind === "recovery").map((l) => l.amount)).toEqual([yuan(60_000)]);
    expect(q2!.lines.filter((l) => l.kind === "recovery").map((l) => [l.recoveryId, l.collectedOn])).toEqual([[pending.id, "2026-03-05"]]);
    // R to date 61,000 → bonus 6,100; 6,000 paid on Q1
    expect(amountOf(q1!, "commission")).toBe(yuan(6_000));
    expect(amountOf(q2!, "commission")).toBe(yuan(100));
  });

  it("agency: 12% fee, ¥20 per preserved loan, and the FINAL statement only once ENDED with the −2% shortfall", async () => {
    const c = await custodyContract({ custodian: agency, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000), loans: 3 });
    expect(contractTerm(c.contract)).toEqual({ startsOn: "2026-06-01", endsOn: "2026-12-01" });
    await verifiedRecovery(c, { collectedOn: "2026-06-15", principal: yuan(100_000), interest: yuan(20_000) });
    await verifiedRecovery(c, { collectedOn: "2026-08-15", principal: yuan(280_000), loan: 1 });
    await verifiedRecovery(c, { collectedOn: "2026-11-20", principal: yuan(200_000), loan: 2 });
    await preservedDuringCustody(c, [0, 1]);

    expect(await generateDueStatements("2026-12-10", new Date("2026-12-10T02:00:00Z"))).toEqual({ generated: 2 }); // Q2, Q3; not the last period while ACTIVE
    await endContract(c.contract.id);
    expect(await generateDueStatements("2026-12-10", new Date("2026-12-10T02:00:00Z"))).toEqual({ generated: 1 });
    const [q2, q3, q4] = await statementsOf(c.contract.id);
    expect(q2!.custodianKind).toBe("AGENCY");
    expect(amountOf(q2!, "fee")).toBe(yuan(14_400)); // 12% × 120,000
    expect(q2!.lines.find((l) => l.kind === "preservation_reward")).toMatchObject({ loans: 2, amount: yuan(40) });
    expect(q2!.netPayable).toBe(yuan(14_440));
    expect(amountOf(q3!, "fee")).toBe(yuan(33_600)); // 12% × 280,000
    expect(q3!.lines.some((l) => l.kind === "preservation_reward")).toBe(false); // rewarded once
    expect(q4!.kind).toBe("FINAL");
    expect([q4!.periodStartsOn, q4!.periodEndsOn]).toEqual(["2026-10-01", "2026-12-01"]);
    expect(amountOf(q4!, "fee")).toBe(yuan(24_000));
    // R 600,000 < T 1,000,000: 2% × 400,000
    expect(amountOf(q4!, "penalty")).toBe(yuan(8_000));
    expect(q4!.netPayable).toBe(yuan(16_000));
    expect(q4!.earnedToDate).toBe(yuan(72_000));
    expect(await prisma.preservationReward.count({ where: { contractId: c.contract.id } })).toBe(2);
  });

  it("late interest: booked as of the period end, less what deductions took and earlier statements charged; deductions shown for information", async () => {
    const c = await custodyContract({ custodian: bidder, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000) });
    await verifiedRecovery(c, { collectedOn: "2026-07-01", principal: yuan(60_000) });
    await lateInterestAccrual(c.contract, "2026-09-20", yuan(100));
    await lateInterestAccrual(c.contract, "2026-09-30", yuan(150));
    await lateInterestAccrual(c.contract, "2026-10-03", yuan(170)); // after Q3: next statement
    await forcedDeduction(c.contract.id, { deductedOn: "2026-09-25", lateInterest: yuan(30), fromDeposit: yuan(5_000), claim: yuan(1_000) });
    await generateDueStatements("2026-10-05");
    const q3 = (await statementsOf(c.contract.id)).find((s) => s.quarter === 3)!;
    expect(amountOf(q3, "late_interest")).toBe(yuan(120));
    expect(amountOf(q3, "deduction")).toBe(yuan(6_000));
    expect(q3.deductionsTaken).toBe(yuan(6_000));
    expect(q3.owedByCustodian).toBe(yuan(120));
    expect(q3.netPayable).toBe(yuan(6_000) - yuan(120));
    // FINAL: the rest booked since
    await lateInterestAccrual(c.contract, "2026-11-30", yuan(200));
    await endContract(c.contract.id);
    await generateDueStatements("2026-12-02");
    const q4 = (await statementsOf(c.contract.id)).find((s) => s.kind === "FINAL")!;
    expect(amountOf(q4, "late_interest")).toBe(yuan(50));
    expect(q4.netPayable).toBe(-yuan(50));
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("the job definition: settlement.quarterlyStatements, keyed by day, runs generateDueStatements", async () => {
    const c = await custodyContract({ custodian: bidder, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000) });
    await verifiedRecovery(c, { collectedOn: "2026-06-10", principal: yuan(50_000) });
    expect(quarterlyStatementsJob.name).toBe("settlement.quarterlyStatements");
    const payload = quarterlyStatementsJob.payload.parse({ day: "2026-07-01" });
    expect(quarterlyStatementsJob.idempotencyKey(payload)).toBe("2026-07-01");
    const logs: string[] = [];
    const logger = { info: (m: string) => logs.push(m), warn: () => {}, error: () => {} };
    await quarterlyStatementsJob.handler(payload, { jobId: "j", attempt: 1, logger });
    await quarterlyStatementsJob.handler(payload, { jobId: "j", attempt: 2, logger });
    expect(await prisma.settlementStatement.count({ where: { contractId: c.contract.id } })).toBe(1);
    expect(logs).toEqual(["settlement statements generated"]);
  });
});

/** Verified limitation interruptions submitted as evidence during custody for these loans. */
async function preservedDuringCustody(c: CustodyFixture, loans: number[]) {
  for (const i of loans) {
    const loan = c.loans[i]!;
    const interruption = await prisma.limitationInterruption.create({
      data: { loanId: loan.id, kind: "notice_receipt", occurredOn: "2026-07-01", evidenceFileId: `ev-${i}`, status: "VERIFIED", recordedById: c.contract.custodianUserId ?? (await asUser("admin@huaxin.example")).id, recordedAt: new Date("2026-07-01T02:00:00Z"), decidedAt: new Date("2026-07-02T02:00:00Z") },
    });
    await prisma.collectionActivity.create({
      data: { contractId: c.contract.id, loanId: loan.id, kind: "collection_notice", at: new Date("2026-07-01T02:00:00Z"), interruptionId: interruption.id, recordedById: interruption.recordedById },
    });
  }
  // a loan whose interruption was rejected earns nothing
  const other = c.loans[2];
  if (other) {
    const rejected = await prisma.limitationInterruption.create({
      data: { loanId: other.id, kind: "payment", occurredOn: "2026-07-03", evidenceFileId: "ev-x", status: "REJECTED", recordedById: (await asUser("admin@huaxin.example")).id, recordedAt: new Date("2026-07-03T02:00:00Z") },
    });
    await prisma.collectionActivity.create({ data: { contractId: c.contract.id, loanId: other.id, kind: "payment_order", at: new Date("2026-07-03T02:00:00Z"), interruptionId: rejected.id, recordedById: rejected.recordedById } });
  }
}

describe("on demand", () => {
  const now = new Date("2026-08-20T02:00:00Z"); // 2026-08-20, Q3

  it("the department or a branch clerk generates any started quarter of the term, the current one too (lines as of now)", async () => {
    const c = await custodyContract({ custodian: bidder, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000) });
    await verifiedRecovery(c, { collectedOn: "2026-06-20", principal: yuan(40_000) });
    await verifiedRecovery(c, { collectedOn: "2026-08-10", principal: yuan(60_000) });
    const q3 = await generateStatement(ctx, clerk, { contractId: c.contract.id, year: 2026, quarter: 3 }, now);
    const stored = await prisma.settlementStatement.findUniqueOrThrow({ where: { id: q3.id }, include: { lines: true } });
    // Q2 has no statement yet: its recovery is open and collected before Q3's end, so it is on this one
    expect(stored.recoveredPrincipal).toBe(yuan(100_000));
    expect(amountOf(stored, "commission")).toBe(yuan(10_000));
    expect(stored.generatedBy).toBe(clerk.id);
    expect(stored.kind).toBe("QUARTERLY");
    // the department may too, for another quarter; the job then finds Q3 done and Q2 empty
    await generateStatement(ctx, officer, { contractId: c.contract.id, year: "2026", quarter: "2" }, now);
    expect(await prisma.auditEntry.count({ where: { action: "statement.generate", actorType: "SYSTEM" } })).toBe(2);
    expect(await prisma.notification.count({ where: { userId: clerk.id, messageKey: "settlement.statements.notice.generated" } })).toBe(2);
  });

  it("refuses with a specific error and writes nothing: not allowed, unknown contract, bad year/quarter, outside the term, not started, duplicate", async () => {
    const c = await custodyContract({ custodian: bidder, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000) });
    await verifiedRecovery(c, { collectedOn: "2026-06-20", principal: yuan(40_000) });
    await generateStatement(ctx, clerk, { contractId: c.contract.id, year: 2026, quarter: 2 }, now);
    const before = { statements: await prisma.settlementStatement.count(), lines: await prisma.settlementStatementLine.count(), audit: await prisma.auditEntry.count() };
    const cases: [AuthUser, Record<string, unknown>, string, number][] = [
      [finance, { year: 2026, quarter: 3 }, "settlement.statements.forbiddenGenerate", 403],
      [bidder, { year: 2026, quarter: 3 }, "settlement.statements.forbiddenGenerate", 403],
      [clerk, { contractId: "nope", year: 2026, quarter: 3 }, "settlement.statements.contractNotFound", 404],
      [clerk, { year: 2026, quarter: 5 }, "settlement.statements.invalidQuarter", 400],
      [clerk, { year: "twenty", quarter: 1 }, "settlement.statements.invalidYear", 400],
      [clerk, { year: 2026, quarter: 1 }, "settlement.statements.outsideTerm", 422],
      [clerk, { year: 2027, quarter: 1 }, "settlement.statements.outsideTerm", 422],
      [clerk, { year: 2026, quarter: 4 }, "settlement.statements.notStarted", 422],
      [clerk, { year: 2026, quarter: 2 }, "settlement.statements.duplicate", 409],
    ];
    for (const [who, input, key, status] of cases) {
      const error = await refusal(generateStatement(ctx, who, { contractId: c.contract.id, ...input } as never, now));
      expect([error.key, error.status]).toEqual([key, status]);
    }
    expect((await refusal(generateStatement(ctx, clerk, { contractId: c.contract.id, year: 2026, quarter: 1 }, now))).options.params).toEqual({ from: "2026-06-01", to: "2026-12-01" });
    expect({ statements: await prisma.settlementStatement.count(), lines: await prisma.settlementStatementLine.count(), audit: await prisma.auditEntry.count() }).toEqual(before);
  });
});

describe("who sees which statement", () => {
  it("an agency sees only its own statements; the bank's side all; another agency none", async () => {
    const own = await custodyContract({ custodian: agency, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000) });
    const staff = await custodyContract({ custodian: bidder, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000) });
    await verifiedRecovery(own, { collectedOn: "2026-06-20", principal: yuan(40_000) });
    await verifiedRecovery(staff, { collectedOn: "2026-06-21", principal: yuan(40_000) });
    await generateDueStatements("2026-07-02");
    const member = await asUser("member@huaxin.example");
    const anda = await asUser("admin@anda.example");
    expect((await listStatements(agency)).map((s) => s.contractId)).toEqual([own.contract.id]);
    expect((await listStatements(member)).map((s) => s.contractId)).toEqual([own.contract.id]);
    expect(await listStatements(anda)).toEqual([]);
    expect((await listStatements(bidder)).map((s) => s.contractId)).toEqual([staff.contract.id]);
    expect(new Set((await listStatements(finance)).map((s) => s.contractId))).toEqual(new Set([own.contract.id, staff.contract.id]));
    expect((await listStatements(clerk, { q: own.contract.number })).map((s) => s.contractId)).toEqual([own.contract.id]);
  });
});

describe("speed (the bench runs 1,000 contracts × 100 recoveries)", () => {
  it("generates 200 contracts × 100 recoveries in well under the bench's budget, with batched reads and createMany", async () => {
    const template = await custodyContract({ custodian: bidder, startsAt: startsJune, termMonths: 6, price: yuan(1_000_000), loans: 1 });
    const contracts = Array.from({ length: 200 }, (_, i) => ({
      ...template.contract, id: `perf-${i}`, number: `CTR-PERF-${String(i).padStart(4, "0")}`, awardId: `perf-award-${i}`, lotId: `perf-lot-${i}`,
    }));
    await prisma.custodyContract.createMany({ data: contracts.map(({ id, number, awardId, ...rest }) => ({ ...rest, id, number, awardId })) });
    const loan = template.loans[0]!;
    const rows = contracts.flatMap((c, i) => Array.from({ length: 100 }, (_, j) => {
      const day = `2026-${String(6 + Math.floor(j / 34)).padStart(2, "0")}-${String(1 + (j % 28)).padStart(2, "0")}`;
      return {
        number: `RCV-P-${i}-${j}`, contractId: c.id, loanId: loan.id, loanNumber: loan.loanNumber, custodianKey: c.custodianKey, collectedOn: day,
        principal: BigInt(100_000 + ((i * 7919 + j * 104729) % 900_000)), interest: BigInt((i + j) % 5000), amount: 0n, payer: "x", evidenceFileId: "f",
        reportedById: bidder.id, status: "VERIFIED",
      };
    }).map((r) => ({ ...r, amount: r.principal + r.interest })));
    await prisma.recovery.createMany({ data: rows });
    const started = performance.now();
    const result = await generateDueStatements("2026-10-02");
    const ms = performance.now() - started;
    console.log(`[statements] 200 contracts × 100 recoveries: ${result.generated} statements in ${Math.round(ms)} ms`);
    expect(result.generated).toBe(2 * 200 + 0 + 2); // Q2 and Q3 of each contract (+ the template's own two)
    expect(await prisma.settlementStatementLine.count({ where: { kind: "recovery" } })).toBe(200 * 100);
    expect(ms).toBeLessThan(8_000);
    const one = await prisma.settlementStatement.findFirstOrThrow({ where: { contractId: "perf-7", quarter: 3 }, include: { lines: true } });
    const r = rows.filter((x) => x.contractId === "perf-7");
    const expected = (q: (d: string) => boolean) => r.filter((x) => q(x.collectedOn)).reduce((s, x) => s + x.amount, 0n);
    expect(one.recoveredPrincipal + one.recoveredInterest).toBe(expected((d) => d >= "2026-07-01"));
  }, 60_000);
});
