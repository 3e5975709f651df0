import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../support/reset-db";
import { systemContext, verifyAuditChain } from "~/infra/audit.server";
import { databaseFileFromUrl } from "~/infra/db/database-url";
import { prisma } from "~/infra/db.server";
import { balance, ensureAccount, postEntry, reverseEntry } from "~/infra/ledger.server";
import { refusal } from "../support/users";

const ctx = systemContext("test");
let deposit: string;
let clearing: string;
let income: string;

beforeEach(async () => {
  resetDatabase();
  const bidder = await prisma.organization.create({ data: { kind: "AGENCY", name: "华信" } });
  await prisma.$transaction(async (tx) => {
    deposit = (await ensureAccount(tx, { type: "DEPOSIT_HELD", ownerOrganizationId: bidder.id })).id;
    clearing = (await ensureAccount(tx, { type: "CLEARING_BANK_TRANSFER" })).id;
    income = (await ensureAccount(tx, { type: "BANK_INCOME" })).id;
  });
});

const payDeposit = (amount: bigint) =>
  postEntry(ctx, {
    description: "竞标定金（银行转账）", sourceType: "test", sourceId: "t1",
    lines: [{ accountId: clearing, side: "DEBIT", amount }, { accountId: deposit, side: "CREDIT", amount }],
  });


describe("ledger store", () => {
  it("ensureAccount returns the same account for the same owner and type", async () => {
    const again = await prisma.$transaction((tx) => ensureAccount(tx, { type: "BANK_INCOME" }));
    expect(again.id).toBe(income);
  });

  it("a ¥5,000 bid deposit is one balanced entry, audited, and the balance is derived from the lines", async () => {
    await payDeposit(500000n);
    expect(await balance(deposit)).toBe(500000n);
    expect(await balance(clearing)).toBe(500000n);
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "ledger.post" } });
    expect(JSON.parse(audit.after!).lines).toContainEqual({ account: deposit, side: "CREDIT", amount: "5000.00" });
    expect((await verifyAuditChain()).broken).toBeNull();
  });

  it("an unbalanced entry is refused and writes nothing", async () => {
    const error = await refusal(
      postEntry(ctx, {
        description: "x", sourceType: "test", sourceId: "t2",
        lines: [{ accountId: clearing, side: "DEBIT", amount: 500000n }, { accountId: deposit, side: "CREDIT", amount: 499999n }],
      }),
    );
    expect(error.key).toBe("ledger.unbalanced");
    expect(error.options.params).toEqual({ debits: "5000.00", credits: "4999.99" });
    expect(await prisma.journalEntry.count()).toBe(0);
    expect(await prisma.auditEntry.count()).toBe(0);
  });

  it("forfeiting more than the deposit is refused; forfeiting all of it is not", async () => {
    await payDeposit(500000n);
    const forfeit = (amount: bigint) =>
      postEntry(ctx, {
        description: "违约金", sourceType: "test", sourceId: "t3",
        lines: [{ accountId: deposit, side: "DEBIT", amount }, { accountId: income, side: "CREDIT", amount }],
      });
    expect((await refusal(forfeit(500001n))).key).toBe("ledger.depositNegative");
    await forfeit(500000n);
    expect(await balance(deposit)).toBe(0n);
    expect(await balance(income)).toBe(500000n);
  });

  it("a reversal undoes an entry once; a second reversal is refused", async () => {
    const entry = await payDeposit(500000n);
    await reverseEntry(ctx, entry.id, "录入错误冲正");
    expect(await balance(deposit)).toBe(0n);
    expect(await balance(clearing)).toBe(0n);
    expect((await refusal(reverseEntry(ctx, entry.id, "again"))).key).toBe("ledger.alreadyReversed");
  });

  it("entries and lines cannot be edited or deleted in the database", async () => {
    await payDeposit(500000n);
    const db = new Database(databaseFileFromUrl(process.env.DATABASE_URL!));
    try {
      expect(() => db.prepare(`UPDATE "JournalLine" SET "amount" = 1`).run()).toThrow(/immutable/);
      expect(() => db.prepare(`DELETE FROM "JournalEntry"`).run()).toThrow(/immutable/);
    } finally {
      db.close();
    }
  });
});
