import { can } from "~/domain/access";
import { overdueBucket, type BundleQuality, type OverdueBucket, type PackageQuality } from "~/domain/bundling";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { maskBorrowerName, type MaskedLoanView } from "~/domain/masking";
import { claimOf } from "~/domain/pricing";
import type { Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { translator, type Locale } from "~/infra/i18n";
import { settingsAt } from "~/services/settings/settings.server";
import { overdueDaysOf } from "./bundle-pool.server";
import { requirePermission } from "./bundling.server";
import { parseQuality } from "./quality-json";

/**
 * Reading packages (issue 5): the list by status, one package with its masked loans, history,
 * documents and what the viewer may do. packages:view (the department, approvers, auditors, finance);
 * bidders see packages only through the data room (data-room.server.ts).
 */

type Db = Tx | typeof prisma;

export interface PackageSummary {
  id: string;
  number: string | null;
  /** the number, or "草稿 n" / "Draft n" (the viewer's language) before approval */
  label: string;
  draftIndex: number;
  bundleId: string;
  status: string;
  isRemainder: boolean;
  region: string | null;
  targetAmount: bigint;
  total: bigint;
  hardTotal: bigint;
  loanCount: number;
  quality: PackageQuality;
  createdAt: Date;
  submittedAt: Date | null;
  /** display name */
  submittedBy: string | null;
  decidedAt: Date | null;
  decidedBy: string | null;
  decision: string | null;
  decisionComment: string | null;
  version: number;
}

/** A loan of a package as its page lists it: the masked view plus what staff need. */
export interface PackageLoanRow extends MaskedLoanView {
  loanNumber: string;
  overdueBucket: OverdueBucket;
  fiveTier: string;
  litigation: string;
  limitationExpiresOn: string;
}

export interface PackageDocumentRow {
  id: string;
  title: string;
  fileName: string;
  mimeType: string;
  size: number;
  sha256: string;
  uploadedAt: Date;
}

export type PackageRow = Prisma.PackageGetPayload<object>;

export async function displayNames(ids: readonly (string | null | undefined)[], db: Db = prisma): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, displayName: true } });
  return new Map(users.map((u) => [u.id, u.displayName]));
}

export function packageLabel(row: Pick<PackageRow, "number" | "draftIndex">, locale: Locale): string {
  return row.number ?? translator(locale)("packages.draftLabel", { index: row.draftIndex });
}

export function summaryOf(row: PackageRow, names: Map<string, string>, locale: Locale): PackageSummary {
  return {
    id: row.id,
    number: row.number,
    label: packageLabel(row, locale),
    draftIndex: row.draftIndex,
    bundleId: row.bundleId,
    status: row.status,
    isRemainder: row.isRemainder,
    region: row.region,
    targetAmount: row.targetAmount,
    total: row.total,
    hardTotal: row.hardTotal,
    loanCount: row.loanCount,
    quality: parseQuality<PackageQuality>(row.quality),
    createdAt: row.createdAt,
    submittedAt: row.submittedAt,
    submittedBy: row.submittedById ? (names.get(row.submittedById) ?? null) : null,
    decidedAt: row.decidedAt,
    decidedBy: row.decidedById ? (names.get(row.decidedById) ?? null) : null,
    decision: row.decision,
    decisionComment: row.decisionComment,
    version: row.version,
  };
}

/** Summaries of package rows, with the people's display names. */
export async function summariesOf(rows: readonly PackageRow[], locale: Locale, db: Db = prisma): Promise<PackageSummary[]> {
  const names = await displayNames(rows.flatMap((r) => [r.submittedById, r.decidedById]), db);
  return rows.map((r) => summaryOf(r, names, locale));
}

/** The summary of one package, as it stands in `db` (inside a transaction: its own writes). */
export async function packageSummary(db: Db, packageId: string, locale: Locale): Promise<PackageSummary> {
  const row = await db.package.findUnique({ where: { id: packageId } });
  if (!row) throw new UserError("packages.notFound", { status: 404 });
  return (await summariesOf([row], locale, db))[0]!;
}

/** The package, or a 404 user error. */
export async function findPackage(db: Db, packageId: string): Promise<PackageRow> {
  const row = await db.package.findUnique({ where: { id: packageId } });
  if (!row) throw new UserError("packages.notFound", { status: 404 });
  return row;
}

const loanRowColumns = {
  loanNumber: true, price: true,
  loan: {
    select: {
      borrowerName: true, borrowerType: true, borrowerIdMasked: true, branch: { select: { name: true } }, region: true,
      principal: true, interestOnBalance: true, interestOffBalance: true, difficulty: true, collateral: true,
      maturesOn: true, extendedMaturity: true, fiveTier: true, litigation: true, limitationExpiresOn: true,
    },
  },
} satisfies Prisma.PackageLoanSelect;

/**
 * A package's loans as anyone may see them: the borrower's name and identity number masked (the
 * stored masked forms; nothing is decrypted here), price descending then loan number.
 */
export async function packageLoanRows(db: Db, packageId: string, now = new Date()): Promise<PackageLoanRow[]> {
  const [rows, settings] = await Promise.all([
    db.packageLoan.findMany({ where: { packageId }, select: loanRowColumns }),
    settingsAt(now),
  ]);
  const today = todayInChina(now);
  return rows
    .map(({ loanNumber, price, loan }) => ({
      loanNumber,
      borrowerName: maskBorrowerName(loan.borrowerName, loan.borrowerType),
      borrowerIdMasked: loan.borrowerIdMasked,
      branchName: loan.branch.name,
      region: loan.region,
      principal: loan.principal,
      claim: claimOf(loan, settings.values.claimBasis),
      price,
      difficulty: loan.difficulty,
      collateral: loan.collateral,
      overdueBucket: overdueBucket(overdueDaysOf(loan, today)),
      fiveTier: loan.fiveTier,
      litigation: loan.litigation,
      limitationExpiresOn: loan.limitationExpiresOn,
    }))
    .sort((a, b) => (a.price !== b.price ? (a.price > b.price ? -1 : 1) : a.loanNumber < b.loanNumber ? -1 : a.loanNumber > b.loanNumber ? 1 : 0));
}

/** A package's documents, oldest first. */
export async function documentRows(db: Db, packageId: string): Promise<PackageDocumentRow[]> {
  const docs = await db.packageDocument.findMany({ where: { packageId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  if (docs.length === 0) return [];
  const files = await db.storedFile.findMany({ where: { id: { in: docs.map((d) => d.fileId) } } });
  const byId = new Map(files.map((f) => [f.id, f]));
  return docs.flatMap((d) => {
    const file = byId.get(d.fileId);
    return file ? [{ id: d.id, title: d.title, fileName: file.originalName, mimeType: file.mimeType, size: file.size, sha256: file.sha256, uploadedAt: d.createdAt }] : [];
  });
}

export const packagesPageSize = 50;

/** Packages, newest bundle first then draft order (packages:view); `status` (one or several) and `bundle` narrow it. */
export async function listPackages(
  user: Pick<AuthUser, "roles" | "locale">,
  query: { status?: string | readonly string[]; bundle?: string; page?: number },
  pageSize = packagesPageSize,
): Promise<{ packages: PackageSummary[]; total: number; page: number; pages: number }> {
  requirePermission(user, "packages:view");
  const where: Prisma.PackageWhereInput = {
    ...(typeof query.status === "string" ? { status: query.status } : query.status ? { status: { in: [...query.status] } } : {}),
    ...(query.bundle ? { bundleId: query.bundle } : {}),
  };
  const total = await prisma.package.count({ where });
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(query.page ?? 1) || 1), pages);
  const rows = await prisma.package.findMany({
    where, orderBy: [{ createdAt: "desc" }, { bundleId: "desc" }, { draftIndex: "asc" }], skip: (page - 1) * pageSize, take: pageSize,
  });
  return { packages: await summariesOf(rows, user.locale), total, page, pages };
}

export interface PackageEventRow {
  kind: string;
  detail: Record<string, unknown>;
  by: string;
  at: Date;
}

function parseDetail(json: string): Record<string, unknown> {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export interface PackageDetail {
  summary: PackageSummary;
  loans: PackageLoanRow[];
  events: PackageEventRow[];
  documents: PackageDocumentRow[];
  /** other DRAFT packages of the same bundle: where a loan can be moved */
  siblings: PackageSummary[];
  bundle: { id: string; mode: string; seed: number; poolHardShare: number; target: bigint };
  can: { submit: boolean; approve: boolean; reject: boolean; move: boolean; discard: boolean; upload: boolean };
}

/** One package with its masked loans, history (newest first), documents, sibling drafts and what the viewer may do (packages:view). */
export async function getPackage(user: Pick<AuthUser, "id" | "roles" | "locale">, packageId: string, now = new Date()): Promise<PackageDetail> {
  requirePermission(user, "packages:view");
  const row = await findPackage(prisma, packageId);
  const [loans, events, documents, bundle, siblingRows] = await Promise.all([
    packageLoanRows(prisma, row.id, now),
    prisma.packageEvent.findMany({ where: { packageId: row.id }, orderBy: [{ at: "desc" }, { id: "desc" }] }),
    documentRows(prisma, row.id),
    prisma.bundle.findUniqueOrThrow({ where: { id: row.bundleId } }),
    prisma.package.findMany({ where: { bundleId: row.bundleId, status: "DRAFT", NOT: { id: row.id } }, orderBy: { draftIndex: "asc" } }),
  ]);
  const names = await displayNames([row.submittedById, row.decidedById, ...events.map((e) => e.byId), ...siblingRows.flatMap((s) => [s.submittedById, s.decidedById])]);
  const manage = can(user.roles, "packages:manage");
  const approve = can(user.roles, "packages:approve") && row.status === "SUBMITTED" && row.submittedById !== user.id;
  return {
    summary: summaryOf(row, names, user.locale),
    loans,
    events: events.map((e) => ({ kind: e.kind, detail: parseDetail(e.detail), by: names.get(e.byId) ?? e.byId, at: e.at })),
    documents,
    siblings: siblingRows.map((s) => summaryOf(s, names, user.locale)),
    bundle: { id: bundle.id, mode: bundle.mode, seed: bundle.seed, poolHardShare: parseQuality<BundleQuality>(bundle.quality).poolHardShare ?? 0, target: bundle.targetAmount },
    can: {
      submit: manage && row.status === "DRAFT" && row.loanCount > 0,
      approve,
      reject: approve,
      move: manage && row.status === "DRAFT" && siblingRows.length > 0,
      discard: manage && row.status === "DRAFT",
      upload: manage && row.status !== "DISCARDED",
    },
  };
}
