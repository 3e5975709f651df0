import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { formatYuan, toYuanString, type Fen } from "~/domain/money";
import { recoveryStanding } from "~/domain/remittance-position";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { parseOrRefuse } from "~/infra/forms";
import type { Line } from "~/domain/ledger";
import { balanceIn, ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { claimAccountKey, claimAccountOf, performanceDepositAccount, performanceDepositHeld } from "~/services/custody/accounts.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { contractAccount } from "./accounts.server";
import { closeOutSchema } from "./contract-schemas";
import { openContract, settlementContractLink, tellCustodian, unclaimedLateInterest, type SettlementActor } from "./deductions.server";
import { accrueContractIn } from "./late-interest.server";
import { lateInterestSettingsFor, recoveryPositions } from "./positions.server";

/**
 * Close-out of a contract after its term (README step 16), by finance (settlement:finance) with the
 * voucher of the refund: the contract must be ENDED, nothing collected may still be unremitted (the
 * department deducts it first), and its FINAL statement must exist and be paid. What the custodian still
 * owes is netted from the deposit first (README step 16: outstanding amounts are netted): the late
 * interest booked (accrued to today) that no statement or deduction has claimed, then the custodian's
 * claims (CLAIM_RECEIVABLE: set-off against its own deposit). The rest is refunded. ONE entry (source
 * `close-out`, sourceId = the contract): DEBIT PERFORMANCE_DEPOSIT all it holds / CREDIT
 * LATE_INTEREST_RECEIVABLE, CLAIM_RECEIVABLE what is netted, CLEARING_BANK_TRANSFER the refund (none when
 * the deposit is empty). A ContractCloseOut row records the refund and what stays open (claims beyond the
 * deposit, late interest not covered, statements owed to the bank and not paid). Once per contract.
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
  /** late interest not yet claimed, taken from the deposit */
  lateInterestNetted: Fen;
  /** the custodian's claims set off against the deposit */
  claimsNetted: Fen;
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

    // Late interest keeps accruing on money remitted after the final statement: bring it to today.
    const accrued = await accrueContractIn(tx, ctx, contract, today, settingsFor);
    const unclaimedInterest = await unclaimedLateInterest(tx, contract.id, accrued.cumulative);
    const claims = await claimsOf(tx, contract.custodianKey);
    const held = await performanceDepositHeld(tx, contract);
    const lesser = (a: Fen, b: Fen) => (a < b ? a : b);
    const interestNetted = lesser(held, unclaimedInterest);
    const claimNetted = lesser(held - interestNetted, claims > 0n ? claims : 0n);
    const refund = held - interestNetted - claimNetted;
    let entryId: string | null = null;
    if (held > 0n) {
      const lines: Line[] = [{ accountId: (await performanceDepositAccount(tx, contract)).id, side: "DEBIT", amount: held }];
      if (interestNetted > 0n) lines.push({ accountId: (await contractAccount(tx, "LATE_INTEREST_RECEIVABLE", contract)).id, side: "CREDIT", amount: interestNetted });
      if (claimNetted > 0n) lines.push({ accountId: (await claimAccountOf(tx, contract.custodianKey)).id, side: "CREDIT", amount: claimNetted });
      if (refund > 0n) lines.push({ accountId: (await ensureAccount(tx, { type: "CLEARING_BANK_TRANSFER" })).id, side: "CREDIT", amount: refund });
      const entry = await postEntryIn(tx, ctx, {
        description:
          `履约保证金结清 Performance deposit settled at close-out, contract ${contract.number}: late interest netted ${toYuanString(interestNetted)}, ` +
          `claims netted ${toYuanString(claimNetted)}, refunded ${toYuanString(refund)} (voucher ${parsed.voucher_number})`,
        sourceType: "close-out",
        sourceId: contract.id,
        lines,
      });
      entryId = entry.id;
    }

    const openClaims: OpenClaim[] = [];
    if (claims - claimNetted > 0n) openClaims.push({ account: "CLAIM_RECEIVABLE", amount: toYuanString(claims - claimNetted) });
    if (unclaimedInterest - interestNetted > 0n) openClaims.push({ account: "LATE_INTEREST_RECEIVABLE", amount: toYuanString(unclaimedInterest - interestNetted) });
    const owedStatements = await tx.settlementStatement.findMany({ where: { contractId: contract.id, state: { not: "paid" }, netPayable: { lt: 0n } }, orderBy: { generatedAt: "asc" } });
    for (const s of owedStatements) openClaims.push({ account: `STATEMENT:${s.number}`, amount: toYuanString(-s.netPayable) });

    const row = await tx.contractCloseOut.create({
      data: { contractId: contract.id, refund, openClaims: JSON.stringify(openClaims), voucherNumber: parsed.voucher_number, closedById: actor.id, closedAt: now, entryId },
    });
    await audit({
      action: "settlement.closeOut", entityType: "ContractCloseOut", entityId: row.id,
      after: {
        contractId: contract.id, contract: contract.number, depositHeld: toYuanString(held), lateInterestNetted: toYuanString(interestNetted),
        claimsNetted: toYuanString(claimNetted), refund: toYuanString(refund), openClaims, voucherNumber: parsed.voucher_number, entryId,
      },
    });
    const claimsText = openClaims.length ? openClaims.map((c) => `${c.account} ¥${c.amount}`).join("；") : "—";
    const outboxIds = await tellCustodian(tx, contract, { key: "settlement.contracts.notice.closedOut", params: { contract: contract.number, netted: formatYuan(interestNetted + claimNetted), refund: formatYuan(refund), claims: claimsText } }, {
      template: "settlementContractClosedOut",
      params: { contract: contract.number, lateInterestNetted: interestNetted, claimsNetted: claimNetted, refund, claims: openClaims.map((c) => ({ account: c.account, amount: c.amount })), voucher: parsed.voucher_number, link: settlementContractLink(contract.id) },
    });
    const view: CloseOutResult = { id: row.id, contractId: contract.id, lateInterestNetted: interestNetted, claimsNetted: claimNetted, refund, openClaims, voucherNumber: parsed.voucher_number, closedAt: now, entryId };
    return { view, outboxIds };
  });
  await sendQueuedEmails(result.outboxIds);
  return result.view;
}
