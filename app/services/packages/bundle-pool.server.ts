import { daysBetween, todayInChina } from "~/domain/calendar";
import type { BundleLoan } from "~/domain/bundling";
import type { Collateral, Difficulty, Litigation } from "~/domain/loan";
import type { Tx } from "~/infra/audit.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { loanWhere } from "~/services/loans/loan-filter";
import type { BundleInput } from "./package-schemas";

/**
 * The pool a bundle is formed from (R2): the selected loans (loan numbers, or the loan book's
 * filter, or the whole book) plus the loans included explicitly, as the bundling engine reads them.
 * Only the columns the engine needs are read, so a 100,000-loan book loads in one pass. Whether a loan
 * is available (status, price, already in a package) is the engine's call: it leaves such loans out
 * with the reason.
 */

type Db = Tx | typeof prisma;

export const bundleLoanColumns = {
  id: true, loanNumber: true, price: true, priceId: true, region: true, difficulty: true, collateral: true,
  maturesOn: true, extendedMaturity: true, status: true, litigation: true, writtenOff: true,
} satisfies Prisma.LoanSelect;
export type BundleLoanRecord = Prisma.LoanGetPayload<{ select: typeof bundleLoanColumns }>;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** At most 20 loan numbers in a message, then "…". */
export function listed(numbers: readonly string[]): string {
  return numbers.length > 20 ? `${numbers.slice(0, 20).join(", ")}, …` : numbers.join(", ");
}

/** Whole days from (extended) maturity to the day; 0 when not yet mature. */
export function overdueDaysOf(loan: { maturesOn: string; extendedMaturity: string | null }, today: string): number {
  return Math.max(0, daysBetween(loan.extendedMaturity ?? loan.maturesOn, today));
}

/**
 * The engine's view of a loan. `inPackage` names the package it already sits in, as people tell
 * packages apart: its number, or before it has one its draft index and day ("#2 (2026-11-24)").
 */
export function toBundleLoan(loan: BundleLoanRecord, today: string, inPackage: string | null, price: bigint | null = loan.price): BundleLoan {
  return {
    loanNumber: loan.loanNumber,
    price,
    region: loan.region,
    difficulty: loan.difficulty as Difficulty,
    collateral: loan.collateral as Collateral,
    overdueDays: overdueDaysOf(loan, today),
    status: loan.status,
    litigation: loan.litigation as Litigation,
    writtenOff: loan.writtenOff,
    inPackage,
  };
}

/** Loans by number (500 at a time), in loan-number order. */
export async function loanRecordsByNumber(db: Db, numbers: readonly string[]): Promise<BundleLoanRecord[]> {
  const found: BundleLoanRecord[] = [];
  for (const part of chunks(numbers, 500)) {
    found.push(...(await db.loan.findMany({ where: { loanNumber: { in: [...part] } }, select: bundleLoanColumns })));
  }
  return found.sort((a, b) => (a.loanNumber < b.loanNumber ? -1 : a.loanNumber > b.loanNumber ? 1 : 0));
}

/** The package each of the loans sits in (every PackageLoan row belongs to a live package: discarding a draft deletes its rows). */
export async function packagesOfLoans(db: Db, loanIds: readonly string[] | "all"): Promise<Map<string, string>> {
  const rows: { loanId: string; packageId: string }[] = [];
  if (loanIds === "all") {
    rows.push(...(await db.packageLoan.findMany({ select: { loanId: true, packageId: true } })));
  } else {
    for (const part of chunks(loanIds, 500)) {
      rows.push(...(await db.packageLoan.findMany({ where: { loanId: { in: [...part] } }, select: { loanId: true, packageId: true } })));
    }
  }
  if (rows.length === 0) return new Map();
  const packageIds = [...new Set(rows.map((r) => r.packageId))];
  const labels = new Map<string, string>();
  for (const part of chunks(packageIds, 500)) {
    for (const p of await db.package.findMany({ where: { id: { in: part } }, select: { id: true, number: true, draftIndex: true, createdAt: true } })) {
      labels.set(p.id, p.number ?? `#${p.draftIndex} (${todayInChina(p.createdAt)})`);
    }
  }
  return new Map(rows.map((r) => [r.loanId, labels.get(r.packageId) ?? r.packageId]));
}

const uniqueTrimmed = (numbers: readonly string[] | undefined) => [...new Set((numbers ?? []).map((n) => n.trim()).filter(Boolean))];

/**
 * The pool of a selection on a day: the loans of `loan_numbers` (unknown numbers are reported, not
 * loaded), or of `filter`, or the whole book when neither is given; plus the loans of `include`.
 * Loan-number order.
 */
export async function loadBundlePool(
  input: Pick<BundleInput, "loan_numbers" | "filter"> & Partial<Pick<BundleInput, "include">>,
  today: string,
  db: Db = prisma,
): Promise<{ loans: BundleLoan[]; unknownLoanNumbers: string[]; records: BundleLoanRecord[] }> {
  const unknownLoanNumbers: string[] = [];
  let records: BundleLoanRecord[];
  if (input.loan_numbers !== undefined) {
    const numbers = uniqueTrimmed(input.loan_numbers);
    records = await loanRecordsByNumber(db, numbers);
    const known = new Set(records.map((r) => r.loanNumber));
    unknownLoanNumbers.push(...numbers.filter((n) => !known.has(n)));
  } else {
    records = await db.loan.findMany({ where: input.filter ? loanWhere(input.filter, today) : {}, select: bundleLoanColumns, orderBy: { loanNumber: "asc" } });
  }
  const include = uniqueTrimmed(input.include);
  if (include.length) {
    const inPool = new Set(records.map((r) => r.loanNumber));
    const extra = include.filter((n) => !inPool.has(n));
    const found = await loanRecordsByNumber(db, extra);
    const known = new Set(found.map((r) => r.loanNumber));
    unknownLoanNumbers.push(...extra.filter((n) => !known.has(n)));
    if (found.length) records = [...records, ...found].sort((a, b) => (a.loanNumber < b.loanNumber ? -1 : a.loanNumber > b.loanNumber ? 1 : 0));
  }
  // A large pool: read every membership at once rather than 500 ids at a time.
  const packages = await packagesOfLoans(db, records.length > 5_000 ? "all" : records.map((r) => r.id));
  const loans = records.map((r) => toBundleLoan(r, today, packages.get(r.id) ?? null));
  return { loans, unknownLoanNumbers, records };
}
