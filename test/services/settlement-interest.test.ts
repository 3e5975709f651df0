import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { bankIncome, lateInterestReceivable, recoveryRow, remitted } from "../fixtures/settlement-contracts";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { accrueLateInterestJob } from "../../jobs/settlement-interest-jobs";
import { defaultSettings } from "~/domain/settings";
import { systemContext, verifyAuditChain } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { accrueContractIn, accrueLateInterest, lateInterestBooked } from "~/services/settlement/late-interest.server";
import { lateInterestSettingsFor } from "~/services/settlement/positions.server";

/**
 * R7 late interest (rules.md worked numbers): ¥100,000 at 4.35% a year, day basis 360, from 5 days late
 * (inclusive): delay 4 → 0; 5 → ¥60.42; 10 → ¥120.83; 11 → ¥132.92. The daily accrual posts the change of
 * each contract's cumulative late interest as ONE balanced entry and is idempotent per day.
 */

const ctx = systemContext("test");
installRecordingQueue();
const startsAt = new Date("2026-06-01T00:00:00Z"); // 08:00 China time
const hundredThousand = 10_000_000n; // ¥100,000 in fen

let bidder: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ bidder, agency } = await freshTenderCast());
});

async function accrueOne(contract: { id: string; custodianKey: string; terms: string }, asOf: string) {
  const settingsFor = (await lateInterestSettingsFor(prisma))(contract.terms);
  return prisma.$transaction((tx) => accrueContractIn(tx, ctx, contract, asOf, settingsFor));
}

describe("the worked numbers (¥100,000 at 4.35%)", () => {
  it("remitted 4, 5, 10 and 11 days after collection: ¥0, ¥60.42, ¥120.83 and ¥132.92 — booked once as the contract's cumulative ¥314.17", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    for (const [collectedOn, remittedOn] of [["2026-07-01", "2026-07-05"], ["2026-07-02", "2026-07-07"], ["2026-07-03", "2026-07-13"], ["2026-07-04", "2026-07-15"]] as const) {
      const r = await recoveryRow(contract, { collectedOn, principal: hundredThousand });
      await remitted(contract, [[r, hundredThousand]], remittedOn);
    }
    const result = await accrueOne(contract, "2026-07-20");
    expect(result).toEqual({ cumulative: 0n + 6_042n + 12_083n + 13_292n, delta: 31_417n });
    expect(await lateInterestReceivable(contract)).toBe(31_417n);
    expect(await bankIncome()).toBe(31_417n);
    const entry = await prisma.journalEntry.findFirstOrThrow({ where: { sourceType: "late-interest", sourceId: contract.id }, include: { lines: true } });
    expect(entry.lines.map((l) => [l.side, l.amount]).sort()).toEqual([["CREDIT", 31_417n], ["DEBIT", 31_417n]]);
    const accrual = await prisma.lateInterestAccrual.findFirstOrThrow({ where: { contractId: contract.id } });
    expect([accrual.asOf, accrual.cumulative, accrual.delta, accrual.entryId]).toEqual(["2026-07-20", 31_417n, 31_417n, entry.id]);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("still unremitted, the interest runs day by day: nothing on day 4, ¥60.42 on day 5, +¥60.41 to ¥120.83 on day 10, +¥12.09 to ¥132.92 on day 11", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    await recoveryRow(contract, { collectedOn: "2026-07-01", principal: 8_000_000n, interest: 2_000_000n });
    expect(await accrueOne(contract, "2026-07-05")).toEqual({ cumulative: 0n, delta: 0n });
    expect(await prisma.lateInterestAccrual.count()).toBe(0);
    expect(await prisma.journalEntry.count({ where: { sourceType: "late-interest" } })).toBe(0);
    expect(await accrueOne(contract, "2026-07-06")).toEqual({ cumulative: 6_042n, delta: 6_042n });
    expect(await accrueOne(contract, "2026-07-11")).toEqual({ cumulative: 12_083n, delta: 6_041n });
    expect(await accrueOne(contract, "2026-07-12")).toEqual({ cumulative: 13_292n, delta: 1_209n });
    expect(await lateInterestBooked(prisma, contract.id)).toBe(13_292n);
    expect(await lateInterestReceivable(contract)).toBe(13_292n);
    expect(await everyEntryBalanced()).toBe(true);
  });
});

describe("a rate change (R7: the rate in force on the collection day, for the whole delay)", () => {
  it("collected before the change at 4.35%, after it at 5%, both 11 days late", async () => {
    await prisma.settingVersion.create({
      data: {
        version: 2, effectiveFrom: new Date("2026-07-31T16:00:00Z"), status: "APPROVED", reason: "rate change", decidedAt: new Date("2026-07-01T00:00:00Z"),
        values: JSON.stringify({ ...defaultSettings, loanRateSchedule: [{ effectiveFrom: "2000-01-01", annualRate: "0.0435" }, { effectiveFrom: "2026-08-01", annualRate: "0.05" }] }),
      },
    });
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    const before = await recoveryRow(contract, { collectedOn: "2026-07-28", principal: hundredThousand });
    const after = await recoveryRow(contract, { collectedOn: "2026-08-02", principal: hundredThousand });
    await remitted(contract, [[before, hundredThousand]], "2026-08-08"); // 11 days, collected at 4.35%
    await remitted(contract, [[after, hundredThousand]], "2026-08-13"); // 11 days, collected at 5%
    // 100,000 × 5% × 11 / 360 = 152.777… → ¥152.78
    expect(await accrueOne(contract, "2026-08-20")).toEqual({ cumulative: 13_292n + 15_278n, delta: 28_570n });
  });
});

describe("the daily job", () => {
  it("run twice the same day posts once; every contract with recoveries, none closed out or without recoveries; entries balanced and audited", async () => {
    const a = (await custodyContract({ custodian: bidder, startsAt })).contract;
    const b = (await custodyContract({ custodian: agency, startsAt })).contract;
    const closed = (await custodyContract({ custodian: bidder, startsAt })).contract;
    const idle = (await custodyContract({ custodian: agency, startsAt })).contract;
    await recoveryRow(a, { collectedOn: "2026-07-01", principal: hundredThousand }); // 11 days on 07-12
    const rb = await recoveryRow(b, { collectedOn: "2026-07-02", principal: hundredThousand });
    await remitted(b, [[rb, hundredThousand]], "2026-07-07"); // 5 days
    await recoveryRow(closed, { collectedOn: "2026-07-01", principal: hundredThousand });
    await prisma.contractCloseOut.create({ data: { contractId: closed.id, refund: 0n, openClaims: "[]", voucherNumber: "V", closedById: bidder.id } });
    void idle;

    const entriesBefore = await prisma.journalEntry.count();
    const first = await accrueLateInterest("2026-07-12");
    expect(first).toEqual({ contracts: 2, posted: 2, total: 13_292n + 6_042n });
    const entriesAfter = await prisma.journalEntry.count();
    expect(entriesAfter - entriesBefore).toBe(2);
    const again = await accrueLateInterest("2026-07-12");
    expect(again).toEqual({ contracts: 2, posted: 0, total: 0n });
    expect(await prisma.journalEntry.count()).toBe(entriesAfter);
    expect(await prisma.lateInterestAccrual.count()).toBe(2);
    // The job definition: payload day, idempotency key the day, and a run of the same day changes nothing.
    const payload = accrueLateInterestJob.payload.parse({ day: "2026-07-12" });
    expect(accrueLateInterestJob.name).toBe("settlement.accrueLateInterest");
    expect(accrueLateInterestJob.idempotencyKey(payload)).toBe("2026-07-12");
    const logged: unknown[] = [];
    await accrueLateInterestJob.handler(payload, { jobId: "j", attempt: 1, logger: { info: (...m) => logged.push(m), warn: () => {}, error: () => {} } });
    expect(await prisma.lateInterestAccrual.count()).toBe(2);
    expect(logged).toEqual([["late interest accrued", { day: "2026-07-12", contracts: 2, posted: 0, total: "0" }]]);
    // The next day: a is 12 days late (+¥12.08 → ¥145.00), b is remitted (nothing more).
    expect(await accrueLateInterest("2026-07-13")).toEqual({ contracts: 2, posted: 1, total: 1_208n });
    expect(await lateInterestReceivable(a)).toBe(14_500n);
    expect(await lateInterestReceivable(b)).toBe(6_042n);
    expect(await lateInterestReceivable(closed)).toBe(0n);
    // A late retry of an older day posts nothing (never back in time).
    expect(await accrueLateInterest("2026-07-12")).toMatchObject({ posted: 0 });
    expect(await lateInterestReceivable(a)).toBe(14_500n);
    expect(await everyEntryBalanced()).toBe(true);
    const audits = await prisma.auditEntry.findMany({ where: { action: "ledger.post", entityType: "JournalEntry" } });
    const accrualAudits = audits.filter((e) => JSON.parse(e.after ?? "{}").source?.startsWith("late-interest:"));
    expect(accrualAudits).toHaveLength(3);
    expect(JSON.parse(accrualAudits[0]!.after!)).toMatchObject({ accrual: { asOf: "2026-07-12" } });
    expect((await verifyAuditChain()).broken).toBeNull();
  });

  it("a recovery rejected after accruing releases its interest (delta < 0: DEBIT bank income / CREDIT the receivable)", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    const kept = await recoveryRow(contract, { collectedOn: "2026-07-01", principal: hundredThousand });
    const dropped = await recoveryRow(contract, { collectedOn: "2026-07-01", principal: hundredThousand, status: "REGISTERED" });
    void kept;
    expect(await accrueOne(contract, "2026-07-06")).toEqual({ cumulative: 12_084n, delta: 12_084n });
    await prisma.recovery.update({ where: { id: dropped.id }, data: { status: "REJECTED", rejectionReason: "not ours" } });
    expect(await accrueOne(contract, "2026-07-06")).toEqual({ cumulative: 6_042n, delta: -6_042n });
    const release = await prisma.journalEntry.findFirstOrThrow({ where: { sourceType: "late-interest" }, orderBy: { postedAt: "desc" }, include: { lines: { include: { account: true } } } });
    const sides = Object.fromEntries(release.lines.map((l) => [l.account.type, [l.side, l.amount]]));
    expect(sides).toEqual({ BANK_INCOME: ["DEBIT", 6_042n], LATE_INTEREST_RECEIVABLE: ["CREDIT", 6_042n] });
    expect(await lateInterestReceivable(contract)).toBe(6_042n);
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("a partial remittance splits a recovery into charges, each rounded once", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt });
    const r = await recoveryRow(contract, { collectedOn: "2026-07-01", principal: hundredThousand });
    await remitted(contract, [[r, 4_000_000n]], "2026-07-04"); // ¥40,000 after 3 days: no interest
    await remitted(contract, [[r, 6_000_000n]], "2026-07-11"); // ¥60,000 after 10 days: 60,000 × 4.35% × 10 / 360 = 72.50
    expect(await accrueOne(contract, "2026-07-31")).toEqual({ cumulative: 7_250n, delta: 7_250n });
  });
});
