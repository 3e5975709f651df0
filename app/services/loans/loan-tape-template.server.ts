import ExcelJS from "exceljs";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { residentIdCheckCharacter } from "~/domain/identity-numbers";
import { chineseWords } from "~/domain/loan";
import { allowedValues, tapeColumns, templateHeader, type TapeKey } from "~/domain/loan-tape";
import { prisma } from "~/infra/db.server";
import { translator, type MessageKey } from "~/infra/i18n";

/**
 * The downloadable loan-tape template (XLSX): the first sheet has the header row in the bilingual
 * form the importer accepts (`贷款编号 / loan_number`), required columns highlighted, one example
 * row, text/amount/date formats and drop-down lists for the enumerated columns; the second sheet
 * lists every column, whether it is required, what it means and its allowed values, in Chinese and
 * English. Sheet names use a fullwidth slash: Excel forbids "/" in sheet names.
 */

const zh = translator("zh-CN");
const en = translator("en");
const both = (key: MessageKey, separator = " / ") => `${zh(key)}${separator}${en(key)}`;

const textColumns: readonly TapeKey[] = ["loan_number", "borrower_id_number", "phone", "branch", "officer"];
const amountColumns: readonly TapeKey[] = ["principal", "interest_on_balance", "interest_off_balance"];
const dateColumns: readonly TapeKey[] = ["disbursed_on", "matures_on", "extended_maturity", "last_payment_on", "last_interruption_on"];
/** Rows of the first sheet that get the drop-down lists. */
const listRows = 2000;

const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);

function exampleRow(branch: { code: string; region: string }): Record<TapeKey, unknown> {
  const first17 = "11010519900307123";
  return {
    loan_number: "DK2019-000123",
    borrower_name: "王小明",
    borrower_type: chineseWords.borrowerType.individual,
    borrower_id_number: first17 + residentIdCheckCharacter(first17),
    phone: "13812345678",
    branch: branch.code,
    region: branch.region,
    principal: 100000,
    interest_on_balance: 8000.5,
    interest_off_balance: 1200,
    disbursed_on: utcDay("2019-03-15"),
    matures_on: utcDay("2021-03-15"),
    extended_maturity: null,
    last_payment_on: utcDay("2020-12-20"),
    last_interruption_on: utcDay("2024-06-01"),
    five_tier: chineseWords.fiveTier.substandard,
    term_class: chineseWords.termClass.idle,
    balance_sheet: chineseWords.balanceSheet.on,
    written_off: "否",
    collateral: chineseWords.collateral.guarantee,
    guarantor_name: "李建国",
    litigation: chineseWords.litigation.none,
    difficulty: null,
    difficulty_reason: null,
    officer: "S1001",
  };
}

function columnLetter(index: number): string {
  let n = index + 1;
  let letters = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

export async function loanTapeTemplate(user: { roles: string[] }): Promise<{ fileName: string; bytes: Uint8Array<ArrayBuffer> }> {
  if (!can(user.roles, "loans:import")) throw new UserError("tape.forbidden", { status: 403 });
  const branches = await prisma.branch.findMany({ orderBy: { code: "asc" }, select: { code: true, name: true, region: true } });
  const workbook = new ExcelJS.Workbook();
  workbook.creator = zh("app.name");
  workbook.created = new Date();

  // ---- the tape ----
  const sheet = workbook.addWorksheet(both("tape.template.sheet", " ／ "), { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = tapeColumns.map((c) => {
    const key: TapeKey = c.key;
    return {
      key,
      width: Math.max(14, templateHeader(c).length + 6),
      style: textColumns.includes(key) ? { numFmt: "@" } : amountColumns.includes(key) ? { numFmt: "#,##0.00" } : dateColumns.includes(key) ? { numFmt: "yyyy-mm-dd" } : {},
    };
  });
  const header = sheet.getRow(1);
  tapeColumns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = templateHeader(c);
    cell.font = { bold: true, color: c.required ? { argb: "FF9A3412" } : undefined };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: c.required ? "FFFDE68A" : "FFE2E8F0" } };
    cell.alignment = { vertical: "middle" };
    cell.numFmt = "@";
  });
  header.height = 20;
  const example = branches[0] ? exampleRow(branches[0]) : exampleRow({ code: "B001", region: "城关区" });
  sheet.addRow(tapeColumns.map((c) => example[c.key]));

  // Drop-down lists of the Chinese words (English keys are accepted too when typed).
  tapeColumns.forEach((c, i) => {
    const values = c.key === "branch" ? branches.map((b) => b.code) : allowedValues(c.key).map(([, word]) => word);
    if (values.length === 0) return;
    const formula = `"${values.join(",")}"`;
    if (formula.length > 255) return;
    const letter = columnLetter(i);
    for (let row = 2; row <= listRows; row++) {
      sheet.getCell(`${letter}${row}`).dataValidation = { type: "list", allowBlank: true, showErrorMessage: false, formulae: [formula] };
    }
  });

  // ---- instructions ----
  const help = workbook.addWorksheet(both("tape.template.instructions", " ／ "));
  help.columns = [{ width: 34 }, { width: 12 }, { width: 60 }, { width: 60 }, { width: 60 }];
  help.addRow([zh("tape.template.note")]).getCell(1).alignment = { wrapText: true, vertical: "top" };
  help.mergeCells("A1:E1");
  help.getRow(1).height = 48;
  help.addRow([en("tape.template.note")]).getCell(1).alignment = { wrapText: true, vertical: "top" };
  help.mergeCells("A2:E2");
  help.getRow(2).height = 48;
  help.addRow([]);
  const head = help.addRow([
    both("tape.template.head.column"),
    both("tape.template.head.required"),
    `${zh("tape.template.head.description")}`,
    `${en("tape.template.head.description")}`,
    both("tape.template.head.allowed"),
  ]);
  head.font = { bold: true };
  head.eachCell((cell) => {
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE2E8F0" } };
  });
  for (const c of tapeColumns) {
    const allowed =
      c.key === "branch"
        ? branches.map((b) => `${b.code} ${b.name}（${b.region}）`).join("\n")
        : allowedValues(c.key).map(([key, word]) => `${word} ${key}`).join("\n");
    const row = help.addRow([
      templateHeader(c),
      c.required ? `${zh("tape.template.yes")} / ${en("tape.template.yes")}` : `${zh("tape.template.no")} / ${en("tape.template.no")}`,
      zh(`tape.template.desc.${c.key}` as MessageKey),
      en(`tape.template.desc.${c.key}` as MessageKey),
      allowed,
    ]);
    row.alignment = { wrapText: true, vertical: "top" };
    if (c.required) row.getCell(1).font = { bold: true };
  }

  const buffer = await workbook.xlsx.writeBuffer();
  const bytes = new Uint8Array(buffer.byteLength);
  bytes.set(new Uint8Array(buffer as ArrayBuffer));
  return { fileName: zh("tape.template.fileName"), bytes };
}
