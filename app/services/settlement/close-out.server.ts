import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { formatYuan, toYuanString, type Fen } from "~/domain/money";
import { recoveryStanding } from "~/domain/remittance-position";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { parseOrRefuse } from "~/infra/forms";
import { balanceIn, ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { claimAccountKey, performanceDepositAccount, performanceDepositHeld } from "~/services/custody/accounts.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { contractBalance } from "./accounts.server";
import { closeOutSchema } from "./contract-schemas";
import { openContract, settlementContractLink, tellCustodian, type SettlementActor } from "./deductions.server";
import { lateInterestSettingsFor, recoveryPositions } from "./positions.server";

/**
 * Close-out of a contract after its term (README step 16), by finance (settlement:finance) with the
 * voucher of the refund: the contract must be ENDED, nothing collected may still be unremitted (the
 * department deducts it first), and its FINAL statement must exist and be paid. The deposit balance is
 * refunded — ONE entry (source `close-out`, sourceId = the contract) DEBIT PERFORMANCE_DEPOSIT / CREDIT
 * CLEARING_BANK_TRANSFER when it holds anything — and a ContractCloseOut row records the refund and
 * the claims still open as they stood (the custodian's CLAIM_RECEIVABLE, the contract's late interest
 * still receivable, statements owed to the bank and not paid). Once per contract (unique row + trigger).
 * Audited; the custodian is told. The contract keeps status ENDED; the close-out row marks it closed.
 */

export interface OpenClaim {
  /** CLAIM_RECEIVABLE | LATE_INTEREST_RECEIVABLE | STATEMENT:<number> */
  account: string;
  /** yuan, two decimals */
  amount: string;
}

export interface CloseOutResult {
  id: string;
  contractId: string;
  refund: Fen;
  openClaims: OpenClaim[];
  voucherNumber: string;
  closedAt: Date;
  entryId: string | null;
}


/** The custodian's CLAIM_RECEIVABLE balance (reads only). */
export async function claimsOf(db: Tx, custodianKey: string): Promise<Fen> {
  const account = await db.ledgerAccount.findUnique({ where: { key: claimAccountKey(custodianKey) }, select: { id: true } });
  return account ? balanceIn(db, account.id) : 0n;
}

export async function closeOutContract(ctx: AuditContext, actor: SettlementActor, input: { contractId: string; voucherNumber: string }, now: Date = new Date()): Promise<CloseOutResult> {
  if (!can(actor.roles, "settlement:finance")) throw new UserError("settlement.contracts.notFinance", { status: 403 });
  const parsed = parseOrRefuse(closeOutSchema, { voucher_number: input.voucherNumber });
  const today = todayInChina(now);
  const result = await audited(ctx, async (tx, audit) => {
    const contract = await openContract(tx, input.contractId);
    if (contract.status !== "ENDED") throw new UserError("settlement.contracts.notEnded", { status: 409, params: { contract: contract.number, status: contract.status } });

    const settingsFor = (await lateInterestSettingsFor(tx))(contract.terms);
    const positions = (await recoveryPositions(tx, [contract.id])).get(contract.id) ?? [];
    const unremitted = positions.reduce((sum, p) => sum + recoveryStanding(p, today, settingsFor).outstanding, 0n);
    if (unremitted > 0n) throw new UserError("settlement.contracts.unremitted", { status: 409, params: { amount: formatYuan(unremitted) } });

    const final = await tx.settlementStatement.findFirst({ where: { contractId: contract.id, kind: "FINAL" } });
    if (!final) throw new UserError("settlement.contracts.finalMissing", { status: 409 });
    if (final.state !== "paid") throw new UserError("settlement.contracts.finalNotPaid", { status: 409, params: { number: final.number, state: final.state } });

    const refund = await performanceDepositHeld(tx, contract);
    let entryId: string | null = null;
    if (refund > 0n) {
      const deposit = await performanceDepositAccount(tx, contract);
      const clearing = await ensureAccount(tx, { type: "CLEARING_BANK_TRANSFER" });
      const entry = await postEntryIn(tx, ctx, {
        description: `履约保证金退还 Performance deposit refunded at close-out, contract ${contract.number}, voucher ${parsed.voucher_number}`,
        sourceType: "close-out",
        sourceId: contract.id,
        lines: [{ accountId: deposit.id, side: "DEBIT", amount: refund }, { accountId: clearing.id, side: "CREDIT", amount: refund }],
      });
      entryId = entry.id;
    }

    const openClaims: OpenClaim[] = [];
    const claims = await claimsOf(tx, contract.custodianKey);
    if (claims > 0n) openClaims.push({ account: "CLAIM_RECEIVABLE", amount: toYuanString(claims) });
    const interest = await contractBalance(tx, "LATE_INTEREST_RECEIVABLE", contract);
    if (interest > 0n) openClaims.push({ account: "LATE_INTEREST_RECEIVABLE", amount: toYuanString(interest) });
    const owedStatements = await tx.settlementStatement.findMany({ where: { contractId: contract.id, state: { not: "paid" }, netPayable: { lt: 0n } }, orderBy: { generatedAt: "asc" } });
    for (const s of owedStatements) openClaims.push({ account: `STATEMENT:${s.number}`, amount: toYuanString(-s.netPayable) });

    const row = await tx.contractCloseOut.create({
      data: { contractId: contract.id, refund, openClaims: JSON.stringify(openClaims), voucherNumber: parsed.voucher_number, closedById: actor.id, closedAt: now, entryId },
    });
    await audit({
      action: "settlement.closeOut", entityType: "ContractCloseOut", entityId: row.id,
      after: { contractId: contract.id, contract: contract.number, refund: toYuanString(refund), openClaims, voucherNumber: parsed.voucher_number, entryId },
    });
    const claimsText = openClaims.length ? openClaims.map((c) => `${c.account} ¥${c.amount}`).join("；") : "—";
    const outboxIds = await tellCustodian(tx, contract, { key: "settlement.contracts.notice.closedOut", params: { contract: contract.number, refund: formatYuan(refund), claims: claimsText } }, {
      template: "settlementContractClosedOut",
      params: { contract: contract.number, refund, claims: openClaims.map((c) => ({ account: c.account, amount: c.amount })), voucher: parsed.voucher_number, link: settlementContractLink(contract.id) },
    });
    const view: CloseOutResult = { id: row.id, contractId: contract.id, refund, openClaims, voucherNumber: parsed.voucher_number, closedAt: now, entryId };
    return { view, outboxIds };
  });
  await sendQueuedEmails(result.outboxIds);
  return result.view;
}
