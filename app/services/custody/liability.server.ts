import { asFormRefusal, formText, parseOrRefuse } from "~/infra/forms";
import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { lapseDuringCustody, liabilityFor, type Liability } from "~/domain/liability";
import type { Line } from "~/domain/ledger";
import { formatYuan, toYuanString } from "~/domain/money";
import { audited, systemContext, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import type { MessageKey, Params } from "~/infra/i18n";
import { ensureAccount, postEntryIn } from "~/infra/ledger.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import type { TemplateName, templates } from "~/services/email/templates";
import { tellCustodian as tellCustodianOf } from "./custodian-notice.server";
import { notify } from "~/services/tenders/notifications.server";
import { custodianKeyOf, departmentUsers, isDepartment, type CustodyViewer } from "./access.server";
import { claimAccountOf, performanceDepositAccount, performanceDepositHeld } from "./accounts.server";
import { assetLossSchema, decideLiabilitySchema, type AssetLossInput, type DecideLiabilityInput } from "./liability-schemas";

/**
 * R8 liability events (issue 7 item 5, README step 15). The product detects a limitation that
 * lapsed during custody (detectLapses, a daily job); the department records the loss of a
 * foreclosed asset (recordAssetLoss); the department confirms or dismisses each event once
 * (decideLiability). On confirmation one balanced journal entry books what liabilityFor says: a
 * staff contractor forfeits the whole performance deposit and owes the loan's priced value as a
 * claim; an agency owes principal plus interest, from its deposit first and the rest a claim owed
 * by the agency jointly with its legal representative (R7). Every change is audit-logged with its
 * notices (bell, and email to the custodian) in the same transaction.
 */

export type LiabilityActor = Pick<AuthUser, "id" | "email" | "roles" | "organizationId" | "organizationKind">;

const reviewLink = "/custody/review";
const custodianLink = "/custody/liability";

/** Bell + email to the custodian's users, the bell linking to the liability page. */
function tellCustodian<T extends TemplateName>(
  tx: Tx,
  contract: { custodianKey: string },
  notice: { key: MessageKey; params: Params },
  email: { template: T; params: Parameters<(typeof templates)[T]>[1] },
): Promise<string[]> {
  return tellCustodianOf(tx, contract, { ...notice, link: custodianLink }, email);
}

async function tellDepartment(tx: Tx, key: MessageKey, params: Params, except?: string) {
  const users = (await departmentUsers(tx)).filter((u) => u.id !== except);
  await notify(tx, users.map((u) => u.id), key, params, reviewLink);
}

/** The custody window of one loan of a contract as China days: from the start day to the last day (null: still running). */
export function custodyDays(
  contract: { custodyStartsAt: Date | null; custodyEndsAt: Date | null },
  loan: { returnedAt?: Date | null } = {},
): { startDay: string; endDay: string | null } | null {
  if (!contract.custodyStartsAt) return null;
  const ends = [contract.custodyEndsAt, loan.returnedAt ?? null].filter((d): d is Date => d !== null).map((d) => d.getTime());
  // The end is exclusive: the last day is the China day of the instant just before it (the day before when it ends at midnight).
  const endDay = ends.length ? todayInChina(new Date(Math.min(...ends) - 1)) : null;
  return { startDay: todayInChina(contract.custodyStartsAt), endDay };
}

// ---- detection ------------------------------------------------------------------------------------

export interface DetectionResult {
  /** The events created in this run (ids). */
  created: string[];
  /** Candidates already recorded (a run before this one). */
  existing: number;
}

/**
 * Every loan of an ACTIVE or ENDED contract (in custody, or returned at the end) whose limitation
 * lapsed during its custody and is not yet recorded: a LIMITATION_LAPSE event, DETECTED, occurredOn =
 * the expiry. A lapse that predates custody is never the custodian's. Idempotent (the unique index
 * on contract, loan, kind and day): a second run creates nothing. One transaction per event.
 */
export async function detectLapses(now: Date = new Date(), ctx: AuditContext = systemContext("custody.detectLapses")): Promise<DetectionResult> {
  const today = todayInChina(now);
  const held = await prisma.custodyLoan.findMany({
    where: { status: { in: ["IN_CUSTODY", "RETURNED"] }, contract: { status: { in: ["ACTIVE", "ENDED"] }, custodyStartsAt: { not: null, lte: now } } },
    include: { contract: true },
    orderBy: { id: "asc" },
  });
  const result: DetectionResult = { created: [], existing: 0 };
  if (held.length === 0) return result;
  const loans = await prisma.loan.findMany({ where: { id: { in: [...new Set(held.map((h) => h.loanId))] } }, select: { id: true, limitationExpiresOn: true } });
  const expiryOf = new Map(loans.map((l) => [l.id, l.limitationExpiresOn]));
  for (const cl of held) {
    const expiry = expiryOf.get(cl.loanId);
    const days = custodyDays(cl.contract, cl);
    if (!expiry || !days || !lapseDuringCustody(expiry, days, today)) continue;
    const known = await prisma.liabilityEvent.findUnique({
      where: { contractId_loanId_kind_occurredOn: { contractId: cl.contractId, loanId: cl.loanId, kind: "LIMITATION_LAPSE", occurredOn: expiry } },
      select: { id: true },
    });
    if (known) {
      result.existing += 1;
      continue;
    }
    try {
      const created = await audited(ctx, async (tx, audit) => {
        const event = await tx.liabilityEvent.create({
          data: { contractId: cl.contractId, loanId: cl.loanId, kind: "LIMITATION_LAPSE", occurredOn: expiry, detectedAt: now },
        });
        await audit({
          action: "liability.detect", entityType: "LiabilityEvent", entityId: event.id,
          after: { contractId: cl.contractId, contract: cl.contract.number, loanId: cl.loanId, loanNumber: cl.loanNumber, kind: "LIMITATION_LAPSE", occurredOn: expiry, custody: days, custodianKey: cl.contract.custodianKey },
        });
        const params = { loan: cl.loanNumber, contract: cl.contract.number, expiry };
        await tellDepartment(tx, "custody.liability.notice.detectedDepartment", params);
        const outboxIds = await tellCustodian(tx, cl.contract, { key: "custody.liability.notice.detectedCustodian", params }, {
          template: "custodyLapseDetected", params: { ...params, link: custodianLink },
        });
        return { id: event.id, outboxIds };
      });
      await sendQueuedEmails(created.outboxIds);
      result.created.push(created.id);
    } catch (error) {
      // Another run recorded it meanwhile: the unique index refused the duplicate.
      if (isUniqueViolation(error)) {
        result.existing += 1;
        continue;
      }
      throw error;
    }
  }
  return result;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "P2002";
}

// ---- asset loss -----------------------------------------------------------------------------------


function requireDepartment(user: LiabilityActor) {
  if (!isDepartment(user)) throw new UserError("custody.liability.notDepartment", { status: 403 });
}

/**
 * The department records the loss of a foreclosed asset (抵债资产) of a loan of a contract, on a day
 * within its custody term and not in the future: an ASSET_LOSS event, DETECTED, for confirmation.
 */
export async function recordAssetLoss(ctx: AuditContext, user: LiabilityActor, input: { contractId: string; loanId: string; occurredOn: string; note: string }, now: Date = new Date()) {
  requireDepartment(user);
  const parsed: AssetLossInput = parseOrRefuse(assetLossSchema, { contract_id: input.contractId, loan_id: input.loanId, occurred_on: input.occurredOn, note: input.note });
  const today = todayInChina(now);
  const result = await audited(ctx, async (tx, audit) => {
    const contract = await tx.custodyContract.findUnique({ where: { id: parsed.contract_id } });
    if (!contract || !["ACTIVE", "ENDED"].includes(contract.status) || !contract.custodyStartsAt) {
      throw new UserError("custody.liability.contractNotFound", { status: 404, field: "contract_id" });
    }
    const cl = await tx.custodyLoan.findUnique({ where: { contractId_loanId: { contractId: contract.id, loanId: parsed.loan_id } } });
    if (!cl || cl.status === "PENDING") throw new UserError("custody.liability.loanNotInContract", { status: 404, field: "loan_id" });
    const day = parsed.occurred_on;
    if (day > today) throw new UserError("custody.liability.inFuture", { status: 422, field: "occurred_on", params: { day } });
    const days = custodyDays(contract, cl)!;
    if (day < days.startDay || (days.endDay !== null && day > days.endDay)) {
      throw new UserError("custody.liability.outsideTerm", { status: 422, field: "occurred_on", params: { day, from: days.startDay, to: days.endDay ?? today } });
    }
    const duplicate = await tx.liabilityEvent.findUnique({
      where: { contractId_loanId_kind_occurredOn: { contractId: contract.id, loanId: cl.loanId, kind: "ASSET_LOSS", occurredOn: day } },
    });
    if (duplicate) throw new UserError("custody.liability.duplicate", { status: 409, params: { day } });
    const event = await tx.liabilityEvent.create({
      data: { contractId: contract.id, loanId: cl.loanId, kind: "ASSET_LOSS", occurredOn: day, detectedAt: now, recordedById: user.id, note: parsed.note },
    });
    await audit({
      action: "liability.record", entityType: "LiabilityEvent", entityId: event.id,
      after: { contractId: contract.id, contract: contract.number, loanId: cl.loanId, loanNumber: cl.loanNumber, kind: "ASSET_LOSS", occurredOn: day, note: parsed.note, custodianKey: contract.custodianKey },
    });
    const params = { loan: cl.loanNumber, contract: contract.number, day };
    await tellDepartment(tx, "custody.liability.notice.assetLoss", params, user.id);
    const outboxIds = await tellCustodian(tx, contract, { key: "custody.liability.notice.assetLoss", params }, {
      template: "custodyAssetLossRecorded", params: { ...params, link: custodianLink },
    });
    return { event, outboxIds };
  });
  await sendQueuedEmails(result.outboxIds);
  return result.event;
}

// ---- decision -------------------------------------------------------------------------------------

/** The journal lines of a confirmed liability (zero lines left out); empty when nothing is owed at all. */
export function liabilityLines(kind: "internal" | "agency", l: Liability, accounts: { deposit: string; claim: string; income: string }): Line[] {
  const lines: Line[] = [];
  const add = (accountId: string, side: Line["side"], amount: bigint) => {
    if (amount > 0n) lines.push({ accountId, side, amount });
  };
  if (kind === "internal") {
    // The whole deposit forfeited to income; the priced value owed as a claim.
    add(accounts.deposit, "DEBIT", l.forfeit);
    add(accounts.income, "CREDIT", l.forfeit);
    add(accounts.claim, "DEBIT", l.claim);
    add(accounts.income, "CREDIT", l.compensation);
  } else {
    // Principal plus interest: from the deposit first, the rest a claim.
    add(accounts.deposit, "DEBIT", l.fromDeposit);
    add(accounts.claim, "DEBIT", l.claim);
    add(accounts.income, "CREDIT", l.compensation);
  }
  return lines;
}

export interface LiabilityDecision {
  eventId: string;
  status: "CONFIRMED" | "DISMISSED";
  liability: Liability | null;
  entryId: string | null;
}

/** What the contract's custodian would owe for this loan if the event were confirmed now. */
async function liabilityNow(tx: Tx, contract: { id: string; custodianKey: string; custodianKind: string }, cl: { pricedValue: bigint; principal: bigint; interest: bigint }) {
  const depositHeld = await performanceDepositHeld(tx, contract);
  return {
    depositHeld,
    liability: liabilityFor({
      kind: contract.custodianKind === "AGENCY" ? "agency" : "internal",
      depositHeld,
      loan: { pricedValue: cl.pricedValue, principal: cl.principal, interest: cl.interest },
    }),
  };
}

/**
 * The department decides a DETECTED event once. Confirm: the liability as computed now (deposit held
 * now), one balanced journal entry (source "liability-event"), the amounts stored on the event.
 * Dismiss (a reason required): nothing booked. Audit-logged; the custodian and the department told.
 */
export async function decideLiability(ctx: AuditContext, user: LiabilityActor, eventId: string, input: { decision: "confirm" | "dismiss"; note?: string }, now: Date = new Date()): Promise<LiabilityDecision> {
  requireDepartment(user);
  const parsed: DecideLiabilityInput = parseOrRefuse(decideLiabilitySchema, input);
  const result = await audited(ctx, async (tx, audit) => {
    const event = await tx.liabilityEvent.findUnique({ where: { id: eventId }, include: { contract: true } });
    if (!event) throw new UserError("custody.liability.notFound", { status: 404 });
    if (event.status !== "DETECTED") throw new UserError("custody.liability.alreadyDecided", { status: 409, params: { status: event.status } });
    const contract = event.contract;
    const cl = await tx.custodyLoan.findUniqueOrThrow({ where: { contractId_loanId: { contractId: contract.id, loanId: event.loanId } } });
    const base = { loan: cl.loanNumber, contract: contract.number };
    if (parsed.decision === "dismiss") {
      const flipped = await tx.liabilityEvent.updateMany({
        where: { id: event.id, status: "DETECTED" },
        data: { status: "DISMISSED", decidedById: user.id, decidedAt: now, decisionNote: parsed.note },
      });
      if (flipped.count !== 1) throw new UserError("custody.liability.concurrentChange", { status: 409 });
      await audit({ action: "liability.dismiss", entityType: "LiabilityEvent", entityId: event.id, before: { status: "DETECTED" }, after: { status: "DISMISSED", note: parsed.note } });
      await tellDepartment(tx, "custody.liability.notice.dismissed", { ...base, note: parsed.note }, user.id);
      const outboxIds = await tellCustodian(tx, contract, { key: "custody.liability.notice.dismissed", params: { ...base, note: parsed.note } }, {
        template: "custodyLiabilityDismissed", params: { ...base, note: parsed.note, link: custodianLink },
      });
      return { decision: { eventId: event.id, status: "DISMISSED", liability: null, entryId: null } satisfies LiabilityDecision, outboxIds };
    }

    const { depositHeld, liability } = await liabilityNow(tx, contract, cl);
    const agency = contract.custodianKind === "AGENCY" ? await tx.organization.findUnique({ where: { id: contract.custodianOrgId } }) : null;
    const representative = agency?.legalRepresentative ?? null;
    const deposit = await performanceDepositAccount(tx, contract);
    const claim = await claimAccountOf(tx, contract.custodianKey);
    const income = await ensureAccount(tx, { type: "BANK_INCOME" });
    const lines = liabilityLines(contract.custodianKind === "AGENCY" ? "agency" : "internal", liability, { deposit: deposit.id, claim: claim.id, income: income.id });
    const kindText = event.kind === "LIMITATION_LAPSE" ? `limitation lapsed ${event.occurredOn}` : `foreclosed asset lost ${event.occurredOn}`;
    const description = agency
      ? `R8 liability (${kindText}), loan ${cl.loanNumber}, contract ${contract.number}: agency ${agency.name} owes principal + interest ${toYuanString(liability.compensation)}, ` +
        `${toYuanString(liability.fromDeposit)} from the performance deposit, claim ${toYuanString(liability.claim)} owed jointly by its legal representative ${representative ?? "(not on record)"} (R7)`
      : `R8 liability (${kindText}), loan ${cl.loanNumber}, contract ${contract.number}: performance deposit ${toYuanString(liability.forfeit)} forfeited, priced value ${toYuanString(liability.compensation)} owed as a claim`;
    const entry = lines.length >= 2 ? await postEntryIn(tx, ctx, { description, sourceType: "liability-event", sourceId: event.id, lines }) : null;
    const flipped = await tx.liabilityEvent.updateMany({
      where: { id: event.id, status: "DETECTED" },
      data: {
        status: "CONFIRMED", decidedById: user.id, decidedAt: now, decisionNote: parsed.note || null,
        forfeit: liability.forfeit, compensation: liability.compensation, fromDeposit: liability.fromDeposit, claim: liability.claim, entryId: entry?.id ?? null,
      },
    });
    if (flipped.count !== 1) throw new UserError("custody.liability.concurrentChange", { status: 409 });
    await audit({
      action: "liability.confirm", entityType: "LiabilityEvent", entityId: event.id,
      before: { status: "DETECTED" },
      after: {
        status: "CONFIRMED", kind: event.kind, occurredOn: event.occurredOn, custodianKey: contract.custodianKey, custodianKind: contract.custodianKind,
        depositHeld: toYuanString(depositHeld), forfeit: toYuanString(liability.forfeit), compensation: toYuanString(liability.compensation),
        fromDeposit: toYuanString(liability.fromDeposit), claim: toYuanString(liability.claim), entryId: entry?.id ?? null,
        ...(agency ? { jointlyLiable: representative } : {}), note: parsed.note || null,
      },
    });
    const amounts = {
      forfeit: formatYuan(liability.forfeit), compensation: formatYuan(liability.compensation), fromDeposit: formatYuan(liability.fromDeposit), claim: formatYuan(liability.claim),
    };
    await tellDepartment(tx, "custody.liability.notice.confirmedDepartment", { ...base, ...amounts }, user.id);
    const outboxIds = await tellCustodian(
      tx, contract,
      agency
        ? { key: "custody.liability.notice.confirmedAgency", params: { ...base, ...amounts, agency: agency.name, representative: representative ?? "—" } }
        : { key: "custody.liability.notice.confirmedCustodian", params: { ...base, ...amounts } },
      {
        template: "custodyLiabilityConfirmed",
        params: { ...base, ...liability, agency: agency?.name ?? null, representative, link: custodianLink },
      },
    );
    return { decision: { eventId: event.id, status: "CONFIRMED", liability, entryId: entry?.id ?? null } satisfies LiabilityDecision, outboxIds };
  });
  await sendQueuedEmails(result.outboxIds);
  return result.decision;
}

// ---- reading --------------------------------------------------------------------------------------

export interface LiabilityEventView {
  id: string;
  contractId: string;
  contractNumber: string;
  custodianKey: string;
  custodianKind: string;
  custodianName: string;
  loanId: string;
  loanNumber: string;
  kind: string;
  occurredOn: string;
  detectedAt: Date;
  note: string | null;
  status: string;
  decidedAt: Date | null;
  decisionNote: string | null;
  forfeit: bigint | null;
  compensation: bigint | null;
  fromDeposit: bigint | null;
  claim: bigint | null;
  entryId: string | null;
}

/**
 * The liability events a user may see: the custodian its own contracts' (a staff contractor, or
 * every user of the agency), the bank's departments (custody:view without custody:work) all.
 * Another agency sees none of them.
 */
export async function listLiabilityEvents(user: CustodyViewer, filter: { status?: string } = {}, db: Tx = prisma): Promise<LiabilityEventView[]> {
  if (!can(user.roles, "custody:view") && !can(user.roles, "custody:manage")) throw new UserError("custody.forbidden", { status: 403 });
  const own = can(user.roles, "custody:work");
  const events = await db.liabilityEvent.findMany({
    where: { ...(own ? { contract: { custodianKey: custodianKeyOf(user) } } : {}), ...(filter.status ? { status: filter.status } : {}) },
    include: { contract: true },
    orderBy: [{ detectedAt: "desc" }, { id: "asc" }],
    take: 500,
  });
  return viewsOf(db, events);
}

/** One event the user may see (as listLiabilityEvents), or 404 — the same answer as for one that does not exist. */
export async function liabilityEventFor(user: CustodyViewer, eventId: string): Promise<LiabilityEventView> {
  if (!can(user.roles, "custody:view") && !can(user.roles, "custody:manage")) throw new UserError("custody.forbidden", { status: 403 });
  const event = await prisma.liabilityEvent.findUnique({ where: { id: eventId }, include: { contract: true } });
  const own = can(user.roles, "custody:work");
  if (!event || (own && event.contract.custodianKey !== custodianKeyOf(user))) throw new UserError("custody.liability.notFound", { status: 404 });
  return (await viewsOf(prisma, [event]))[0]!;
}

type EventRow = Awaited<ReturnType<typeof prisma.liabilityEvent.findMany<{ include: { contract: true } }>>>[number];

async function viewsOf(db: Tx, events: EventRow[]): Promise<LiabilityEventView[]> {
  if (events.length === 0) return [];
  const names = await custodianNames(db, events.map((e) => e.contract));
  const cls = await db.custodyLoan.findMany({ where: { OR: events.map((e) => ({ contractId: e.contractId, loanId: e.loanId })) }, select: { contractId: true, loanId: true, loanNumber: true } });
  const loanNumber = new Map(cls.map((c) => [`${c.contractId}:${c.loanId}`, c.loanNumber]));
  return events.map((e) => ({
    id: e.id, contractId: e.contractId, contractNumber: e.contract.number, custodianKey: e.contract.custodianKey, custodianKind: e.contract.custodianKind,
    custodianName: names.get(e.contract.custodianKey) ?? e.contract.custodianKey, loanId: e.loanId, loanNumber: loanNumber.get(`${e.contractId}:${e.loanId}`) ?? e.loanId,
    kind: e.kind, occurredOn: e.occurredOn, detectedAt: e.detectedAt, note: e.note, status: e.status, decidedAt: e.decidedAt, decisionNote: e.decisionNote,
    forfeit: e.forfeit, compensation: e.compensation, fromDeposit: e.fromDeposit, claim: e.claim, entryId: e.entryId,
  }));
}

/** Display names of custodians by key: the staff member's name, or the agency's. */
async function custodianNames(db: Tx, contracts: { custodianKey: string; custodianUserId: string | null; custodianOrgId: string; custodianKind: string }[]) {
  const userIds = [...new Set(contracts.filter((c) => c.custodianUserId).map((c) => c.custodianUserId!))];
  const orgIds = [...new Set(contracts.filter((c) => c.custodianKind === "AGENCY").map((c) => c.custodianOrgId))];
  const [users, orgs] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } }),
    db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }),
  ]);
  const names = new Map<string, string>();
  for (const u of users) names.set(`user:${u.id}`, u.displayName);
  for (const o of orgs) names.set(`org:${o.id}`, o.name);
  return names;
}

/** The custodian's liability notices (the bell's messages of this area), newest first. */
export async function liabilityNoticesOf(user: Pick<AuthUser, "id">, take = 50) {
  return prisma.notification.findMany({
    where: { userId: user.id, messageKey: { startsWith: "custody.liability.notice." } },
    orderBy: { createdAt: "desc" },
    take,
  });
}

// ---- the review page's section ------------------------------------------------------------------------

export interface LiabilityQueueRow extends LiabilityEventView {
  /** What confirming now would cost, with the deposit held now. */
  depositHeld: bigint;
  preview: Liability;
}

export interface LiabilityQueue {
  rows: LiabilityQueueRow[];
  /** For the asset-loss form: loans in custody under ACTIVE contracts. */
  loans: { contractId: string; contractNumber: string; loanId: string; loanNumber: string; startDay: string; endDay: string | null }[];
  today: string;
}


/** The department's queue (custody:manage): DETECTED events with the cost of confirming each now, and the loans for the asset-loss form. Reads only. */
export async function liabilityQueue(user: LiabilityActor, now: Date = new Date()): Promise<LiabilityQueue> {
  requireDepartment(user);
  const events = await prisma.liabilityEvent.findMany({ where: { status: "DETECTED" }, include: { contract: true }, orderBy: [{ detectedAt: "asc" }, { id: "asc" }], take: 200 });
  const views = await viewsOf(prisma, events);
  const rows: LiabilityQueueRow[] = [];
  for (const view of views) {
    const event = events.find((e) => e.id === view.id)!;
    const cl = await prisma.custodyLoan.findUniqueOrThrow({ where: { contractId_loanId: { contractId: event.contractId, loanId: event.loanId } } });
    const depositHeld = await performanceDepositHeld(prisma, event.contract);
    const preview = liabilityFor({
      kind: event.contract.custodianKind === "AGENCY" ? "agency" : "internal", depositHeld,
      loan: { pricedValue: cl.pricedValue, principal: cl.principal, interest: cl.interest },
    });
    rows.push({ ...view, depositHeld, preview });
  }
  const held = await prisma.custodyLoan.findMany({
    where: { status: "IN_CUSTODY", contract: { status: "ACTIVE" } },
    include: { contract: { select: { id: true, number: true, custodyStartsAt: true, custodyEndsAt: true } } },
    orderBy: [{ contract: { number: "asc" } }, { loanNumber: "asc" }],
    take: 2000,
  });
  const loans = held.flatMap((h) => {
    const days = custodyDays(h.contract, h);
    return days ? [{ contractId: h.contractId, contractNumber: h.contract.number, loanId: h.loanId, loanNumber: h.loanNumber, ...days }] : [];
  });
  return { rows, loans, today: todayInChina(now) };
}

export const liabilityIntents = ["liability-confirm", "liability-dismiss", "liability-asset-loss"] as const;
export type LiabilityIntent = (typeof liabilityIntents)[number];
export const isLiabilityIntent = (value: unknown): value is LiabilityIntent => typeof value === "string" && (liabilityIntents as readonly string[]).includes(value);



/**
 * The review page's action for this section: intent liability-confirm | liability-dismiss (eventId,
 * note) or liability-asset-loss (loan = "<contractId>:<loanId>", occurredOn, note). Returns the toast
 * to show and the target (the event's id, or "asset-loss"); refusals are thrown as UserError (field
 * "note", "loan" or "occurredOn" where one is at fault) for the page's action to turn into its error
 * state. Not this section's intent: form.invalidChoice.
 */
export async function handleLiabilityIntent(ctx: AuditContext, user: LiabilityActor, formData: FormData, now: Date = new Date()) {
  const intent = formData.get("intent");
  if (!isLiabilityIntent(intent)) throw new UserError("form.invalidChoice");
  try {
    if (intent === "liability-asset-loss") {
      const [contractId = "", loanId = ""] = formText(formData, "loan").split(":");
      const event = await recordAssetLoss(ctx, user, { contractId, loanId, occurredOn: formText(formData, "occurredOn"), note: formText(formData, "note") }, now);
      return { target: "asset-loss", eventId: event.id, toast: { key: "custody.liability.toast.assetLoss" as const, params: {} as Params } };
    }
    const eventId = formText(formData, "eventId").trim();
    if (!eventId || eventId.length > 64) throw new UserError("custody.liability.notFound", { status: 404 });
    const decision = intent === "liability-confirm" ? "confirm" : "dismiss";
    await decideLiability(ctx, user, eventId, { decision, note: formText(formData, "note") }, now);
    return {
      target: eventId, eventId,
      toast: { key: decision === "confirm" ? ("custody.liability.toast.confirmed" as const) : ("custody.liability.toast.dismissed" as const), params: {} as Params },
    };
  } catch (error) {
    throw asFormRefusal(error, { contract_id: "loan", loan_id: "loan", occurred_on: "occurredOn" });
  }
}
