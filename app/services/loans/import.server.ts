import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { importLoanTape } from "../../../jobs/loan-tape-job";
import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { suggestDifficulty } from "~/domain/difficulty";
import { UserError } from "~/domain/errors";
import { limitationAnchor, limitationExpiry } from "~/domain/limitation";
import { isLocked, type LoanFields } from "~/domain/loan";
import { allowedValues, createTapeValidation, isEmptyRow, tapeColumn, type TapeIssue, type TapeKey, type TapeValidationResult, type TapeWarning } from "~/domain/loan-tape";
import { maskBorrowerName, maskIdNumber, maskPersonName, maskPhone } from "~/domain/masking";
import { toYuanString } from "~/domain/money";
import { auditEntryValues, auditHeadSql, auditInsertSql, audited, systemContext, type AuditContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { getEnv } from "~/infra/env.server";
import { isMessageKey, translator, type Locale, type MessageKey, type Translate } from "~/infra/i18n";
import { encryptPii, piiHmac } from "~/infra/pii.server";
import { getQueue } from "~/infra/queue.server";
import { formDataOf, readLimitedBody } from "~/infra/request-body.server";
import { sqliteDateTime } from "~/infra/sqlite-datetime.server";
import { PackedRows, SqliteWorker, type Value } from "~/infra/sqlite-worker.server";
import { readTape, TapeReadError, type TapeFormat } from "~/infra/tape-reader.server";
import { settingsAt } from "~/services/settings/settings.server";

/**
 * Loan-tape import (issue item 2, ../shared/domain/loan-tape.md). Submitting stores the bytes under
 * DATA_DIR/tapes/<sha256>.<ext>, records the tape and its audit entry in one transaction and queues
 * the job. The job (processLoanTape) validates the WHOLE file first (the CSV parser runs in a
 * worker thread while this thread validates); any problem rejects the tape and writes nothing else.
 * A valid tape is written in ONE transaction on a direct SQLite connection in a second worker thread
 * (this thread encrypts and masks while it inserts; 100,000 rows in seconds): new loans inserted,
 * changed ones updated with a history entry each (personal data masked), unchanged ones counted,
 * and one audit entry for the import. bench/loan-import.ts measures it.
 */

export const maxTapeBytes = 50 * 1024 * 1024;
export const maxJsonRows = 200_000;
/** Problems kept on a rejected tape (the total is kept too). */
export const maxKeptErrors = 1000;
const progressEveryRows = 2000;
/** Reading and validating is this share of the progress bar; writing the rest. */
const readShare = 0.7;

export type TapeStatus = "processing" | "rejected" | "imported" | "failed";
export type StoredTapeFormat = TapeFormat | "json";

export type TapeInput = { kind: "file"; fileName: string; bytes: Uint8Array } | { kind: "rows"; rows: unknown; fileName?: string };

/** Who imports: a signed-in user or an API token's user. */
export interface TapeUser {
  id: string;
  roles: string[];
  locale: Locale;
}

function requireImporter(user: TapeUser): void {
  if (!can(user.roles, "loans:import")) throw new UserError("tape.forbidden", { status: 403 });
}

// ---- submit ----------------------------------------------------------------------------------------

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** CSV or XLSX, from the bytes (a ZIP is a workbook; an old OLE2 .xls is refused by name). */
export function tapeFormatOf(fileName: string, bytes: Uint8Array): TapeFormat {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return "xlsx";
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) throw new UserError("tape.upload.xls", { field: "file", status: 415 });
  const extension = path.extname(fileName).toLowerCase();
  if (extension && ![".csv", ".txt", ".tsv"].includes(extension)) throw new UserError("tape.upload.unsupportedType", { field: "file", status: 415 });
  // Text: no NUL byte in the first 64 KB (binary files have them early).
  const head = bytes.subarray(0, 64 * 1024);
  if (head.includes(0)) throw new UserError("tape.upload.unsupportedType", { field: "file", status: 415 });
  return "csv";
}

function cleanFileName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 200);
  return cleaned || fallback;
}

const tooLarge = () => new UserError("tape.upload.tooLarge", { field: "file", params: { max: `${maxTapeBytes / (1024 * 1024)} MB` }, status: 413 });

/** Writes the bytes under their hash unless they are there already (temporary file, then rename). */
function storeBytes(relative: string, bytes: Uint8Array): void {
  const absolute = path.join(getEnv().dataDir, relative);
  if (fs.existsSync(absolute) && fs.statSync(absolute).size === bytes.length) return;
  fs.mkdirSync(path.dirname(absolute), { recursive: true });
  const temporary = `${absolute}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`;
  fs.writeFileSync(temporary, bytes, { mode: 0o600 });
  fs.renameSync(temporary, absolute);
}

/**
 * Accepts a tape (an uploaded file, or JSON rows from the API), stores it, records it (status
 * processing) with its `loan_tape.submit` audit entry in one transaction, and queues the import job.
 */
export async function submitLoanTape(
  context: AuditContext,
  user: TapeUser,
  input: TapeInput,
  /** `queue: false`: the caller runs processLoanTape itself (the seed, a short-lived process). */
  options: { queue?: boolean } = {},
): Promise<{ id: string }> {
  requireImporter(user);
  let bytes: Uint8Array;
  let format: StoredTapeFormat;
  let fileName: string;
  if (input.kind === "rows") {
    if (!Array.isArray(input.rows) || input.rows.length === 0) throw new UserError("tape.upload.noRows", { field: "rows" });
    if (input.rows.length > maxJsonRows) throw new UserError("tape.upload.tooManyRows", { field: "rows", params: { max: maxJsonRows }, status: 413 });
    bytes = Buffer.from(JSON.stringify(input.rows), "utf8");
    format = "json";
    fileName = cleanFileName(input.fileName ?? "", "api-rows.json");
  } else {
    if (input.bytes.length === 0) throw new UserError("tape.upload.empty", { field: "file" });
    format = tapeFormatOf(input.fileName, input.bytes);
    bytes = input.bytes;
    fileName = cleanFileName(input.fileName, `tape.${format}`);
  }
  if (bytes.length > maxTapeBytes) throw tooLarge();
  const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
  const storedPath = path.posix.join("tapes", `${sha256}.${format}`);
  storeBytes(storedPath, bytes);
  const tape = await audited(context, async (tx, audit) => {
    const created = await tx.loanTape.create({
      data: { status: "processing", format, fileName, sha256, size: bytes.length, storedPath, createdById: user.id },
    });
    await audit({ action: "loan_tape.submit", entityType: "LoanTape", entityId: created.id, after: { fileName, size: bytes.length, sha256, format } });
    return created;
  });
  if (options.queue === false) return { id: tape.id };
  try {
    await getQueue().enqueue(importLoanTape, { tapeId: tape.id });
  } catch (error) {
    await markLoanTapeFailed(tape.id, error);
    throw error;
  }
  return { id: tape.id };
}

/** A tape that could not be processed (the job's last attempt failed): nothing was written. */
export async function markLoanTapeFailed(tapeId: string, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  await audited(systemContext(importLoanTape.name), async (tx, audit) => {
    const { count } = await tx.loanTape.updateMany({ where: { id: tapeId, status: "processing" }, data: { status: "failed", failure: message } });
    if (count > 0) await audit({ action: "loan_tape.fail", entityType: "LoanTape", entityId: tapeId, after: { failure: message } });
  });
}

// ---- reading the upload from a request --------------------------------------------------------------

/** Room for the multipart boundaries and other fields around a file of the largest size. */
const maxBodyBytes = maxTapeBytes + 256 * 1024;

/**
 * The tape of a POST: multipart/form-data with a `file`, or JSON `{ "rows": [...] }` (API). The body
 * is refused beyond the size limit whether or not a Content-Length announces it.
 */
export async function readTapeUpload(request: Request): Promise<TapeInput> {
  const type = request.headers.get("Content-Type") ?? "";
  const body = await readLimitedBody(request, maxBodyBytes, tooLarge);
  if (/^application\/(.+\+)?json/i.test(type)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw new UserError("tape.upload.invalidJson");
    }
    const rows = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as { rows?: unknown }).rows : undefined;
    const fileName = parsed && typeof parsed === "object" ? (parsed as { file_name?: unknown }).file_name : undefined;
    return { kind: "rows", rows, fileName: typeof fileName === "string" ? fileName : undefined };
  }
  const form = await formDataOf(request, body);
  const file = form.get("file");
  if (!(file instanceof File) || (file.size === 0 && !file.name)) throw new UserError("tape.upload.noFile", { field: "file" });
  return { kind: "file", fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

// ---- processing ------------------------------------------------------------------------------------

export interface ProcessResult {
  status: TapeStatus | "missing";
  rows?: number;
  created?: number;
  updated?: number;
  unchanged?: number;
  errors?: number;
}

interface TapeRecord {
  id: string;
  status: string;
  format: string;
  fileName: string;
  sha256: string;
  storedPath: string;
  createdById: string;
}

async function importContext(userId: string): Promise<AuditContext> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { id: true, email: true, organizationId: true } });
  if (!user) return systemContext(importLoanTape.name);
  return { actorType: "USER", actorId: user.id, actorLabel: user.email, organizationId: user.organizationId, requestId: null, ip: null, userAgent: null };
}

/** Reads and validates the whole stored tape, moving the progress from 0 to `readShare`. */
async function validateStoredTape(tape: TapeRecord, today: string, branches: { code: string; name: string }[]): Promise<TapeValidationResult> {
  const validation = createTapeValidation({ today, branches, maxErrors: maxKeptErrors });
  const file = path.join(getEnv().dataDir, tape.storedPath);
  let lastProgress = 0;
  let lastProgressAt = Date.now();
  // Checked every `progressEveryRows` rows, written at most every quarter second.
  const progress = async (fraction: number) => {
    const value = Math.round(Math.min(readShare, Math.max(0, fraction * readShare)) * 1000) / 1000;
    if (value <= lastProgress || Date.now() - lastProgressAt < 250) return;
    lastProgress = value;
    lastProgressAt = Date.now();
    await prisma.loanTape.updateMany({ where: { id: tape.id, status: "processing" }, data: { progress: value } });
  };
  if (tape.format === "json") {
    const rows = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    if (!Array.isArray(rows)) {
      validation.fileError("tape.upload.noRows");
    } else {
      for (let i = 0; i < rows.length; i++) {
        validation.jsonRow(i + 1, rows[i]);
        if ((i + 1) % progressEveryRows === 0) await progress((i + 1) / rows.length);
      }
    }
    return validation.finish();
  }
  const reader = readTape(file, tape.format === "xlsx" ? "xlsx" : "csv");
  let headerSeen = false;
  let count = 0;
  try {
    for await (const { row, cells } of reader) {
      if (!headerSeen) {
        if (isEmptyRow(cells)) continue;
        headerSeen = true;
        if (!validation.header(cells)) break;
        continue;
      }
      validation.row(row, cells);
      if (++count % progressEveryRows === 0) await progress(reader.fraction());
    }
  } catch (error) {
    if (!(error instanceof TapeReadError)) throw error;
    validation.fileError(error.code, { detail: error.detail });
    return validation.finish();
  }
  if (!headerSeen) validation.fileError("tape.file.empty");
  return validation.finish();
}

function keptIssues(errors: TapeIssue[], errorCount: number): TapeIssue[] {
  const kept = errors.slice(0, maxKeptErrors);
  if (errorCount > kept.length) kept.push({ row: null, column: null, code: "tape.moreErrors", params: { count: errorCount - kept.length } });
  return kept;
}

async function rejectTape(tape: TapeRecord, context: AuditContext, result: { errors: TapeIssue[]; errorCount: number; warnings: TapeWarning[]; rowCount: number }): Promise<ProcessResult> {
  await audited(context, async (tx, audit) => {
    const { count } = await tx.loanTape.updateMany({
      where: { id: tape.id, status: "processing" },
      data: { status: "rejected", progress: 1, rowCount: result.rowCount, errors: JSON.stringify(keptIssues(result.errors, result.errorCount)), warnings: JSON.stringify(result.warnings) },
    });
    if (count > 0) {
      await audit({ action: "loan_tape.reject", entityType: "LoanTape", entityId: tape.id, after: { sha256: tape.sha256, fileName: tape.fileName, rows: result.rowCount, errors: result.errorCount } });
    }
  });
  return { status: "rejected", rows: result.rowCount, errors: result.errorCount };
}

/**
 * The import job's work: validate the whole stored tape, then reject it (nothing written) or write
 * it in one transaction. Idempotent: a tape no longer processing is left alone; a crash half-way
 * rolls the transaction back, so a retry starts from scratch.
 */
export async function processLoanTape(tapeId: string, options: { now?: Date; onPhase?: (phase: "validated" | "written") => void } = {}): Promise<ProcessResult> {
  const now = options.now ?? new Date();
  const tape = await prisma.loanTape.findUnique({ where: { id: tapeId } });
  if (!tape) return { status: "missing" };
  if (tape.status !== "processing") return { status: tape.status as TapeStatus };
  const today = todayInChina(now);
  const [branches, settings, context] = await Promise.all([
    prisma.branch.findMany({ select: { id: true, code: true, name: true } }),
    settingsAt(now),
    importContext(tape.createdById),
  ]);
  const result = await validateStoredTape(tape, today, branches);
  options.onPhase?.("validated");
  if (result.errorCount > 0) return rejectTape(tape, context, result);
  await prisma.loanTape.updateMany({ where: { id: tape.id, status: "processing" }, data: { progress: readShare } });

  const written = await writeTape(tape, result.loans, {
    branchIds: new Map(branches.map((b) => [b.code, b.id])),
    branchCodes: new Map(branches.map((b) => [b.id, b.code])),
    limitationYears: settings.values.limitationYears,
    warnings: result.warnings,
    rowCount: result.rowCount,
    context,
  });
  options.onPhase?.("written");
  if (written.kind === "gone") {
    // Another run finished it meanwhile (a duplicate delivery): its outcome stands.
    const current = await prisma.loanTape.findUnique({ where: { id: tape.id }, select: { status: true } });
    return { status: (current?.status ?? "missing") as TapeStatus | "missing" };
  }
  if (written.kind === "locked") return rejectTape(tape, context, { errors: written.errors, errorCount: written.errorCount, warnings: result.warnings, rowCount: result.rowCount });
  return { status: "imported", rows: result.rowCount, ...written.counts };
}

// ---- writing (one raw transaction) -------------------------------------------------------------------

const loanColumns = [
  "id", "loanNumber", "borrowerName", "borrowerType", "borrowerIdCipher", "borrowerIdHmac", "borrowerIdMasked", "phoneCipher", "phoneHmac", "phoneMasked",
  "branchId", "region", "principal", "interestOnBalance", "interestOffBalance", "disbursedOn", "maturesOn", "extendedMaturity", "lastPaymentOn",
  "lastInterruptionOn", "fiveTier", "termClass", "balanceSheet", "writtenOff", "collateral", "guarantorName", "litigation", "difficulty", "difficultyReason",
  "suggestedDifficulty", "difficultyStatus", "officerStaffNumber", "status", "limitationExpiresOn", "limitationYears", "version", "lastTapeId", "createdAt", "updatedAt",
] as const;

/** The columns a re-import may change (besides version, lastTapeId, updatedAt). */
const updatableColumns = [
  "borrowerName", "borrowerType", "borrowerIdCipher", "borrowerIdHmac", "borrowerIdMasked", "phoneCipher", "phoneHmac", "phoneMasked", "branchId", "region",
  "principal", "interestOnBalance", "interestOffBalance", "disbursedOn", "maturesOn", "extendedMaturity", "lastPaymentOn", "lastInterruptionOn", "fiveTier",
  "termClass", "balanceSheet", "writtenOff", "collateral", "guarantorName", "litigation", "difficulty", "difficultyReason", "suggestedDifficulty",
  "difficultyStatus", "officerStaffNumber", "limitationExpiresOn", "limitationYears",
] as const;

const quote = (column: string) => `"${column}"`;

interface ExistingLoan {
  id: string;
  loanNumber: string;
  borrowerName: string;
  borrowerType: string;
  borrowerIdCipher: string;
  borrowerIdHmac: string;
  borrowerIdMasked: string;
  phoneCipher: string | null;
  phoneHmac: string | null;
  phoneMasked: string | null;
  branchId: string;
  region: string;
  principal: bigint;
  interestOnBalance: bigint;
  interestOffBalance: bigint;
  disbursedOn: string;
  maturesOn: string;
  extendedMaturity: string | null;
  lastPaymentOn: string | null;
  lastInterruptionOn: string | null;
  fiveTier: string;
  termClass: string | null;
  balanceSheet: string;
  writtenOff: bigint;
  collateral: string;
  guarantorName: string | null;
  litigation: string;
  difficulty: string;
  difficultyReason: string | null;
  suggestedDifficulty: string;
  difficultyStatus: string;
  officerStaffNumber: string | null;
  status: string;
  limitationExpiresOn: string;
  limitationYears: bigint;
  version: bigint;
}

interface WriteOptions {
  branchIds: Map<string, string>;
  branchCodes: Map<string, string>;
  limitationYears: number;
  warnings: TapeWarning[];
  rowCount: number;
  context: AuditContext;
}

type WriteOutcome =
  | { kind: "imported"; counts: { created: number; updated: number; unchanged: number } }
  | { kind: "locked"; errors: TapeIssue[]; errorCount: number }
  | { kind: "gone" };

/** Ids in the style of Prisma's cuid(): time-ordered (cheap appends to the primary-key index), unique. */
function idFactory(): () => string {
  const prefix = `c${Date.now().toString(36).padStart(9, "0")}${crypto.randomBytes(5).toString("hex")}`;
  let counter = 0;
  return () => prefix + (counter++).toString(36).padStart(6, "0");
}

/** The difficulty in force after an import: the tape's, else the product's suggestion, unless the department decided it. */
function difficultyAfter(loan: LoanFields, suggested: string, existing: ExistingLoan | undefined): { difficulty: string; difficultyStatus: string } {
  if (existing && (existing.difficultyStatus === "CONFIRMED" || existing.difficultyStatus === "OVERRIDDEN")) {
    return { difficulty: existing.difficulty, difficultyStatus: existing.difficultyStatus };
  }
  return loan.difficulty ? { difficulty: loan.difficulty, difficultyStatus: "TAPE" } : { difficulty: suggested, difficultyStatus: "SUGGESTED" };
}

const json = JSON.stringify;

/**
 * The history entry of a created loan, `{field: [null, value]}` for every field the tape set, as a
 * JSON string built directly (100,000 of them per large tape). Personal data masked, money in yuan.
 * Enumerations, days and masked numbers need no escaping; free text goes through JSON.stringify.
 */
function createdChanges(
  loan: LoanFields,
  d: { idMasked: string; phoneMasked: string | null; difficulty: string; difficultyStatus: string; suggested: string; expiry: string; years: number },
): string {
  let out = `{"borrowerName":[null,${json(maskBorrowerName(loan.borrowerName, loan.borrowerType))}],"borrowerType":[null,"${loan.borrowerType}"],"borrowerIdNumber":[null,"${d.idMasked}"]`;
  if (d.phoneMasked) out += `,"phone":[null,"${d.phoneMasked}"]`;
  out += `,"branch":[null,${json(loan.branch)}],"region":[null,${json(loan.region)}],"principal":[null,"${toYuanString(loan.principal)}"]`;
  out += `,"interestOnBalance":[null,"${toYuanString(loan.interestOnBalance)}"],"interestOffBalance":[null,"${toYuanString(loan.interestOffBalance)}"]`;
  out += `,"disbursedOn":[null,"${loan.disbursedOn}"],"maturesOn":[null,"${loan.maturesOn}"]`;
  if (loan.extendedMaturity) out += `,"extendedMaturity":[null,"${loan.extendedMaturity}"]`;
  if (loan.lastPaymentOn) out += `,"lastPaymentOn":[null,"${loan.lastPaymentOn}"]`;
  if (loan.lastInterruptionOn) out += `,"lastInterruptionOn":[null,"${loan.lastInterruptionOn}"]`;
  out += `,"fiveTier":[null,"${loan.fiveTier}"]`;
  if (loan.termClass) out += `,"termClass":[null,"${loan.termClass}"]`;
  out += `,"balanceSheet":[null,"${loan.balanceSheet}"],"writtenOff":[null,${loan.writtenOff}],"collateral":[null,"${loan.collateral}"]`;
  if (loan.guarantorName) out += `,"guarantorName":[null,${json(maskPersonName(loan.guarantorName))}]`;
  out += `,"litigation":[null,"${loan.litigation}"],"difficulty":[null,"${d.difficulty}"]`;
  if (loan.difficultyReason) out += `,"difficultyReason":[null,"${loan.difficultyReason}"]`;
  out += `,"suggestedDifficulty":[null,"${d.suggested}"],"difficultyStatus":[null,"${d.difficultyStatus}"]`;
  if (loan.officer) out += `,"officer":[null,${json(loan.officer)}]`;
  out += `,"limitationExpiresOn":[null,"${d.expiry}"],"limitationYears":[null,${d.years}]}`;
  return out;
}

/** History values: money as yuan strings, personal data masked. */
type HistoryValue = string | boolean | number | null;

const insertLoanSql = `INSERT INTO "Loan" (${loanColumns.map(quote).join(", ")}) VALUES (${loanColumns.map(() => "?").join(", ")})`;
const updateLoanSql = `UPDATE "Loan" SET ${updatableColumns.map((c) => `${quote(c)} = ?`).join(", ")}, "version" = "version" + 1, "lastTapeId" = ?, "updatedAt" = ? WHERE "id" = ?`;
const insertChangeSql = `INSERT INTO "LoanChange" ("id", "loanId", "at", "actorId", "kind", "tapeId", "changes") VALUES (?, ?, ?, ?, ?, ?, ?)`;
/** The columns that may hold text other than ASCII: the tape's free text (everything else is ASCII by construction). */
const freeTextColumns: readonly string[] = ["loanNumber", "borrowerName", "region", "guarantorName", "officerStaffNumber"];
const columnsOf = (columns: readonly string[], names: readonly string[]) => names.map((name) => columns.indexOf(name)).filter((i) => i >= 0);
/** Rows per batch handed to the database worker. */
const writeBatchRows = 1000;

/**
 * Writes a validated tape in ONE transaction on a direct SQLite connection in a worker thread
 * (sqlite-worker.server.ts): this thread computes each loan's row — identity and phone numbers
 * encrypted and HMAC'd, masked forms, difficulty, limitation expiry, history entry — while the
 * worker inserts the previous batches. Existing loans are read inside the same transaction (BEGIN
 * IMMEDIATE: no other writer until commit), so a lock or change cannot slip in between.
 */
async function writeTape(tape: TapeRecord, rows: { row: number; loan: LoanFields }[], options: WriteOptions): Promise<WriteOutcome> {
  // A 32 MB page cache for the connection: the loans' and history's index pages stay in memory
  // through the bulk insert instead of being spilled to the WAL again and again (twice as fast).
  const db = new SqliteWorker({ cacheKb: 32768 });
  try {
    await db.begin();
    const [current] = await db.query<{ status: string }>('SELECT "status" FROM "LoanTape" WHERE "id" = ?', [tape.id]);
    if (current?.status !== "processing") {
      await db.rollback();
      return { kind: "gone" };
    }
    const outcome = await writeInTransaction(db, tape, rows, options);
    if (outcome.kind === "imported") await db.commit();
    else await db.rollback();
    return outcome;
  } finally {
    await db.close();
  }
}

/** The UPDATE values and history entry of an existing loan, or null when the tape changes nothing. */
function updateOf(
  existing: ExistingLoan,
  loan: LoanFields,
  d: { branchId: string; idHmac: string; phoneHmac: string | null; suggested: string; expiry: string; lastInterruptionOn: string | null; years: number; branchCodes: Map<string, string> },
): { values: unknown[]; changes: string } | null {
  const { difficulty, difficultyStatus } = difficultyAfter(loan, d.suggested, existing);
  const idChanged = d.idHmac !== existing.borrowerIdHmac;
  const phoneChanged = d.phoneHmac !== existing.phoneHmac;
  const next = {
    borrowerName: loan.borrowerName,
    borrowerType: loan.borrowerType,
    borrowerIdCipher: idChanged ? encryptPii(loan.borrowerIdNumber) : existing.borrowerIdCipher,
    borrowerIdHmac: d.idHmac,
    borrowerIdMasked: idChanged ? maskIdNumber(loan.borrowerIdNumber) : existing.borrowerIdMasked,
    phoneCipher: phoneChanged ? (loan.phone ? encryptPii(loan.phone) : null) : existing.phoneCipher,
    phoneHmac: d.phoneHmac,
    phoneMasked: phoneChanged ? (loan.phone ? maskPhone(loan.phone) : null) : existing.phoneMasked,
    branchId: d.branchId,
    region: loan.region,
    principal: loan.principal,
    interestOnBalance: loan.interestOnBalance,
    interestOffBalance: loan.interestOffBalance,
    disbursedOn: loan.disbursedOn,
    maturesOn: loan.maturesOn,
    extendedMaturity: loan.extendedMaturity,
    lastPaymentOn: loan.lastPaymentOn,
    lastInterruptionOn: d.lastInterruptionOn,
    fiveTier: loan.fiveTier,
    termClass: loan.termClass,
    balanceSheet: loan.balanceSheet,
    writtenOff: loan.writtenOff ? 1n : 0n,
    collateral: loan.collateral,
    guarantorName: loan.guarantorName,
    litigation: loan.litigation,
    difficulty,
    difficultyReason: loan.difficultyReason,
    suggestedDifficulty: d.suggested,
    difficultyStatus,
    officerStaffNumber: loan.officer,
    limitationExpiresOn: d.expiry,
    limitationYears: BigInt(d.years),
  } satisfies Record<(typeof updatableColumns)[number], unknown>;

  const changes: Record<string, [HistoryValue, HistoryValue]> = {};
  const note = (field: string, before: HistoryValue, after: HistoryValue) => {
    changes[field] = [before, after];
  };
  // A changed name can mask alike (王小明 → 王大明, both 王*明): the history still shows that it changed.
  if (next.borrowerName !== existing.borrowerName) note("borrowerName", maskBorrowerName(existing.borrowerName, existing.borrowerType), maskBorrowerName(next.borrowerName, next.borrowerType));
  if (next.borrowerType !== existing.borrowerType) note("borrowerType", existing.borrowerType, next.borrowerType);
  if (idChanged) note("borrowerIdNumber", existing.borrowerIdMasked, next.borrowerIdMasked);
  if (phoneChanged) note("phone", existing.phoneMasked, next.phoneMasked);
  if (next.branchId !== existing.branchId) note("branch", d.branchCodes.get(existing.branchId) ?? existing.branchId, loan.branch);
  for (const field of ["region", "disbursedOn", "maturesOn", "extendedMaturity", "lastPaymentOn", "lastInterruptionOn", "fiveTier", "termClass", "balanceSheet", "collateral", "litigation", "difficulty", "difficultyReason", "suggestedDifficulty", "difficultyStatus", "limitationExpiresOn"] as const) {
    if (next[field] !== existing[field]) note(field, existing[field], next[field]);
  }
  for (const field of ["principal", "interestOnBalance", "interestOffBalance"] as const) {
    if (next[field] !== existing[field]) note(field, toYuanString(existing[field]), toYuanString(next[field]));
  }
  if (next.writtenOff !== existing.writtenOff) note("writtenOff", existing.writtenOff === 1n, loan.writtenOff);
  if (next.guarantorName !== existing.guarantorName) {
    note("guarantorName", existing.guarantorName === null ? null : maskPersonName(existing.guarantorName), next.guarantorName === null ? null : maskPersonName(next.guarantorName));
  }
  if (next.officerStaffNumber !== existing.officerStaffNumber) note("officer", existing.officerStaffNumber, next.officerStaffNumber);
  if (next.limitationYears !== existing.limitationYears) note("limitationYears", Number(existing.limitationYears), d.years);
  if (Object.keys(changes).length === 0) return null;
  return { values: updatableColumns.map((c) => next[c]), changes: JSON.stringify(changes) };
}

async function writeInTransaction(db: SqliteWorker, tape: TapeRecord, rows: { row: number; loan: LoanFields }[], options: WriteOptions): Promise<WriteOutcome> {
  const now = sqliteDateTime(new Date());
  const nextId = idFactory();
  const years = options.limitationYears;
  const actorId = tape.createdById;

  // The loans of this tape that are already in the book, and their latest verified interruptions.
  const existingByNumber = new Map<string, ExistingLoan>();
  const verifiedInterruptions = new Map<string, string>();
  const [{ loans: bookSize }] = (await db.query<{ loans: number }>('SELECT COUNT(*) AS "loans" FROM "Loan"')) as [{ loans: number }];
  if (bookSize > 0) {
    const numbers = JSON.stringify(rows.map((r) => r.loan.loanNumber));
    const inTape = `"loanNumber" IN (SELECT "value" FROM json_each(?))`;
    const existing = await db.query<ExistingLoan>(`SELECT ${["id", "loanNumber", ...updatableColumns, "status", "version"].map(quote).join(", ")} FROM "Loan" WHERE ${inTape}`, [numbers], { safeIntegers: true });
    for (const loan of existing) existingByNumber.set(loan.loanNumber, loan);
    const verified = await db.query<{ loanId: string; day: string }>(
      `SELECT "loanId", MAX("occurredOn") AS "day" FROM "LimitationInterruption" WHERE "status" = 'VERIFIED' AND "loanId" IN (SELECT "id" FROM "Loan" WHERE ${inTape}) GROUP BY "loanId"`,
      [numbers],
    );
    for (const v of verified) verifiedInterruptions.set(v.loanId, v.day);
  }

  // A loan in a package, a tender or custody may not be changed: those rows are errors, nothing is written.
  const lockedErrors: TapeIssue[] = [];
  let lockedCount = 0;
  for (const { row, loan } of rows) {
    const existing = existingByNumber.get(loan.loanNumber);
    if (!existing || !isLocked(existing.status)) continue;
    lockedCount += 1;
    if (lockedErrors.length < maxKeptErrors) lockedErrors.push({ row, column: "loan_number", code: "tape.loanLocked", params: { status: existing.status } });
  }
  if (lockedCount > 0) return { kind: "locked", errors: lockedErrors, errorCount: lockedCount };

  // R8 expiry per anchor day (many loans share one): computed once per day.
  const expiries = new Map<string, string>();
  const expiryOf = (anchor: string): string => {
    let expiry = expiries.get(anchor);
    if (expiry === undefined) expiries.set(anchor, (expiry = limitationExpiry(anchor, years)));
    return expiry;
  };
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  // Batches for the worker, written straight into UTF-8 buffers (sqlite-worker.server.ts PackedRows).
  // Text from the tape holds no control characters: validateTapeRow refuses them.
  const loanBatch = new PackedRows(loanColumns.length, columnsOf(loanColumns, freeTextColumns));
  const updateBatch = new PackedRows(updatableColumns.length + 3, columnsOf(updatableColumns, freeTextColumns));
  const changeBatch = new PackedRows(7, [6]); // the history JSON holds masked names
  const flush = async () => {
    // In this order: a history entry refers to its loan.
    await db.runPacked(insertLoanSql, loanBatch);
    await db.runPacked(updateLoanSql, updateBatch);
    await db.runPacked(insertChangeSql, changeBatch);
  };
  const change = (id: string, loanId: string, kind: string, changes: string) => {
    changeBatch.add(id).add(loanId).add(now).add(actorId).add(kind).add(tape.id).add(changes);
  };

  for (let i = 0; i < rows.length; i++) {
    const loan = rows[i]!.loan;
    const branchId = options.branchIds.get(loan.branch);
    if (!branchId) throw new Error(`branch ${loan.branch} vanished during the import`);
    const suggested = suggestDifficulty(loan);
    const idHmac = piiHmac(loan.borrowerIdNumber);
    const phoneHmac = loan.phone ? piiHmac(loan.phone) : null;
    const existing = existingByNumber.get(loan.loanNumber);

    if (!existing) {
      const id = nextId();
      const { difficulty, difficultyStatus } = difficultyAfter(loan, suggested, undefined);
      const expiry = expiryOf(limitationAnchor(loan).day);
      const idMasked = maskIdNumber(loan.borrowerIdNumber);
      const phoneMasked = loan.phone ? maskPhone(loan.phone) : null;
      const phoneCipher = loan.phone ? encryptPii(loan.phone) : null;
      // The values in loanColumns order.
      loanBatch
        .add(id).add(loan.loanNumber).add(loan.borrowerName).add(loan.borrowerType).add(encryptPii(loan.borrowerIdNumber)).add(idHmac).add(idMasked)
        .add(phoneCipher).add(phoneHmac).add(phoneMasked).add(branchId).add(loan.region).add(loan.principal).add(loan.interestOnBalance)
        .add(loan.interestOffBalance).add(loan.disbursedOn).add(loan.maturesOn).add(loan.extendedMaturity).add(loan.lastPaymentOn).add(loan.lastInterruptionOn)
        .add(loan.fiveTier).add(loan.termClass).add(loan.balanceSheet).add(loan.writtenOff).add(loan.collateral).add(loan.guarantorName).add(loan.litigation)
        .add(difficulty).add(loan.difficultyReason).add(suggested).add(difficultyStatus).add(loan.officer).add("IN_BOOK").add(expiry).add(years).add(1)
        .add(tape.id).add(now).add(now);
      change(nextId(), id, "import.create", createdChanges(loan, { idMasked, phoneMasked, difficulty, difficultyStatus, suggested, expiry, years }));
      created += 1;
    } else {
      // A verified interruption recorded in the product is never undone by an older tape date (R8).
      const verified = verifiedInterruptions.get(existing.id);
      const lastInterruptionOn = verified && (!loan.lastInterruptionOn || verified > loan.lastInterruptionOn) ? verified : loan.lastInterruptionOn;
      const expiry = expiryOf(limitationAnchor({ ...loan, lastInterruptionOn }).day);
      const update = updateOf(existing, loan, { branchId, idHmac, phoneHmac, suggested, expiry, lastInterruptionOn, years, branchCodes: options.branchCodes });
      if (!update) {
        unchanged += 1;
      } else {
        for (const value of update.values) updateBatch.add(value as Value);
        updateBatch.add(tape.id).add(now).add(existing.id);
        change(nextId(), existing.id, "import.update", update.changes);
        updated += 1;
      }
    }
    if ((i + 1) % writeBatchRows === 0) await flush();
  }
  await flush();

  const counts = { created, updated, unchanged };
  await db.run(
    `UPDATE "LoanTape" SET "status" = 'imported', "progress" = 1, "rowCount" = ?, "createdCount" = ?, "updatedCount" = ?, "unchangedCount" = ?, "warnings" = ?, "errors" = '[]', "updatedAt" = ? WHERE "id" = ?`,
    [options.rowCount, created, updated, unchanged, JSON.stringify(options.warnings), sqliteDateTime(new Date()), tape.id],
  );
  // One audit entry for the whole import, in the same transaction (the chain's head cannot move: BEGIN IMMEDIATE).
  const [head] = await db.query<{ id: number; hash: string }>(auditHeadSql);
  await db.run(auditInsertSql, [
    ...auditEntryValues(head, options.context, {
      action: "loan_tape.import",
      entityType: "LoanTape",
      entityId: tape.id,
      after: { sha256: tape.sha256, fileName: tape.fileName, rows: options.rowCount, ...counts },
    }),
  ]);
  return { kind: "imported", counts };
}

// ---- status ----------------------------------------------------------------------------------------

export interface TapeErrorView {
  row: number | null;
  column: TapeKey | null;
  code: string;
  message: string;
}

export interface LoanTapeView {
  id: string;
  status: TapeStatus;
  progress: number;
  fileName: string;
  format: string;
  sha256: string;
  size: number;
  errors: TapeErrorView[];
  /** All problems found (errors lists at most the first thousand). */
  errorCount: number;
  warnings: { code: string; message: string }[];
  counts: { rows: number; created: number; updated: number; unchanged: number };
  failure: string | null;
  createdById: string;
  created: Date;
  updated: Date;
}

/** The allowed values of a column in the reader's language: 正常、关注… or normal, special_mention, … */
function allowedText(locale: Locale, column: TapeKey | null): string {
  if (!column) return "";
  const values = allowedValues(column);
  return locale === "zh-CN" ? values.map(([, zh]) => zh).join("、") : values.map(([key, zh]) => `${key} (${zh})`).join(", ");
}

/** One problem in the reader's language (status parameters shown with their label). */
export function tapeIssueMessage(t: Translate, locale: Locale, issue: { column: TapeKey | null; code: string; params: Record<string, string | number> }): string {
  const params: Record<string, string | number> = { ...issue.params };
  if (issue.code === "tape.enum.invalid") params.allowed = allowedText(locale, issue.column);
  if (typeof params.status === "string" && isMessageKey(`loans.status.${params.status}`)) params.status = t(`loans.status.${params.status}` as MessageKey);
  if (issue.code === "tape.column.missing" && locale === "en" && typeof params.key === "string") params.zh = tapeColumn(params.key as TapeKey)?.en ?? params.zh!;
  return isMessageKey(issue.code) ? t(issue.code, params) : issue.code;
}

function parseJsonArray<T>(json: string): T[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

type TapeRow = Awaited<ReturnType<typeof prisma.loanTape.findUniqueOrThrow>>;

/** Stored errors beyond the kept ones are one `tape.moreErrors` entry with their count. */
function errorCountOf(stored: TapeIssue[]): number {
  const more = stored.find((e) => e.code === "tape.moreErrors");
  return stored.filter((e) => e.code !== "tape.moreErrors").length + (more ? Number(more.params.count) || 0 : 0);
}

function tapeView(tape: TapeRow, locale: Locale): LoanTapeView {
  const t = translator(locale);
  const stored = parseJsonArray<TapeIssue>(tape.errors);
  const errors = stored.filter((e) => e.code !== "tape.moreErrors").map((e) => ({ row: e.row, column: e.column, code: e.code, message: tapeIssueMessage(t, locale, e) }));
  const warnings = parseJsonArray<TapeWarning>(tape.warnings).map((w) => ({ code: w.code, message: tapeIssueMessage(t, locale, { column: null, ...w }) }));
  return {
    id: tape.id,
    status: tape.status as TapeStatus,
    progress: tape.status === "processing" ? tape.progress : 1,
    fileName: tape.fileName,
    format: tape.format,
    sha256: tape.sha256,
    size: tape.size,
    errors,
    errorCount: errorCountOf(stored),
    warnings,
    counts: { rows: tape.rowCount, created: tape.createdCount, updated: tape.updatedCount, unchanged: tape.unchangedCount },
    failure: tape.failure,
    createdById: tape.createdById,
    created: tape.createdAt,
    updated: tape.updatedAt,
  };
}

/** A tape's state for its page and the API, messages in the reader's language (loans:import only). */
export async function loanTapeStatus(user: TapeUser, id: string): Promise<LoanTapeView> {
  requireImporter(user);
  const tape = await prisma.loanTape.findUnique({ where: { id } });
  if (!tape) throw new UserError("tape.notFound", { status: 404 });
  return tapeView(tape, user.locale);
}

export interface LoanTapeListItem {
  id: string;
  status: TapeStatus;
  progress: number;
  fileName: string;
  format: string;
  uploadedBy: string | null;
  counts: { rows: number; created: number; updated: number; unchanged: number };
  errorCount: number;
  created: Date;
  updated: Date;
}

/** The most recent tapes, newest first (loans:import only). */
export async function recentLoanTapes(user: TapeUser, take = 20): Promise<LoanTapeListItem[]> {
  requireImporter(user);
  const tapes = await prisma.loanTape.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
  const users = await prisma.user.findMany({ where: { id: { in: [...new Set(tapes.map((t) => t.createdById))] } }, select: { id: true, displayName: true } });
  const names = new Map(users.map((u) => [u.id, u.displayName]));
  return tapes.map((tape) => {
    return {
      id: tape.id,
      status: tape.status as TapeStatus,
      progress: tape.status === "processing" ? tape.progress : 1,
      fileName: tape.fileName,
      format: tape.format,
      uploadedBy: names.get(tape.createdById) ?? null,
      counts: { rows: tape.rowCount, created: tape.createdCount, updated: tape.updatedCount, unchanged: tape.unchangedCount },
      errorCount: errorCountOf(parseJsonArray<TapeIssue>(tape.errors)),
      created: tape.createdAt,
      updated: tape.updatedAt,
    };
  });
}
