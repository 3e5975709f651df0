import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { statementStates, type ContractorKind, type StatementState } from "~/domain/settlement-statement";
import type { AuthUser } from "~/infra/auth.server";
import type { Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { custodianKeyOf } from "~/services/custody/access.server";

/**
 * Who sees which settlement statement, and the statement as the pages, the API and the exports show
 * it. The bank's side (settlement:view without custody:work: the department, branch clerks,
 * auditors, finance, approvers) sees every statement; a custodian (custody:work) only its own — the
 * staff contractor's, or its agency's. Anyone else, and a statement one may not see, gets the same
 * 404 as one that does not exist.
 */

export type StatementViewer = Pick<AuthUser, "id" | "roles" | "organizationId" | "organizationKind">;

export function isBankSide(user: Pick<AuthUser, "roles">): boolean {
  return can(user.roles, "settlement:view") && !can(user.roles, "custody:work");
}

export function mayViewStatement(user: StatementViewer, statement: { custodianKey: string }): boolean {
  if (!can(user.roles, "settlement:view")) return false;
  if (isBankSide(user)) return true;
  return can(user.roles, "custody:work") && statement.custodianKey === custodianKeyOf(user);
}

export const contractorKind = (custodianKind: string): ContractorKind => (custodianKind === "AGENCY" ? "agency" : "internal");

const statementStateList = ["draft", "submitted", "verified", "reviewed", "invoice_recorded", "paid"] as const satisfies readonly StatementState[];

export interface StatementListFilter {
  state?: string;
  contractId?: string;
  year?: number;
  quarter?: number;
  /** contract number (part of it) */
  q?: string;
}

/** Users' display names by id (for who took each step). */
async function names(db: Tx | typeof prisma, ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((i): i is string => Boolean(i)))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, displayName: true } });
  return new Map(users.map((u) => [u.id, u.displayName]));
}

/** A custodian key's display name: the agency, or the staff member. */
async function custodianNames(keys: string[]): Promise<Map<string, string>> {
  const orgIds = keys.filter((k) => k.startsWith("org:")).map((k) => k.slice(4));
  const userIds = keys.filter((k) => k.startsWith("user:")).map((k) => k.slice(5));
  const [orgs, users] = await Promise.all([
    orgIds.length ? prisma.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }) : [],
    userIds.length ? prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } }) : [],
  ]);
  return new Map([...orgs.map((o) => [`org:${o.id}`, o.name] as const), ...users.map((u) => [`user:${u.id}`, u.displayName] as const)]);
}

export async function listStatements(viewer: StatementViewer, filter: StatementListFilter = {}) {
  if (!can(viewer.roles, "settlement:view")) throw new UserError("settlement.statements.forbidden", { status: 403 });
  const where = {
    ...(isBankSide(viewer) ? {} : { custodianKey: custodianKeyOf(viewer) }),
    ...(filter.state && (statementStateList as readonly string[]).includes(filter.state) ? { state: filter.state } : {}),
    ...(filter.contractId ? { contractId: filter.contractId } : {}),
    ...(filter.year ? { year: filter.year } : {}),
    ...(filter.quarter ? { quarter: filter.quarter } : {}),
  };
  const rows = await prisma.settlementStatement.findMany({ where, orderBy: [{ periodEndsOn: "desc" }, { number: "desc" }], take: 500 });
  const contracts = await prisma.custodyContract.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.contractId))] } }, select: { id: true, number: true } });
  const numberOf = new Map(contracts.map((c) => [c.id, c.number]));
  const custodians = await custodianNames([...new Set(rows.map((r) => r.custodianKey))]);
  const q = filter.q?.trim().toLowerCase();
  return rows
    .map((r) => ({
      id: r.id, number: r.number, contractId: r.contractId, contractNumber: numberOf.get(r.contractId) ?? "", kind: r.kind, year: r.year, quarter: r.quarter,
      periodStartsOn: r.periodStartsOn, periodEndsOn: r.periodEndsOn, custodianKind: r.custodianKind, custodianKey: r.custodianKey,
      custodianName: custodians.get(r.custodianKey) ?? r.custodianKey, state: r.state as StatementState,
      recoveredPrincipal: r.recoveredPrincipal, recoveredInterest: r.recoveredInterest, payableToCustodian: r.payableToCustodian,
      owedByCustodian: r.owedByCustodian, deductionsTaken: r.deductionsTaken, netPayable: r.netPayable, generatedAt: r.generatedAt,
    }))
    .filter((r) => !q || r.contractNumber.toLowerCase().includes(q) || r.number.toLowerCase().includes(q));
}
export type StatementListItem = Awaited<ReturnType<typeof listStatements>>[number];

/** The statement row a viewer may see, or 404. */
export async function loadViewableStatement(viewer: StatementViewer, statementId: string, db: Tx | typeof prisma = prisma) {
  const statement = await db.settlementStatement.findUnique({ where: { id: statementId } });
  if (!statement || !mayViewStatement(viewer, statement)) throw new UserError("settlement.statements.notFound", { status: 404 });
  return statement;
}

export interface StatementStepView {
  step: "submitted" | "verified" | "reviewed" | "invoice_recorded" | "paid";
  byId: string;
  by: string;
  at: Date;
}

/** One statement with its lines, contract, custodian and the steps taken (for the page, the API and the exports). */
export async function statementDetail(viewer: StatementViewer, statementId: string) {
  const s = await loadViewableStatement(viewer, statementId);
  const [lines, contract, custodians] = await Promise.all([
    prisma.settlementStatementLine.findMany({ where: { statementId: s.id }, orderBy: { position: "asc" } }),
    prisma.custodyContract.findUniqueOrThrow({ where: { id: s.contractId }, select: { id: true, number: true, custodianOrgId: true, task: true, status: true } }),
    custodianNames([s.custodianKey]),
  ]);
  const org = s.custodianKind === "AGENCY" ? await prisma.organization.findUnique({ where: { id: s.custodianKey.slice(4) }, select: { stripeAccountId: true, legalRepresentative: true } }) : null;
  const who = await names(prisma, [s.submittedById, s.verifiedById, s.reviewedById, s.invoiceRecordedById, s.paidById, ...lines.map((l) => l.verifiedById)]);
  const steps: StatementStepView[] = [];
  const step = (name: StatementStepView["step"], id: string | null, at: Date | null) => {
    if (id && at) steps.push({ step: name, byId: id, by: who.get(id) ?? id, at });
  };
  step("submitted", s.submittedById, s.submittedAt);
  step("verified", s.verifiedById, s.verifiedAt);
  step("reviewed", s.reviewedById, s.reviewedAt);
  step("invoice_recorded", s.invoiceRecordedById, s.invoiceRecordedAt);
  step("paid", s.paidById, s.paidAt);
  const kind = contractorKind(s.custodianKind);
  return {
    statement: { ...s, state: s.state as StatementState },
    contract,
    custodianName: custodians.get(s.custodianKey) ?? s.custodianKey,
    stripeAccountId: org?.stripeAccountId ?? null,
    lines: lines.map((l) => ({ ...l, verifiedBy: l.verifiedById ? (who.get(l.verifiedById) ?? l.verifiedById) : null })),
    linesVerified: lines.filter((l) => l.verifiedAt !== null).length,
    steps,
    states: statementStates[kind],
    contractorKind: kind,
    direction: s.netPayable > 0n ? ("to_custodian" as const) : s.netPayable < 0n ? ("to_bank" as const) : ("nil" as const),
  };
}
export type StatementDetail = Awaited<ReturnType<typeof statementDetail>>;

/** The contract's statements (for GET /contracts/{id}/statements and the contract views). */
export async function contractStatements(viewer: StatementViewer, contractId: string) {
  const contract = await prisma.custodyContract.findUnique({ where: { id: contractId }, select: { id: true, custodianKey: true } });
  if (!contract || !mayViewStatement(viewer, contract)) throw new UserError("settlement.statements.contractNotFound", { status: 404 });
  return listStatements(viewer, { contractId });
}
