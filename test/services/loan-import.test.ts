import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importLoanTape } from "../../jobs/loan-tape-job";
import { jobs } from "../../jobs/registry";
import { seed } from "../../prisma/seed";
import { databaseFile, resetDatabase } from "../support/reset-db";
import { asUser, refusal } from "../support/users";
import { creditCodeCheckCharacter, residentIdCheckCharacter } from "~/domain/identity-numbers";
import { tapeColumns, templateHeader } from "~/domain/loan-tape";
import { resetApiRateLimits } from "~/infra/api.server";
import { appendAuditRaw, systemContext, verifyAuditChain, type AuditContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { getEnv } from "~/infra/env.server";
import { popToast, startSession } from "~/infra/session.server";
import { decryptPii, piiHmac } from "~/infra/pii.server";
import { createApiToken } from "~/services/identity/api-tokens.server";
import { loanTapeStatus, markLoanTapeFailed, processLoanTape, submitLoanTape, type TapeInput, type TapeUser } from "~/services/loans/import.server";
import { loanTapeTemplate } from "~/services/loans/loan-tape-template.server";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders and actions directly */
import { loader as branchesLoader } from "~/routes/api.v1.branches";
import { loader as tapeLoader } from "~/routes/api.v1.loan-tapes.$id";
import { action as tapesAction, loader as tapesLoader } from "~/routes/api.v1.loan-tapes";
import { loader as tapePageLoader } from "~/routes/loan-tapes.$id";
import { action as uploadAction, loader as tapeListLoader } from "~/routes/loan-tapes._index";
import { loader as templateLoader } from "~/routes/loan-tapes.template";
/* eslint-enable no-restricted-imports */

// ---- helpers -------------------------------------------------------------------------------------

/** A resident ID card number with a correct check character (born 1985-06-15). */
function residentId(serial: number): string {
  const first17 = `62010219850615${String(serial % 1000).padStart(3, "0")}`;
  return first17 + residentIdCheckCharacter(first17);
}

function creditCode(serial: number): string {
  const first17 = `91620100MA${String(serial).padStart(6, "0")}0`;
  return first17 + creditCodeCheckCharacter(first17);
}

const chineseHeader = ["贷款编号", "借款人", "借款人类型", "证件号码", "联系电话", "经办机构", "区域", "本金余额", "表内欠息", "表外欠息", "发放日期", "到期日期", "最后还款日期", "最后时效中断日期", "五级分类", "四级分类", "表内外", "是否核销", "担保方式", "担保人", "诉讼状态", "清收难度", "难度原因", "信贷员"];

interface Row {
  loanNumber: string;
  name?: string;
  id?: string;
  phone?: string;
  branch?: string;
  principal?: string;
  disbursed?: string;
  matures?: string;
  lastPayment?: string;
  lastInterruption?: string;
  collateral?: string;
  guarantor?: string;
  difficulty?: string;
  reason?: string;
}

function csvRow(r: Row, i = 1): string[] {
  return [
    r.loanNumber, r.name ?? "王小明", "个人", r.id ?? residentId(i), r.phone ?? "13812345678", r.branch ?? "城关支行", "城关区",
    r.principal ?? "100,000.00", "8000.50", "", r.disbursed ?? "2018-03-15", r.matures ?? "2020-03-15", r.lastPayment ?? "2019-12-20",
    r.lastInterruption ?? "", "可疑", "呆滞", "表内", "否", r.collateral ?? "保证", r.guarantor ?? "李建国", "无", r.difficulty ?? "", r.reason ?? "", "S1001",
  ];
}

function csvText(rows: string[][], header = chineseHeader): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return [header, ...rows].map((r) => r.map(field).join(",")).join("\r\n") + "\r\n";
}

const utf8Bom = (text: string) => new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]));

let gbkTable: Map<string, number[]> | null = null;
/** Encodes text as GB18030 (two-byte GBK codes; Node has a GB18030 decoder but no encoder): a reverse table built from the decoder. */
function gb18030(text: string): Uint8Array {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder("gb18030");
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const char = decoder.decode(new Uint8Array([lead, trail]));
        if (char.length === 1 && char !== "\uFFFD" && !gbkTable.has(char)) gbkTable.set(char, [lead, trail]);
      }
    }
  }
  const bytes: number[] = [];
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) bytes.push(char.charCodeAt(0));
    else bytes.push(...gbkTable.get(char)!);
  }
  return new Uint8Array(bytes);
}

const sha256 = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex");

let officer: TapeUser & { email: string; organizationId: string };
let context: AuditContext;
let enqueued: { name: string; payload: unknown }[];
let previousQueue: unknown;

/** Submits a tape as the officer and runs the import (the queue is a recorder in these tests). */
async function importTape(input: TapeInput, user: TapeUser = officer) {
  const { id } = await submitLoanTape(context, user, input);
  await processLoanTape(id, { now: new Date("2026-11-23T04:00:00Z") });
  return { id, tape: await prisma.loanTape.findUniqueOrThrow({ where: { id } }) };
}

const csvFile = (rows: string[][], name = "tape.csv", header = chineseHeader): TapeInput => ({ kind: "file", fileName: name, bytes: utf8Bom(csvText(rows, header)) });

beforeEach(async () => {
  resetDatabase();
  await seed();
  resetApiRateLimits();
  officer = await asUser("officer@bank.example");
  context = { actorType: "USER", actorId: officer.id, actorLabel: officer.email, organizationId: officer.organizationId, requestId: "test", ip: null, userAgent: null };
  enqueued = [];
  previousQueue = globalThis.__jobQueue;
  globalThis.__jobQueue = {
    enqueue: async (def: { name: string }, payload: unknown) => {
      enqueued.push({ name: def.name, payload });
      return { id: "recorded" };
    },
  } as unknown as typeof globalThis.__jobQueue;
});

afterEach(() => {
  globalThis.__jobQueue = previousQueue as typeof globalThis.__jobQueue;
});

// ---- reading the formats ---------------------------------------------------------------------------

describe("importing a loan tape", () => {
  it("imports a UTF-8 CSV with BOM: loans created in fen and days, branch resolved by name, limitation and difficulty computed, queued as a job", async () => {
    const { id, tape } = await importTape(
      csvFile([
        csvRow({ loanNumber: "T-1", lastInterruption: "2024-06-01" }, 1),
        csvRow({ loanNumber: "T-2", branch: "B003", principal: "¥1,234.5", reason: "死亡", collateral: "信用", guarantor: "" }, 2),
      ]),
    );
    expect(enqueued).toEqual([{ name: importLoanTape.name, payload: { tapeId: id } }]);
    expect(tape).toMatchObject({ status: "imported", progress: 1, rowCount: 2, createdCount: 2, updatedCount: 0, unchangedCount: 0, format: "csv", fileName: "tape.csv" });

    const t1 = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-1" }, include: { branch: true } });
    expect(t1).toMatchObject({
      borrowerName: "王小明", borrowerType: "individual", branch: { code: "B001" }, region: "城关区",
      principal: 10_000_000n, interestOnBalance: 800_050n, interestOffBalance: 0n,
      disbursedOn: "2018-03-15", maturesOn: "2020-03-15", lastPaymentOn: "2019-12-20", lastInterruptionOn: "2024-06-01",
      fiveTier: "doubtful", termClass: "idle", balanceSheet: "on", writtenOff: false, collateral: "guarantee", guarantorName: "李建国", litigation: "none",
      officerStaffNumber: "S1001", status: "IN_BOOK", version: 1, lastTapeId: id,
      // R8: the last interruption 2024-06-01 + 3 years (the limitationYears setting)
      limitationExpiresOn: "2027-06-01", limitationYears: 3,
      // no difficulty on the tape, no hard reason: the product suggests recoverable
      difficulty: "recoverable", suggestedDifficulty: "recoverable", difficultyStatus: "SUGGESTED",
    });
    const t2 = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-2" }, include: { branch: true } });
    // ¥1,234.5 → 123450 fen; death → suggested hard; no interruption: the last payment 2019-12-20 is before the maturity, so maturity 2020-03-15 + 3 years
    expect(t2).toMatchObject({ branch: { code: "B003" }, principal: 123_450n, difficulty: "hard", suggestedDifficulty: "hard", difficultyStatus: "SUGGESTED", difficultyReason: "death", limitationExpiresOn: "2023-03-15" });
  });

  it("keeps personal data encrypted at rest: no plain ID or phone number in the loan row or its history", async () => {
    const id = residentId(77);
    await importTape(csvFile([csvRow({ loanNumber: "T-1", id, phone: "13987654321" }, 77)]));
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-1" } });
    const stored = JSON.stringify(loan, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    expect(stored).not.toContain(id);
    expect(stored).not.toContain("13987654321");
    expect(loan.borrowerIdCipher).toMatch(/^v1:/);
    expect(decryptPii(loan.borrowerIdCipher)).toBe(id);
    expect(loan.borrowerIdHmac).toBe(piiHmac(id));
    expect(loan.borrowerIdMasked).toBe(`${id.slice(0, 6)}********${id.slice(-4)}`);
    expect(decryptPii(loan.phoneCipher!)).toBe("13987654321");
    expect(loan.phoneMasked).toBe("139****4321");

    const history = await prisma.loanChange.findMany({ where: { loanId: loan.id } });
    expect(history.map((h) => h.kind)).toEqual(["import.create"]);
    expect(history[0]!.changes).not.toContain(id);
    expect(history[0]!.changes).not.toContain("13987654321");
    expect(history[0]!.changes).not.toContain("王小明");
    expect(JSON.parse(history[0]!.changes)).toMatchObject({
      borrowerName: [null, "王*明"], borrowerIdNumber: [null, loan.borrowerIdMasked], phone: [null, "139****4321"], principal: [null, "100000.00"], guarantorName: [null, "李*国"],
    });
    expect(history[0]!.actorId).toBe(officer.id);
  });

  it("keeps text other than ASCII intact through the bulk writer: Chinese loan numbers, names, rare characters, quotes", async () => {
    await importTape(csvFile([csvRow({ loanNumber: "贷2019-甲001", name: "欧阳𠀀明", guarantor: "张\"三\"" }, 1)]));
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "贷2019-甲001" } });
    expect(loan).toMatchObject({ borrowerName: "欧阳𠀀明", guarantorName: '张"三"', region: "城关区" });
    const history = await prisma.loanChange.findFirstOrThrow({ where: { loanId: loan.id } });
    expect(JSON.parse(history.changes)).toMatchObject({ borrowerName: [null, "欧**明"], guarantorName: [null, '张**"'] });
  });

  it("decodes a GB18030/GBK CSV (what Excel on Chinese Windows writes) without being told", async () => {
    const bytes = gb18030(csvText([csvRow({ loanNumber: "T-GBK", name: "欧阳春梅", branch: "河西信用社" }, 3)]));
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toThrow();
    const { tape } = await importTape({ kind: "file", fileName: "gbk.csv", bytes });
    expect(tape.status).toBe("imported");
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-GBK" }, include: { branch: true } });
    expect(loan).toMatchObject({ borrowerName: "欧阳春梅", fiveTier: "doubtful", branch: { name: "河西信用社" } });
  });

  it("imports the first sheet of an XLSX with English headers, Excel date cells, numeric amounts, rich text and formulas", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Loans");
    workbook.addWorksheet("Other").addRow(["ignored"]);
    sheet.addRow(["loan_number", "Borrower", "borrower_type", "borrower_id_number", "phone", "branch", "region", "principal", "interest_on_balance", "disbursed_on", "matures_on", "extended_maturity", "five_tier", "balance_sheet", "collateral", "written_off", "note"]);
    const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
    const row = sheet.addRow(["X-1", { richText: [{ text: "张" }, { text: "伟" }] }, "individual", residentId(5), 13912345678, "B004", "山南县", 1234.5, { formula: "100+0.25", result: 100.25 }, day("2017-02-28"), day("2019-02-28"), day("2020-02-29"), "loss", "off", "mortgage", true, "free text"]);
    row.getCell(10).numFmt = "yyyy-mm-dd";
    row.getCell(11).numFmt = "yyyy-mm-dd";
    row.getCell(12).numFmt = "yyyy/m/d";
    sheet.addRow([]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());

    const { id, tape } = await importTape({ kind: "file", fileName: "loans.xlsx", bytes });
    expect(tape).toMatchObject({ status: "imported", format: "xlsx", createdCount: 1 });
    expect(JSON.parse(tape.warnings)).toEqual([{ code: "tape.warning.unknownColumn", params: { header: "note" } }]);
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "X-1" }, include: { branch: true } });
    expect(loan).toMatchObject({
      borrowerName: "张伟", principal: 123_450n, interestOnBalance: 10_025n, interestOffBalance: 0n, disbursedOn: "2017-02-28", maturesOn: "2019-02-28",
      extendedMaturity: "2020-02-29", fiveTier: "loss", balanceSheet: "off", writtenOff: true, branch: { code: "B004" }, region: "山南县", phoneMasked: "139****5678",
    });
    expect((await loanTapeStatus({ ...officer, locale: "en" }, id)).warnings).toEqual([{ code: "tape.warning.unknownColumn", message: 'Unknown column "note" was ignored.' }]);
  });

  it("imports JSON rows with the English keys (stored as .json)", async () => {
    const rows = [
      { loan_number: "J-1", borrower_name: "河西农机制造有限公司", borrower_type: "corporate", borrower_id_number: creditCode(9), branch: "B002", region: "城关区", principal: "50000", disbursed_on: "2016-05-01", matures_on: "2018-05-01", five_tier: "substandard", balance_sheet: "on", collateral: "pledge", difficulty: "hard", litigation: "in_suit" },
    ];
    const { tape } = await importTape({ kind: "rows", rows });
    expect(tape).toMatchObject({ status: "imported", format: "json", createdCount: 1 });
    expect(tape.storedPath).toBe(`tapes/${tape.sha256}.json`);
    expect(JSON.parse(fs.readFileSync(path.join(getEnv().dataDir, tape.storedPath), "utf8"))).toEqual(rows);
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "J-1" } });
    // corporates' names are not masked; a difficulty given by the tape is in force as TAPE
    expect(loan).toMatchObject({ borrowerType: "corporate", borrowerName: "河西农机制造有限公司", borrowerIdMasked: `916201********${creditCode(9).slice(-4)}`, difficulty: "hard", difficultyStatus: "TAPE", suggestedDifficulty: "recoverable", phoneCipher: null });
  });

  it("stores the upload under DATA_DIR/tapes/<sha256>.<ext> and audits the submission and the import with the SHA-256, in a chain that still verifies", async () => {
    const input = csvFile([csvRow({ loanNumber: "T-1" }, 1), csvRow({ loanNumber: "T-2" }, 2)]);
    const digest = sha256((input as { bytes: Uint8Array }).bytes);
    const { id, tape } = await importTape(input);
    expect(tape.sha256).toBe(digest);
    expect(tape.storedPath).toBe(`tapes/${digest}.csv`);
    expect(sha256(fs.readFileSync(path.join(getEnv().dataDir, tape.storedPath)))).toBe(digest);

    const entries = await prisma.auditEntry.findMany({ where: { entityType: "LoanTape", entityId: id }, orderBy: { id: "asc" } });
    expect(entries.map((e) => e.action)).toEqual(["loan_tape.submit", "loan_tape.import"]);
    expect(JSON.parse(entries[0]!.after!)).toEqual({ fileName: "tape.csv", size: (input as { bytes: Uint8Array }).bytes.length, sha256: digest, format: "csv" });
    expect(JSON.parse(entries[1]!.after!)).toMatchObject({ sha256: digest, rows: 2, created: 2, updated: 0, unchanged: 0 });
    expect(entries[1]).toMatchObject({ actorType: "USER", actorId: officer.id, actorLabel: officer.email });
    // One audit entry for the import, not one per loan.
    expect(await prisma.auditEntry.count({ where: { action: { startsWith: "loan_tape." } } })).toBe(2);
    // The raw-written entry reads back through Prisma as a proper instant, and the chain verifies.
    expect(entries[1]!.at.getTime()).toBeGreaterThanOrEqual(entries[0]!.at.getTime());
    expect(await verifyAuditChain()).toEqual({ checked: await prisma.auditEntry.count(), broken: null });
  });

  it("appendAuditRaw writes an entry on a direct connection that Prisma reads back and the chain verifies", async () => {
    const db = new Database(databaseFile());
    try {
      db.exec("BEGIN IMMEDIATE");
      appendAuditRaw(db, context, { action: "test.raw", entityType: "Test", entityId: "1", after: { n: 1n, at: new Date("2026-01-02T03:04:05.678Z") } }, new Date("2026-11-23T01:02:03.456Z"));
      db.exec("COMMIT");
    } finally {
      db.close();
    }
    const entry = await prisma.auditEntry.findFirstOrThrow({ where: { action: "test.raw" } });
    expect(entry).toMatchObject({ at: new Date("2026-11-23T01:02:03.456Z"), actorId: officer.id, after: '{"at":"2026-01-02T03:04:05.678Z","n":"1"}' });
    expect((await verifyAuditChain()).broken).toBeNull();
  });

  it("writes createdAt/updatedAt and history times in Prisma's own DateTime format", async () => {
    const { id } = await importTape(csvFile([csvRow({ loanNumber: "T-1" }, 1)]));
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-1" } });
    expect(loan.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(loan.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    // As stored: the raw-written loan and history rows look exactly like the Prisma-written tape row.
    const db = new Database(databaseFile(), { readonly: true });
    try {
      const format = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/;
      const byPrisma = db.prepare('SELECT "createdAt" FROM "LoanTape" WHERE "id" = ?').pluck().get(id);
      const raw = db.prepare('SELECT "createdAt", "updatedAt" FROM "Loan" WHERE "loanNumber" = ?').get("T-1") as { createdAt: string; updatedAt: string };
      const history = db.prepare('SELECT "at" FROM "LoanChange" WHERE "tapeId" = ?').pluck().get(id);
      const audit = db.prepare('SELECT "at" FROM "AuditEntry" WHERE "action" = ?').pluck().get("loan_tape.import");
      for (const value of [byPrisma, raw.createdAt, raw.updatedAt, history, audit]) expect(value).toMatch(format);
    } finally {
      db.close();
    }
  });
});

// ---- all or nothing ----------------------------------------------------------------------------------

describe("all or nothing", () => {
  it("one bad row: nothing is written, the tape is rejected with row, column and reason in the reader's language", async () => {
    const { id, tape } = await importTape(
      csvFile([
        csvRow({ loanNumber: "T-1" }, 1),
        csvRow({ loanNumber: "T-2", id: `${residentId(2).slice(0, 17)}${residentId(2).endsWith("1") ? "2" : "1"}` }, 2),
        csvRow({ loanNumber: "T-3", disbursed: "2023-02-29" }, 3),
      ]),
    );
    expect(tape.status).toBe("rejected");
    expect(await prisma.loan.count({ where: { loanNumber: { startsWith: "T-" } } })).toBe(0);
    expect(await prisma.loanChange.count({ where: { tapeId: id } })).toBe(0);

    const zh = await loanTapeStatus(officer, id);
    expect(zh).toMatchObject({ status: "rejected", errorCount: 2, counts: { rows: 3, created: 0 } });
    expect(zh.errors).toEqual([
      { row: 3, column: "borrower_id_number", code: "tape.idNumber.checksum", message: expect.stringContaining("证件号码校验位不正确") },
      { row: 4, column: "disbursed_on", code: "tape.date.notACalendarDate", message: "“2023-02-29”不是真实存在的日期。" },
    ]);
    expect(zh.errors[0]!.message).not.toContain(residentId(2).slice(6, 14)); // masked
    const en = await loanTapeStatus({ ...officer, locale: "en" }, id);
    expect(en.errors[0]!.message).toContain("The ID number's check digit is wrong");
    expect(en.errors[1]!.message).toBe('"2023-02-29" is not a calendar date.');

    expect(await prisma.auditEntry.findFirst({ where: { action: "loan_tape.reject", entityId: id } })).toMatchObject({ after: expect.stringContaining(tape.sha256) });
    expect((await verifyAuditChain()).broken).toBeNull();
  });

  it("lists the allowed values of an enumeration in the reader's language, and every duplicate loan number", async () => {
    const bad = csvRow({ loanNumber: "T-1" }, 1);
    bad[14] = "很差"; // 五级分类
    const { id } = await importTape(csvFile([bad, csvRow({ loanNumber: "T-2" }, 2), csvRow({ loanNumber: "T-2" }, 3)]));
    const zh = await loanTapeStatus(officer, id);
    expect(zh.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, "five_tier", "tape.enum.invalid"],
      [3, "loan_number", "tape.duplicateLoanNumber"],
      [4, "loan_number", "tape.duplicateLoanNumber"],
    ]);
    expect(zh.errors[0]!.message).toBe("“很差”不是允许的值，可填：正常、关注、次级、可疑、损失。");
    expect(zh.errors[1]!.message).toBe("贷款编号 T-2 在文件中重复出现（第 3, 4 行）。");
    const en = await loanTapeStatus({ ...officer, locale: "en" }, id);
    expect(en.errors[0]!.message).toContain("normal (正常), special_mention (关注)");
  });

  it("rejects a file missing a required column, naming the column", async () => {
    const header = chineseHeader.filter((h) => h !== "本金余额");
    const rows = [csvRow({ loanNumber: "T-1" }, 1).filter((_v, i) => chineseHeader[i] !== "本金余额")];
    const { id } = await importTape(csvFile(rows, "no-principal.csv", header));
    const en = await loanTapeStatus({ ...officer, locale: "en" }, id);
    expect(en.errors).toEqual([{ row: 1, column: "principal", code: "tape.column.missing", message: 'The required column "Principal" (principal) is missing.' }]);
  });

  it("rejects files it cannot read: a CSV with an unclosed quote, a broken workbook", async () => {
    const brokenCsv = await importTape({ kind: "file", fileName: "broken.csv", bytes: utf8Bom(`${chineseHeader.join(",")}\r\n"T-1,王小明\r\n`) });
    expect((await loanTapeStatus(officer, brokenCsv.id)).errors).toEqual([{ row: null, column: null, code: "tape.file.unreadable", message: expect.stringContaining("无法读取该文件") }]);
    const brokenXlsx = await importTape({ kind: "file", fileName: "broken.xlsx", bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...Buffer.from("not really a workbook")]) });
    expect(brokenXlsx.tape.status).toBe("rejected");
    expect((await loanTapeStatus(officer, brokenXlsx.id)).errors.map((e) => e.code)).toEqual([expect.stringMatching(/^tape\.file\.(unreadable|noSheet|empty)$/)]);
  });

  it("reads a tab-separated file too (what some exports write)", async () => {
    const text = [chineseHeader, csvRow({ loanNumber: "T-TAB", principal: "1,234.00" }, 1)].map((r) => r.join("\t")).join("\n");
    const { tape } = await importTape({ kind: "file", fileName: "tape.txt", bytes: utf8Bom(text) });
    expect(tape.status).toBe("imported");
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-TAB" } })).principal).toBe(123_400n);
  });

  it("keeps at most 1,000 problems and the total", async () => {
    const rows = Array.from({ length: 1200 }, (_v, i) => csvRow({ loanNumber: `T-${i}`, principal: "1.234" }, i));
    const { id } = await importTape(csvFile(rows));
    const view = await loanTapeStatus(officer, id);
    expect(view.errors).toHaveLength(1000);
    expect(view.errorCount).toBe(1200);
  });
});

// ---- re-import ---------------------------------------------------------------------------------------

describe("re-importing", () => {
  it("updates changed loans (version + 1, history with masked personal data), counts unchanged ones, creates new ones", async () => {
    const first = await importTape(csvFile([csvRow({ loanNumber: "T-1" }, 1), csvRow({ loanNumber: "T-2" }, 2)]));
    expect(first.tape.createdCount).toBe(2);
    const before = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-1" } });

    const second = await importTape(
      csvFile([
        csvRow({ loanNumber: "T-1", principal: "90,000", phone: "13700001111", lastInterruption: "2025-01-10" }, 1),
        csvRow({ loanNumber: "T-2" }, 2),
        csvRow({ loanNumber: "T-3" }, 3),
      ]),
    );
    expect(second.tape).toMatchObject({ status: "imported", createdCount: 1, updatedCount: 1, unchangedCount: 1 });

    const after = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-1" } });
    expect(after).toMatchObject({ borrowerName: "王小明", region: "城关区", guarantorName: "李建国", officerStaffNumber: "S1001", principal: 9_000_000n, version: 2, lastTapeId: second.id, lastInterruptionOn: "2025-01-10", limitationExpiresOn: "2028-01-10", borrowerIdCipher: before.borrowerIdCipher });
    expect(decryptPii(after.phoneCipher!)).toBe("13700001111");
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());

    const history = await prisma.loanChange.findMany({ where: { loanId: after.id }, orderBy: { at: "asc" } });
    expect(history.map((h) => h.kind)).toEqual(["import.create", "import.update"]);
    expect(JSON.parse(history[1]!.changes)).toEqual({
      principal: ["100000.00", "90000.00"],
      phone: ["138****5678", "137****1111"],
      lastInterruptionOn: [null, "2025-01-10"],
      limitationExpiresOn: ["2023-03-15", "2028-01-10"],
    });
    expect(history[1]!.changes).not.toContain("13700001111");
    expect(history[1]).toMatchObject({ tapeId: second.id, actorId: officer.id });

    const unchanged = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-2" } });
    expect(unchanged.version).toBe(1);
    expect(await prisma.loanChange.count({ where: { loanId: unchanged.id } })).toBe(1);
  });

  it("refuses to change a loan in a package, tender or custody: the row is an error saying why, and nothing else is written", async () => {
    await importTape(csvFile([csvRow({ loanNumber: "T-1" }, 1), csvRow({ loanNumber: "T-2" }, 2)]));
    await prisma.loan.update({ where: { loanNumber: "T-2" }, data: { status: "PACKAGED" } });

    const { id, tape } = await importTape(csvFile([csvRow({ loanNumber: "T-1", principal: "1" }, 1), csvRow({ loanNumber: "T-2", principal: "2" }, 2), csvRow({ loanNumber: "T-9" }, 9)]));
    expect(tape.status).toBe("rejected");
    const view = await loanTapeStatus(officer, id);
    expect(view.errors).toEqual([{ row: 3, column: "loan_number", code: "tape.loanLocked", message: "该贷款目前处于“已组包”状态，已组包、竞标中或托管中的贷款不能通过导入修改。" }]);
    expect((await loanTapeStatus({ ...officer, locale: "en" }, id)).errors[0]!.message).toBe('This loan is "Packaged": a loan in a package, a tender or custody cannot be changed by an import.');
    // Nothing written: T-1 keeps its principal, T-9 does not exist.
    expect((await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-1" } })).principal).toBe(10_000_000n);
    expect(await prisma.loan.findUnique({ where: { loanNumber: "T-9" } })).toBeNull();
    expect(await prisma.loanChange.count({ where: { tapeId: id } })).toBe(0);
  });

  it("keeps the department's difficulty decision and a verified interruption later than the tape's", async () => {
    await importTape(csvFile([csvRow({ loanNumber: "T-1", lastInterruption: "2024-01-05" }, 1)]));
    const loan = await prisma.loan.findUniqueOrThrow({ where: { loanNumber: "T-1" } });
    const file = await prisma.storedFile.create({ data: { sha256: "0".repeat(64), size: 1, mimeType: "application/pdf", originalName: "receipt.pdf", path: "files/00/x" } });
    await prisma.limitationInterruption.create({ data: { loanId: loan.id, kind: "notice_receipt", occurredOn: "2025-05-20", evidenceFileId: file.id, status: "VERIFIED", recordedById: officer.id } });
    await prisma.loan.update({ where: { id: loan.id }, data: { difficulty: "hard", difficultyStatus: "OVERRIDDEN", lastInterruptionOn: "2025-05-20", limitationExpiresOn: "2028-05-20" } });

    await importTape(csvFile([csvRow({ loanNumber: "T-1", lastInterruption: "2024-01-05", principal: "99,999" }, 1)]));
    expect(await prisma.loan.findUniqueOrThrow({ where: { id: loan.id } })).toMatchObject({
      principal: 9_999_900n, difficulty: "hard", difficultyStatus: "OVERRIDDEN", suggestedDifficulty: "recoverable", lastInterruptionOn: "2025-05-20", limitationExpiresOn: "2028-05-20",
    });
  });

  it("is idempotent: processing a tape again changes nothing", async () => {
    const { id } = await importTape(csvFile([csvRow({ loanNumber: "T-1" }, 1)]));
    const audits = await prisma.auditEntry.count();
    expect(await processLoanTape(id)).toEqual({ status: "imported" });
    expect(await prisma.auditEntry.count()).toBe(audits);
    expect(await prisma.loanChange.count()).toBe(1);
  });
});

// ---- submission checks, job, template ----------------------------------------------------------------

describe("submitting", () => {
  it("refuses empty, oversized and unknown files, and users without loans:import", async () => {
    const refused = async (promise: Promise<unknown>) => {
      const error = await refusal(promise);
      return { key: error.key, status: error.status };
    };
    expect(await refused(submitLoanTape(context, officer, { kind: "file", fileName: "a.csv", bytes: new Uint8Array() }))).toEqual({ key: "tape.upload.empty", status: 400 });
    expect(await refused(submitLoanTape(context, officer, { kind: "file", fileName: "a.csv", bytes: new Uint8Array(50 * 1024 * 1024 + 1).fill(0x41) }))).toEqual({ key: "tape.upload.tooLarge", status: 413 });
    expect(await refused(submitLoanTape(context, officer, { kind: "file", fileName: "a.pdf", bytes: new Uint8Array(Buffer.from("%PDF-1.7 ...")) }))).toEqual({ key: "tape.upload.unsupportedType", status: 415 });
    expect(await refused(submitLoanTape(context, officer, { kind: "file", fileName: "old.xls", bytes: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]) }))).toEqual({ key: "tape.upload.xls", status: 415 });
    expect(await refused(submitLoanTape(context, officer, { kind: "rows", rows: [] }))).toEqual({ key: "tape.upload.noRows", status: 400 });
    const auditor = await asUser("auditor@bank.example");
    expect(await refused(submitLoanTape(context, auditor, csvFile([csvRow({ loanNumber: "T-1" })])))).toEqual({ key: "tape.forbidden", status: 403 });
    expect(await refused(loanTapeStatus(auditor, "whatever"))).toEqual({ key: "tape.forbidden", status: 403 });
    expect(await refused(loanTapeStatus(officer, "no-such-tape"))).toEqual({ key: "tape.notFound", status: 404 });
    expect(await prisma.loanTape.count()).toBe(0);
    expect(enqueued).toEqual([]);
  });

  it("runs through the job definition, and a tape whose job gave up is marked failed", async () => {
    const { id } = await submitLoanTape(context, officer, csvFile([csvRow({ loanNumber: "T-1" })]));
    const logs: unknown[] = [];
    const logger = { info: (...a: unknown[]) => logs.push(a), warn: () => {}, error: () => {} };
    await importLoanTape.handler({ tapeId: id }, { jobId: "j1", attempt: 1, logger });
    expect((await prisma.loanTape.findUniqueOrThrow({ where: { id } })).status).toBe("imported");
    expect(importLoanTape.idempotencyKey({ tapeId: id })).toBe(id);
    expect(jobs.importLoanTape).toBe(importLoanTape); // registered: the queue runs it

    const other = await submitLoanTape(context, officer, csvFile([csvRow({ loanNumber: "T-2" })]));
    await markLoanTapeFailed(other.id, new Error("disk full"));
    expect(await loanTapeStatus(officer, other.id)).toMatchObject({ status: "failed", failure: "disk full" });
  });

  it("offers an XLSX template with bilingual headers and an instructions sheet, which imports as it is", async () => {
    const template = await loanTapeTemplate(officer);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(template.bytes) as unknown as ArrayBuffer);
    const [tapeSheet, help] = workbook.worksheets;
    expect(tapeSheet!.getRow(1).getCell(1).value).toBe("贷款编号 / loan_number");
    expect((tapeSheet!.getRow(1).values as unknown[]).slice(1)).toEqual(tapeColumns.map(templateHeader));
    expect(help!.name).toBe("填写说明 ／ Instructions");
    const helpText = JSON.stringify(help!.getSheetValues());
    for (const c of tapeColumns) expect(helpText).toContain(templateHeader(c));
    expect(helpText).toContain("正常 normal");
    expect(helpText).toContain("B003 河西信用社");

    // The template's own example row is a valid loan.
    const { tape } = await importTape({ kind: "file", fileName: template.fileName, bytes: template.bytes });
    expect(tape).toMatchObject({ status: "imported", createdCount: 1 });
  });
});

// ---- API ---------------------------------------------------------------------------------------------

describe("/api/v1/loan-tapes and /api/v1/branches", () => {
  type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;
  const call = async (handler: unknown, request: Request, params: Record<string, string> = {}) => {
    const response = await (handler as Handler)({ request, params, context: {} });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const tokenFor = async (email: string) => {
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    return (await createApiToken(systemContext("test"), user.id, "t")).token;
  };

  it("POST a multipart file → 202 {id}; GET → status, progress, errors with messages, created/updated", async () => {
    const token = await tokenFor("officer@bank.example");
    const form = new FormData();
    form.append("file", new File([Buffer.from(csvText([csvRow({ loanNumber: "T-1" }, 1), csvRow({ loanNumber: "T-2", matures: "2024-09-31" }, 2)]), "utf8")], "api.csv", { type: "text/csv" }));
    const posted = await call(tapesAction, new Request("http://localhost/api/v1/loan-tapes", { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: form }));
    expect(posted.status).toBe(202);
    const id = posted.body.id as string;
    expect(enqueued).toEqual([{ name: "loans.importTape", payload: { tapeId: id } }]);

    const get = () => call(tapeLoader, new Request(`http://localhost/api/v1/loan-tapes/${id}`, { headers: { Authorization: `Bearer ${token}` } }), { id });
    expect((await get()).body).toMatchObject({ status: "processing", progress: 0, errors: [] });
    await processLoanTape(id);
    const status = await get();
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      id, status: "rejected", progress: 1, error_count: 1, rows: 2, file_name: "api.csv", format: "csv",
      errors: [{ row: 3, column: "matures_on", code: "tape.date.notACalendarDate", message: "“2024-09-31”不是真实存在的日期。" }],
    });
    expect(new Date(status.body.created as string).toISOString()).toBe(status.body.created);
    expect(typeof status.body.updated).toBe("string");
  });

  it("POST JSON rows → 202; the import then shows counts", async () => {
    const token = await tokenFor("officer@bank.example");
    const rows = [{ loan_number: "J-1", borrower_name: "李四", borrower_type: "individual", borrower_id_number: residentId(4), branch: "城关支行", region: "城关区", principal: 1000, disbursed_on: "2019-01-01", matures_on: "2020-01-01", five_tier: "loss", balance_sheet: "on", collateral: "unsecured" }];
    const posted = await call(tapesAction, new Request("http://localhost/api/v1/loan-tapes", { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ rows }) }));
    expect(posted.status).toBe(202);
    await processLoanTape(posted.body.id as string);
    const status = await call(tapeLoader, new Request("http://localhost/api/v1/loan-tapes/x", { headers: { Authorization: `Bearer ${token}` } }), { id: posted.body.id as string });
    expect(status.body).toMatchObject({ status: "imported", created_count: 1, updated_count: 0, unchanged_count: 0, errors: [] });
    const list = await call(tapesLoader, new Request("http://localhost/api/v1/loan-tapes", { headers: { Authorization: `Bearer ${token}` } }));
    expect(list.body.items).toEqual([expect.objectContaining({ id: posted.body.id, status: "imported", format: "json" })]);

    const invalid = await call(tapesAction, new Request("http://localhost/api/v1/loan-tapes", { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ rows: [] }) }));
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: "tape.upload.noRows" } } });
  });

  it("refuses tapes to users without loans:import and answers 404 for an unknown tape; branches for loan-book users", async () => {
    const bidder = await tokenFor("bidder@bank.example");
    const refused = await call(tapesAction, new Request("http://localhost/api/v1/loan-tapes", { method: "POST", headers: { Authorization: `Bearer ${bidder}`, "Content-Type": "application/json" }, body: "{}" }));
    expect(refused).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    const officerToken = await tokenFor("officer@bank.example");
    expect(await call(tapeLoader, new Request("http://localhost/api/v1/loan-tapes/nope", { headers: { Authorization: `Bearer ${officerToken}` } }), { id: "nope" })).toMatchObject({ status: 404, body: { error: { code: "tape.notFound" } } });

    const auditor = await tokenFor("auditor@bank.example");
    const branches = await call(branchesLoader, new Request("http://localhost/api/v1/branches", { headers: { Authorization: `Bearer ${auditor}` } }));
    expect(branches).toEqual({
      status: 200,
      body: {
        items: [
          { code: "B001", name: "城关支行", region: "城关区" },
          { code: "B002", name: "东城支行", region: "城关区" },
          { code: "B003", name: "河西信用社", region: "河西县" },
          { code: "B004", name: "山南支行", region: "山南县" },
        ],
      },
    });
    expect((await call(branchesLoader, new Request("http://localhost/api/v1/branches", { headers: { Authorization: `Bearer ${bidder}` } }))).status).toBe(403);
  });
});

// ---- pages -------------------------------------------------------------------------------------------

describe("the loan-tape pages", () => {
  type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;
  const cookieFor = async (email: string) => (await startSession((await asUser(email)).id, new Request("http://localhost/"))).split(";")[0]!;
  const call = (handler: unknown, request: Request, params: Record<string, string> = {}) =>
    (handler as Handler)({ request, params, context: {} }).catch((thrown: unknown) => thrown);

  it("uploads a tape from the page, goes to its page, lists it, and offers the template", async () => {
    const cookie = await cookieFor("officer@bank.example");
    const form = new FormData();
    form.set("file", new Blob([utf8Bom(csvText([csvRow({ loanNumber: "P-1" }, 1)]))], { type: "text/csv" }), "页面上传.csv");
    const response = (await call(uploadAction, new Request("http://localhost/loan-tapes", { method: "POST", body: form, headers: { Cookie: cookie } }))) as Response;
    expect(response.status).toBe(302);
    const id = /^\/loan-tapes\/(.+)$/.exec(response.headers.get("Location") ?? "")![1]!;
    const { toast } = await popToast(new Request("http://localhost/", { headers: { Cookie: response.headers.get("Set-Cookie")!.split(";")[0]! } }));
    expect(toast).toMatchObject({ kind: "success", key: "tape.upload.submitted" });
    expect(enqueued).toEqual([{ name: "loans.importTape", payload: { tapeId: id } }]);

    const page = (await call(tapePageLoader, new Request(`http://localhost/loan-tapes/${id}`, { headers: { Cookie: cookie } }), { id })) as { tape: { status: string; fileName: string } };
    expect(page.tape).toMatchObject({ status: "processing", fileName: "页面上传.csv" });
    await processLoanTape(id);
    const list = (await call(tapeListLoader, new Request("http://localhost/loan-tapes", { headers: { Cookie: cookie } }))) as { tapes: { id: string; status: string; counts: { created: number } }[] };
    expect(list.tapes).toEqual([expect.objectContaining({ id, status: "imported", counts: expect.objectContaining({ created: 1 }) })]);

    const template = (await call(templateLoader, new Request("http://localhost/loan-tapes/template", { headers: { Cookie: cookie } }))) as Response;
    expect(template.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(template.headers.get("Content-Disposition")).toContain("attachment");
    expect(Buffer.from(await template.arrayBuffer()).subarray(0, 2).toString()).toBe("PK");
  });

  it("answers a missing file with a form error, an unknown tape with 404, and other users with 403", async () => {
    const cookie = await cookieFor("officer@bank.example");
    const empty = (await call(uploadAction, new Request("http://localhost/loan-tapes", { method: "POST", body: new FormData(), headers: { Cookie: cookie } }))) as { data: unknown; init: { status: number } };
    expect(empty).toMatchObject({ data: { fieldErrors: { file: ["tape.upload.noFile"] } }, init: { status: 400 } });
    expect(((await call(tapePageLoader, new Request("http://localhost/loan-tapes/nope", { headers: { Cookie: cookie } }), { id: "nope" })) as Response).status).toBe(404);
    const bidder = await cookieFor("bidder@bank.example");
    expect(((await call(tapeListLoader, new Request("http://localhost/loan-tapes", { headers: { Cookie: bidder } }))) as Response).status).toBe(403);
    expect(((await call(templateLoader, new Request("http://localhost/loan-tapes/template", { headers: { Cookie: bidder } }))) as Response).status).toBe(403);
  });
});
