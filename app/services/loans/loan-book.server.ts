import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { normalizeIdNumber } from "~/domain/identity-numbers";
import { limitationStatus } from "~/domain/limitation";
import { maskBorrowerName, maskPersonName } from "~/domain/masking";
import { claimOf } from "~/domain/pricing";
import type { Settings } from "~/domain/settings";
import { forbidden, type AuthUser } from "~/infra/auth.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { piiHmac } from "~/infra/pii.server";
import { settingsAt } from "~/services/settings/settings.server";
import type { LoanBookFilter } from "./loan-book-schemas";
import { loanWhere } from "./loan-filter";
import { canUnmask } from "./unmask.server";

/**
 * The loan book (issue 4, item 3): the filtered, server-paginated list and the loan page (the
 * borrower statement, 借款人借款情况说明表), both with personal data masked. Unmasking is a separate,
 * audited act (unmask.server.ts). Money stays bigint fen.
 */

export const loanPageSize = 50;

/** The shared filter, plus: the text search also finds an exact identity or phone number (by HMAC), and the difficulty status. */
export function loanBookWhere(filter: LoanBookFilter, today: string): Prisma.LoanWhereInput {
  const { q, difficulty_status, ...shared } = filter;
  const and: Prisma.LoanWhereInput[] = [loanWhere(shared, today)];
  if (q) {
    const byText = loanWhere({ q }, today);
    const idNumber = normalizeIdNumber(q);
    and.push({ OR: [byText, { borrowerIdHmac: piiHmac(idNumber) }, { phoneHmac: piiHmac(q.replace(/[\s-]/g, "")) }] });
  }
  if (difficulty_status) and.push({ difficultyStatus: difficulty_status });
  return { AND: and };
}

export type LoanViewer = Pick<AuthUser, "id" | "roles" | "branchId" | "organizationKind">;

/** loans:view, and never an agency (they see loans only through custody, later). */
export function requireLoanViewer(user: LoanViewer): void {
  if (!can(user.roles, "loans:view") || user.organizationKind === "AGENCY") throw forbidden();
}

const loanSelect = {
  id: true, loanNumber: true, borrowerName: true, borrowerType: true, borrowerIdMasked: true, phoneMasked: true,
  branchId: true, branch: { select: { code: true, name: true, region: true } }, region: true,
  principal: true, interestOnBalance: true, interestOffBalance: true,
  disbursedOn: true, maturesOn: true, extendedMaturity: true, lastPaymentOn: true, lastInterruptionOn: true,
  fiveTier: true, termClass: true, balanceSheet: true, writtenOff: true, collateral: true, guarantorName: true,
  litigation: true, difficulty: true, difficultyReason: true, suggestedDifficulty: true, difficultyStatus: true,
  difficultyNote: true, difficultyDecidedById: true, difficultyDecidedAt: true, officerStaffNumber: true,
  status: true, limitationExpiresOn: true, limitationYears: true, price: true, priceId: true, version: true,
  createdAt: true, updatedAt: true,
} as const satisfies Prisma.LoanSelect;
export type LoanRecord = Prisma.LoanGetPayload<{ select: typeof loanSelect }>;
export { loanSelect };

/** What the book computes for every loan: the claim (R1, by the claim-basis setting) and the limitation clock (R8). */
export interface BookContext {
  today: string;
  claimBasis: Settings["claimBasis"];
  alertDays: readonly number[];
}

export async function bookContext(now = new Date()): Promise<BookContext> {
  const { values } = await settingsAt(now);
  return { today: todayInChina(now), claimBasis: values.claimBasis, alertDays: values.limitationAlertDays };
}

/**
 * One loan as everyone may see it: names, identity number, phone and guarantor masked. The
 * record's clear borrower name and ciphertexts never leave this function.
 */
export function maskedLoan(loan: LoanRecord, context: BookContext) {
  const clock = limitationStatus(loan.limitationExpiresOn, context.today, context.alertDays);
  return {
    id: loan.id,
    loanNumber: loan.loanNumber,
    borrowerName: maskBorrowerName(loan.borrowerName, loan.borrowerType),
    borrowerType: loan.borrowerType,
    borrowerIdMasked: loan.borrowerIdMasked,
    phoneMasked: loan.phoneMasked,
    branchId: loan.branchId,
    branch: loan.branch,
    region: loan.region,
    principal: loan.principal,
    interestOnBalance: loan.interestOnBalance,
    interestOffBalance: loan.interestOffBalance,
    claim: claimOf(loan, context.claimBasis),
    disbursedOn: loan.disbursedOn,
    maturesOn: loan.maturesOn,
    extendedMaturity: loan.extendedMaturity,
    lastPaymentOn: loan.lastPaymentOn,
    lastInterruptionOn: loan.lastInterruptionOn,
    fiveTier: loan.fiveTier,
    termClass: loan.termClass,
    balanceSheet: loan.balanceSheet,
    writtenOff: loan.writtenOff,
    collateral: loan.collateral,
    guarantorName: loan.guarantorName ? maskPersonName(loan.guarantorName) : null,
    litigation: loan.litigation,
    difficulty: loan.difficulty,
    difficultyReason: loan.difficultyReason,
    suggestedDifficulty: loan.suggestedDifficulty,
    difficultyStatus: loan.difficultyStatus,
    difficultyNote: loan.difficultyNote,
    difficultyDecidedAt: loan.difficultyDecidedAt,
    officerStaffNumber: loan.officerStaffNumber,
    status: loan.status,
    limitationExpiresOn: loan.limitationExpiresOn,
    limitationYears: loan.limitationYears,
    daysLeft: clock.daysLeft,
    limitationBucket: clock.bucket,
    lapsed: clock.lapsed,
    price: loan.price,
    version: loan.version,
  };
}
export type MaskedLoan = ReturnType<typeof maskedLoan>;

/** One page of the book (50 loans, by loan number) with the total count and sums of the whole filtered set. */
export async function searchLoans(user: LoanViewer, filter: LoanBookFilter, page = 1, now = new Date()) {
  requireLoanViewer(user);
  const context = await bookContext(now);
  const where = loanBookWhere(filter, context.today);
  const [total, sums, records] = await Promise.all([
    prisma.loan.count({ where }),
    prisma.loan.aggregate({ where, _sum: { principal: true, interestOnBalance: true, interestOffBalance: true } }),
    prisma.loan.findMany({ where, select: loanSelect, orderBy: { loanNumber: "asc" }, skip: (page - 1) * loanPageSize, take: loanPageSize }),
  ]);
  const principal = sums._sum.principal ?? 0n;
  const claim = claimOf(
    { principal, interestOnBalance: sums._sum.interestOnBalance ?? 0n, interestOffBalance: sums._sum.interestOffBalance ?? 0n },
    context.claimBasis,
  );
  return {
    rows: records.map((r) => maskedLoan(r, context)),
    page,
    pageSize: loanPageSize,
    total,
    pages: Math.max(1, Math.ceil(total / loanPageSize)),
    summary: { count: total, principal, claim },
    today: context.today,
  };
}

/** The choices of the filter bar: the bank's branches and the regions that loans are in. */
export async function filterOptions() {
  const [branches, regions] = await Promise.all([
    prisma.branch.findMany({ select: { id: true, code: true, name: true, region: true }, orderBy: { code: "asc" } }),
    prisma.loan.findMany({ distinct: ["region"], select: { region: true }, orderBy: { region: "asc" } }),
  ]);
  return { branches, regions: regions.map((r) => r.region) };
}

/** The loan with the number, or a 404 user error. */
export async function findLoanRecord(loanNumber: string): Promise<LoanRecord> {
  const loan = await prisma.loan.findUnique({ where: { loanNumber }, select: loanSelect });
  if (!loan) throw new UserError("loans.notFound", { status: 404, params: { loanNumber } });
  return loan;
}

/** One loan, masked (the API's GET /loans/{loan_number}). */
export async function getMaskedLoan(user: LoanViewer, loanNumber: string, now = new Date()): Promise<MaskedLoan> {
  requireLoanViewer(user);
  const [loan, context] = await Promise.all([findLoanRecord(loanNumber), bookContext(now)]);
  return maskedLoan(loan, context);
}

/** A history entry's changes: `{field: [before, after]}` (personal data already masked by the writer). */
function changesOf(json: string): { field: string; before: string | null; after: string | null }[] {
  const show = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v));
  try {
    const parsed = JSON.parse(json) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return [];
    return Object.entries(parsed as Record<string, unknown>).map(([field, value]) =>
      Array.isArray(value) ? { field, before: show(value[0]), after: show(value[1]) } : { field, before: null, after: show(value) },
    );
  } catch {
    return [];
  }
}

async function namesOf(ids: (string | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  const users = await prisma.user.findMany({ where: { id: { in: wanted } }, select: { id: true, displayName: true } });
  return new Map(users.map((u) => [u.id, u.displayName]));
}

/**
 * Everything the loan page shows, masked: the statement, the price in force (with the run that
 * computed it and the latest override), the history newest first with who did it, and what the
 * viewer may do (unmask, decide the difficulty).
 */
export async function loanStatement(user: LoanViewer, loanNumber: string, now = new Date()) {
  requireLoanViewer(user);
  const [loan, context] = await Promise.all([findLoanRecord(loanNumber), bookContext(now)]);
  const [changes, loanPrice] = await Promise.all([
    prisma.loanChange.findMany({ where: { loanId: loan.id }, orderBy: [{ at: "desc" }, { id: "desc" }], take: 200 }),
    loan.priceId
      ? prisma.loanPrice.findUnique({ where: { id: loan.priceId }, include: { run: true, overrides: { orderBy: { at: "desc" }, take: 1 } } })
      : prisma.loanPrice.findFirst({ where: { loanId: loan.id }, orderBy: { run: { number: "desc" } }, include: { run: true, overrides: { orderBy: { at: "desc" }, take: 1 } } }),
  ]);
  const override = loanPrice?.overrides[0] ?? null;
  const names = await namesOf([...changes.map((c) => c.actorId), loan.difficultyDecidedById, override?.byId]);
  return {
    loan: {
      ...maskedLoan(loan, context),
      difficultyDecidedBy: loan.difficultyDecidedById ? (names.get(loan.difficultyDecidedById) ?? null) : null,
    },
    price: loanPrice
      ? {
          inForce: loan.price,
          computed: { claim: loanPrice.claim, ageYears: loanPrice.ageYears, band: loanPrice.band, difficulty: loanPrice.difficulty, ratio: loanPrice.ratio, price: loanPrice.price },
          run: { id: loanPrice.run.id, number: loanPrice.run.number, pricingDate: loanPrice.run.pricingDate, settingsVersion: loanPrice.run.settingsVersion, createdAt: loanPrice.run.createdAt },
          override: override ? { price: override.price, reason: override.reason, by: names.get(override.byId) ?? null, at: override.at } : null,
        }
      : null,
    history: changes.map((c) => ({
      id: c.id,
      at: c.at,
      kind: c.kind,
      actor: c.actorId ? (names.get(c.actorId) ?? null) : null,
      tapeId: c.tapeId,
      changes: changesOf(c.changes),
    })),
    claimBasis: context.claimBasis,
    today: context.today,
    canUnmask: canUnmask(user, loan),
    canManage: can(user.roles, "loans:manage"),
  };
}
export type LoanStatement = Awaited<ReturnType<typeof loanStatement>>;
