import { randomUUID, createHash } from "node:crypto";
import { z } from "zod";
import { can } from "~/domain/access";
import { canonicalJson, chainHash, genesisHash, type AuditFields } from "~/domain/audit-chain";
import { todayInChina } from "~/domain/calendar";
import { parseTerms } from "~/domain/contract";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { statementPeriod, statementPeriodsOfTerm, type ContractTerm } from "~/domain/settlement-statement";
import { statementDraft, type DeductionFact, type PriorTotals, type RecoveryCandidate, type StatementDraft } from "~/domain/statement-lines";
import { systemContext, type AuditContext, type AuditEvent, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { sqliteDateTime } from "~/infra/sqlite-datetime.server";
import { parseOrRefuse } from "~/infra/forms";
import { notify } from "~/services/tenders/notifications.server";
import { accrueContractIn } from "./late-interest.server";
import { lateInterestSettingsFor } from "./positions.server";

/**
 * R9 settlement statements (清收手续费清单): generation, quarterly by the job and on demand. The
 * lines are computed by the pure statementDraft (app/domain/statement-lines.ts) from data loaded in
 * a few batched reads for every contract at once (no query per recovery), and written with
 * createMany: the job handles 1,000 contracts × 100 recoveries in a few seconds.
 *
 * - A contract's term: startsOn = China day of custodyStartsAt, endsOn = China day of custodyEndsAt − 1 ms.
 * - Periods: calendar quarters ∩ term (statementPeriodsOfTerm). The period holding the term's last
 *   day is the FINAL statement, generated only once the contract is ENDED (with the end-of-term
 *   adjustment); the others are QUARTERLY. generateDueStatements writes every period whose last day
 *   is before today and has no statement yet; idempotent (the unique contract/kind/year/quarter index).
 * - On demand (the department or a branch clerk): any period of the term that has started, the
 *   current quarter too (lines as of now: its late interest accrued as of today first, with the
 *   late-interest service's accrueContractIn); a duplicate is refused. The last period asked for while
 *   the contract is still ACTIVE is a QUARTERLY statement; its FINAL one follows after the end.
 * - T = CustodyContract.task (the task as signed); every rate from the contract's frozen terms.
 * - Numbers STM-YYYY-NNNNNN, YYYY = the statement's year (of its quarter).
 * - Each statement is audited (`statement.generate`), in the transaction that writes it; branch
 *   clerks (the first workflow step: submit) get a bell.
 */

export type StatementActor = Pick<AuthUser, "id" | "email" | "roles" | "organizationId" | "organizationKind">;

export const statementsJobName = "settlement.quarterlyStatements";

interface ContractForGeneration {
  id: string;
  number: string;
  custodianKey: string;
  custodianKind: string;
  task: bigint;
  terms: string;
  status: string;
  custodyStartsAt: Date | null;
  custodyEndsAt: Date | null;
}

const contractSelect = {
  id: true, number: true, custodianKey: true, custodianKind: true, task: true, terms: true, status: true, custodyStartsAt: true, custodyEndsAt: true,
} as const;

/** The contract's term as China days, or null before custody started. */
export function contractTerm(contract: { custodyStartsAt: Date | null; custodyEndsAt: Date | null }): ContractTerm | null {
  if (!contract.custodyStartsAt || !contract.custodyEndsAt) return null;
  return { startsOn: todayInChina(contract.custodyStartsAt), endsOn: todayInChina(new Date(contract.custodyEndsAt.getTime() - 1)) };
}

// ---- batched reads --------------------------------------------------------------------------------

type Db = Tx | typeof prisma;

const chunk = <T>(items: readonly T[], size = 500): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** Runs `sql` (with `IN (%IDS%)`) over the contract ids in chunks; null ids: no filter (the caller's SQL has none). */
async function rawByContracts<T>(db: Db, sql: string, ids: readonly string[] | null, before: unknown[] = [], column = '"contractId"'): Promise<T[]> {
  if (ids === null) return db.$queryRawUnsafe<T[]>(sql.replace("%FILTER%", ""), ...before);
  const out: T[] = [];
  for (const part of chunk(ids)) {
    out.push(...(await db.$queryRawUnsafe<T[]>(sql.replace("%FILTER%", `AND ${column} IN (${marks(part.length)})`), ...before, ...part)));
  }
  return out;
}

interface GenerationData {
  recoveries: Map<string, RecoveryCandidate[]>;
  prior: Map<string, PriorTotals>;
  /** "KIND:year:quarter" of the statements each contract has */
  existing: Map<string, Set<string>>;
  deductions: Map<string, DeductionFact[]>;
  /** per agency contract: loans (with the interruption) to reward, not rewarded yet */
  preserved: Map<string, { loanId: string; interruptionId: string }[]>;
}

const big = (v: unknown): bigint => (typeof v === "bigint" ? v : BigInt(String(v ?? 0)));
const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

async function loadGenerationData(db: Db, contracts: readonly ContractForGeneration[], all: boolean, now: Date): Promise<GenerationData> {
  const ids = all ? null : contracts.map((c) => c.id);
  const recoveryRows = await rawByContracts<{ id: string; contractId: string; number: string; loanNumber: string; collectedOn: string; principal: string; interest: string }>(
    db,
    `SELECT r."id", r."contractId", r."number", r."loanNumber", r."collectedOn", CAST(r."principal" AS TEXT) AS "principal", CAST(r."interest" AS TEXT) AS "interest"
       FROM "Recovery" r WHERE r."status" = 'VERIFIED' %FILTER%
        AND NOT EXISTS (SELECT 1 FROM "SettlementStatementLine" l WHERE l."recoveryId" = r."id")`,
    ids, [], 'r."contractId"',
  );
  const recoveries = new Map<string, RecoveryCandidate[]>();
  for (const r of recoveryRows) {
    push(recoveries, r.contractId, { id: r.id, number: r.number, loanNumber: r.loanNumber, collectedOn: r.collectedOn, principal: big(r.principal), interest: big(r.interest) });
  }

  const sums = await rawByContracts<{ contractId: string; kind: string; amount: string }>(
    db,
    `SELECT s."contractId" AS "contractId", l."kind" AS "kind", CAST(SUM(l."amount") AS TEXT) AS "amount"
       FROM "SettlementStatementLine" l JOIN "SettlementStatement" s ON s."id" = l."statementId"
      WHERE l."kind" IN ('recovery', 'commission', 'fee', 'late_interest') %FILTER%
      GROUP BY s."contractId", l."kind"`,
    ids, [], 's."contractId"',
  );
  const prior = new Map<string, PriorTotals>();
  for (const s of sums) {
    const p = prior.get(s.contractId) ?? { recovered: 0n, commission: 0n, lateInterest: 0n };
    if (s.kind === "recovery") p.recovered += big(s.amount);
    else if (s.kind === "late_interest") p.lateInterest += big(s.amount);
    else p.commission += big(s.amount);
    prior.set(s.contractId, p);
  }

  const statementRows = await rawByContracts<{ contractId: string; kind: string; year: number | bigint; quarter: number | bigint }>(
    db, `SELECT "contractId", "kind", "year", "quarter" FROM "SettlementStatement" WHERE 1 = 1 %FILTER%`, ids,
  );
  const existing = new Map<string, Set<string>>();
  for (const s of statementRows) {
    const set = existing.get(s.contractId) ?? new Set<string>();
    set.add(`${s.kind}:${Number(s.year)}:${Number(s.quarter)}`);
    existing.set(s.contractId, set);
  }

  const deductionRows = await rawByContracts<{ id: string; contractId: string; deductedOn: string; lateInterest: string; fromDeposit: string; claim: string }>(
    db,
    `SELECT "id", "contractId", "deductedOn", CAST("lateInterest" AS TEXT) AS "lateInterest", CAST("fromDeposit" AS TEXT) AS "fromDeposit", CAST("claim" AS TEXT) AS "claim"
       FROM "ForcedDeduction" WHERE 1 = 1 %FILTER%`,
    ids,
  );
  const deductions = new Map<string, DeductionFact[]>();
  for (const d of deductionRows) {
    push(deductions, d.contractId, { id: d.id, deductedOn: d.deductedOn, lateInterest: big(d.lateInterest), fromDeposit: big(d.fromDeposit), claim: big(d.claim) });
  }

  const preserved = await preservedLoans(db, contracts.filter((c) => c.custodianKind === "AGENCY"), now);
  return { recoveries, prior, existing, deductions, preserved };
}

/**
 * R6 agency reward: per contract, the loans with a VERIFIED limitation interruption submitted as
 * collection evidence during custody (CollectionActivity.interruptionId, recorded within the term),
 * not rewarded on a statement yet (PreservationReward). One loan once per contract.
 */
async function preservedLoans(db: Db, contracts: readonly ContractForGeneration[], now: Date) {
  const result = new Map<string, { loanId: string; interruptionId: string }[]>();
  if (contracts.length === 0) return result;
  const byId = new Map(contracts.map((c) => [c.id, c]));
  for (const part of chunk(contracts.map((c) => c.id))) {
    const activities = await db.collectionActivity.findMany({
      where: { contractId: { in: part }, interruptionId: { not: null } },
      select: { contractId: true, loanId: true, interruptionId: true },
    });
    if (activities.length === 0) continue;
    const interruptions = await db.limitationInterruption.findMany({
      where: { id: { in: [...new Set(activities.map((a) => a.interruptionId!))] }, status: "VERIFIED", decidedAt: { lte: now } },
      select: { id: true, loanId: true, recordedAt: true },
    });
    const verified = new Map(interruptions.map((i) => [i.id, i]));
    const rewarded = await db.preservationReward.findMany({ where: { contractId: { in: part } }, select: { contractId: true, loanId: true } });
    const done = new Set(rewarded.map((r) => `${r.contractId}:${r.loanId}`));
    for (const a of activities) {
      const interruption = verified.get(a.interruptionId!);
      const contract = byId.get(a.contractId);
      if (!interruption || !contract || interruption.loanId !== a.loanId) continue;
      const during = contract.custodyStartsAt && contract.custodyEndsAt && interruption.recordedAt >= contract.custodyStartsAt && interruption.recordedAt < contract.custodyEndsAt;
      const key = `${a.contractId}:${a.loanId}`;
      if (!during || done.has(key)) continue;
      done.add(key);
      push(result, a.contractId, { loanId: a.loanId, interruptionId: interruption.id });
    }
  }
  return result;
}

/** Per contract: cumulative late interest of the last accrual with asOf ≤ `day` (absent: none booked). */
async function lateInterestBookedAsOf(db: Db, day: string, ids: readonly string[] | null): Promise<Map<string, bigint>> {
  // SQLite: with MAX() the bare columns come from the row holding the maximum (latest day, then latest row).
  const rows = await rawByContracts<{ contractId: string; cumulative: string }>(
    db,
    `SELECT "contractId", CAST("cumulative" AS TEXT) AS "cumulative", MAX("asOf" || printf('%012d', rowid)) AS "k"
       FROM "LateInterestAccrual" WHERE "asOf" <= ? %FILTER% GROUP BY "contractId"`,
    ids, [day],
  );
  return new Map(rows.map((r) => [r.contractId, big(r.cumulative)]));
}

// ---- planning ------------------------------------------------------------------------------------

export interface PlannedStatement {
  contract: ContractForGeneration;
  kind: "QUARTERLY" | "FINAL";
  year: number;
  quarter: number;
  startsOn: string;
  endsOn: string;
  draft: StatementDraft;
  rewards: { loanId: string; interruptionId: string }[];
}

function plan(contract: ContractForGeneration, data: GenerationData, period: { kind: "QUARTERLY" | "FINAL"; year: number; quarter: number; startsOn: string; endsOn: string }, lateInterestBooked: bigint): PlannedStatement {
  const terms = parseTerms(contract.terms);
  const rewards = data.preserved.get(contract.id) ?? [];
  const prior = data.prior.get(contract.id) ?? { recovered: 0n, commission: 0n, lateInterest: 0n };
  const draft = statementDraft({
    commission: terms.commission,
    task: contract.task,
    period,
    final: period.kind === "FINAL",
    recoveries: data.recoveries.get(contract.id) ?? [],
    prior,
    lateInterestBooked,
    deductions: data.deductions.get(contract.id) ?? [],
    preservedLoans: rewards.length,
  });
  // What this statement took is no longer open for the next one planned in the same run.
  const taken = new Set(draft.lines.filter((l) => l.recoveryId).map((l) => l.recoveryId));
  data.recoveries.set(contract.id, (data.recoveries.get(contract.id) ?? []).filter((r) => !taken.has(r.id)));
  data.preserved.set(contract.id, []);
  const sum = (kind: string) => draft.lines.filter((l) => l.kind === kind).reduce((s, l) => s + l.amount, 0n);
  data.prior.set(contract.id, {
    recovered: draft.recoveredToDate,
    commission: prior.commission + sum("commission") + sum("fee"),
    lateInterest: prior.lateInterest + sum("late_interest"),
  });
  data.existing.set(contract.id, (data.existing.get(contract.id) ?? new Set()).add(`${period.kind}:${period.year}:${period.quarter}`));
  return { contract, ...period, draft, rewards };
}

// ---- writing -------------------------------------------------------------------------------------

/**
 * Row ids for the bulk writes: a time prefix, a random part and a counter, so the ids of one run
 * sort in insertion order (B-tree appends instead of random page splits) and never collide.
 */
function idSource(prefix: string): () => string {
  const base = `${prefix}${Date.now().toString(36).padStart(9, "0")}${randomUUID().replace(/-/g, "").slice(0, 8)}`;
  let n = 0;
  return () => `${base}${(n++).toString(36).padStart(6, "0")}`;
}

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const auditColumns = ["id", "at", "actorType", "actorId", "actorLabel", "organizationId", "action", "entityType", "entityId", "before", "after", "requestId", "ip", "userAgent", "prevHash", "hash"] as const;

/** appendAudit for many events at once: the same chain (read the head once, hash in order), one createMany. */
async function appendAuditMany(tx: Tx, context: AuditContext, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const head = await tx.auditEntry.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } });
  let id = head?.id ?? 0;
  let prevHash = head?.hash ?? genesisHash;
  const at = new Date();
  const rows = events.map((event) => {
    id += 1;
    const fields: AuditFields = {
      id, at, ...context, action: event.action, entityType: event.entityType, entityId: event.entityId,
      before: event.before === undefined ? null : canonicalJson(event.before),
      after: event.after === undefined ? null : canonicalJson(event.after),
    };
    const hash = chainHash(fields, prevHash, sha256Hex);
    const row = [
      fields.id, sqliteDateTime(at), fields.actorType, fields.actorId, fields.actorLabel, fields.organizationId, fields.action, fields.entityType, fields.entityId,
      fields.before, fields.after, fields.requestId, fields.ip, fields.userAgent, prevHash, hash,
    ];
    prevHash = hash;
    return row;
  });
  await insertJsonRows(tx, "AuditEntry", auditColumns, rows);
}

async function branchClerks(db: Db): Promise<string[]> {
  const users = await db.user.findMany({ where: { disabledAt: null, roles: { some: { role: "branch_clerk" } } }, select: { id: true } });
  return users.map((u) => u.id);
}

/** A value as JSON text: bigints as their exact digits (SQLite reads them as 64-bit integers). */
const jsonValue = (v: unknown): string => (v === null || v === undefined ? "null" : typeof v === "bigint" ? v.toString() : JSON.stringify(v));

/**
 * Rows as INSERT … SELECT FROM json_each(?): the whole batch is one bound JSON text that SQLite
 * unpacks itself. createMany (or a multi-row VALUES list) through the driver adapter costs tens of
 * microseconds per bound value — seconds for the job's 100,000 lines; this is a fraction of that.
 */
async function insertJsonRows(tx: Tx, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]) {
  const select = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
  const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) SELECT ${select} FROM json_each(?)`;
  for (const part of chunk(rows, 20_000)) {
    await tx.$executeRawUnsafe(sql, `[${part.map((row) => `[${row.map(jsonValue).join(",")}]`).join(",")}]`);
  }
}

const statementColumns = [
  "id", "number", "contractId", "kind", "year", "quarter", "periodStartsOn", "periodEndsOn", "custodianKind", "custodianKey", "recoveredPrincipal", "recoveredInterest",
  "payableToCustodian", "owedByCustodian", "deductionsTaken", "netPayable", "earnedToDate", "generatedAt", "generatedBy", "state",
] as const;

const lineColumns = ["id", "statementId", "position", "kind", "recoveryId", "loanNumber", "collectedOn", "principal", "interest", "loans", "amount", "basis"] as const;

/** Writes planned statements in the caller's transaction: numbers, statements, lines, rewards, audit, bells. */
async function writeStatements(tx: Tx, context: AuditContext, generatedBy: string, planned: readonly PlannedStatement[], now: Date) {
  if (planned.length === 0) return [];
  const byYear = new Map<number, PlannedStatement[]>();
  for (const p of planned) push(byYear, p.year, p);
  const numbered: { plan: PlannedStatement; id: string; number: string }[] = [];
  const statementId = idSource("stm");
  const lineId = idSource("stl");
  for (const [year, list] of byYear) {
    const row = await tx.settlementNumberSequence.upsert({
      where: { prefix_year: { prefix: "STM", year } },
      create: { prefix: "STM", year, last: list.length },
      update: { last: { increment: list.length } },
    });
    const first = row.last - list.length + 1;
    list.forEach((p, i) => numbered.push({ plan: p, id: statementId(), number: `STM-${year}-${String(first + i).padStart(6, "0")}` }));
  }
  const generatedAt = sqliteDateTime(now);
  await insertJsonRows(tx, "SettlementStatement", statementColumns, numbered.map(({ plan: p, id, number }) => [
    id, number, p.contract.id, p.kind, p.year, p.quarter, p.startsOn, p.endsOn, p.contract.custodianKind, p.contract.custodianKey,
    p.draft.totals.recovered.principal, p.draft.totals.recovered.interest, p.draft.totals.payableToCustodian, p.draft.totals.owedByCustodian,
    p.draft.totals.deductionsTaken, p.draft.totals.netPayable, p.draft.earnedToDate, generatedAt, generatedBy, "draft",
  ]));
  await insertJsonRows(tx, "SettlementStatementLine", lineColumns, numbered.flatMap(({ plan: p, id }) =>
    p.draft.lines.map((l) => [lineId(), id, l.position, l.kind, l.recoveryId, l.loanNumber, l.collectedOn, l.principal, l.interest, l.loans, l.amount, l.basis] as const),
  ));
  const rewards = numbered.flatMap(({ plan: p, id }) => p.rewards.map((r) => ({ contractId: p.contract.id, loanId: r.loanId, statementId: id, interruptionId: r.interruptionId })));
  if (rewards.length) await tx.preservationReward.createMany({ data: rewards });
  await appendAuditMany(tx, context, numbered.map(({ plan: p, id, number }) => ({
    action: "statement.generate", entityType: "SettlementStatement", entityId: id,
    after: {
      number, contractId: p.contract.id, contract: p.contract.number, kind: p.kind, period: `${p.startsOn}..${p.endsOn}`, lines: p.draft.lines.length,
      recovered: toYuanString(p.draft.totals.recovered.total), payable: toYuanString(p.draft.totals.payableToCustodian),
      owed: toYuanString(p.draft.totals.owedByCustodian), net: toYuanString(p.draft.totals.netPayable), earnedToDate: toYuanString(p.draft.earnedToDate), generatedBy,
    },
  })));
  const clerks = await branchClerks(tx);
  if (numbered.length === 1) {
    const { plan: p, id, number } = numbered[0]!;
    await notify(tx, clerks, "settlement.statements.notice.generated", { number, contract: p.contract.number }, `/settlement/statements/${id}`);
  } else {
    await notify(tx, clerks, "settlement.statements.notice.generatedMany", { count: numbered.length }, "/settlement/statements");
  }
  return numbered.map(({ id, number }) => ({ id, number }));
}

// ---- the job -------------------------------------------------------------------------------------

/** Contracts per transaction in the job (one SQLite writer: a few large transactions, not one per statement). */
const batchSize = 250;

/**
 * Every contract (ACTIVE or ENDED, not closed out), every period of its term whose last day is
 * before `today` and has no statement yet: QUARTERLY ones, and the FINAL one once the contract is
 * ENDED. Idempotent: a second run writes nothing.
 */
export async function generateDueStatements(today: string, now: Date = new Date(), context: AuditContext = systemContext(statementsJobName)): Promise<{ generated: number }> {
  const contracts = await prisma.custodyContract.findMany({
    where: { status: { in: ["ACTIVE", "ENDED"] }, custodyStartsAt: { not: null }, custodyEndsAt: { not: null } },
    select: contractSelect,
    orderBy: { number: "asc" },
  });
  const closed = new Set((await prisma.contractCloseOut.findMany({ select: { contractId: true } })).map((c) => c.contractId));
  const open = contracts.filter((c) => !closed.has(c.id));
  // Periods due per contract (before reading anything else: most runs find nothing to do).
  const existingRows = await prisma.settlementStatement.findMany({ select: { contractId: true, kind: true, year: true, quarter: true } });
  const has = new Set(existingRows.map((s) => `${s.contractId}:${s.kind}:${s.year}:${s.quarter}`));
  const due: { contract: ContractForGeneration; periods: { kind: "QUARTERLY" | "FINAL"; year: number; quarter: number; startsOn: string; endsOn: string }[] }[] = [];
  for (const contract of open) {
    const term = contractTerm(contract);
    if (!term) continue;
    const periods = [];
    for (const p of statementPeriodsOfTerm(term)) {
      if (p.endsOn >= today) break;
      const last = p.endsOn === term.endsOn;
      if (last && contract.status !== "ENDED") continue;
      const kind = last ? ("FINAL" as const) : ("QUARTERLY" as const);
      if (has.has(`${contract.id}:${kind}:${p.year}:${p.quarter}`)) continue;
      periods.push({ kind, year: p.year, quarter: p.quarter, startsOn: p.startsOn, endsOn: p.endsOn });
    }
    if (periods.length) due.push({ contract, periods });
  }
  if (due.length === 0) return { generated: 0 };

  const dueContracts = due.map((d) => d.contract);
  const all = dueContracts.length > 200; // many: read everything once rather than long IN lists
  const data = await loadGenerationData(prisma, dueContracts, all, now);
  const ends = [...new Set(due.flatMap((d) => d.periods.map((p) => p.endsOn)))];
  const booked = new Map<string, Map<string, bigint>>();
  for (const end of ends) booked.set(end, await lateInterestBookedAsOf(prisma, end, all ? null : dueContracts.map((c) => c.id)));

  let generated = 0;
  for (const part of chunk(due, batchSize)) {
    const planned = part.flatMap((d) => d.periods.map((p) => plan(d.contract, data, p, booked.get(p.endsOn)?.get(d.contract.id) ?? 0n)));
    const written = await prisma.$transaction((tx) => writeStatements(tx, context, `job:${statementsJobName}`, planned, now), { maxWait: 10_000, timeout: 120_000 });
    generated += written.length;
  }
  return { generated };
}

// ---- on demand -----------------------------------------------------------------------------------

export const generateStatementSchema = z.object({
  contract_id: z.string({ error: "settlement.statements.contractRequired" }).trim().min(1, { error: "settlement.statements.contractRequired" }).max(100, { error: "settlement.statements.contractRequired" }),
  year: z.coerce.number({ error: "settlement.statements.invalidYear" }).int({ error: "settlement.statements.invalidYear" }).min(2000, { error: "settlement.statements.invalidYear" }).max(2199, { error: "settlement.statements.invalidYear" }),
  quarter: z.coerce.number({ error: "settlement.statements.invalidQuarter" }).int({ error: "settlement.statements.invalidQuarter" }).min(1, { error: "settlement.statements.invalidQuarter" }).max(4, { error: "settlement.statements.invalidQuarter" }),
});
export type GenerateStatementInput = z.input<typeof generateStatementSchema>;

/** Who may generate a statement on demand: the department (custody:manage) or a branch clerk (recoveries:register). */
export function mayGenerate(user: Pick<AuthUser, "roles">): boolean {
  return can(user.roles, "custody:manage") || can(user.roles, "recoveries:register");
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "P2002";
}

/**
 * One statement on demand for a period of the contract's term that has started (the current quarter
 * too: lines as of now). `actor` null: the system (a job). Refused: not allowed (403), unknown or not
 * started contract (404), a quarter outside the term or not started yet (422), a duplicate (409).
 */
export async function generateStatement(
  ctx: AuditContext,
  actor: StatementActor | null,
  input: { contractId: string; year: number | string; quarter: number | string },
  now: Date = new Date(),
): Promise<{ id: string; number: string }> {
  if (actor && !mayGenerate(actor)) throw new UserError("settlement.statements.forbiddenGenerate", { status: 403 });
  const parsed = parseOrRefuse(generateStatementSchema, { contract_id: input.contractId, year: input.year, quarter: input.quarter });
  const today = todayInChina(now);
  const contract = await prisma.custodyContract.findUnique({ where: { id: parsed.contract_id }, select: contractSelect });
  const term = contract && ["ACTIVE", "ENDED"].includes(contract.status) ? contractTerm(contract) : null;
  if (!contract || !term) throw new UserError("settlement.statements.contractNotFound", { status: 404, field: "contract_id" });
  if (await prisma.contractCloseOut.findUnique({ where: { contractId: contract.id }, select: { id: true } })) {
    throw new UserError("settlement.statements.closedOut", { status: 409, params: { contract: contract.number } });
  }
  const period = statementPeriod(term, { year: parsed.year, quarter: parsed.quarter });
  if (!period.ok) throw new UserError("settlement.statements.outsideTerm", { status: 422, field: "quarter", params: { from: term.startsOn, to: term.endsOn } });
  if (period.startsOn > today) throw new UserError("settlement.statements.notStarted", { status: 422, field: "quarter", params: { from: period.startsOn } });
  const kind = period.endsOn === term.endsOn && contract.status === "ENDED" ? ("FINAL" as const) : ("QUARTERLY" as const);
  const duplicate = await prisma.settlementStatement.findUnique({ where: { contractId_kind_year_quarter: { contractId: contract.id, kind, year: period.year, quarter: period.quarter } }, select: { number: true } });
  if (duplicate) throw new UserError("settlement.statements.duplicate", { status: 409, params: { number: duplicate.number } });
  const generatedBy = actor ? actor.id : `job:${statementsJobName}`;
  try {
    return await prisma.$transaction(async (tx) => {
      // The current quarter: late interest as of today first (the daily accrual may not have run yet
      // today). A past quarter reads what was booked up to its end (accruing as of a past day would
      // undo what the daily runs booked since).
      if (period.endsOn >= today) await accrueContractIn(tx, ctx, contract, today, (await lateInterestSettingsFor(tx))(contract.terms));
      const data = await loadGenerationData(tx, [contract], false, now);
      const booked = await lateInterestBookedAsOf(tx, period.endsOn, [contract.id]);
      const planned = plan(contract, data, { kind, year: period.year, quarter: period.quarter, startsOn: period.startsOn, endsOn: period.endsOn }, booked.get(contract.id) ?? 0n);
      const [written] = await writeStatements(tx, ctx, generatedBy, [planned], now);
      return written!;
    }, { maxWait: 10_000, timeout: 60_000 });
  } catch (error) {
    if (isUniqueViolation(error)) throw new UserError("settlement.statements.duplicate", { status: 409, params: { number: "" } });
    throw error;
  }
}
