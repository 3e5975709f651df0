import type { AccountType } from "~/domain/ledger";
import type { Tx } from "~/infra/audit.server";
import { accountKey, balanceIn, ensureAccount } from "~/infra/ledger.server";
import { accountOwnerOf } from "~/services/custody/accounts.server";

/**
 * The ledger accounts settlement posts to (R10). Per contract (scope "contract:<id>", owned by the
 * custodian): what the custodian collected and still owes (REMITTANCE_RECEIVABLE), the late interest it
 * owes (LATE_INTEREST_RECEIVABLE) and the commission the bank owes it (COMMISSION_PAYABLE). The bank's
 * own: LOAN_RECOVERIES (what collected money settles), BANK_INCOME (late interest, penalties),
 * COMMISSION_EXPENSE and the clearing accounts money arrives and leaves through. The performance
 * deposit and the custodian's claim account are custody's (services/custody/accounts.server.ts).
 */

type ContractParty = { id: string; custodianKey: string };


export type ContractAccountType = "REMITTANCE_RECEIVABLE" | "LATE_INTEREST_RECEIVABLE" | "COMMISSION_PAYABLE";

const contractOwner = (type: ContractAccountType, contract: ContractParty) => ({ type, scope: `contract:${contract.id}`, ...accountOwnerOf(contract.custodianKey) });

/** The key of a contract's settlement account (to look it up, or many at once, without opening them). */
export const contractAccountKey = (type: ContractAccountType, contract: ContractParty) => accountKey(contractOwner(type, contract));

export function contractAccount(tx: Tx, type: ContractAccountType, contract: ContractParty) {
  return ensureAccount(tx, contractOwner(type, contract));
}

export type BankAccountType = Extract<AccountType, "LOAN_RECOVERIES" | "BANK_INCOME" | "COMMISSION_EXPENSE" | "CLEARING_STRIPE" | "CLEARING_BANK_TRANSFER" | "CLEARING_PAYROLL">;

export function bankAccount(tx: Tx, type: BankAccountType) {
  return ensureAccount(tx, { type });
}

/** A contract account's balance (reads only: an account not opened yet holds 0). */
export async function contractBalance(db: Tx, type: ContractAccountType, contract: ContractParty): Promise<bigint> {
  const account = await db.ledgerAccount.findUnique({ where: { key: contractAccountKey(type, contract) }, select: { id: true } });
  return account ? balanceIn(db, account.id) : 0n;
}
