/**
 * R4 award, signing, reneging and deposits, as pure rules, plus the R10 journal lines they post.
 *
 * Decisions at the edges (documented here and in the tests):
 * - Signing deadline: the award day is the China (UTC+8) calendar day of the award instant; the
 *   winner may sign until 23:59:59.999 China time on award day + signingDays (calendar days, no
 *   working-day calendar). The deadline instant itself is still in time; one millisecond later is late.
 * - Performance deposit: staff owe internalDepositRate × winning price, rounded once half up to the
 *   fen; agencies the fixed bond whatever the price.
 * - Credit of the bid deposit (creditBidDepositToPerformance): it goes to the FIRST contract the
 *   bidder signs in the tender (earliest signedAt; equal times: the order given). Credit =
 *   min(bid deposit, that performance deposit); top-up = deposit − credit; what the credit does not
 *   use (a bid deposit larger than a small 5% deposit, or the whole bid deposit when the setting is
 *   off) is refunded once that first contract is signed. Nothing is released before a signing.
 * - Renege: the bid deposit is forfeited once per bidder and tender (a second renege by the same
 *   bidder forfeits nothing more); then the next-highest bidder is offered the lot at their own price
 *   (onRenege "next-bidder"), or the lot is returned for re-tender (setting "re-tender", or nobody left).
 * - Refunds wait until every lot of the tender is decided (award accepted, unsold, or returned). Then
 *   every confirmed, not yet refunded deposit is refunded, except a winner's (kept: one deposit,
 *   however many lots) and a reneging bidder's (forfeited, never refunded). Only a "confirmed"
 *   registration is ever refunded, so a refunded deposit is never refunded twice.
 */
import { addDays, startOfChinaDay, todayInChina } from "./calendar";
import type { AccountType, Line } from "./ledger";
import { applyRate, parseRate, type Fen } from "./money";
import type { Settings } from "./settings";

// ---- signing deadline ---------------------------------------------------------------------------

/** The last instant to sign: 23:59:59.999 China time, signingDays calendar days after the award day. */
export function signingDeadline(awardedAt: Date, settings: Pick<Settings, "signingDays">): Date {
  const lastDay = addDays(todayInChina(awardedAt), settings.signingDays);
  return new Date(startOfChinaDay(addDays(lastDay, 1)).getTime() - 1);
}

/** Late when now is after the deadline (the deadline instant itself is in time). */
export function isSigningLate(deadline: Date, now: Date): boolean {
  return now.getTime() > deadline.getTime();
}

// ---- performance deposit and the credit of the bid deposit --------------------------------------

export type BidderKind = "staff" | "agency";

/** R4: staff 5% × winning price (one half-up rounding); agencies the fixed bond (default ¥200,000). */
export function performanceDeposit(
  input: { bidderKind: BidderKind; winningPrice: Fen },
  settings: Pick<Settings, "internalDepositRate" | "agencyBondFen">,
): Fen {
  if (input.winningPrice < 0n) throw new RangeError("a winning price is not negative");
  return input.bidderKind === "agency" ? BigInt(settings.agencyBondFen) : applyRate(input.winningPrice, parseRate(settings.internalDepositRate));
}

export interface ContractForCredit {
  id: string;
  /** null while unsigned. */
  signedAt: Date | null;
  performanceDeposit: Fen;
}

/** The contract that receives the one bid deposit: the first signed (equal times: the order given), or null before any signing. */
export function creditedContract<C extends { signedAt: Date | null }>(contracts: readonly C[]): C | null {
  let first: C | null = null;
  for (const c of contracts) {
    if (c.signedAt && (!first || c.signedAt.getTime() < first.signedAt!.getTime())) first = c;
  }
  return first;
}

export interface DepositCredit {
  /** The contract credited, or null (no contract signed yet, or the setting is off). */
  creditedContractId: string | null;
  /** Part of the bid deposit counted toward that contract's performance deposit. */
  credit: Fen;
  /** Part of the bid deposit refunded to the bidder now (only once a contract is signed). */
  refund: Fen;
  /** Every contract, in the order given: what it owes before custody starts. */
  contracts: { id: string; performanceDeposit: Fen; credit: Fen; topUp: Fen }[];
}

/**
 * R4 on signing: the one bid deposit is credited toward the performance deposit of the bidder's first
 * signed contract; top-up = max(0, performance deposit − credit) for each contract.
 */
export function depositCredit(
  input: { bidDeposit: Fen; contracts: readonly ContractForCredit[] },
  settings: Pick<Settings, "creditBidDepositToPerformance">,
): DepositCredit {
  if (input.bidDeposit < 0n) throw new RangeError("a bid deposit is not negative");
  const first = creditedContract(input.contracts);
  const target = settings.creditBidDepositToPerformance ? first : null;
  const credit = target ? (input.bidDeposit < target.performanceDeposit ? input.bidDeposit : target.performanceDeposit) : 0n;
  return {
    creditedContractId: target?.id ?? null,
    credit,
    refund: first ? input.bidDeposit - credit : 0n,
    contracts: input.contracts.map((c) => {
      const own = c === target ? credit : 0n;
      const topUp = c.performanceDeposit - own;
      return { id: c.id, performanceDeposit: c.performanceDeposit, credit: own, topUp: topUp > 0n ? topUp : 0n };
    }),
  };
}

// ---- renege -------------------------------------------------------------------------------------

export interface NextBidder {
  bidderId: string;
  /** That bidder's own highest bid: the price they are offered the lot at. */
  amount: Fen;
}

export type RenegeOutcome =
  | { forfeit: Fen; retender: false; offerTo: NextBidder }
  | { forfeit: Fen; retender: true; because: "setting" | "no_next_bidder"; offerTo: null };

/**
 * R4: a winner who does not sign in time forfeits the bid deposit (违约金, to bank income; see
 * forfeitureEntry), then the lot goes to the next bidder at their own price or back to tender.
 * `nextBidder` comes from nextBidderAfterRenege (auction.ts) with every bidder who reneged on the lot left out.
 */
export function renegeOutcome(
  settings: Pick<Settings, "onRenege">,
  nextBidder: NextBidder | null,
  deposit: { amount: Fen; alreadyForfeited?: boolean },
): RenegeOutcome {
  const forfeit = deposit.alreadyForfeited || deposit.amount < 0n ? 0n : deposit.amount;
  if (settings.onRenege === "re-tender") return { forfeit, retender: true, because: "setting", offerTo: null };
  if (!nextBidder) return { forfeit, retender: true, because: "no_next_bidder", offerTo: null };
  return { forfeit, retender: false, offerTo: { bidderId: nextBidder.bidderId, amount: nextBidder.amount } };
}

// ---- refunds when the tender is decided ---------------------------------------------------------

/**
 * A lot's state for refunds. Decided: "accepted" (the winner accepted the award), "unsold",
 * "returned" (back to tender). Undecided: "open", "awaiting_signature", "offered_to_next".
 */
export type LotDecisionState = "open" | "awaiting_signature" | "offered_to_next" | "accepted" | "unsold" | "returned";
export const decidedLotStates: readonly LotDecisionState[] = ["accepted", "unsold", "returned"];

export interface LotForRefund {
  lotId: string;
  state: LotDecisionState;
  /** The bidder who accepted the award (state "accepted"); otherwise ignored. */
  winnerId: string | null;
  /** Everyone who failed to sign this lot in time (the original winner, then any next bidder). */
  renegedBidderIds?: readonly string[];
}

export interface RegistrationForRefund {
  bidderId: string;
  /** The confirmed bid deposit. */
  deposit: Fen;
  /** Only "confirmed" money can be refunded: "pending" was never received; the others are settled. */
  status: "pending" | "confirmed" | "refunded" | "forfeited" | "credited";
}

export type RefundPlan =
  | { ready: false; undecidedLots: string[] }
  | {
      ready: true;
      refund: { bidderId: string; amount: Fen }[];
      /** Winners keep their one deposit for the credit on signing. */
      keep: { bidderId: string; amount: Fen; lots: string[] }[];
      /** Reneging bidders whose deposit is still "confirmed": forfeit, never refund. */
      forfeit: { bidderId: string; amount: Fen }[];
    };

/** R4: which bid deposits are refunded now. Nothing until every lot of the tender is decided. */
export function refundableDeposits(input: { lots: readonly LotForRefund[]; registrations: readonly RegistrationForRefund[] }): RefundPlan {
  const undecidedLots = input.lots.filter((l) => !decidedLotStates.includes(l.state)).map((l) => l.lotId);
  if (undecidedLots.length > 0) return { ready: false, undecidedLots };
  const reneged = new Set(input.lots.flatMap((l) => l.renegedBidderIds ?? []));
  const won = new Map<string, string[]>();
  for (const lot of input.lots) {
    if (lot.state === "accepted" && lot.winnerId) won.set(lot.winnerId, [...(won.get(lot.winnerId) ?? []), lot.lotId]);
  }
  const plan = { ready: true as const, refund: [] as { bidderId: string; amount: Fen }[], keep: [] as { bidderId: string; amount: Fen; lots: string[] }[], forfeit: [] as { bidderId: string; amount: Fen }[] };
  const seen = new Set<string>();
  for (const r of input.registrations) {
    if (r.status !== "confirmed" || seen.has(r.bidderId)) continue; // one deposit per bidder per tender
    seen.add(r.bidderId);
    if (reneged.has(r.bidderId)) plan.forfeit.push({ bidderId: r.bidderId, amount: r.deposit });
    else if (won.has(r.bidderId)) plan.keep.push({ bidderId: r.bidderId, amount: r.deposit, lots: won.get(r.bidderId)! });
    else plan.refund.push({ bidderId: r.bidderId, amount: r.deposit });
  }
  return plan;
}

// ---- R10 journal lines --------------------------------------------------------------------------

export type PaymentMethod = "stripe" | "bank_transfer" | "payroll";

/** The clearing account a payment method moves money through. */
export function clearingAccountType(method: PaymentMethod): AccountType {
  return method === "stripe" ? "CLEARING_STRIPE" : method === "bank_transfer" ? "CLEARING_BANK_TRANSFER" : "CLEARING_PAYROLL";
}

function twoLines(debitAccountId: string, creditAccountId: string, amount: Fen): Line[] {
  if (amount <= 0n) throw new RangeError("a journal line amount is positive");
  if (debitAccountId === creditAccountId) throw new RangeError("an entry moves money between two accounts");
  return [
    { accountId: debitAccountId, side: "DEBIT", amount },
    { accountId: creditAccountId, side: "CREDIT", amount },
  ];
}

/** Confirmed bid deposit (Stripe webhook or finance's voucher): clearing (debit) → the bidder's DEPOSIT_HELD (credit). */
export function depositReceivedEntry(input: { clearingAccountId: string; depositAccountId: string; amount: Fen }): Line[] {
  return twoLines(input.clearingAccountId, input.depositAccountId, input.amount);
}

/** Refund (Stripe refund or offline instruction): the bidder's DEPOSIT_HELD (debit) → clearing (credit). */
export function refundEntry(input: { depositAccountId: string; clearingAccountId: string; amount: Fen }): Line[] {
  return twoLines(input.depositAccountId, input.clearingAccountId, input.amount);
}

/** 违约金: the reneging bidder's DEPOSIT_HELD (debit) → BANK_INCOME (credit). */
export function forfeitureEntry(input: { depositAccountId: string; incomeAccountId: string; amount: Fen }): Line[] {
  return twoLines(input.depositAccountId, input.incomeAccountId, input.amount);
}

/**
 * The credit on signing, when the bid deposit and the performance deposit are held in two
 * DEPOSIT_HELD accounts: bid deposit account (debit) → performance deposit account (credit). With a
 * single deposit account per party no entry is needed; the credit is only a figure.
 */
export function depositTransferEntry(input: { fromAccountId: string; toAccountId: string; amount: Fen }): Line[] {
  return twoLines(input.fromAccountId, input.toAccountId, input.amount);
}
