/**
 * R10 double-entry rules, independent of storage: what a valid journal entry is, how balances are
 * derived from lines, how a correction reverses an entry, and how a deduction that exceeds a
 * deposit splits into what the deposit covers and a claim for the rest.
 */
import type { Fen } from "./money";

export const accountTypes = [
  "DEPOSIT_HELD", // bidder's or custodian's deposit the bank holds (a liability to them)
  "PERFORMANCE_DEPOSIT", // one custody contract's performance deposit (履约保证金), which deductions and forfeits draw on
  "COMMISSION_PAYABLE",
  "LATE_INTEREST_RECEIVABLE",
  "COMPENSATION_RECEIVABLE",
  "CLAIM_RECEIVABLE", // shortfall beyond a deposit, owed by the contractor or legal representative
  "BANK_INCOME", // forfeits, penalties, late interest earned
  "REMITTANCE_RECEIVABLE", // money a custodian collected and still owes the bank (交账), per contract
  "LOAN_RECOVERIES", // the bank's recoveries on non-performing loans (what the collected money settles)
  "COMMISSION_EXPENSE", // commissions, fees, rewards and bonuses the bank owes custodians (R6)
  "CLEARING_STRIPE",
  "CLEARING_BANK_TRANSFER",
  "CLEARING_PAYROLL",
] as const;
export type AccountType = (typeof accountTypes)[number];

/** Deposits the bank holds for someone: never negative (R10). */
const depositAccountTypes: ReadonlySet<AccountType> = new Set(["DEPOSIT_HELD", "PERFORMANCE_DEPOSIT"]);

/** Whether the account's balance limits a posting (a deposit never goes negative); other balances are not checked. */
export const isDepositAccount = (type: AccountType) => depositAccountTypes.has(type);

/** Which side increases the account: assets and receivables on the debit side, liabilities and income on the credit side. */
export const normalSide: Record<AccountType, "DEBIT" | "CREDIT"> = {
  DEPOSIT_HELD: "CREDIT",
  PERFORMANCE_DEPOSIT: "CREDIT",
  COMMISSION_PAYABLE: "CREDIT",
  LATE_INTEREST_RECEIVABLE: "DEBIT",
  COMPENSATION_RECEIVABLE: "DEBIT",
  CLAIM_RECEIVABLE: "DEBIT",
  BANK_INCOME: "CREDIT",
  REMITTANCE_RECEIVABLE: "DEBIT",
  LOAN_RECOVERIES: "CREDIT",
  COMMISSION_EXPENSE: "DEBIT",
  CLEARING_STRIPE: "DEBIT",
  CLEARING_BANK_TRANSFER: "DEBIT",
  CLEARING_PAYROLL: "DEBIT",
};

export interface Line {
  accountId: string;
  side: "DEBIT" | "CREDIT";
  amount: Fen;
}

export interface Account {
  id: string;
  type: AccountType;
}

export type PostingError =
  | { code: "ledger.tooFewLines" }
  | { code: "ledger.nonPositiveAmount"; accountId: string }
  | { code: "ledger.unknownAccount"; accountId: string }
  | { code: "ledger.unbalanced"; debits: Fen; credits: Fen }
  | { code: "ledger.depositNegative"; accountId: string; balanceAfter: Fen };

/** The signed effect of one line on its account's balance (positive = in the account's normal direction). */
export function effect(account: Account, line: Line): Fen {
  return line.side === normalSide[account.type] ? line.amount : -line.amount;
}

export function balanceOf(account: Account, lines: Iterable<Line>): Fen {
  let balance = 0n;
  for (const line of lines) if (line.accountId === account.id) balance += effect(account, line);
  return balance;
}

/**
 * Checks one entry against the current balances: at least two lines, every amount positive, debits
 * equal credits, and no deposit account driven below zero. Returns the first problem, or null.
 */
export function checkEntry(
  lines: readonly Line[],
  accounts: ReadonlyMap<string, Account>,
  balances: ReadonlyMap<string, Fen>,
): PostingError | null {
  if (lines.length < 2) return { code: "ledger.tooFewLines" };
  let debits = 0n;
  let credits = 0n;
  const after = new Map<string, Fen>();
  for (const line of lines) {
    if (line.amount <= 0n) return { code: "ledger.nonPositiveAmount", accountId: line.accountId };
    const account = accounts.get(line.accountId);
    if (!account) return { code: "ledger.unknownAccount", accountId: line.accountId };
    if (line.side === "DEBIT") debits += line.amount;
    else credits += line.amount;
    after.set(account.id, (after.get(account.id) ?? balances.get(account.id) ?? 0n) + effect(account, line));
  }
  if (debits !== credits) return { code: "ledger.unbalanced", debits, credits };
  for (const [accountId, balanceAfter] of after) {
    if (depositAccountTypes.has(accounts.get(accountId)!.type) && balanceAfter < 0n) {
      return { code: "ledger.depositNegative", accountId, balanceAfter };
    }
  }
  return null;
}

/** A correction: the same lines with sides swapped (entries themselves are never edited). */
export function reversalLines(lines: readonly Line[]): Line[] {
  return lines.map((l) => ({ ...l, side: l.side === "DEBIT" ? "CREDIT" : "DEBIT" }));
}

/**
 * R7/R10 forced deduction: the deposit covers what it can; the rest becomes a claim. A deposit
 * account never goes negative.
 */
export function splitDeduction(depositBalance: Fen, amount: Fen): { fromDeposit: Fen; claim: Fen } {
  if (amount < 0n) throw new RangeError("a deduction is not negative");
  const available = depositBalance > 0n ? depositBalance : 0n;
  const fromDeposit = amount < available ? amount : available;
  return { fromDeposit, claim: amount - fromDeposit };
}
