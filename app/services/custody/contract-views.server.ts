import { can } from "~/domain/access";
import { parseTerms, topUpOwed, type ContractStatus } from "~/domain/contract";
import { UserError } from "~/domain/errors";
import { maskBorrowerName } from "~/domain/masking";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { custodianKeyOf, inCustodyTerm, isCustodianOf, isDepartment, mayViewContract, type CustodyViewer } from "./access.server";
import { performanceDepositHeld } from "./accounts.server";

/**
 * Read models of the contract pages (R4/R5): the list of contracts a user may see and one contract's
 * page — figures, signatures, deposit, payments, loans and what the viewer may do now. The custodian
 * sees its own contracts only; the bank's departments (custody:view without custody:work, finance
 * included) see every contract. Anyone else gets the same 404 as for a contract that does not exist.
 * Borrowers' names are masked here for everyone: the custodian opens a loan's full data on the
 * workbench, where every view is logged.
 */

export type ContractViewer = CustodyViewer & Pick<AuthUser, "locale">;

export const contractStatuses = ["AWAITING_SIGNATURE", "AWAITING_COUNTERSIGNATURE", "AWAITING_DEPOSIT", "ACTIVE", "ENDED"] as const satisfies readonly ContractStatus[];

export function isContractStatus(value: unknown): value is ContractStatus {
  return typeof value === "string" && (contractStatuses as readonly string[]).includes(value);
}

export interface ContractFilter {
  status?: ContractStatus | null;
}

/** Display names of custodians by key: the staff member's name, or the agency's. */
export async function custodianNames(keys: readonly string[]): Promise<Record<string, string>> {
  const userIds = keys.filter((k) => k.startsWith("user:")).map((k) => k.slice(5));
  const orgIds = keys.filter((k) => k.startsWith("org:")).map((k) => k.slice(4));
  const [users, orgs] = await Promise.all([
    userIds.length ? prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } }) : [],
    orgIds.length ? prisma.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }) : [],
  ]);
  const names: Record<string, string> = {};
  for (const u of users) names[`user:${u.id}`] = u.displayName;
  for (const o of orgs) names[`org:${o.id}`] = o.name;
  return names;
}

/** The contracts the user may see, newest first: a custodian its own; the bank's departments (custody:view) all. */
export async function visibleContracts(user: CustodyViewer, filter: ContractFilter = {}) {
  if (!can(user.roles, "custody:view")) throw new UserError("contractPages.forbidden", { status: 403 });
  const own = can(user.roles, "custody:work");
  const contracts = await prisma.custodyContract.findMany({
    where: { ...(own ? { custodianKey: custodianKeyOf(user) } : {}), ...(filter.status ? { status: filter.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { number: "desc" }],
    include: { _count: { select: { loans: true } } },
  });
  return contracts.filter((c) => mayViewContract(user, c));
}

/** /contracts: the visible contracts with their custodian's name and package number. */
export async function listContracts(user: ContractViewer, filter: ContractFilter = {}) {
  const contracts = await visibleContracts(user, filter);
  const packages = await prisma.package.findMany({ where: { id: { in: [...new Set(contracts.map((c) => c.packageId))] } }, select: { id: true, number: true } });
  const packageNumbers = new Map(packages.map((p) => [p.id, p.number]));
  const names = await custodianNames([...new Set(contracts.map((c) => c.custodianKey))]);
  return contracts.map((c) => ({
      id: c.id, number: c.number, status: c.status as ContractStatus, custodianKind: c.custodianKind as "STAFF" | "AGENCY",
      custodianName: names[c.custodianKey] ?? c.custodianKey, packageNumber: packageNumbers.get(c.packageId) ?? null, loanCount: c._count.loans,
      task: c.task, performanceDeposit: c.performanceDeposit, termMonths: c.termMonths, custodyStartsAt: c.custodyStartsAt, custodyEndsAt: c.custodyEndsAt,
      createdAt: c.createdAt,
    }));
}

/** The contract with everything the page and the document show; 404 for anyone who may not view it. */
export async function loadViewableContract(user: CustodyViewer, contractId: string) {
  const contract = await prisma.custodyContract.findUnique({
    where: { id: contractId },
    include: { loans: { orderBy: { loanNumber: "asc" } }, depositPayments: { orderBy: { createdAt: "asc" } } },
  });
  if (!contract || !mayViewContract(user, contract)) throw new UserError("contractPages.notFound", { status: 404 });
  return contract;
}

export type ViewableContract = Awaited<ReturnType<typeof loadViewableContract>>;

/**
 * The bid deposit credited toward the performance deposit (R4): once signed, what the signing moved
 * (the contract's own column); before, what signing would move — the registration's bid deposit while
 * it is still held (CONFIRMED), up to the performance deposit, when the terms credit it.
 */
export async function bidDepositCreditOf(contract: Pick<ViewableContract, "signedAt" | "bidDepositCredit" | "registrationId" | "performanceDeposit" | "terms">): Promise<{ credit: bigint; planned: boolean }> {
  if (contract.signedAt) return { credit: contract.bidDepositCredit, planned: false };
  const credits = termsCreditBidDeposit(contract.terms);
  if (!credits) return { credit: 0n, planned: true };
  const deposit = await prisma.bidDeposit.findFirst({ where: { registrationId: contract.registrationId, status: "CONFIRMED" }, orderBy: { createdAt: "asc" } });
  if (!deposit) return { credit: 0n, planned: true };
  return { credit: deposit.amount < contract.performanceDeposit ? deposit.amount : contract.performanceDeposit, planned: true };
}

/** Whether the stored terms credit the bid deposit (true when the terms do not say: the R4 default). */
function termsCreditBidDeposit(json: string): boolean {
  try {
    const parsed = JSON.parse(json) as { creditBidDeposit?: unknown };
    return parsed.creditBidDeposit !== false;
  } catch {
    return true;
  }
}

/** The deposit figures of a contract: owed in all, credited, held now and the top-up still owed. */
export async function depositFigures(contract: ViewableContract) {
  const [{ credit, planned }, held] = await Promise.all([
    bidDepositCreditOf(contract),
    performanceDepositHeld(prisma, contract),
  ]);
  // Before signing nothing is held: the top-up is what the credit will leave.
  const topUp = contract.signedAt ? topUpOwed(contract.performanceDeposit, held) : topUpOwed(contract.performanceDeposit, credit);
  return { owed: contract.performanceDeposit, credit, creditPlanned: planned, held, topUp };
}

/** The API's read model of one contract: the row, its terms, loans, top-ups and deposit figures (404 as for the page). */
export async function contractRecord(user: CustodyViewer, contractId: string) {
  const { loans, depositPayments: payments, ...contract } = await loadViewableContract(user, contractId);
  const held = await performanceDepositHeld(prisma, contract);
  const names = await userNames([contract.signedById, contract.countersignedById]);
  return {
    contract, terms: parseTerms(contract.terms), loans, payments, held, owed: topUpOwed(contract.performanceDeposit, held),
    signedBy: contract.signedById ? (names[contract.signedById] ?? null) : null,
    countersignedBy: contract.countersignedById ? (names[contract.countersignedById] ?? null) : null,
    viewer: { custodian: isCustodianOf(user, contract), department: isDepartment(user), finance: can(user.roles, "settlement:finance") },
  };
}

export type ContractRecord = Awaited<ReturnType<typeof contractRecord>>;

/** Display names of users by id. */
async function userNames(ids: (string | null)[]): Promise<Record<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (!wanted.length) return {};
  const users = await prisma.user.findMany({ where: { id: { in: wanted } }, select: { id: true, displayName: true } });
  return Object.fromEntries(users.map((u) => [u.id, u.displayName]));
}

/** /contracts/{id}: the contract as its page shows it, with what the viewer may do now. */
export async function contractPage(user: ContractViewer, contractId: string, now: Date = new Date()) {
  const contract = await loadViewableContract(user, contractId);
  const [deposit, names, custodian, pkg, tender, loans] = await Promise.all([
    depositFigures(contract),
    userNames([contract.signedById, contract.countersignedById, ...contract.depositPayments.flatMap((p) => [p.declaredById, p.confirmedById])]),
    custodianNames([contract.custodianKey]),
    prisma.package.findUnique({ where: { id: contract.packageId }, select: { number: true } }),
    prisma.tender.findUnique({ where: { id: contract.tenderId }, select: { id: true, number: true, title: true } }),
    prisma.loan.findMany({ where: { id: { in: contract.loans.map((l) => l.loanId) } }, select: { id: true, borrowerName: true, borrowerType: true } }),
  ]);
  const borrowers = new Map(loans.map((l) => [l.id, maskBorrowerName(l.borrowerName, l.borrowerType)]));
  const custodianOfIt = isCustodianOf(user, contract);
  const department = isDepartment(user);
  const finance = can(user.roles, "settlement:finance");
  const status = contract.status as ContractStatus;
  const pending = contract.depositPayments.some((p) => p.status === "AWAITING_PAYMENT" || p.status === "DECLARED");
  const signature = (by: string | null, at: Date | null, ip: string | null) => (at ? { name: (by && names[by]) || "", at, ip } : null);
  return {
    contract: {
      id: contract.id, number: contract.number, status, custodianKind: contract.custodianKind as "STAFF" | "AGENCY",
      custodianName: custodian[contract.custodianKey] ?? contract.custodianKey, packageId: contract.packageId, packageNumber: pkg?.number ?? null,
      tender: tender ? { id: tender.id, number: tender.number, title: tender.title } : null,
      winningPrice: contract.winningPrice, task: contract.task, termMonths: contract.termMonths, settingsVersion: contract.settingsVersion,
      createdAt: contract.createdAt, custodyStartsAt: contract.custodyStartsAt, custodyEndsAt: contract.custodyEndsAt, endedAt: contract.endedAt,
      inTerm: inCustodyTerm(contract, now),
    },
    deposit,
    signatures: {
      custodian: signature(contract.signedById, contract.signedAt, contract.signedIp),
      department: signature(contract.countersignedById, contract.countersignedAt, contract.countersignedIp),
    },
    // The client secret only for the custodian, who pays with it.
    payments: contract.depositPayments.map((p) => ({
      id: p.id, method: p.method, amount: p.amount, status: p.status, voucherNumber: p.voucherNumber, createdAt: p.createdAt,
      declaredAt: p.declaredAt, confirmedAt: p.confirmedAt, confirmedBy: p.confirmedById ? (names[p.confirmedById] ?? null) : null,
      clientSecret: custodianOfIt && p.method === "STRIPE" && p.status === "AWAITING_PAYMENT" ? p.clientSecret : null,
    })),
    loans: contract.loans.map((l) => ({
      id: l.id, loanNumber: l.loanNumber, borrowerName: borrowers.get(l.loanId) ?? "", principal: l.principal, interest: l.interest,
      pricedValue: l.pricedValue, status: l.status,
    })),
    viewer: { custodian: custodianOfIt, department, finance },
    may: {
      sign: custodianOfIt && status === "AWAITING_SIGNATURE",
      countersign: department && status === "AWAITING_COUNTERSIGNATURE",
      // A top-up once signed (the credit is known then) until custody starts; one open payment at a time.
      topUp: custodianOfIt && (status === "AWAITING_COUNTERSIGNATURE" || status === "AWAITING_DEPOSIT") && deposit.topUp > 0n && !pending,
      confirmTopUp: finance && contract.depositPayments.some((p) => p.status === "DECLARED"),
      workLoans: custodianOfIt && inCustodyTerm(contract, now),
    },
  };
}

export type ContractPage = Awaited<ReturnType<typeof contractPage>>;

/** Whether the top-up payment belongs to the contract (a form may not confirm another contract's payment). */
export async function paymentInContract(paymentId: string, contractId: string): Promise<boolean> {
  if (!paymentId) return false;
  return (await prisma.performanceDepositPayment.count({ where: { id: paymentId, contractId } })) === 1;
}
