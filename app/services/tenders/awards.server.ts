import { nextBidderAfterRenege } from "~/domain/auction";
import { forfeitureEntry, isSigningLate, renegeOutcome, signingDeadline } from "~/domain/award";
import { UserError } from "~/domain/errors";
import { toYuanString, type Fen } from "~/domain/money";
import type { Settings } from "~/domain/settings";
import { audited, systemContext, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import type { templates, TemplateName } from "~/services/email/templates";
import { settingsAt } from "~/services/settings/settings.server";
import { createContractIn } from "~/services/custody/contracts.server";
import { requirePermission } from "~/services/packages/bundling.server";
import { usersOfBidder as recipientsOfBidder } from "./notifications.server";
import { bidderKeyOf } from "./tenders.server";

/**
 * R4 award and deadline (issue 6, item 6). The winner (or, after a renege, the next bidder) accepts
 * the award until its signing deadline. An award still PENDING after the deadline is RENEGED by the
 * sweeper (expireAwards): the bidder's one bid deposit is forfeited to bank income as 违约金 — once
 * per bidder and tender, however many lots they renege on — and the lot is offered to the next-highest
 * bidder at that bidder's own price (a new award round with a fresh deadline, lot OFFERED_TO_NEXT),
 * or returned for re-tender (setting onRenege "re-tender", or nobody left: lot RETURNED).
 * Bidders who reneged on any lot of the tender are never offered another one (their deposit is gone).
 * Each award is decided in its own transaction with its audit entries and ledger entry.
 */

export type AwardActor = Omit<AuthUser, "sessionId">;

/** The DEPOSIT_HELD account of a bidder key. */
export function depositAccountOf(tx: Tx, bidderKey: string) {
  if (bidderKey.startsWith("user:")) return ensureAccount(tx, { type: "DEPOSIT_HELD", ownerUserId: bidderKey.slice(5) });
  if (bidderKey.startsWith("org:")) return ensureAccount(tx, { type: "DEPOSIT_HELD", ownerOrganizationId: bidderKey.slice(4) });
  throw new Error(`not a bidder key: ${bidderKey}`);
}

/** In-app notifications (the bell) for every user of a bidder, in the caller's transaction. */
export async function notifyBidder(tx: Tx, bidderKey: string, messageKey: string, params: Record<string, string>, link: string | null): Promise<void> {
  const userIds = (await recipientsOfBidder(tx, bidderKey)).map((u) => u.id);
  if (userIds.length === 0) return;
  await tx.notification.createMany({ data: userIds.map((userId) => ({ userId, messageKey, params: JSON.stringify(params), link })) });
}

const tenderLink = (tenderId: string) => `/tenders/${tenderId}`;

type EmailParams<T extends TemplateName> = Parameters<(typeof templates)[T]>[1];

/**
 * Emails every user who acts for a bidder (their address, in their language) into the outbox, in the
 * caller's transaction. Returns the outbox ids, to hand to sendQueuedEmails after the commit.
 */
export async function emailBidder<T extends TemplateName>(tx: Tx, bidderKey: string, template: T, params: EmailParams<T>): Promise<string[]> {
  const ids: string[] = [];
  for (const user of await recipientsOfBidder(tx, bidderKey)) {
    ids.push((await queueEmailIn(tx, user, template, params)).id);
  }
  return ids;
}

// ---- accept -------------------------------------------------------------------------------------

export interface AcceptedAward {
  awardId: string;
  lotId: string;
  tenderId: string;
  price: Fen;
  bidderKey: string;
  /** Every lot of the tender is decided now: the refunds may run (enqueueTenderRefunds). */
  tenderDecided: boolean;
  /** The custody contract generated for the winner to sign. */
  contractId: string;
}

/**
 * The bidder accepts their PENDING award until its deadline (the deadline instant itself is in time):
 * award ACCEPTED, lot ACCEPTED with its winning price and winner. tenders:bid; only the award's bidder.
 */
export async function acceptAward(ctx: AuditContext, user: AwardActor, awardId: string, now = new Date()): Promise<AcceptedAward> {
  requirePermission(user, "tenders:bid");
  const bidderKey = bidderKeyOf(user, user.organizationKind);
  const outboxIds: string[] = [];
  const accepted = await audited(ctx, async (tx, audit) => {
    const award = await tx.lotAward.findUnique({ where: { id: awardId }, include: { lot: true } });
    if (!award) throw new UserError("auction.award.notFound", { status: 404 });
    if (award.bidderKey !== bidderKey) throw new UserError("auction.award.notYours", { status: 403 });
    if (award.status !== "PENDING") throw new UserError("auction.award.alreadyDecided", { status: 409, params: { status: award.status } });
    if (isSigningLate(award.deadline, now)) throw new UserError("auction.award.deadlinePassed", { status: 409, params: { deadline: award.deadline.toISOString() } });
    const decided = await tx.lotAward.updateMany({ where: { id: award.id, status: "PENDING" }, data: { status: "ACCEPTED", decidedAt: now, acceptedById: user.id } });
    const lot = await tx.tenderLot.updateMany({
      where: { id: award.lotId, status: { in: ["AWAITING_SIGNATURE", "OFFERED_TO_NEXT"] } },
      data: { status: "ACCEPTED", winningPrice: award.price, winnerKey: award.bidderKey, version: { increment: 1 } },
    });
    if (decided.count !== 1 || lot.count !== 1) throw new UserError("auction.award.concurrentChange", { status: 409 });
    await audit({
      action: "award.accept", entityType: "LotAward", entityId: award.id,
      before: { status: award.status, lotStatus: award.lot.status },
      after: { status: "ACCEPTED", lotId: award.lotId, round: award.round, bidderKey: award.bidderKey, price: toYuanString(award.price), deadline: award.deadline.toISOString() },
    });
    // R5: the custody contract is generated with the terms in force, for the winner to sign.
    const contract = await createContractIn(tx, audit, ctx, award, now, outboxIds);
    return {
      awardId: award.id, lotId: award.lotId, tenderId: award.lot.tenderId, price: award.price, bidderKey: award.bidderKey,
      tenderDecided: await tenderDecided(tx, award.lot.tenderId), contractId: contract.id,
    };
  });
  await sendQueuedEmails(outboxIds);
  return accepted;
}

/** Lot statuses that decide a lot for refunds (R4): accepted, unsold, returned (or withdrawn). */
export const decidedLotStatuses = ["ACCEPTED", "UNSOLD", "RETURNED", "WITHDRAWN"] as const;

export async function tenderDecided(tx: Tx, tenderId: string): Promise<boolean> {
  const lots = await tx.tenderLot.findMany({ where: { tenderId }, select: { status: true } });
  return lots.length > 0 && lots.every((l) => (decidedLotStatuses as readonly string[]).includes(l.status));
}

// ---- forfeiture ---------------------------------------------------------------------------------

/**
 * Forfeits a bidder's bid deposit in a tender (违约金): the CONFIRMED deposit of the registration goes
 * DEPOSIT_HELD → BANK_INCOME and becomes FORFEITED. Once per bidder and tender: when a deposit of the
 * registration is already FORFEITED nothing more is taken. Returns the amount forfeited (0n: nothing).
 */
export async function forfeitDepositIn(
  tx: Tx,
  audit: (event: { action: string; entityType: string; entityId: string; before?: unknown; after?: unknown }) => Promise<void>,
  ctx: AuditContext,
  input: { registrationId: string; reason: string; lotId: string | null },
  now: Date,
): Promise<Fen> {
  const registration = await tx.tenderRegistration.findUniqueOrThrow({ where: { id: input.registrationId }, include: { deposits: true } });
  const alreadyForfeited = registration.deposits.some((d) => d.status === "FORFEITED");
  const deposit = registration.deposits.find((d) => d.status === "CONFIRMED");
  if (!deposit || alreadyForfeited) return 0n;
  const depositAccount = await depositAccountOf(tx, registration.bidderKey);
  const income = await ensureAccount(tx, { type: "BANK_INCOME" });
  const entry = await postEntryIn(tx, ctx, {
    description: `违约金 bid deposit forfeited (${input.reason})`,
    sourceType: "bid-deposit",
    sourceId: deposit.id,
    lines: forfeitureEntry({ depositAccountId: depositAccount.id, incomeAccountId: income.id, amount: deposit.amount }),
  });
  const updated = await tx.bidDeposit.updateMany({
    where: { id: deposit.id, status: "CONFIRMED" },
    data: { status: "FORFEITED", forfeitedAt: now, forfeitEntryId: entry.id, version: { increment: 1 } },
  });
  if (updated.count !== 1) throw new UserError("auction.award.concurrentChange", { status: 409 });
  await audit({
    action: "deposit.forfeit", entityType: "BidDeposit", entityId: deposit.id,
    before: { status: "CONFIRMED" },
    after: { status: "FORFEITED", amount: toYuanString(deposit.amount), bidderKey: registration.bidderKey, tenderId: registration.tenderId, lotId: input.lotId, reason: input.reason, entryId: entry.id },
  });
  await notifyBidder(tx, registration.bidderKey, "auction.award.forfeitedNotice", { amount: toYuanString(deposit.amount) }, tenderLink(registration.tenderId));
  return deposit.amount;
}

// ---- expiry and renege --------------------------------------------------------------------------

export interface ExpiryResult {
  reneged: string[];
  /** Total forfeited, fen. */
  forfeited: Fen;
  offered: { lotId: string; awardId: string; bidderKey: string; price: Fen }[];
  returned: string[];
  /** Tenders whose every lot became decided in this run: their refunds may run. */
  decidedTenderIds: string[];
}

/** Every PENDING award whose deadline passed before `now`: reneged, one transaction each. Idempotent. */
export async function expireAwards(now = new Date(), ctx: AuditContext = systemContext("tenders.expireAwards")): Promise<ExpiryResult> {
  const due = await prisma.lotAward.findMany({ where: { status: "PENDING", deadline: { lt: now } }, orderBy: [{ deadline: "asc" }, { id: "asc" }], select: { id: true } });
  const result: ExpiryResult = { reneged: [], forfeited: 0n, offered: [], returned: [], decidedTenderIds: [] };
  if (due.length === 0) return result;
  const settings = (await settingsAt(now)).values;
  for (const { id } of due) {
    const one = await renegeAward(ctx, id, settings, now);
    if (!one) continue;
    await sendQueuedEmails(one.outboxIds);
    result.reneged.push(id);
    result.forfeited += one.forfeited;
    if (one.offered) result.offered.push(one.offered);
    if (one.returned) result.returned.push(one.returned);
    if (one.tenderDecided && !result.decidedTenderIds.includes(one.tenderId)) result.decidedTenderIds.push(one.tenderId);
  }
  return result;
}

async function renegeAward(ctx: AuditContext, awardId: string, settings: Pick<Settings, "onRenege" | "signingDays">, now: Date) {
  return audited(ctx, async (tx, audit) => {
    const award = await tx.lotAward.findUniqueOrThrow({ where: { id: awardId }, include: { lot: { include: { awards: true, tender: { select: { number: true, title: true } } } } } });
    if (award.status !== "PENDING" || !isSigningLate(award.deadline, now)) return null; // decided meanwhile
    const flipped = await tx.lotAward.updateMany({ where: { id: award.id, status: "PENDING" }, data: { status: "RENEGED", decidedAt: now } });
    if (flipped.count !== 1) return null;
    const lot = award.lot;
    await audit({
      action: "award.renege", entityType: "LotAward", entityId: award.id,
      before: { status: "PENDING" },
      after: { status: "RENEGED", lotId: lot.id, round: award.round, bidderKey: award.bidderKey, price: toYuanString(award.price), deadline: award.deadline.toISOString() },
    });
    await notifyBidder(tx, award.bidderKey, "auction.award.lapsedNotice", { lot: String(lot.lotNumber), deadline: award.deadline.toISOString() }, tenderLink(lot.tenderId));
    const forfeited = await forfeitDepositIn(tx, audit, ctx, { registrationId: award.registrationId, reason: `award ${award.id} not accepted by ${award.deadline.toISOString()}`, lotId: lot.id }, now);
    const tenderNumber = lot.tender.number ?? lot.tender.title;
    const outboxIds = await emailBidder(tx, award.bidderKey, "awardLapsed", { number: tenderNumber, lotNumber: lot.lotNumber, deadline: award.deadline, forfeit: forfeited });

    // Nobody who reneged on any lot of this tender is offered another (their deposit is forfeited).
    const renegedInTender = await tx.lotAward.findMany({ where: { status: "RENEGED", lot: { tenderId: lot.tenderId } }, select: { bidderKey: true } });
    const bids = await tx.bid.findMany({ where: { lotId: lot.id }, select: { bidderKey: true, amount: true, placedAt: true, registrationId: true } });
    const next = nextBidderAfterRenege(
      bids.map((b) => ({ bidderId: b.bidderKey, amount: b.amount, placedAt: b.placedAt, registrationId: b.registrationId })),
      renegedInTender.map((a) => a.bidderKey),
    );
    const outcome = renegeOutcome(settings, next ? { bidderId: next.bidderId, amount: next.amount } : null, { amount: forfeited });
    let offered: ExpiryResult["offered"][number] | null = null;
    let returned: string | null = null;
    if (!outcome.retender && next) {
      const round = Math.max(...lot.awards.map((a) => a.round)) + 1;
      const deadline = signingDeadline(now, settings);
      const created = await tx.lotAward.create({
        data: { lotId: lot.id, round, bidderKey: outcome.offerTo.bidderId, registrationId: next.bid.registrationId, price: outcome.offerTo.amount, offeredAt: now, deadline },
      });
      await tx.tenderLot.update({ where: { id: lot.id }, data: { status: "OFFERED_TO_NEXT", version: { increment: 1 } } });
      await audit({
        action: "award.offerNext", entityType: "LotAward", entityId: created.id,
        before: { lotStatus: lot.status },
        after: { lotStatus: "OFFERED_TO_NEXT", lotId: lot.id, round, bidderKey: created.bidderKey, price: toYuanString(created.price), deadline: deadline.toISOString(), after: award.id },
      });
      await notifyBidder(tx, created.bidderKey, "auction.award.offeredNotice", { lot: String(lot.lotNumber), price: toYuanString(created.price), deadline: deadline.toISOString() }, tenderLink(lot.tenderId));
      outboxIds.push(
        ...(await emailBidder(tx, created.bidderKey, "awardOffered", { number: tenderNumber, lotNumber: lot.lotNumber, price: created.price, deadline, link: tenderLink(lot.tenderId) })),
      );
      offered = { lotId: lot.id, awardId: created.id, bidderKey: created.bidderKey, price: created.price };
    } else {
      await tx.tenderLot.update({ where: { id: lot.id }, data: { status: "RETURNED", version: { increment: 1 } } });
      await audit({
        action: "lot.return", entityType: "TenderLot", entityId: lot.id,
        before: { status: lot.status },
        after: { status: "RETURNED", because: outcome.retender ? outcome.because : "no_next_bidder", after: award.id },
      });
      returned = lot.id;
    }
    return { forfeited, offered, returned, tenderId: lot.tenderId, tenderDecided: await tenderDecided(tx, lot.tenderId), outboxIds };
  });
}
