import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balanceOf, checkEntry, reversalLines, splitDeduction, type Account, type Line } from "~/domain/ledger";

const accounts = new Map<string, Account>([
  ["deposit:wang", { id: "deposit:wang", type: "DEPOSIT_HELD" }],
  ["deposit:huaxin", { id: "deposit:huaxin", type: "DEPOSIT_HELD" }],
  ["clearing:transfer", { id: "clearing:transfer", type: "CLEARING_BANK_TRANSFER" }],
  ["income", { id: "income", type: "BANK_INCOME" }],
  ["claim:huaxin", { id: "claim:huaxin", type: "CLAIM_RECEIVABLE" }],
]);
const debit = (accountId: string, amount: bigint): Line => ({ accountId, side: "DEBIT", amount });
const credit = (accountId: string, amount: bigint): Line => ({ accountId, side: "CREDIT", amount });

function balances(lines: Line[]): Map<string, bigint> {
  return new Map([...accounts.values()].map((a) => [a.id, balanceOf(a, lines)]));
}

describe("R10 journal entries", () => {
  it("a bid deposit of ¥5,000 paid by bank transfer: clearing debited, the bidder's deposit credited", () => {
    const entry = [debit("clearing:transfer", 500000n), credit("deposit:wang", 500000n)];
    expect(checkEntry(entry, accounts, balances([]))).toBeNull();
    expect(balances(entry).get("deposit:wang")).toBe(500000n);
  });

  it("refuses an unbalanced entry", () => {
    expect(checkEntry([debit("clearing:transfer", 500000n), credit("deposit:wang", 499999n)], accounts, balances([]))).toEqual({
      code: "ledger.unbalanced", debits: 500000n, credits: 499999n,
    });
  });

  it("refuses zero or negative amounts, unknown accounts and single lines", () => {
    expect(checkEntry([debit("clearing:transfer", 0n), credit("deposit:wang", 0n)], accounts, balances([]))?.code).toBe("ledger.nonPositiveAmount");
    expect(checkEntry([debit("nowhere", 1n), credit("deposit:wang", 1n)], accounts, balances([]))?.code).toBe("ledger.unknownAccount");
    expect(checkEntry([debit("clearing:transfer", 1n)], accounts, balances([]))?.code).toBe("ledger.tooFewLines");
  });

  it("refuses to forfeit more than the deposit holds (a deposit never goes negative)", () => {
    const paid = [debit("clearing:transfer", 500000n), credit("deposit:wang", 500000n)];
    const forfeit = [debit("deposit:wang", 500001n), credit("income", 500001n)];
    expect(checkEntry(forfeit, accounts, balances(paid))).toEqual({ code: "ledger.depositNegative", accountId: "deposit:wang", balanceAfter: -1n });
    expect(checkEntry([debit("deposit:wang", 500000n), credit("income", 500000n)], accounts, balances(paid))).toBeNull();
  });

  it("a reversal undoes an entry", () => {
    const entry = [debit("clearing:transfer", 500000n), credit("deposit:wang", 500000n)];
    const all = [...entry, ...reversalLines(entry)];
    for (const balance of balances(all).values()) expect(balance).toBe(0n);
  });
});

describe("R7/R10 forced deduction larger than the deposit", () => {
  it("a ¥200,000 bond and a ¥250,000 deduction: the deposit goes to zero and ¥50,000 becomes a claim", () => {
    expect(splitDeduction(20000000n, 25000000n)).toEqual({ fromDeposit: 20000000n, claim: 5000000n });
  });
  it("a deduction the deposit covers leaves no claim", () => {
    expect(splitDeduction(20000000n, 1500000n)).toEqual({ fromDeposit: 1500000n, claim: 0n });
  });
  it("an empty deposit: everything is a claim", () => {
    expect(splitDeduction(0n, 100n)).toEqual({ fromDeposit: 0n, claim: 100n });
  });
});

describe("property: random sequences of postings", () => {
  const ids = [...accounts.keys()];
  const lineArb = fc.record({
    accountId: fc.constantFrom(...ids),
    side: fc.constantFrom("DEBIT" as const, "CREDIT" as const),
    amount: fc.bigInt({ min: 1n, max: 10n ** 9n }),
  });
  // Balanced entries: a list of lines plus one closing line on a random account that balances them.
  const entryArb = fc
    .tuple(fc.array(lineArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...ids), fc.boolean())
    .map(([lines, closer, corrupt]) => {
      const net = lines.reduce((s, l) => s + (l.side === "DEBIT" ? l.amount : -l.amount), 0n);
      const closing: Line[] = net === 0n ? [] : [{ accountId: closer, side: net > 0n ? "CREDIT" : "DEBIT", amount: net > 0n ? net : -net }];
      const entry = [...lines, ...closing];
      // Some entries are made invalid on purpose: one line changed by a fen.
      return corrupt && entry[0] ? [{ ...entry[0], amount: entry[0].amount + 1n }, ...entry.slice(1)] : entry;
    });

  it("accepted postings keep debits = credits and every deposit ≥ 0; refused ones change nothing", () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 30 }), (entries) => {
        const posted: Line[] = [];
        for (const entry of entries) {
          const before = balances(posted);
          if (checkEntry(entry, accounts, before) === null) posted.push(...entry);
          else expect(balances(posted)).toEqual(before);
        }
        const debits = posted.filter((l) => l.side === "DEBIT").reduce((s, l) => s + l.amount, 0n);
        const credits = posted.filter((l) => l.side === "CREDIT").reduce((s, l) => s + l.amount, 0n);
        expect(debits).toBe(credits);
        for (const account of accounts.values()) {
          if (account.type === "DEPOSIT_HELD") expect(balanceOf(account, posted)).toBeGreaterThanOrEqual(0n);
        }
      }),
      { numRuns: 300 },
    );
  });
});
