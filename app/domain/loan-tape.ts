/**
 * The loan tape (贷款清单, ../shared/domain/loan-tape.md): its columns, how a header row names them
 * (Chinese, English key or label, or the template's "贷款编号 / loan_number"), and the validation of
 * one row into a LoanFields. Pure: the readers (CSV, XLSX, JSON) hand over raw cell values — text,
 * numbers, Excel dates (Date), booleans — and get back a loan or the list of problems, each with
 * the spreadsheet row, the column's key, a message key (`tape.*`) and its parameters.
 */
import { parseTapeDay } from "./calendar";
import { creditCodeProblem, normalizeIdNumber, residentIdProblem } from "./identity-numbers";
import {
  balanceSheets,
  borrowerTypes,
  chineseWords,
  collaterals,
  difficulties,
  difficultyReasons,
  fiveTiers,
  litigations,
  termClasses,
  type LoanFields,
} from "./loan";
import { maskIdNumber } from "./masking";
import { MoneyParseError, parseYuan } from "./money";

// ---- columns ---------------------------------------------------------------------------------------

export interface TapeColumnSpec {
  /** The English key: API field name and the template's English header. */
  readonly key: string;
  /** The Chinese header. */
  readonly zh: string;
  /** The English header label (also accepted as a header). */
  readonly en: string;
  readonly required: boolean;
  /** The enumeration a value must belong to (its Chinese words in loan.ts chineseWords). */
  readonly enumGroup?: keyof typeof chineseWords;
}

/** Every column of loan-tape.md, in the order of the template. */
export const tapeColumns = [
  { key: "loan_number", zh: "贷款编号", en: "Loan number", required: true },
  { key: "borrower_name", zh: "借款人", en: "Borrower", required: true },
  { key: "borrower_type", zh: "借款人类型", en: "Borrower type", required: true, enumGroup: "borrowerType" },
  { key: "borrower_id_number", zh: "证件号码", en: "ID number", required: true },
  { key: "phone", zh: "联系电话", en: "Phone", required: false },
  { key: "branch", zh: "经办机构", en: "Branch", required: true },
  { key: "region", zh: "区域", en: "Region", required: true },
  { key: "principal", zh: "本金余额", en: "Principal", required: true },
  { key: "interest_on_balance", zh: "表内欠息", en: "On-balance interest", required: false },
  { key: "interest_off_balance", zh: "表外欠息", en: "Off-balance interest", required: false },
  { key: "disbursed_on", zh: "发放日期", en: "Disbursed on", required: true },
  { key: "matures_on", zh: "到期日期", en: "Matures on", required: true },
  { key: "extended_maturity", zh: "展期到期日", en: "Extended maturity", required: false },
  { key: "last_payment_on", zh: "最后还款日期", en: "Last payment on", required: false },
  { key: "last_interruption_on", zh: "最后时效中断日期", en: "Last interruption on", required: false },
  { key: "five_tier", zh: "五级分类", en: "Five-tier class", required: true, enumGroup: "fiveTier" },
  { key: "term_class", zh: "四级分类", en: "Term class", required: false, enumGroup: "termClass" },
  { key: "balance_sheet", zh: "表内外", en: "On/off balance sheet", required: true, enumGroup: "balanceSheet" },
  { key: "written_off", zh: "是否核销", en: "Written off", required: false },
  { key: "collateral", zh: "担保方式", en: "Collateral", required: true, enumGroup: "collateral" },
  { key: "guarantor_name", zh: "担保人", en: "Guarantor", required: false },
  { key: "litigation", zh: "诉讼状态", en: "Litigation", required: false, enumGroup: "litigation" },
  { key: "difficulty", zh: "清收难度", en: "Recovery difficulty", required: false, enumGroup: "difficulty" },
  { key: "difficulty_reason", zh: "难度原因", en: "Difficulty reason", required: false, enumGroup: "difficultyReason" },
  { key: "officer", zh: "信贷员", en: "Loan officer", required: false },
] as const satisfies readonly TapeColumnSpec[];

export type TapeKey = (typeof tapeColumns)[number]["key"];
export type TapeValues = Partial<Record<TapeKey, unknown>>;

export const tapeKeys: readonly TapeKey[] = tapeColumns.map((c) => c.key);
const columnByKey = new Map<string, TapeColumnSpec>(tapeColumns.map((c) => [c.key, c]));
const columnOrder = new Map<string, number>(tapeColumns.map((c, i) => [c.key, i]));

export function tapeColumn(key: TapeKey): TapeColumnSpec {
  return columnByKey.get(key)!;
}

export function isTapeKey(value: string): value is TapeKey {
  return columnByKey.has(value);
}

/** The template's header: `贷款编号 / loan_number`. */
export function templateHeader(column: TapeColumnSpec): string {
  return `${column.zh} / ${column.key}`;
}

/** The values a column allows, as `[English key, Chinese word]` pairs (empty for free text). */
export function allowedValues(key: TapeKey): [string, string][] {
  if (key === "written_off") return [["true", "是"], ["false", "否"]];
  const group = tapeColumn(key).enumGroup;
  return group ? Object.entries(chineseWords[group]) : [];
}

// ---- header ----------------------------------------------------------------------------------------

const headerLookup = new Map<string, TapeKey>();
for (const c of tapeColumns) {
  headerLookup.set(c.zh, c.key);
  headerLookup.set(c.key, c.key);
  headerLookup.set(englishHeaderKey(c.en), c.key);
}

/** Lower case, spaces/hyphens/slashes → `_`: "Loan Number", "loan-number", "LOAN_NUMBER" all become loan_number. */
function englishHeaderKey(text: string): string {
  return text.toLowerCase().replace(/[\s\-/]+/g, "_");
}

function cleanHeaderPart(text: string): string {
  return text
    .replace(/[\u00A0\u3000]/g, " ")
    .trim()
    .replace(/[*＊]+$/, "")
    .trim();
}

function resolvePart(part: string): TapeKey | null {
  const cleaned = cleanHeaderPart(part);
  if (!cleaned) return null;
  return headerLookup.get(cleaned) ?? headerLookup.get(englishHeaderKey(cleaned)) ?? null;
}

/**
 * The column a header names: the Chinese header, the English key or label (any case), or both
 * as the template writes them (`贷款编号 / loan_number`), a trailing `*` ignored. Null when unknown.
 */
export function resolveHeader(header: string): TapeKey | null {
  const whole = resolvePart(header);
  if (whole) return whole;
  const parts = header.split(/[/／]/);
  if (parts.length < 2) return null;
  let found: TapeKey | null = null;
  for (const part of parts) {
    if (!cleanHeaderPart(part)) continue;
    const key = resolvePart(part);
    if (!key || (found && key !== found)) return null;
    found = key;
  }
  return found;
}

export type TapeParams = Record<string, string | number>;

/** One problem of a tape: spreadsheet row (header = 1), column key, message key and its parameters. */
export interface TapeIssue {
  row: number | null;
  column: TapeKey | null;
  code: string;
  params: TapeParams;
}

export interface TapeWarning {
  code: string;
  params: TapeParams;
}

export interface HeaderMapping {
  /** The column each cell index holds (null: ignored). */
  columns: (TapeKey | null)[];
  errors: TapeIssue[];
  warnings: TapeWarning[];
}

/**
 * The header row → which column each cell holds. Unknown headers are warnings (the column is
 * ignored); a required column missing or a column named twice is a file-level error (row 1).
 */
export function mapHeader(cells: readonly unknown[]): HeaderMapping {
  const columns: (TapeKey | null)[] = [];
  const errors: TapeIssue[] = [];
  const warnings: TapeWarning[] = [];
  const seen = new Map<TapeKey, string>();
  for (let index = 0; index < cells.length; index++) {
    columns[index] = null;
    const header = cellText(cells[index]);
    if (!header) continue;
    const key = resolveHeader(header);
    if (!key) {
      warnings.push({ code: "tape.warning.unknownColumn", params: { header: header.slice(0, 100) } });
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ row: 1, column: key, code: "tape.column.duplicate", params: { header: header.slice(0, 100), first: first.slice(0, 100) } });
      continue;
    }
    seen.set(key, header);
    columns[index] = key;
  }
  for (const c of tapeColumns) {
    if (c.required && !seen.has(c.key)) errors.push({ row: 1, column: c.key, code: "tape.column.missing", params: { key: c.key, zh: c.zh } });
  }
  return { columns, errors, warnings };
}

// ---- values ----------------------------------------------------------------------------------------

/** A cell as text: trimmed strings, numbers as written, Excel dates as days. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return Number.isFinite(value) ? numberText(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) {
    const day = parseTapeDay(value);
    return day.ok ? day.day : "";
  }
  if (typeof value === "bigint") return value.toString();
  return String(value).trim();
}

/** A number as a spreadsheet shows it (15 significant digits, no exponent for ordinary values). */
function numberText(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  const precise = Number(value.toPrecision(15));
  const text = String(precise);
  if (!/e/i.test(text)) return text;
  return precise.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * An amount cell that arrived as a number (XLSX, JSON) as yuan text: 1234.5 → "1234.50". Floats
 * are read to Excel's 15 significant digits, so 1234.5600000000001 is 1234.56; a value with more
 * than two decimals keeps them (and is refused by parseYuan).
 */
export function amountNumberText(value: number): string {
  const text = numberText(value);
  const [whole, decimals = ""] = text.split(".");
  return decimals.length >= 2 ? text : `${whole}.${decimals.padEnd(2, "0")}`;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "string" && value.trim() === "");
}

/** Whether a row has no value at all (such rows, e.g. trailing ones, are ignored). */
export function isEmptyRow(cells: readonly unknown[]): boolean {
  for (const cell of cells) if (!isEmpty(cell)) return false;
  return true;
}

// ---- enumerations ----------------------------------------------------------------------------------

type EnumLookup = Map<string, string>;

function enumLookup(values: readonly string[], words: Record<string, string>): EnumLookup {
  const map: EnumLookup = new Map();
  for (const v of values) {
    map.set(v, v);
    map.set(englishHeaderKey(v), v);
    map.set(words[v]!, v);
  }
  return map;
}

const enums = {
  borrowerType: enumLookup(borrowerTypes, chineseWords.borrowerType),
  fiveTier: enumLookup(fiveTiers, chineseWords.fiveTier),
  termClass: enumLookup(termClasses, chineseWords.termClass),
  balanceSheet: enumLookup(balanceSheets, chineseWords.balanceSheet),
  collateral: enumLookup(collaterals, chineseWords.collateral),
  litigation: enumLookup(litigations, chineseWords.litigation),
  difficulty: enumLookup(difficulties, chineseWords.difficulty),
  difficultyReason: enumLookup(difficultyReasons, chineseWords.difficultyReason),
} satisfies Record<keyof typeof chineseWords, EnumLookup>;

const booleans = new Map<string, boolean>([
  ["是", true], ["否", false], ["true", true], ["false", false], ["yes", true], ["no", false], ["y", true], ["n", false], ["1", true], ["0", false],
]);

// ---- branches --------------------------------------------------------------------------------------

export interface BranchRef {
  code: string;
  name: string;
}

/** The bank's branches by code (any case) and by name; a tape may name either. */
export interface BranchIndex {
  /** The branch's code, or null when the text names no branch. */
  codeOf(text: string): string | null;
}

export function branchIndex(branches: readonly BranchRef[]): BranchIndex {
  const map = new Map<string, string>();
  for (const b of branches) {
    map.set(b.name.trim(), b.code);
    map.set(b.code.trim().toUpperCase(), b.code);
  }
  return { codeOf: (text) => map.get(text) ?? map.get(text.toUpperCase()) ?? null };
}

const indexCache = new WeakMap<readonly BranchRef[], BranchIndex>();
function toIndex(branches: BranchIndex | readonly BranchRef[]): BranchIndex {
  if (!Array.isArray(branches)) return branches as BranchIndex;
  const list = branches as readonly BranchRef[];
  let index = indexCache.get(list);
  if (!index) indexCache.set(list, (index = branchIndex(list)));
  return index;
}

// ---- one row ---------------------------------------------------------------------------------------

export interface RowOptions {
  /** The spreadsheet row (header = 1), or the position of a JSON row (first = 1). */
  rowNumber: number;
  /** The import date (`YYYY-MM-DD`, China): payments and interruptions may not be after it. */
  today: string;
  branches: BranchIndex | readonly BranchRef[];
}

export type RowResult = { ok: true; loan: LoanFields } | { ok: false; errors: TapeIssue[] };

const maxTextLength = 200;
/** 10^13 yuan: far above any loan, well inside SQLite's 64-bit integers. */
const maxAmountFen = 10n ** 15n;

// The checks below are plain functions over one row's state (no closures per row: a large tape
// has 100,000 rows).

interface RowState {
  row: number;
  values: TapeValues;
  errors: TapeIssue[] | null;
}

function fail(state: RowState, column: TapeKey | null, code: string, params: TapeParams = {}): void {
  (state.errors ??= []).push({ row: state.row, column, code, params });
}

function hasError(state: RowState, column: TapeKey): boolean {
  return state.errors !== null && state.errors.some((e) => e.column === column);
}

/** Control characters (other than tab and line breaks) have no place in a name or a number. */
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function readText(state: RowState, column: TapeKey, required: boolean): string | null {
  const value = cellText(state.values[column]);
  if (!value) {
    if (required) fail(state, column, "tape.required");
    return null;
  }
  if (value.length > maxTextLength) {
    fail(state, column, "tape.tooLong", { max: maxTextLength });
    return null;
  }
  if (controlCharacters.test(value)) {
    fail(state, column, "tape.text.controlCharacter");
    return null;
  }
  return value;
}

function readChoice(state: RowState, column: TapeKey, group: keyof typeof enums, required: boolean): string | null {
  const value = cellText(state.values[column]);
  if (!value) {
    if (required) fail(state, column, "tape.required");
    return null;
  }
  const lookup = enums[group];
  const found = lookup.get(value) ?? lookup.get(englishHeaderKey(value));
  if (!found) {
    fail(state, column, "tape.enum.invalid", { value: value.slice(0, 50) });
    return null;
  }
  return found;
}

const moneyCodes: Record<string, string> = {
  "money.negative": "tape.amount.negative",
  "money.tooManyDecimals": "tape.amount.tooManyDecimals",
  "money.empty": "tape.required",
};

/** Yuan → fen; empty is 0 for optional amounts. */
function readAmount(state: RowState, column: TapeKey, required: boolean): bigint | null {
  const raw = state.values[column];
  if (isEmpty(raw)) {
    if (required) fail(state, column, "tape.required");
    return required ? null : 0n;
  }
  let input: string;
  if (typeof raw === "string") {
    input = raw;
  } else if (typeof raw === "number" && Number.isFinite(raw)) {
    input = amountNumberText(raw);
  } else {
    fail(state, column, "tape.amount.invalid", { value: cellText(raw).slice(0, 50) });
    return null;
  }
  try {
    const fen = parseYuan(input);
    if (fen >= maxAmountFen) {
      fail(state, column, "tape.amount.tooLarge", { value: input.trim().slice(0, 50) });
      return null;
    }
    return fen;
  } catch (error) {
    const code = error instanceof MoneyParseError ? error.code : "money.invalid";
    fail(state, column, moneyCodes[code] ?? "tape.amount.invalid", { value: input.trim().slice(0, 50) });
    return null;
  }
}

/** A day: text in the accepted forms, an Excel date cell (Date) or an Excel serial number. */
function readDay(state: RowState, column: TapeKey, required: boolean): string | null {
  const raw = state.values[column];
  if (isEmpty(raw)) {
    if (required) fail(state, column, "tape.required");
    return null;
  }
  const parsed = parseTapeDay(typeof raw === "string" ? raw.trim() : raw);
  if (parsed.ok) return parsed.day;
  fail(state, column, parsed.code === "notACalendarDate" ? "tape.date.notACalendarDate" : "tape.date.invalid", { value: cellText(raw).slice(0, 50) });
  return null;
}

/** An ID card number for individuals, a unified social credit code for corporates (shown masked in errors). */
function readIdNumber(state: RowState, borrowerType: string | null): string | null {
  const raw = state.values.borrower_id_number;
  if (isEmpty(raw)) {
    fail(state, "borrower_id_number", "tape.required");
    return null;
  }
  if (typeof raw === "number") {
    // 18 digits do not fit a spreadsheet number: the cell lost its last digits.
    fail(state, "borrower_id_number", "tape.idNumber.isNumber");
    return null;
  }
  const id = normalizeIdNumber(cellText(raw));
  if (borrowerType === "corporate") {
    const problem = creditCodeProblem(id);
    if (!problem) return id;
    fail(state, "borrower_id_number", `tape.creditCode.${problem}`, { value: maskIdNumber(id) });
  } else if (borrowerType === "individual") {
    const problem = residentIdProblem(id);
    if (!problem) return id;
    fail(state, "borrower_id_number", `tape.idNumber.${problem}`, { value: maskIdNumber(id) });
  } else if (id.length !== 18) {
    fail(state, "borrower_id_number", "tape.idNumber.format", { value: maskIdNumber(id) });
  }
  return null;
}

/** 7–15 digits; spaces, hyphens, brackets and a leading + are not part of the number. */
function readPhone(state: RowState): string | null {
  const text = cellText(state.values.phone);
  if (!text) return null;
  const digits = /^\d{7,15}$/.test(text)
    ? text
    : text
        .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
        .replace(/[\s\-()（）]/g, "")
        .replace(/^\+/, "");
  if (/^\d{7,15}$/.test(digits)) return digits;
  fail(state, "phone", "tape.phone.invalid");
  return null;
}

function readWrittenOff(state: RowState): boolean {
  const raw = state.values.written_off;
  if (typeof raw === "boolean") return raw;
  if (isEmpty(raw)) return false;
  const text = cellText(raw);
  const flag = booleans.get(text) ?? booleans.get(text.toLowerCase());
  if (flag !== undefined) return flag;
  fail(state, "written_off", "tape.boolean.invalid", { value: text.slice(0, 50) });
  return false;
}

/**
 * One data row → the loan it describes, or every problem in it (not just the first). `values`
 * holds raw cells by column key: text, numbers, Dates (Excel date cells) or booleans.
 */
export function validateTapeRow(values: TapeValues, options: RowOptions): RowResult {
  const state: RowState = { row: options.rowNumber, values, errors: null };

  const loanNumber = readText(state, "loan_number", true);
  const borrowerName = readText(state, "borrower_name", true);
  const borrowerType = readChoice(state, "borrower_type", "borrowerType", true) as LoanFields["borrowerType"] | null;
  const borrowerIdNumber = readIdNumber(state, borrowerType);
  const phone = readPhone(state);

  let branch: string | null = null;
  const branchText = readText(state, "branch", true);
  if (branchText) {
    branch = toIndex(options.branches).codeOf(branchText);
    if (!branch) fail(state, "branch", "tape.branch.unknown", { value: branchText.slice(0, 50) });
  }
  const region = readText(state, "region", true);

  const principal = readAmount(state, "principal", true);
  const interestOnBalance = readAmount(state, "interest_on_balance", false);
  const interestOffBalance = readAmount(state, "interest_off_balance", false);

  const disbursedOn = readDay(state, "disbursed_on", true);
  const maturesOn = readDay(state, "matures_on", true);
  const extendedMaturity = readDay(state, "extended_maturity", false);
  const lastPaymentOn = readDay(state, "last_payment_on", false);
  const lastInterruptionOn = readDay(state, "last_interruption_on", false);
  if (disbursedOn && maturesOn && maturesOn < disbursedOn) fail(state, "matures_on", "tape.date.maturesBeforeDisbursed", { matures: maturesOn, disbursed: disbursedOn });
  if (maturesOn && extendedMaturity && extendedMaturity <= maturesOn) fail(state, "extended_maturity", "tape.date.extendedNotAfterMaturity", { extended: extendedMaturity, matures: maturesOn });
  if (lastPaymentOn && lastPaymentOn > options.today) fail(state, "last_payment_on", "tape.date.afterImportDate", { value: lastPaymentOn, today: options.today });
  if (lastInterruptionOn && lastInterruptionOn > options.today) fail(state, "last_interruption_on", "tape.date.afterImportDate", { value: lastInterruptionOn, today: options.today });

  const fiveTier = readChoice(state, "five_tier", "fiveTier", true) as LoanFields["fiveTier"] | null;
  const termClass = readChoice(state, "term_class", "termClass", false) as LoanFields["termClass"];
  const balanceSheet = readChoice(state, "balance_sheet", "balanceSheet", true) as LoanFields["balanceSheet"] | null;
  const writtenOff = readWrittenOff(state);
  const collateral = readChoice(state, "collateral", "collateral", true) as LoanFields["collateral"] | null;
  const guarantorName = readText(state, "guarantor_name", false);
  if (collateral === "guarantee" && !guarantorName && !hasError(state, "guarantor_name")) fail(state, "guarantor_name", "tape.guarantorRequired");
  const litigation = (readChoice(state, "litigation", "litigation", false) ?? "none") as LoanFields["litigation"];
  const difficulty = readChoice(state, "difficulty", "difficulty", false) as LoanFields["difficulty"];
  const difficultyReason = readChoice(state, "difficulty_reason", "difficultyReason", false) as LoanFields["difficultyReason"];
  const officer = readText(state, "officer", false);

  if (state.errors) return { ok: false, errors: state.errors };
  return {
    ok: true,
    loan: {
      loanNumber: loanNumber!,
      borrowerName: borrowerName!,
      borrowerType: borrowerType!,
      borrowerIdNumber: borrowerIdNumber!,
      phone,
      branch: branch!,
      region: region!,
      principal: principal!,
      interestOnBalance: interestOnBalance!,
      interestOffBalance: interestOffBalance!,
      disbursedOn: disbursedOn!,
      maturesOn: maturesOn!,
      extendedMaturity,
      lastPaymentOn,
      lastInterruptionOn,
      fiveTier: fiveTier!,
      termClass,
      balanceSheet: balanceSheet!,
      writtenOff,
      collateral: collateral!,
      guarantorName,
      litigation,
      difficulty,
      difficultyReason,
      officer,
    },
  };
}

/** A JSON API row (an object with the English keys) → the same values a spreadsheet row gives. */
export function jsonRowValues(row: unknown): { values: TapeValues; unknownKeys: string[] } | null {
  if (!row || typeof row !== "object" || Array.isArray(row)) return null;
  const values: TapeValues = {};
  const unknownKeys: string[] = [];
  for (const [name, value] of Object.entries(row as Record<string, unknown>)) {
    const key = resolveHeader(name);
    if (key) values[key] = value;
    else unknownKeys.push(name);
  }
  return { values, unknownKeys };
}

/** One JSON API row validated like a spreadsheet row (a row that is not an object is an error). */
export function validateJsonRow(row: unknown, options: RowOptions): RowResult {
  const parsed = jsonRowValues(row);
  if (!parsed) return { ok: false, errors: [{ row: options.rowNumber, column: null, code: "tape.json.notAnObject", params: {} }] };
  return validateTapeRow(parsed.values, options);
}

// ---- a whole tape ----------------------------------------------------------------------------------

export interface ValidTapeRow {
  row: number;
  loan: LoanFields;
}

export interface TapeValidationResult {
  /** Data rows seen (empty rows not counted). */
  rowCount: number;
  /** The valid loans in tape order; empty as soon as any row is bad (nothing will be written). */
  loans: ValidTapeRow[];
  /** The first `maxErrors` problems, by row and column. */
  errors: TapeIssue[];
  /** All problems, including those not kept. */
  errorCount: number;
  warnings: TapeWarning[];
}

const cellAt = (cells: readonly unknown[], at: number): unknown => (at >= 0 && at < cells.length ? cells[at] : undefined);

export interface TapeValidation {
  /** The header row; false when the file cannot be read further (a required column missing, a duplicate). */
  header(cells: readonly unknown[]): boolean;
  /** A spreadsheet data row (cells in header order). */
  row(rowNumber: number, cells: readonly unknown[]): void;
  /** A JSON API row. */
  jsonRow(rowNumber: number, row: unknown): void;
  /** File-level problem found by the reader (e.g. an unreadable file). */
  fileError(code: string, params?: TapeParams): void;
  finish(): TapeValidationResult;
}

/**
 * Validates a whole tape row by row, holding only the valid loans (none once a row is bad) and the
 * loan numbers seen: a loan number twice in one file is an error on every row that carries it.
 */
export function createTapeValidation(options: { today: string; branches: readonly BranchRef[]; maxErrors?: number }): TapeValidation {
  const maxErrors = options.maxErrors ?? 1000;
  const branches = branchIndex(options.branches);
  /** For each tape key (in tapeKeys order), the cell index that holds it, or -1. */
  let cellIndex: number[] = tapeKeys.map(() => -1);
  const errors: TapeIssue[] = [];
  let errorCount = 0;
  const warnings: TapeWarning[] = [];
  const warnedKeys = new Set<string>();
  let loans: ValidTapeRow[] = [];
  let rowCount = 0;
  const firstRow = new Map<string, number>();
  const duplicates = new Map<string, number[]>();

  const addError = (issue: TapeIssue) => {
    errorCount += 1;
    if (errors.length < maxErrors) errors.push(issue);
    loans = [];
  };

  const noteLoanNumber = (value: unknown, rowNumber: number) => {
    const loanNumber = cellText(value);
    if (!loanNumber) return;
    const first = firstRow.get(loanNumber);
    if (first === undefined) {
      firstRow.set(loanNumber, rowNumber);
      return;
    }
    const rows = duplicates.get(loanNumber);
    if (rows) rows.push(rowNumber);
    else duplicates.set(loanNumber, [first, rowNumber]);
  };

  const check = (rowNumber: number, values: TapeValues) => {
    rowCount += 1;
    noteLoanNumber(values.loan_number, rowNumber);
    const result = validateTapeRow(values, { rowNumber, today: options.today, branches });
    if (result.ok) {
      if (errorCount === 0) loans.push({ row: rowNumber, loan: result.loan });
    } else {
      for (const issue of result.errors) addError(issue);
    }
  };

  return {
    header(cells) {
      const mapped = mapHeader(cells);
      cellIndex = tapeKeys.map((key) => mapped.columns.indexOf(key));
      warnings.push(...mapped.warnings);
      for (const issue of mapped.errors) addError(issue);
      return mapped.errors.length === 0;
    },
    row(rowNumber, cells) {
      if (isEmptyRow(cells)) return;
      // An object literal: one shape for all rows (tapeKeys order).
      const values: TapeValues = {
        loan_number: cellAt(cells, cellIndex[0]!),
        borrower_name: cellAt(cells, cellIndex[1]!),
        borrower_type: cellAt(cells, cellIndex[2]!),
        borrower_id_number: cellAt(cells, cellIndex[3]!),
        phone: cellAt(cells, cellIndex[4]!),
        branch: cellAt(cells, cellIndex[5]!),
        region: cellAt(cells, cellIndex[6]!),
        principal: cellAt(cells, cellIndex[7]!),
        interest_on_balance: cellAt(cells, cellIndex[8]!),
        interest_off_balance: cellAt(cells, cellIndex[9]!),
        disbursed_on: cellAt(cells, cellIndex[10]!),
        matures_on: cellAt(cells, cellIndex[11]!),
        extended_maturity: cellAt(cells, cellIndex[12]!),
        last_payment_on: cellAt(cells, cellIndex[13]!),
        last_interruption_on: cellAt(cells, cellIndex[14]!),
        five_tier: cellAt(cells, cellIndex[15]!),
        term_class: cellAt(cells, cellIndex[16]!),
        balance_sheet: cellAt(cells, cellIndex[17]!),
        written_off: cellAt(cells, cellIndex[18]!),
        collateral: cellAt(cells, cellIndex[19]!),
        guarantor_name: cellAt(cells, cellIndex[20]!),
        litigation: cellAt(cells, cellIndex[21]!),
        difficulty: cellAt(cells, cellIndex[22]!),
        difficulty_reason: cellAt(cells, cellIndex[23]!),
        officer: cellAt(cells, cellIndex[24]!),
      };
      check(rowNumber, values);
    },
    jsonRow(rowNumber, row) {
      const parsed = jsonRowValues(row);
      if (!parsed) {
        rowCount += 1;
        addError({ row: rowNumber, column: null, code: "tape.json.notAnObject", params: {} });
        return;
      }
      for (const name of parsed.unknownKeys) {
        if (warnedKeys.has(name)) continue;
        warnedKeys.add(name);
        warnings.push({ code: "tape.warning.unknownColumn", params: { header: name } });
      }
      if (isEmptyRow(Object.values(parsed.values))) return;
      check(rowNumber, parsed.values);
    },
    fileError(code, params = {}) {
      addError({ row: null, column: null, code, params });
    },
    finish() {
      for (const [loanNumber, rows] of duplicates) {
        for (const rowNumber of rows) {
          addError({ row: rowNumber, column: "loan_number", code: "tape.duplicateLoanNumber", params: { loanNumber: loanNumber.slice(0, 50), rows: rows.join(", ") } });
        }
      }
      if (rowCount === 0 && errorCount === 0) addError({ row: null, column: null, code: "tape.file.noRows", params: {} });
      errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || (columnOrder.get(a.column ?? "") ?? -1) - (columnOrder.get(b.column ?? "") ?? -1));
      return { rowCount, loans: errorCount === 0 ? loans : [], errors, errorCount, warnings };
    },
  };
}
