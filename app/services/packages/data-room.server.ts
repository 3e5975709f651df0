import crypto from "node:crypto";
import ExcelJS from "exceljs";
import { can } from "~/domain/access";
import { overdueBuckets } from "~/domain/bundling";
import { dataRoomAccess, type DataRoomAccess, type DataRoomRefusal, type DataRoomTender } from "~/domain/data-room";
import { addMonths, checkEligibility, type Eligibility } from "~/domain/eligibility";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { readStoredFile, storeFile, type FilePolicy, type FileUpload } from "~/infra/files.server";
import { translator, type MessageKey, type Translate } from "~/infra/i18n";
import { settingsAt } from "~/services/settings/settings.server";
import { requirePermission } from "./bundling.server";
import { addEvent } from "./drafts.server";
import {
  documentRows, findPackage, packageLoanRows, packageSummary, type PackageDocumentRow, type PackageLoanRow, type PackageSummary,
} from "./package-queries.server";
import { documentTitleSchema } from "./package-schemas";

/**
 * A package's data room (issue 5, item 4): the masked loan list with aggregates, the uploaded
 * documents and the XLSX download. The department opens any package's data room; a bidder only
 * while the package is in a tender that is open to them and they are eligible for (R3), after
 * accepting the confidentiality undertaking when the setting requires it (domain/data-room.ts).
 * Every opening, document download and export is audit-logged. Personal data stays masked: the stored
 * masked columns and maskBorrowerName; nothing is decrypted here.
 */

export type { PackageDocumentRow };

type Viewer = Pick<AuthUser, "id" | "roles" | "locale" | "organizationKind">;

/** The confidentiality undertaking a bidder accepts (its SHA-256 is recorded with the acceptance). */
export const undertakingText: { "zh-CN": string; en: string } = {
  "zh-CN":
    "本人承诺：对资料室中的贷款信息、文件及其他资料严格保密，仅用于评估是否参与本次竞标；" +
    "不复制、传播或向任何第三方披露；不以任何方式试图识别或联系借款人、担保人；" +
    "竞标结束未中标的，删除已下载的全部资料。违反本承诺的，依法承担相应责任，并可被取消竞买资格。",
  en:
    "I undertake to keep the loan information, documents and every other material of this data room strictly confidential and " +
    "to use them only to decide whether to bid in this tender; not to copy, pass on or disclose them to any third party; not to try " +
    "to identify or contact any borrower or guarantor by any means; and, if I do not win, to delete everything I downloaded when the " +
    "tender ends. A breach makes me liable under the law and may cost me the right to bid.",
};

const sha256 = (text: string | Uint8Array) => crypto.createHash("sha256").update(text).digest("hex");

/** Documents of a data room: scans, photos, spreadsheets and Word documents up to 20 MB (type sniffed). */
export const packageDocumentPolicy: FilePolicy = { allowed: ["pdf", "png", "jpeg", "xlsx", "docx"], maxBytes: 20 * 1024 * 1024 };

/** How far a refusal got: with several tenders, the viewer is told the nearest miss. */
const refusalRank: Record<DataRoomRefusal, number> = {
  not_a_bidder: 0, not_in_tender: 1, tender_not_open: 2, audience: 3, not_eligible: 4, undertaking_required: 5,
};

function parsePositions(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Whether the user may open the package's data room now: the package's tenders (from its lots), the
 * user's eligibility for each tender (R3: the licence must cover the term from the auction's end, the
 * positions excluded by the settings and by the tender), the undertaking setting and whether the user
 * accepted it.
 */
export async function dataRoomAccessFor(user: Viewer, packageId: string, now = new Date(), db: Tx | typeof prisma = prisma): Promise<DataRoomAccess> {
  const row = await db.package.findUnique({ where: { id: packageId }, select: { id: true, status: true } });
  if (!row) throw new UserError("packages.notFound", { status: 404 });
  const organizationKind = user.organizationKind === "AGENCY" ? "AGENCY" : "BANK";
  const department = dataRoomAccess({
    viewer: { roles: user.roles, organizationKind, position: null, eligibility: { eligible: true } },
    packageStatus: row.status, tenders: [], undertakingRequired: false, undertakingAccepted: false,
  });
  if (department.allowed || department.reason === "not_a_bidder") return department;

  const [lots, settings, person, undertaking] = await Promise.all([
    db.tenderLot.findMany({ where: { packageId: row.id, NOT: { status: "WITHDRAWN" } }, include: { tender: true } }),
    settingsAt(now),
    db.user.findUniqueOrThrow({ where: { id: user.id }, include: { organization: true } }),
    db.dataRoomUndertaking.findUnique({ where: { packageId_userId: { packageId: row.id, userId: user.id } }, select: { id: true } }),
  ]);
  const base = {
    packageStatus: row.status,
    undertakingRequired: settings.values.confidentialityUndertakingRequired,
    undertakingAccepted: Boolean(undertaking),
  };
  const viewerFor = (tender: { excludedPositions: string; auctionEndsAt: Date } | null) => {
    const excludedPositions = [...settings.values.excludedPositions, ...(tender ? parsePositions(tender.excludedPositions) : [])];
    const termEnd = addMonths(tender?.auctionEndsAt ?? now, settings.values.contractTermMonths);
    const eligibility: Eligibility = checkEligibility(
      person.organization.kind === "AGENCY"
        ? { kind: "agency", licenceValidUntil: person.organization.licenceValidUntil, bannedUntil: person.organization.bannedUntil, disabled: Boolean(person.disabledAt) }
        : { kind: "staff", employmentStatus: person.employmentStatus, position: person.position, disabled: Boolean(person.disabledAt) },
      { excludedPositions, termEnd, today: now },
    );
    return { roles: user.roles, organizationKind, position: person.position, eligibility } as const;
  };
  if (lots.length === 0) return dataRoomAccess({ ...base, viewer: viewerFor(null), tenders: [] });

  let best: DataRoomAccess | null = null;
  for (const { tender } of lots) {
    const t: DataRoomTender = {
      status: tender.status,
      audience: tender.audience === "STAFF" || tender.audience === "AGENCY" ? tender.audience : "BOTH",
      excludedPositions: parsePositions(tender.excludedPositions),
    };
    const access = dataRoomAccess({ ...base, viewer: viewerFor(tender), tenders: [t] });
    if (access.allowed) return access;
    if (!best || (!best.allowed && refusalRank[access.reason] > refusalRank[best.reason])) best = access;
  }
  return best!;
}

/** The refusal as the UserError the pages and the API show (403). */
function refusalError(access: Extract<DataRoomAccess, { allowed: false }>): UserError {
  return new UserError(`packages.dataRoom.${access.reason}`, { status: 403, params: { reasons: (access.eligibilityReasons ?? []).join(", ") } });
}

async function requireDataRoom(user: Viewer, packageId: string, now: Date, db: Tx | typeof prisma = prisma) {
  const access = await dataRoomAccessFor(user, packageId, now, db);
  if (!access.allowed) throw refusalError(access);
  return access;
}

export interface AggregateRow {
  key: string;
  count: number;
  total: bigint;
}

export interface DataRoomAggregates {
  loanCount: number;
  /** sum of the prices in the package */
  total: bigint;
  principal: bigint;
  claim: bigint;
  /** by value: price totals per group, largest first (overdue buckets in their order) */
  byDifficulty: AggregateRow[];
  byRegion: AggregateRow[];
  byCollateral: AggregateRow[];
  byOverdue: AggregateRow[];
}

export function aggregatesOf(loans: readonly PackageLoanRow[]): DataRoomAggregates {
  const group = (keyOf: (l: PackageLoanRow) => string, order?: readonly string[]) => {
    const rows = new Map<string, AggregateRow>();
    for (const l of loans) {
      const key = keyOf(l);
      const row = rows.get(key) ?? { key, count: 0, total: 0n };
      row.count += 1;
      row.total += l.price;
      rows.set(key, row);
    }
    const list = [...rows.values()];
    return order
      ? list.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key))
      : list.sort((a, b) => (a.total !== b.total ? (a.total > b.total ? -1 : 1) : a.key.localeCompare(b.key)));
  };
  return {
    loanCount: loans.length,
    total: loans.reduce((s, l) => s + l.price, 0n),
    principal: loans.reduce((s, l) => s + l.principal, 0n),
    claim: loans.reduce((s, l) => s + l.claim, 0n),
    byDifficulty: group((l) => l.difficulty, ["recoverable", "hard"]),
    byRegion: group((l) => l.region),
    byCollateral: group((l) => l.collateral, ["unsecured", "guarantee", "mortgage", "pledge"]),
    byOverdue: group((l) => l.overdueBucket, overdueBuckets),
  };
}

export interface DataRoom {
  summary: PackageSummary;
  loans: PackageLoanRow[];
  aggregates: DataRoomAggregates;
  documents: PackageDocumentRow[];
  /** how the viewer is admitted */
  as: "department" | "bidder";
}

/** Opens the data room (refused with packages.dataRoom.<reason>, 403); audit data_room.view. */
export async function openDataRoom(ctx: AuditContext, user: Viewer, packageId: string, now = new Date()): Promise<DataRoom> {
  return audited(ctx, async (tx, audit) => {
    const access = await requireDataRoom(user, packageId, now, tx);
    const [summary, loans, documents] = await Promise.all([packageSummary(tx, packageId, user.locale), packageLoanRows(tx, packageId, now), documentRows(tx, packageId)]);
    await audit({
      action: "data_room.view", entityType: "Package", entityId: packageId,
      after: { number: summary.number, as: access.allowed ? access.as : null, loanCount: loans.length, documents: documents.length },
    });
    return { summary, loans, aggregates: aggregatesOf(loans), documents, as: access.allowed ? access.as : "bidder" };
  });
}

/**
 * Records the user's acceptance of the confidentiality undertaking (the SHA-256 of the text in the
 * user's language); audit data_room.undertaking. Refused with the data room's refusal when the user
 * could not open it anyway; accepting twice records it once.
 */
export async function acceptUndertaking(ctx: AuditContext, user: Viewer, packageId: string, ip?: string, now = new Date()): Promise<void> {
  await audited(ctx, async (tx, audit) => {
    const access = await dataRoomAccessFor(user, packageId, now, tx);
    if (!access.allowed && access.reason !== "undertaking_required") throw refusalError(access);
    if (access.allowed && access.as === "department") return;
    const existing = await tx.dataRoomUndertaking.findUnique({ where: { packageId_userId: { packageId, userId: user.id } } });
    if (existing) return;
    const text = undertakingText[user.locale];
    const row = await tx.dataRoomUndertaking.create({ data: { packageId, userId: user.id, textSha256: sha256(text), acceptedAt: now, ip: ip ?? ctx.ip ?? null } });
    await audit({ action: "data_room.undertaking", entityType: "Package", entityId: packageId, after: { undertakingId: row.id, textSha256: row.textSha256, locale: user.locale } });
  });
}

/**
 * Adds a document to a package's data room (packages:manage; any status but DISCARDED): PDF, PNG,
 * JPEG, XLSX or DOCX up to 20 MB, the type sniffed from the bytes (junk named x.pdf is refused);
 * stored under DATA_DIR/files by SHA-256; event document_added, audit package.document_add.
 */
export async function addDocument(ctx: AuditContext, user: Viewer, packageId: string, upload: FileUpload, title: string, now = new Date()): Promise<PackageDocumentRow> {
  requirePermission(user, "packages:manage");
  const parsed = documentTitleSchema.safeParse({ title });
  if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? "packages.titleRequired", { field: "title" });
  return audited(ctx, async (tx, audit) => {
    const row = await findPackage(tx, packageId);
    if (row.status === "DISCARDED") throw new UserError("packages.discarded", { status: 409 });
    const file = await storeFile(tx, { ...upload, uploadedById: upload.uploadedById ?? user.id }, packageDocumentPolicy, "file");
    const doc = await tx.packageDocument.create({ data: { packageId: row.id, fileId: file.id, title: parsed.data.title, uploadedById: user.id, createdAt: now } });
    await addEvent(tx, row.id, "document_added", { title: doc.title, documentId: doc.id, fileName: file.originalName }, user.id, now);
    await audit({
      action: "package.document_add", entityType: "Package", entityId: row.id,
      after: { documentId: doc.id, title: doc.title, fileName: file.originalName, mimeType: file.mimeType, size: file.size, sha256: file.sha256 },
    });
    return { id: doc.id, title: doc.title, fileName: file.originalName, mimeType: file.mimeType, size: file.size, sha256: file.sha256, uploadedAt: doc.createdAt };
  });
}

/** One document's bytes, with the data room's access; audit data_room.document_download. */
export async function downloadDocument(ctx: AuditContext, user: Viewer, packageId: string, documentId: string, now = new Date()): Promise<{ bytes: Buffer; fileName: string; mimeType: string }> {
  return audited(ctx, async (tx, audit) => {
    const access = await requireDataRoom(user, packageId, now, tx);
    const doc = await tx.packageDocument.findFirst({ where: { id: documentId, packageId } });
    if (!doc) throw new UserError("packages.documentNotFound", { status: 404 });
    const stored = await readStoredFile(doc.fileId);
    if (!stored) throw new UserError("packages.documentMissing", { status: 404 });
    await audit({
      action: "data_room.document_download", entityType: "Package", entityId: packageId,
      after: { documentId: doc.id, title: doc.title, sha256: stored.row.sha256, as: access.allowed ? access.as : null },
    });
    return { bytes: Buffer.from(stored.bytes), fileName: stored.row.originalName, mimeType: stored.row.mimeType };
  });
}

// ---- XLSX -------------------------------------------------------------------------------------------

const yuanCell = (fen: bigint) => Number(toYuanString(fen));
const label = (t: Translate, key: string) => t(key as MessageKey);

function loansSheet(workbook: ExcelJS.Workbook, t: Translate, title: string, loans: readonly PackageLoanRow[]) {
  const columns: { header: string; width: number; money?: boolean; value: (l: PackageLoanRow) => string | number }[] = [
    { header: t("loans.field.loanNumber"), width: 18, value: (l) => l.loanNumber },
    { header: t("loans.field.borrowerName"), width: 22, value: (l) => l.borrowerName },
    { header: t("loans.field.borrowerIdNumber"), width: 22, value: (l) => l.borrowerIdMasked },
    { header: t("loans.field.branch"), width: 14, value: (l) => l.branchName },
    { header: t("loans.field.region"), width: 10, value: (l) => l.region },
    { header: t("loans.field.principal"), width: 15, money: true, value: (l) => yuanCell(l.principal) },
    { header: t("loans.field.claim"), width: 15, money: true, value: (l) => yuanCell(l.claim) },
    { header: t("packages.export.price"), width: 15, money: true, value: (l) => yuanCell(l.price) },
    { header: t("loans.field.difficulty"), width: 12, value: (l) => label(t, `loans.difficulty.${l.difficulty}`) },
    { header: t("loans.field.collateral"), width: 10, value: (l) => label(t, `loans.collateral.${l.collateral}`) },
    { header: t("packages.export.overdueBucket"), width: 14, value: (l) => label(t, `packages.overdue.${l.overdueBucket}`) },
    { header: t("loans.field.fiveTier"), width: 8, value: (l) => label(t, `loans.fiveTier.${l.fiveTier}`) },
    { header: t("loans.field.litigation"), width: 12, value: (l) => label(t, `loans.litigation.${l.litigation}`) },
    { header: t("loans.field.limitationExpiresOn"), width: 12, value: (l) => l.limitationExpiresOn },
  ];
  const sheet = workbook.addWorksheet(t("packages.export.loansSheet"), { views: [{ state: "frozen", ySplit: 2 }] });
  sheet.columns = columns.map((c) => ({ width: c.width, ...(c.money ? { style: { numFmt: "#,##0.00" } } : {}) }));
  sheet.addRow([title]).font = { bold: true, size: 14 };
  sheet.mergeCells(1, 1, 1, columns.length);
  sheet.addRow(columns.map((c) => c.header)).font = { bold: true };
  for (const loan of loans) sheet.addRow(columns.map((c) => c.value(loan)));
}

function aggregatesSheet(workbook: ExcelJS.Workbook, t: Translate, title: string, a: DataRoomAggregates) {
  const sheet = workbook.addWorksheet(t("packages.export.aggregatesSheet"));
  sheet.columns = [{ width: 24 }, { width: 10 }, { width: 18, style: { numFmt: "#,##0.00" } }];
  sheet.addRow([title]).font = { bold: true, size: 14 };
  sheet.mergeCells(1, 1, 1, 3);
  sheet.addRow([t("packages.export.loanCount"), a.loanCount]);
  sheet.addRow([t("packages.export.total"), null, yuanCell(a.total)]);
  sheet.addRow([t("packages.export.principal"), null, yuanCell(a.principal)]);
  sheet.addRow([t("packages.export.claim"), null, yuanCell(a.claim)]);
  const groups: [MessageKey, AggregateRow[], (key: string) => string][] = [
    ["packages.export.byDifficulty", a.byDifficulty, (k) => label(t, `loans.difficulty.${k}`)],
    ["packages.export.byRegion", a.byRegion, (k) => k],
    ["packages.export.byCollateral", a.byCollateral, (k) => label(t, `loans.collateral.${k}`)],
    ["packages.export.byOverdue", a.byOverdue, (k) => label(t, `packages.overdue.${k}`)],
  ];
  for (const [heading, rows, name] of groups) {
    sheet.addRow([]);
    sheet.addRow([t(heading), t("packages.export.count"), t("packages.export.amount")]).font = { bold: true };
    for (const r of rows) sheet.addRow([name(r.key), r.count, yuanCell(r.total)]);
  }
}

/** The data room as XLSX (always masked): the loans and the aggregates, titled with the package number; audit data_room.export. */
export async function exportDataRoomXlsx(ctx: AuditContext, user: Viewer, packageId: string, now = new Date()): Promise<{ bytes: Buffer; fileName: string }> {
  const room = await audited(ctx, async (tx, audit) => {
    const access = await requireDataRoom(user, packageId, now, tx);
    const [summary, loans] = await Promise.all([packageSummary(tx, packageId, user.locale), packageLoanRows(tx, packageId, now)]);
    await audit({
      action: "data_room.export", entityType: "Package", entityId: packageId,
      after: { number: summary.number, as: access.allowed ? access.as : null, loanCount: loans.length, masked: true, format: "xlsx", locale: user.locale },
    });
    return { summary, loans };
  });
  const t = translator(user.locale);
  const title = t("packages.export.title", { number: room.summary.label });
  const workbook = new ExcelJS.Workbook();
  workbook.created = now;
  loansSheet(workbook, t, title, room.loans);
  aggregatesSheet(workbook, t, title, aggregatesOf(room.loans));
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  const stem = room.summary.number ?? `package-${room.summary.draftIndex}-${room.summary.id.slice(-6)}`;
  return { bytes, fileName: `${stem}-data-room.xlsx` };
}

/** Whether the user may add documents (the detail page's upload form). */
export function canAddDocuments(user: Pick<AuthUser, "roles">): boolean {
  return can(user.roles, "packages:manage");
}

