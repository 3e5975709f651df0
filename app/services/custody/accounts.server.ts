import type { Tx } from "~/infra/audit.server";
import { accountKey, balanceIn, ensureAccount } from "~/infra/ledger.server";

/**
 * The ledger accounts of a custody contract (R10). The performance deposit is held per contract
 * (PERFORMANCE_DEPOSIT, scope "contract:<id>", owned by the custodian), so a deduction or forfeit on
 * one contract never draws on another. Claims beyond a deposit are owed by the custodian: the staff
 * contractor personally, or the agency (its legal representative jointly, R7) — one CLAIM_RECEIVABLE
 * per custodian.
 */

type ContractParty = { id: string; custodianKey: string };

/** The ledger owner of a custodian key ("user:<id>" staff contractor, "org:<id>" agency). */
export const accountOwnerOf = (custodianKey: string) =>
  custodianKey.startsWith("org:") ? { ownerOrganizationId: custodianKey.slice(4) } : { ownerUserId: custodianKey.slice(5) };
const owner = accountOwnerOf;

const performanceDepositOwner = (contract: ContractParty) => ({ type: "PERFORMANCE_DEPOSIT" as const, scope: `contract:${contract.id}`, ...owner(contract.custodianKey) });

export function performanceDepositAccount(tx: Tx, contract: ContractParty) {
  return ensureAccount(tx, performanceDepositOwner(contract));
}

/** The key of a contract's performance deposit account (to look it up without opening it). */
export const performanceDepositKey = (contract: ContractParty) => accountKey(performanceDepositOwner(contract));

/** The key of a custodian's claim account (to look it up without opening it). */
export const claimAccountKey = (custodianKey: string) => accountKey({ type: "CLAIM_RECEIVABLE", ...owner(custodianKey) });

export function claimAccountOf(tx: Tx, custodianKey: string) {
  return ensureAccount(tx, { type: "CLAIM_RECEIVABLE", ...owner(custodianKey) });
}

/** What the contract's performance deposit account holds now, fen (reads only: no account yet holds 0). */
export async function performanceDepositHeld(db: Tx, contract: ContractParty): Promise<bigint> {
  const account = await db.ledgerAccount.findUnique({ where: { key: performanceDepositKey(contract) }, select: { id: true } });
  return account ? balanceIn(db, account.id) : 0n;
}
