import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { parseTerms, topUpOwed } from "~/domain/contract";
import { UserError } from "~/domain/errors";
import { deductible } from "~/domain/late-interest";
import { normalSide, type AccountType } from "~/domain/ledger";
import type { Fen } from "~/domain/money";
import { cumulativeLateInterest, recoveryStanding, type RecoveryPosition, type SettingsFor } from "~/domain/remittance-position";
import { earningKinds, netRecovery, percentOfTaskBp, recoveredSeries, type SeriesPoint } from "~/domain/settlement-views";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { claimAccountKey, performanceDepositKey } from "~/services/custody/accounts.server";
import { custodianKeyOf, isDepartment } from "~/services/custody/access.server";
import { custodianNames } from "~/services/custody/contract-views.server";
import { lateInterestSettingsFor, recoveryPositions } from "./positions.server";

/**
 * The settlement views (README "What the bank also tracks"): per contract the task, audit-verified
 * recoveries and % of task with the recovered-vs-task series by month, what is unremitted now, late
 * remittances, late interest booked and accruing, forced deductions, the custodian's earnings earned
 * and paid (from statements), the net recovery (domain/settlement-views.ts netRecovery), open claims,
 * the deposit held and the statements; and the overview of every contract with a per-custodian
 * scorecard. Who sees what: settlement:view; a custodian (custody:work) only its own contracts — any
 * other contract is a 404, the same answer as for one that does not exist; the bank's departments and
 * the branch all contracts.
 *
 * Figures are "as of" `today` (China day): unremitted and accruing late interest are computed from the
 * positions (the same functions as the job and the bench); booked late interest is the ledger's (the
 * LateInterestAccrual deltas).
 */

export type SettlementViewer = Pick<AuthUser, "id" | "roles" | "organizationId" | "organizationKind">;

/** null: every contract; otherwise the only custodian key the viewer may see. */
function scopeOf(viewer: SettlementViewer): string | null {
  if (!can(viewer.roles, "settlement:view")) throw new UserError("settlement.contracts.forbidden", { status: 403 });
  return can(viewer.roles, "custody:work") ? custodianKeyOf(viewer) : null;
}

const chunk = <T,>(items: readonly T[], size = 200): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};


/** Balances of accounts by key (0 for an account never opened), in a few queries. */
async function balancesByKey(keys: readonly string[]): Promise<Map<string, Fen>> {
  const result = new Map<string, Fen>(keys.map((k) => [k, 0n]));
  for (const part of chunk([...new Set(keys)])) {
    const accounts = await prisma.ledgerAccount.findMany({ where: { key: { in: part } }, select: { id: true, key: true, type: true } });
    if (accounts.length === 0) continue;
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const sums = await prisma.journalLine.groupBy({ by: ["accountId", "side"], where: { accountId: { in: accounts.map((a) => a.id) } }, _sum: { amount: true } });
    for (const s of sums) {
      const a = byId.get(s.accountId)!;
      const amount = s._sum.amount ?? 0n;
      result.set(a.key, (result.get(a.key) ?? 0n) + (s.side === normalSide[a.type as AccountType] ? amount : -amount));
    }
  }
  return result;
}


/** The China days of a contract's term: first and last (the end instant is exclusive). */
export function termDays(contract: { custodyStartsAt: Date | null; custodyEndsAt: Date | null }): { startsOn: string; endsOn: string } | null {
  if (!contract.custodyStartsAt || !contract.custodyEndsAt) return null;
  return { startsOn: todayInChina(contract.custodyStartsAt), endsOn: todayInChina(new Date(contract.custodyEndsAt.getTime() - 1)) };
}

interface RecoveryFacts {
  standingOutstanding: Fen;
  delay: number;
  maxDelay: number;
  interest: Fen;
}

function factsOf(position: RecoveryPosition, today: string, settingsFor: SettingsFor): RecoveryFacts {
  const s = recoveryStanding(position, today, settingsFor);
  return { standingOutstanding: s.outstanding, delay: s.delay, maxDelay: s.charges.reduce((m, c) => Math.max(m, c.delay), 0), interest: s.interest };
}

// ---- one contract -------------------------------------------------------------------------------------

export async function contractSettlement(viewer: SettlementViewer, contractId: string, today: string = todayInChina(new Date())) {
  const scope = scopeOf(viewer);
  const contract = await prisma.custodyContract.findUnique({ where: { id: contractId } });
  if (!contract || !["ACTIVE", "ENDED"].includes(contract.status) || (scope !== null && contract.custodianKey !== scope)) {
    throw new UserError("settlement.contracts.notFound", { status: 404 });
  }
  const terms = parseTerms(contract.terms);
  const forTerms = await lateInterestSettingsFor(prisma);
  const settingsFor = forTerms(contract.terms);
  const [positionsMap, recoveries, accruals, deductions, statements, closeOut, names, balances, organization] = await Promise.all([
    recoveryPositions(prisma, [contract.id]),
    prisma.recovery.findMany({ where: { contractId: contract.id }, orderBy: [{ collectedOn: "asc" }, { number: "asc" }] }),
    prisma.lateInterestAccrual.aggregate({ where: { contractId: contract.id }, _sum: { delta: true }, _max: { asOf: true } }),
    prisma.forcedDeduction.findMany({ where: { contractId: contract.id }, orderBy: { decidedAt: "asc" } }),
    prisma.settlementStatement.findMany({ where: { contractId: contract.id }, include: { lines: { select: { kind: true, amount: true } } }, orderBy: [{ periodStartsOn: "asc" }, { kind: "desc" }] }),
    prisma.contractCloseOut.findUnique({ where: { contractId: contract.id } }),
    custodianNames([contract.custodianKey]),
    balancesByKey([performanceDepositKey(contract), claimAccountKey(contract.custodianKey)]),
    contract.custodianKind === "AGENCY" ? prisma.organization.findUnique({ where: { id: contract.custodianOrgId }, select: { legalRepresentative: true } }) : null,
  ]);
  const positions = positionsMap.get(contract.id) ?? [];
  const positionOf = new Map(positions.map((p) => [p.id, p]));
  const term = termDays(contract);
  const verified = recoveries.filter((r) => r.status === "VERIFIED");
  const recoveredPrincipal = verified.reduce((s, r) => s + r.principal, 0n);
  const recoveredInterest = verified.reduce((s, r) => s + r.interest, 0n);
  const recovered = recoveredPrincipal + recoveredInterest;
  const until = term && term.endsOn < today ? term.endsOn : today;
  const series: SeriesPoint[] = term ? recoveredSeries(verified, term.startsOn, until) : [];

  const threshold = terms.remittance.lateInterestFromDays;
  const rows = recoveries.map((r) => {
    const position = positionOf.get(r.id);
    const facts = position ? factsOf(position, today, settingsFor) : { standingOutstanding: 0n, delay: 0, maxDelay: 0, interest: 0n };
    const mayDeduct = facts.standingOutstanding > 0n && deductible({ delay: facts.delay, lossOfFunds: r.lossRecordedAt !== null }, terms.remittance);
    return {
      id: r.id, number: r.number, loanNumber: r.loanNumber, collectedOn: r.collectedOn, principal: r.principal, interest: r.interest, amount: r.amount,
      status: r.status, outstanding: facts.standingOutstanding, delay: facts.delay, maxDelay: facts.maxDelay, lateInterest: facts.interest,
      late: r.status !== "REJECTED" && facts.maxDelay >= threshold, deductible: r.status !== "REJECTED" && mayDeduct,
      lossRecordedAt: r.lossRecordedAt, lossNote: r.lossNote,
    };
  });
  const unremitted = rows.reduce((s, r) => s + r.outstanding, 0n);
  const booked = accruals._sum.delta ?? 0n;
  const cumulativeNow = cumulativeLateInterest(positions, today, settingsFor);

  const lineSum = (filter: (s: (typeof statements)[number]) => boolean, kinds: (k: string) => boolean) =>
    statements.filter(filter).reduce((sum, s) => sum + s.lines.filter((l) => kinds(l.kind)).reduce((a, l) => a + l.amount, 0n), 0n);
  const earned = lineSum(() => true, (k) => earningKinds.has(k));
  const paid = lineSum((s) => s.state === "paid", (k) => earningKinds.has(k));
  const penalties = lineSum(() => true, (k) => k === "penalty");
  const depositHeld = balances.get(performanceDepositKey(contract)) ?? 0n;
  const department = isDepartment(viewer);
  const custodian = scope !== null;
  const closed = closeOut !== null;

  return {
    contract: {
      id: contract.id, number: contract.number, status: contract.status, custodianKey: contract.custodianKey, custodianKind: contract.custodianKind,
      custodianName: names[contract.custodianKey] ?? contract.custodianKey, legalRepresentative: organization?.legalRepresentative ?? null,
      task: contract.task, startsOn: term?.startsOn ?? null, endsOn: term?.endsOn ?? null, performanceDeposit: contract.performanceDeposit,
    },
    terms: { lateInterestFromDays: threshold, deductionAfterDays: terms.remittance.deductionAfterDays, topUpDays: terms.remittance.topUpDays, interestDayBasis: terms.remittance.interestDayBasis },
    today,
    recovered: { principal: recoveredPrincipal, interest: recoveredInterest, total: recovered, percentBp: percentOfTaskBp(recovered, contract.task), verifiedCount: verified.length },
    series,
    unremitted,
    recoveries: rows,
    lateRemittances: rows.filter((r) => r.late),
    lateInterest: { booked, accruing: cumulativeNow - booked, cumulativeNow, lastAccruedOn: accruals._max.asOf ?? null },
    deductions: deductions.map((d) => ({
      id: d.id, deductedOn: d.deductedOn, unremitted: d.unremitted, lateInterest: d.lateInterest, fromDeposit: d.fromDeposit, claim: d.claim,
      jointlyLiable: d.jointlyLiable, topUpDueOn: d.topUpDueOn, reason: d.reason, remittanceId: d.remittanceId,
    })),
    deductionsTotal: deductions.reduce((s, d) => s + d.unremitted + d.lateInterest, 0n),
    earnings: { earned, paid, penalties },
    netRecovery: netRecovery({ recovered, earningsPaid: paid, lateInterest: booked, penalties }),
    openClaims: balances.get(claimAccountKey(contract.custodianKey)) ?? 0n,
    deposit: { held: depositHeld, owed: contract.performanceDeposit, topUp: topUpOwed(contract.performanceDeposit, depositHeld) },
    statements: statements.map((s) => ({
      id: s.id, number: s.number, kind: s.kind, year: s.year, quarter: s.quarter, periodStartsOn: s.periodStartsOn, periodEndsOn: s.periodEndsOn,
      state: s.state, netPayable: s.netPayable, link: `/settlement/statements/${s.id}`,
    })),
    closeOut: closeOut
      ? { refund: closeOut.refund, voucherNumber: closeOut.voucherNumber, closedAt: closeOut.closedAt, openClaims: JSON.parse(closeOut.openClaims) as { account: string; amount: string }[] }
      : null,
    may: {
      deduct: department && !closed,
      recordLoss: department && !closed,
      closeOut: can(viewer.roles, "settlement:finance") && contract.status === "ENDED" && !closed,
      topUp: custodian && contract.status === "ACTIVE" && deductions.length > 0 && topUpOwed(contract.performanceDeposit, depositHeld) > 0n,
    },
  };
}

export type ContractSettlement = Awaited<ReturnType<typeof contractSettlement>>;

// ---- the overview -------------------------------------------------------------------------------------

export interface OverviewRow {
  id: string;
  number: string;
  status: string;
  closed: boolean;
  custodianKey: string;
  custodianKind: string;
  custodianName: string;
  task: Fen;
  recovered: Fen;
  percentBp: number;
  unremitted: Fen;
  lateRemittances: number;
  lateInterestBooked: Fen;
  deductions: Fen;
  depositHeld: Fen;
}

/** One custodian across its contracts: the overview's figures summed, with counts. */
export interface ScorecardRow
  extends Pick<OverviewRow, "custodianKey" | "custodianKind" | "custodianName" | "task" | "recovered" | "percentBp" | "unremitted" | "lateRemittances" | "lateInterestBooked" | "deductions"> {
  contracts: number;
  deductionCount: number;
}

/**
 * Every contract the viewer may see (ACTIVE or ENDED) with its figures, and a scorecard per custodian
 * (the department sees every custodian; a custodian its own line). Batched reads: a handful of queries
 * whatever the number of contracts.
 */
export async function settlementOverview(viewer: SettlementViewer, today: string = todayInChina(new Date())): Promise<{ rows: OverviewRow[]; scorecard: ScorecardRow[]; today: string }> {
  const scope = scopeOf(viewer);
  const contracts = await prisma.custodyContract.findMany({
    where: { status: { in: ["ACTIVE", "ENDED"] }, ...(scope !== null ? { custodianKey: scope } : {}) },
    select: { id: true, number: true, status: true, custodianKey: true, custodianKind: true, task: true, terms: true },
    orderBy: { number: "asc" },
  });
  if (contracts.length === 0) return { rows: [], scorecard: [], today };
  const ids = new Set(contracts.map((c) => c.id));
  const [verified, accruals, deductions, closed, names, forTerms] = await Promise.all([
    prisma.recovery.groupBy({ by: ["contractId"], where: { status: "VERIFIED", ...(scope !== null ? { custodianKey: scope } : {}) }, _sum: { amount: true } }),
    prisma.lateInterestAccrual.groupBy({ by: ["contractId"], _sum: { delta: true } }),
    prisma.forcedDeduction.groupBy({ by: ["contractId"], _sum: { unremitted: true, lateInterest: true }, _count: { _all: true } }),
    prisma.contractCloseOut.findMany({ select: { contractId: true } }),
    custodianNames([...new Set(contracts.map((c) => c.custodianKey))]),
    lateInterestSettingsFor(prisma),
  ]);
  const positions = new Map<string, RecoveryPosition[]>();
  for (const part of chunk(contracts.map((c) => c.id))) for (const [id, list] of await recoveryPositions(prisma, part)) positions.set(id, list);
  const deposits = await balancesByKey(contracts.map(performanceDepositKey));
  const recoveredOf = new Map(verified.filter((v) => ids.has(v.contractId)).map((v) => [v.contractId, v._sum.amount ?? 0n]));
  const bookedOf = new Map(accruals.map((a) => [a.contractId, a._sum.delta ?? 0n]));
  const deductedOf = new Map(deductions.map((d) => [d.contractId, { amount: (d._sum.unremitted ?? 0n) + (d._sum.lateInterest ?? 0n), count: d._count._all }]));
  const closedIds = new Set(closed.map((c) => c.contractId));
  const settingsByTerms = new Map<string, SettingsFor>();

  const rows: OverviewRow[] = contracts.map((c) => {
    let settingsFor = settingsByTerms.get(c.terms);
    if (!settingsFor) settingsByTerms.set(c.terms, (settingsFor = forTerms(c.terms)));
    const threshold = parseTerms(c.terms).remittance.lateInterestFromDays;
    let unremitted = 0n;
    let late = 0;
    for (const p of positions.get(c.id) ?? []) {
      const f = factsOf(p, today, settingsFor);
      unremitted += f.standingOutstanding;
      if (f.maxDelay >= threshold) late += 1;
    }
    const recovered = recoveredOf.get(c.id) ?? 0n;
    return {
      id: c.id, number: c.number, status: c.status, closed: closedIds.has(c.id), custodianKey: c.custodianKey, custodianKind: c.custodianKind,
      custodianName: names[c.custodianKey] ?? c.custodianKey, task: c.task, recovered, percentBp: percentOfTaskBp(recovered, c.task), unremitted,
      lateRemittances: late, lateInterestBooked: bookedOf.get(c.id) ?? 0n, deductions: deductedOf.get(c.id)?.amount ?? 0n, depositHeld: deposits.get(performanceDepositKey(c)) ?? 0n,
    };
  });

  const cards = new Map<string, ScorecardRow>();
  for (const r of rows) {
    const card = cards.get(r.custodianKey) ?? {
      custodianKey: r.custodianKey, custodianKind: r.custodianKind, custodianName: r.custodianName, contracts: 0, task: 0n, recovered: 0n, percentBp: 0,
      unremitted: 0n, lateRemittances: 0, lateInterestBooked: 0n, deductions: 0n, deductionCount: 0,
    };
    card.contracts += 1;
    card.task += r.task;
    card.recovered += r.recovered;
    card.unremitted += r.unremitted;
    card.lateRemittances += r.lateRemittances;
    card.lateInterestBooked += r.lateInterestBooked;
    card.deductions += r.deductions;
    card.deductionCount += deductedOf.get(r.id)?.count ?? 0;
    cards.set(r.custodianKey, card);
  }
  const scorecard = [...cards.values()].map((c) => ({ ...c, percentBp: percentOfTaskBp(c.recovered, c.task) })).sort((a, b) => b.percentBp - a.percentBp || a.custodianName.localeCompare(b.custodianName));
  return { rows, scorecard, today };
}
