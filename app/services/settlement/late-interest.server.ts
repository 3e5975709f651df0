import { checkEntry, normalSide, type Account, type AccountType, type Line } from "~/domain/ledger";
import { toYuanString, type Fen } from "~/domain/money";
import { UserError } from "~/domain/errors";
import { cumulativeLateInterest, type RecoveryPosition, type SettingsFor } from "~/domain/remittance-position";
import { auditEntryValues, systemContext, type AuditContext, type AuditEvent, type Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { accountKey, ensureAccount } from "~/infra/ledger.server";
import { accountOwnerOf } from "~/services/custody/accounts.server";
import { lateInterestSettingsFor, recoveryPositions } from "./positions.server";

/**
 * R7 late-interest accrual (逾期交账利息). A contract's late interest is computed, never stored per
 * recovery: `cumulativeLateInterest` of its recoveries as of a day (domain/remittance-position.ts, each
 * charge rounded once half up). What the ledger already holds is the sum of the deltas of its
 * LateInterestAccrual rows; an accrual posts the difference as ONE balanced entry (source
 * `late-interest`, sourceId = the contract id) and appends a LateInterestAccrual row with the new
 * cumulative:
 *   delta > 0: DEBIT LATE_INTEREST_RECEIVABLE(contract) / CREDIT BANK_INCOME
 *   delta < 0: the opposite (a rounding split when a recovery is remitted in parts, or a recovery
 *              rejected after it had accrued interest)
 *   delta = 0: nothing is written — so a second run on the same day posts nothing (idempotent).
 *
 * Decisions:
 * - The stored cumulative is the sum of all deltas (equal to the last row's cumulative by construction,
 *   and robust to rows created within the same millisecond).
 * - An accrual never goes back in time: when the contract already has an accrual for a LATER day than
 *   `asOf` (a late retry of an old job), nothing is posted and the stored cumulative is returned.
 * - Contracts accrued by the daily job: ACTIVE or ENDED, not closed out (ContractCloseOut), with at least
 *   one recovery that is not rejected.
 *
 * Performance (the bench: 1,000 contracts × 100 recoveries): contracts are processed in chunks, each in
 * one transaction (BEGIN IMMEDIATE, so what is read is what is posted against); per chunk the
 * positions, the stored sums, the accounts and their balances are read in a handful of queries; per
 * contract with a change only the entry (with its lines), its audit entry and the accrual row are
 * written. The posting applies exactly postEntryIn's checks (domain checkEntry against the accounts'
 * current balances, read once per chunk and carried forward in memory) and writes postEntryIn's
 * `ledger.post` audit entry, so the ledger and the audit log read the same as for any other posting.
 */

export interface AccrualContract {
  id: string;
  custodianKey: string;
  /** the contract's frozen terms (JSON, domain/contract.ts ContractTerms) */
  terms: string;
}

export interface AccrualResult {
  cumulative: Fen;
  delta: Fen;
}

const receivableOwner = (c: { id: string; custodianKey: string }) => ({ type: "LATE_INTEREST_RECEIVABLE" as const, scope: `contract:${c.id}`, ...accountOwnerOf(c.custodianKey) });

/**
 * appendAudit for many events at once, in the caller's transaction (the bulk writers' path of
 * infra/audit.server.ts: auditEntryValues chains each entry on the previous one). The chain's head is
 * read once; the transaction holds the write lock (BEGIN IMMEDIATE), so nothing appends in between.
 */
async function appendAuditBatch(tx: Tx, context: AuditContext, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  let head: { id: number; hash: string } | undefined = (await tx.auditEntry.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } })) ?? undefined;
  const at = new Date();
  const rows = events.map((event) => {
    const v = auditEntryValues(head, context, event, at);
    head = { id: v[0], hash: v[15] };
    return {
      id: v[0], at, actorType: v[2], actorId: v[3], actorLabel: v[4], organizationId: v[5], action: v[6], entityType: v[7], entityId: v[8],
      before: v[9], after: v[10], requestId: v[11], ip: v[12], userAgent: v[13], prevHash: v[14], hash: v[15],
    };
  });
  for (let i = 0; i < rows.length; i += 100) await tx.auditEntry.createMany({ data: rows.slice(i, i + 100) });
}

/** What each contract's accruals hold so far: the sum of the deltas and the latest day accrued. */
async function storedAccruals(tx: Tx, contractIds: readonly string[]): Promise<Map<string, { sum: Fen; lastAsOf: string }>> {
  const rows = await tx.lateInterestAccrual.groupBy({
    by: ["contractId"],
    where: { contractId: { in: [...contractIds] } },
    _sum: { delta: true },
    _max: { asOf: true },
  });
  return new Map(rows.map((r) => [r.contractId, { sum: r._sum.delta ?? 0n, lastAsOf: r._max.asOf ?? "" }]));
}

/** The contract's late interest booked so far (the sum of its accruals' deltas), fen. */
export async function lateInterestBooked(db: Tx | typeof prisma, contractId: string): Promise<Fen> {
  const sum = await db.lateInterestAccrual.aggregate({ where: { contractId }, _sum: { delta: true } });
  return sum._sum.delta ?? 0n;
}

interface Change {
  contract: AccrualContract;
  cumulative: Fen;
  delta: Fen;
}

/** Opens (once) the LATE_INTEREST_RECEIVABLE accounts of these contracts; returns id by contract id. */
async function receivableAccounts(tx: Tx, contracts: readonly AccrualContract[]): Promise<Map<string, string>> {
  const keyOf = new Map(contracts.map((c) => [c.id, accountKey(receivableOwner(c))]));
  const keys = [...keyOf.values()];
  const existing = await tx.ledgerAccount.findMany({ where: { key: { in: keys } }, select: { id: true, key: true } });
  const known = new Set(existing.map((a) => a.key));
  const missing = contracts.filter((c) => !known.has(keyOf.get(c.id)!));
  if (missing.length > 0) {
    await tx.ledgerAccount.createMany({
      data: missing.map((c) => {
        const o = receivableOwner(c);
        return { key: keyOf.get(c.id)!, type: o.type, ownerOrganizationId: o.ownerOrganizationId ?? null, ownerUserId: o.ownerUserId ?? null };
      }),
    });
  }
  const all = missing.length > 0 ? await tx.ledgerAccount.findMany({ where: { key: { in: keys } }, select: { id: true, key: true } }) : existing;
  const idByKey = new Map(all.map((a) => [a.key, a.id]));
  return new Map(contracts.map((c) => [c.id, idByKey.get(keyOf.get(c.id)!)!]));
}

/** Balances of accounts in their normal direction, from their lines (one query). */
async function balancesOf(tx: Tx, accounts: ReadonlyMap<string, Account>): Promise<Map<string, Fen>> {
  const ids = [...accounts.keys()];
  const sums = await tx.journalLine.groupBy({ by: ["accountId", "side"], where: { accountId: { in: ids } }, _sum: { amount: true } });
  const balances = new Map<string, Fen>(ids.map((id) => [id, 0n]));
  for (const s of sums) {
    const account = accounts.get(s.accountId)!;
    const amount = s._sum.amount ?? 0n;
    balances.set(s.accountId, balances.get(s.accountId)! + (s.side === normalSide[account.type] ? amount : -amount));
  }
  return balances;
}

/**
 * Accrues a set of contracts as of `asOf` inside the caller's transaction: reads their positions and
 * stored accruals, posts one entry + one accrual row per contract whose cumulative changed.
 */
async function accrueChunkIn(
  tx: Tx,
  context: AuditContext,
  contracts: readonly AccrualContract[],
  asOf: string,
  settingsOf: (contract: AccrualContract) => SettingsFor,
  positionsOf?: Map<string, RecoveryPosition[]>,
): Promise<Map<string, AccrualResult>> {
  const ids = contracts.map((c) => c.id);
  const positions = positionsOf ?? (await recoveryPositions(tx, ids));
  const stored = await storedAccruals(tx, ids);
  const results = new Map<string, AccrualResult>();
  const changes: Change[] = [];
  for (const contract of contracts) {
    const before = stored.get(contract.id);
    const booked = before?.sum ?? 0n;
    if (before && before.lastAsOf > asOf) {
      // Never back in time: a later day is already accrued.
      results.set(contract.id, { cumulative: booked, delta: 0n });
      continue;
    }
    const cumulative = cumulativeLateInterest(positions.get(contract.id) ?? [], asOf, settingsOf(contract));
    const delta = cumulative - booked;
    results.set(contract.id, { cumulative, delta });
    if (delta !== 0n) changes.push({ contract, cumulative, delta });
  }
  if (changes.length === 0) return results;

  const receivables = await receivableAccounts(tx, changes.map((c) => c.contract));
  const income = await ensureAccount(tx, { type: "BANK_INCOME" });
  const accounts = new Map<string, Account>([[income.id, { id: income.id, type: "BANK_INCOME" }]]);
  for (const id of receivables.values()) accounts.set(id, { id, type: "LATE_INTEREST_RECEIVABLE" as AccountType });
  const balances = await balancesOf(tx, accounts);

  // Each change's lines, checked as postEntryIn checks them (balances carried forward in memory).
  const postings = changes.map((change) => {
    const receivable = receivables.get(change.contract.id)!;
    const amount = change.delta > 0n ? change.delta : -change.delta;
    const lines: Line[] =
      change.delta > 0n
        ? [{ accountId: receivable, side: "DEBIT", amount }, { accountId: income.id, side: "CREDIT", amount }]
        : [{ accountId: income.id, side: "DEBIT", amount }, { accountId: receivable, side: "CREDIT", amount }];
    const problem = checkEntry(lines, accounts, balances);
    if (problem) {
      const params = Object.fromEntries(
        Object.entries(problem).filter(([k]) => k !== "code").map(([k, v]) => [k, typeof v === "bigint" ? toYuanString(v) : String(v)]),
      );
      throw new UserError(problem.code, { params, status: 422 });
    }
    for (const l of lines) {
      const account = accounts.get(l.accountId)!;
      balances.set(l.accountId, balances.get(l.accountId)! + (l.side === normalSide[account.type] ? l.amount : -l.amount));
    }
    const description =
      `逾期交账利息 Late interest (R7) as of ${asOf}: cumulative ${toYuanString(change.cumulative)}, ` +
      `${change.delta > 0n ? "charged" : "released"} ${toYuanString(amount)} (contract ${change.contract.id})`;
    return { change, lines, description };
  });
  // One entry per contract (sourceId = the contract id, unique within the chunk: the entries are told apart by it).
  const entries = await tx.journalEntry.createManyAndReturn({
    data: postings.map((p) => ({ description: p.description, sourceType: "late-interest", sourceId: p.change.contract.id })),
    select: { id: true, sourceId: true },
  });
  const entryOf = new Map(entries.map((e) => [e.sourceId, e.id]));
  await tx.journalLine.createMany({
    data: postings.flatMap((p) => p.lines.map((l) => ({ entryId: entryOf.get(p.change.contract.id)!, accountId: l.accountId, side: l.side, amount: l.amount }))),
  });
  const accruals: { contractId: string; asOf: string; cumulative: Fen; delta: Fen; entryId: string }[] = [];
  const events: AuditEvent[] = [];
  for (const { change, lines, description } of postings) {
    const entryId = entryOf.get(change.contract.id)!;
    events.push({
      action: "ledger.post",
      entityType: "JournalEntry",
      entityId: entryId,
      after: {
        description, source: `late-interest:${change.contract.id}`, reverses: null,
        lines: lines.map((l) => ({ account: l.accountId, side: l.side, amount: toYuanString(l.amount) })),
        accrual: { contractId: change.contract.id, asOf, cumulative: toYuanString(change.cumulative), delta: toYuanString(change.delta) },
      },
    });
    accruals.push({ contractId: change.contract.id, asOf, cumulative: change.cumulative, delta: change.delta, entryId });
  }
  await appendAuditBatch(tx, context, events);
  await tx.lateInterestAccrual.createMany({ data: accruals });
  return results;
}

/**
 * R7: brings one contract's booked late interest to its cumulative as of `asOf` in the caller's
 * transaction (the forced deduction calls it first). delta ≠ 0 → one entry + a LateInterestAccrual row;
 * delta = 0 → nothing written.
 */
export async function accrueContractIn(tx: Tx, context: AuditContext, contract: AccrualContract, asOf: string, settingsFor: SettingsFor): Promise<AccrualResult> {
  const results = await accrueChunkIn(tx, context, [contract], asOf, () => settingsFor);
  return results.get(contract.id)!;
}

/** How many contracts one transaction of the daily run accrues. */
const chunkSize = 200;

/**
 * The daily run (job `settlement.accrueLateInterest`, 00:30 China time): every ACTIVE or ENDED contract
 * not closed out with recoveries that are not rejected, accrued as of `asOf`. Idempotent per day by
 * construction (a rerun finds delta 0 everywhere). Returns how many contracts were looked at, how many
 * entries were posted and their signed total.
 */
export async function accrueLateInterest(asOf: string, now: Date = new Date(), context: AuditContext = systemContext("settlement.accrueLateInterest")): Promise<{ contracts: number; posted: number; total: bigint }> {
  void now;
  const withRecoveries = await prisma.recovery.groupBy({ by: ["contractId"], where: { status: { not: "REJECTED" } } });
  const candidateIds = new Set(withRecoveries.map((r) => r.contractId));
  if (candidateIds.size === 0) return { contracts: 0, posted: 0, total: 0n };
  // Whole-table reads filtered here: an IN list of every contract would pass SQLite's parameter limit.
  const [contracts, closed] = await Promise.all([
    prisma.custodyContract.findMany({ where: { status: { in: ["ACTIVE", "ENDED"] } }, select: { id: true, custodianKey: true, terms: true }, orderBy: { id: "asc" } }),
    prisma.contractCloseOut.findMany({ select: { contractId: true } }),
  ]);
  const closedIds = new Set(closed.map((c) => c.contractId));
  const open = contracts.filter((c) => candidateIds.has(c.id) && !closedIds.has(c.id));
  const forTerms = await lateInterestSettingsFor(prisma);
  const byTerms = new Map<string, SettingsFor>();
  const settingsOf = (c: AccrualContract): SettingsFor => {
    let found = byTerms.get(c.terms);
    if (!found) {
      const base = forTerms(c.terms);
      const memo = new Map<string, ReturnType<SettingsFor>>();
      found = (day: string) => {
        let s = memo.get(day);
        if (!s) memo.set(day, (s = base(day)));
        return s;
      };
      byTerms.set(c.terms, found);
    }
    return found;
  };
  let posted = 0;
  let total = 0n;
  for (let i = 0; i < open.length; i += chunkSize) {
    const chunk = open.slice(i, i + chunkSize);
    const results = await prisma.$transaction((tx) => accrueChunkIn(tx, context, chunk, asOf, settingsOf), { maxWait: 30_000, timeout: 120_000 });
    for (const r of results.values()) {
      if (r.delta !== 0n) {
        posted += 1;
        total += r.delta;
      }
    }
  }
  return { contracts: open.length, posted, total };
}
