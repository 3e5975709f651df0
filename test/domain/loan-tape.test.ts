import { describe, expect, it } from "vitest";
import { creditCodeCheckCharacter, residentIdCheckCharacter } from "~/domain/identity-numbers";
import {
  amountNumberText,
  createTapeValidation,
  mapHeader,
  resolveHeader,
  tapeColumns,
  templateHeader,
  validateJsonRow,
  validateTapeRow,
  type TapeKey,
  type TapeValues,
} from "~/domain/loan-tape";

// ---- helpers: identity numbers with correct check characters ----

/** A resident ID card number with a valid GB 11643 check character (born 1990-03-07). */
function residentId(serial = 123): string {
  const first17 = `110105199003070${String(serial % 100).padStart(2, "0")}`;
  return first17 + residentIdCheckCharacter(first17);
}

/** A unified social credit code with a valid GB 32100 check character. */
function creditCode(serial = 42): string {
  const first17 = `91620100MA${String(serial).padStart(6, "0")}0`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** The same number with a wrong last character. */
function withWrongCheck(id: string): string {
  const last = id[id.length - 1]!;
  return id.slice(0, -1) + (last === "1" ? "2" : "1");
}

const branches = [
  { code: "B001", name: "城关支行" },
  { code: "B002", name: "东城支行" },
  { code: "B003", name: "河西信用社" },
  { code: "B004", name: "山南支行" },
];
const today = "2026-11-23";

/** A complete, valid row in Chinese words. */
function row(overrides: TapeValues = {}): TapeValues {
  return {
    loan_number: "DK-0001",
    borrower_name: "王小明",
    borrower_type: "个人",
    borrower_id_number: residentId(),
    phone: "13812345678",
    branch: "B001",
    region: "城关区",
    principal: "100,000.00",
    interest_on_balance: "8000.5",
    interest_off_balance: "",
    disbursed_on: "2019-03-15",
    matures_on: "2021-03-15",
    extended_maturity: "",
    last_payment_on: "2020-12-20",
    last_interruption_on: "2024-06-01",
    five_tier: "次级",
    term_class: "呆滞",
    balance_sheet: "表内",
    written_off: "否",
    collateral: "保证",
    guarantor_name: "李建国",
    litigation: "无",
    difficulty: "",
    difficulty_reason: "",
    officer: "S1001",
    ...overrides,
  };
}

const check = (values: TapeValues, rowNumber = 2) => validateTapeRow(values, { rowNumber, today, branches });

function errorsOf(values: TapeValues) {
  const result = check(values);
  if (result.ok) throw new Error("expected the row to be refused");
  return result.errors.map((e) => ({ column: e.column, code: e.code }));
}

function loanOf(values: TapeValues) {
  const result = check(values);
  if (!result.ok) throw new Error(`expected a valid row, got ${JSON.stringify(result.errors)}`);
  return result.loan;
}

// ---- header ----

describe("tape header", () => {
  it("names each column in Chinese, by English key or label (any case), or in the template's bilingual form", () => {
    expect(resolveHeader("贷款编号")).toBe("loan_number");
    expect(resolveHeader("loan_number")).toBe("loan_number");
    expect(resolveHeader("LOAN_NUMBER")).toBe("loan_number");
    expect(resolveHeader("Loan number")).toBe("loan_number");
    expect(resolveHeader("  Five-tier class ")).toBe("five_tier");
    expect(resolveHeader("贷款编号 / loan_number")).toBe("loan_number");
    expect(resolveHeader("最后时效中断日期 / last_interruption_on")).toBe("last_interruption_on");
    expect(resolveHeader("贷款编号*")).toBe("loan_number");
    expect(resolveHeader("本金余额 *")).toBe("principal");
    expect(resolveHeader("贷款编号 / loan_number *")).toBe("loan_number");
    // Two different columns in one header, or an unknown name, are not a column.
    expect(resolveHeader("贷款编号 / principal")).toBeNull();
    expect(resolveHeader("备注")).toBeNull();
  });

  it("accepts the template header row exactly as the template writes it", () => {
    const mapped = mapHeader(tapeColumns.map(templateHeader));
    expect(mapped.errors).toEqual([]);
    expect(mapped.warnings).toEqual([]);
    expect(mapped.columns).toEqual(tapeColumns.map((c) => c.key));
    expect(templateHeader(tapeColumns[0])).toBe("贷款编号 / loan_number");
  });

  it("lists unknown columns as warnings and ignores them", () => {
    const mapped = mapHeader(["贷款编号", "备注", "借款人"]);
    expect(mapped.columns).toEqual(["loan_number", null, "borrower_name"]);
    expect(mapped.warnings).toEqual([{ code: "tape.warning.unknownColumn", params: { header: "备注" } }]);
  });

  it("reports every missing required column and a column named twice as file-level errors on row 1", () => {
    const mapped = mapHeader(["贷款编号", "loan_number", "借款人"]);
    expect(mapped.errors).toContainEqual({ row: 1, column: "loan_number", code: "tape.column.duplicate", params: { header: "loan_number", first: "贷款编号" } });
    const missing = mapped.errors.filter((e) => e.code === "tape.column.missing").map((e) => e.column);
    expect(missing).toEqual(tapeColumns.filter((c) => c.required && c.key !== "loan_number" && c.key !== "borrower_name").map((c) => c.key));
    expect(missing).not.toContain("phone"); // optional columns may be left out
  });
});

// ---- one row ----

describe("a valid row", () => {
  it("becomes the loan it describes: fen, days, English enum keys, branch code", () => {
    expect(loanOf(row())).toEqual({
      loanNumber: "DK-0001",
      borrowerName: "王小明",
      borrowerType: "individual",
      borrowerIdNumber: residentId(),
      phone: "13812345678",
      branch: "B001",
      region: "城关区",
      principal: 10_000_000n,
      interestOnBalance: 800_050n,
      interestOffBalance: 0n,
      disbursedOn: "2019-03-15",
      maturesOn: "2021-03-15",
      extendedMaturity: null,
      lastPaymentOn: "2020-12-20",
      lastInterruptionOn: "2024-06-01",
      fiveTier: "substandard",
      termClass: "idle",
      balanceSheet: "on",
      writtenOff: false,
      collateral: "guarantee",
      guarantorName: "李建国",
      litigation: "none",
      difficulty: null,
      difficultyReason: null,
      officer: "S1001",
    });
  });

  it("takes enumerations in English too, and defaults litigation to none and written off to no", () => {
    const loan = loanOf(
      row({ borrower_type: "individual", five_tier: "Special_Mention", term_class: "", balance_sheet: "off", written_off: "", collateral: "unsecured", guarantor_name: "", litigation: "", difficulty: "hard", difficulty_reason: "death" }),
    );
    expect(loan).toMatchObject({ fiveTier: "special_mention", termClass: null, balanceSheet: "off", writtenOff: false, collateral: "unsecured", guarantorName: null, litigation: "none", difficulty: "hard", difficultyReason: "death" });
  });

  it("names the branch by code (any case) or by name; an unknown one is refused", () => {
    expect(loanOf(row({ branch: "b003" })).branch).toBe("B003");
    expect(loanOf(row({ branch: "山南支行" })).branch).toBe("B004");
    expect(errorsOf(row({ branch: "B999" }))).toEqual([{ column: "branch", code: "tape.branch.unknown" }]);
  });

  it("reads written off as 是/否 or true/false", () => {
    expect(loanOf(row({ written_off: "是" })).writtenOff).toBe(true);
    expect(loanOf(row({ written_off: "TRUE" })).writtenOff).toBe(true);
    expect(loanOf(row({ written_off: "false" })).writtenOff).toBe(false);
    expect(loanOf(row({ written_off: true })).writtenOff).toBe(true);
    expect(errorsOf(row({ written_off: "也许" }))).toEqual([{ column: "written_off", code: "tape.boolean.invalid" }]);
  });

  it("reports every problem of a row, not just the first", () => {
    expect(errorsOf(row({ loan_number: "", principal: "-1", disbursed_on: "2023-02-29", five_tier: "很差" }))).toEqual([
      { column: "loan_number", code: "tape.required" },
      { column: "principal", code: "tape.amount.negative" },
      { column: "disbursed_on", code: "tape.date.notACalendarDate" },
      { column: "five_tier", code: "tape.enum.invalid" },
    ]);
  });

  it("refuses an unknown enumerated value in any enumerated column", () => {
    expect(errorsOf(row({ borrower_type: "合伙" })).map((e) => e.code)).toContain("tape.enum.invalid");
    for (const [column, value] of [["five_tier", "bad"], ["term_class", "逾期很久"], ["balance_sheet", "inside"], ["collateral", "担保"], ["litigation", "won"], ["difficulty", "easy"], ["difficulty_reason", "失联"]] as [TapeKey, string][]) {
      expect(errorsOf(row({ [column]: value }))).toEqual([{ column, code: "tape.enum.invalid" }]);
    }
  });

  it("refuses invisible control characters in text (tabs and line breaks inside a cell are fine)", () => {
    expect(errorsOf(row({ borrower_name: "王\u0000小明" }))).toEqual([{ column: "borrower_name", code: "tape.text.controlCharacter" }]);
    expect(errorsOf(row({ region: "城关\u0002区" }))).toEqual([{ column: "region", code: "tape.text.controlCharacter" }]);
    expect(loanOf(row({ guarantor_name: "李\t建国" })).guarantorName).toBe("李\t建国");
  });

  it("requires the required fields", () => {
    for (const column of ["loan_number", "borrower_name", "borrower_type", "borrower_id_number", "branch", "region", "principal", "disbursed_on", "matures_on", "five_tier", "balance_sheet", "collateral"] as TapeKey[]) {
      const result = check(row({ [column]: "  " }));
      expect(result.ok, column).toBe(false);
      if (!result.ok) expect(result.errors.map((e) => [e.column, e.code])).toContainEqual([column, "tape.required"]);
    }
  });
});

describe("identity numbers", () => {
  it("checks an individual's ID card number: check digit, birth date, 18 characters", () => {
    const bad = withWrongCheck(residentId());
    expect(errorsOf(row({ borrower_id_number: bad }))).toEqual([{ column: "borrower_id_number", code: "tape.idNumber.checksum" }]);
    const noBirthday = "110105199002300012"; // 30 February
    expect(errorsOf(row({ borrower_id_number: noBirthday.slice(0, 17) + residentIdCheckCharacter(noBirthday.slice(0, 17)) }))).toEqual([{ column: "borrower_id_number", code: "tape.idNumber.birthDate" }]);
    expect(errorsOf(row({ borrower_id_number: "11010519900307" }))).toEqual([{ column: "borrower_id_number", code: "tape.idNumber.format" }]);
  });

  it("shows the number masked in the error, never in full", () => {
    const result = check(row({ borrower_id_number: withWrongCheck(residentId()) }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.params.value).toBe(`110105********${withWrongCheck(residentId()).slice(-4)}`);
  });

  it("normalizes spaces, fullwidth characters and a lower-case x check character", () => {
    let first17 = "11010519900307123";
    let n = 0;
    while (residentIdCheckCharacter(first17) !== "X") first17 = `110105199003071${String(++n).padStart(2, "0")}`;
    const id = `${first17}X`;
    expect(loanOf(row({ borrower_id_number: ` ${first17}x ` })).borrowerIdNumber).toBe(id);
    const fullwidth = id.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    expect(loanOf(row({ borrower_id_number: fullwidth })).borrowerIdNumber).toBe(id);
  });

  it("checks a corporate's unified social credit code instead", () => {
    expect(loanOf(row({ borrower_type: "企业", borrower_name: "河西农机制造有限公司", borrower_id_number: creditCode() })).borrowerIdNumber).toBe(creditCode());
    expect(errorsOf(row({ borrower_type: "corporate", borrower_id_number: withWrongCheck(creditCode()) }))).toEqual([{ column: "borrower_id_number", code: "tape.creditCode.checksum" }]);
    // An ID card number is not a credit code, and a credit code is not an ID card number.
    expect(errorsOf(row({ borrower_type: "corporate", borrower_id_number: residentId() })).map((e) => e.code)).toEqual([expect.stringMatching(/^tape\.creditCode\./)]);
    expect(errorsOf(row({ borrower_id_number: creditCode() })).map((e) => e.code)).toEqual(["tape.idNumber.format"]);
  });

  it("says so when a spreadsheet stored the ID number as a number (its last digits are lost)", () => {
    expect(errorsOf(row({ borrower_id_number: Number(residentId()) }))).toEqual([{ column: "borrower_id_number", code: "tape.idNumber.isNumber" }]);
  });
});

describe("phone", () => {
  it("is 7 to 15 digits; separators are dropped; optional", () => {
    expect(loanOf(row({ phone: "138-1234-5678" })).phone).toBe("13812345678");
    expect(loanOf(row({ phone: 13812345678 })).phone).toBe("13812345678");
    expect(loanOf(row({ phone: "0931 8812345" })).phone).toBe("09318812345");
    expect(loanOf(row({ phone: "" })).phone).toBeNull();
    expect(errorsOf(row({ phone: "123456" }))).toEqual([{ column: "phone", code: "tape.phone.invalid" }]);
    expect(errorsOf(row({ phone: "1234567890123456" }))).toEqual([{ column: "phone", code: "tape.phone.invalid" }]);
    expect(errorsOf(row({ phone: "138abc45678" }))).toEqual([{ column: "phone", code: "tape.phone.invalid" }]);
  });
});

describe("amounts", () => {
  it("become integer fen: 1,234.5 → 123450; a leading ¥ and thousands separators are allowed", () => {
    expect(loanOf(row({ principal: "1,234.5" })).principal).toBe(123_450n);
    expect(loanOf(row({ principal: "¥1,234.56" })).principal).toBe(123_456n);
    expect(loanOf(row({ principal: "0" })).principal).toBe(0n);
    expect(loanOf(row({ interest_off_balance: "" })).interestOffBalance).toBe(0n);
  });

  it("refuses negatives, three decimals and junk", () => {
    expect(errorsOf(row({ principal: "-1" }))).toEqual([{ column: "principal", code: "tape.amount.negative" }]);
    expect(errorsOf(row({ principal: "1.234" }))).toEqual([{ column: "principal", code: "tape.amount.tooManyDecimals" }]);
    expect(errorsOf(row({ interest_on_balance: "12,34.00" }))).toEqual([{ column: "interest_on_balance", code: "tape.amount.invalid" }]);
    expect(errorsOf(row({ interest_off_balance: "一百元" }))).toEqual([{ column: "interest_off_balance", code: "tape.amount.invalid" }]);
  });

  it("reads spreadsheet numbers exactly, to two decimals: 1234.5 → 123450, and refuses a third decimal", () => {
    expect(amountNumberText(1234.5)).toBe("1234.50");
    expect(amountNumberText(100000)).toBe("100000.00");
    expect(amountNumberText(Number("1234.5600000000001"))).toBe("1234.56"); // a spreadsheet shows 15 significant digits
    expect(amountNumberText(0.1 + 0.2)).toBe("0.30");
    expect(loanOf(row({ principal: 1234.5 })).principal).toBe(123_450n);
    expect(loanOf(row({ principal: 0.1 + 0.2 })).principal).toBe(30n);
    expect(errorsOf(row({ principal: 1.234 }))).toEqual([{ column: "principal", code: "tape.amount.tooManyDecimals" }]);
    expect(errorsOf(row({ principal: -5 }))).toEqual([{ column: "principal", code: "tape.amount.negative" }]);
  });
});

describe("dates", () => {
  it("refuses days that are not on the calendar: 2023-02-29 and 2024-09-31", () => {
    expect(errorsOf(row({ disbursed_on: "2023-02-29" }))).toEqual([{ column: "disbursed_on", code: "tape.date.notACalendarDate" }]);
    expect(errorsOf(row({ matures_on: "2024-09-31" }))).toEqual([{ column: "matures_on", code: "tape.date.notACalendarDate" }]);
    expect(loanOf(row({ disbursed_on: "2024-02-29", matures_on: "2025-02-28" })).disbursedOn).toBe("2024-02-29");
  });

  it("reads YYYY/M/D, YYYY年M月D日, Excel date cells and serial numbers; refuses other text", () => {
    expect(loanOf(row({ disbursed_on: "2019/3/5" })).disbursedOn).toBe("2019-03-05");
    expect(loanOf(row({ disbursed_on: "2019年3月5日" })).disbursedOn).toBe("2019-03-05");
    expect(loanOf(row({ disbursed_on: new Date(Date.UTC(2019, 2, 5)) })).disbursedOn).toBe("2019-03-05");
    expect(loanOf(row({ disbursed_on: 43529 })).disbursedOn).toBe("2019-03-05");
    expect(errorsOf(row({ disbursed_on: "last spring" }))).toEqual([{ column: "disbursed_on", code: "tape.date.invalid" }]);
  });

  it("wants the maturity not before the disbursement and an extension after the maturity", () => {
    expect(errorsOf(row({ disbursed_on: "2021-03-16", matures_on: "2021-03-15" }))).toEqual([{ column: "matures_on", code: "tape.date.maturesBeforeDisbursed" }]);
    expect(loanOf(row({ disbursed_on: "2021-03-15", matures_on: "2021-03-15" })).maturesOn).toBe("2021-03-15");
    expect(errorsOf(row({ extended_maturity: "2021-03-15" }))).toEqual([{ column: "extended_maturity", code: "tape.date.extendedNotAfterMaturity" }]);
    expect(loanOf(row({ extended_maturity: "2021-03-16" })).extendedMaturity).toBe("2021-03-16");
  });

  it("refuses a last payment or interruption after the import date (the import date itself is fine)", () => {
    expect(errorsOf(row({ last_payment_on: "2026-11-24" }))).toEqual([{ column: "last_payment_on", code: "tape.date.afterImportDate" }]);
    expect(errorsOf(row({ last_interruption_on: "2027-01-01" }))).toEqual([{ column: "last_interruption_on", code: "tape.date.afterImportDate" }]);
    expect(loanOf(row({ last_interruption_on: today })).lastInterruptionOn).toBe(today);
  });
});

describe("guarantor", () => {
  it("is required when the collateral is a guarantee (保证), optional otherwise", () => {
    expect(errorsOf(row({ collateral: "保证", guarantor_name: "" }))).toEqual([{ column: "guarantor_name", code: "tape.guarantorRequired" }]);
    expect(errorsOf(row({ collateral: "guarantee", guarantor_name: " " }))).toEqual([{ column: "guarantor_name", code: "tape.guarantorRequired" }]);
    expect(loanOf(row({ collateral: "信用", guarantor_name: "" })).guarantorName).toBeNull();
    expect(loanOf(row({ collateral: "抵押", guarantor_name: "张三" })).guarantorName).toBe("张三");
  });
});

// ---- a whole tape ----

const header = ["贷款编号", "借款人", "借款人类型", "证件号码", "联系电话", "经办机构", "区域", "本金余额", "发放日期", "到期日期", "五级分类", "表内外", "担保方式", "担保人"];
const cells = (loanNumber: string, overrides: Partial<Record<string, string>> = {}) => {
  const values: Record<string, string> = {
    贷款编号: loanNumber, 借款人: "王小明", 借款人类型: "个人", 证件号码: residentId(), 联系电话: "13812345678", 经办机构: "城关支行", 区域: "城关区",
    本金余额: "5000", 发放日期: "2019-01-01", 到期日期: "2020-01-01", 五级分类: "可疑", 表内外: "表内", 担保方式: "信用", 担保人: "", ...overrides,
  };
  return header.map((h) => values[h]!);
};

describe("a whole tape", () => {
  it("gives the loans in order with their spreadsheet rows, ignoring empty rows", () => {
    const v = createTapeValidation({ today, branches });
    expect(v.header(header)).toBe(true);
    v.row(2, cells("L-1"));
    v.row(3, header.map(() => ""));
    v.row(4, cells("L-2"));
    v.row(5, ["", "", ""]);
    v.row(6, []);
    const result = v.finish();
    expect(result.errorCount).toBe(0);
    expect(result.rowCount).toBe(2);
    expect(result.loans.map((l) => [l.row, l.loan.loanNumber])).toEqual([[2, "L-1"], [4, "L-2"]]);
  });

  it("marks a loan number that appears twice as an error on EVERY row carrying it", () => {
    const v = createTapeValidation({ today, branches });
    v.header(header);
    v.row(2, cells("L-1"));
    v.row(3, cells("L-2"));
    v.row(4, cells("L-1"));
    v.row(5, cells("L-3"));
    v.row(6, cells("L-1", { 本金余额: "-3" }));
    const result = v.finish();
    expect(result.loans).toEqual([]); // nothing will be written
    expect(result.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, "loan_number", "tape.duplicateLoanNumber"],
      [4, "loan_number", "tape.duplicateLoanNumber"],
      [6, "loan_number", "tape.duplicateLoanNumber"],
      [6, "principal", "tape.amount.negative"],
    ]);
    expect(result.errors[0]!.params).toEqual({ loanNumber: "L-1", rows: "2, 4, 6" });
  });

  it("stops at a header that lacks a required column, and refuses a tape with no loans", () => {
    const missing = createTapeValidation({ today, branches });
    expect(missing.header(header.filter((h) => h !== "本金余额"))).toBe(false);
    expect(missing.finish().errors).toEqual([{ row: 1, column: "principal", code: "tape.column.missing", params: { key: "principal", zh: "本金余额" } }]);

    const empty = createTapeValidation({ today, branches });
    empty.header(header);
    empty.row(2, []);
    expect(empty.finish().errors).toEqual([{ row: null, column: null, code: "tape.file.noRows", params: {} }]);
  });

  it("keeps the first errors and counts them all", () => {
    const v = createTapeValidation({ today, branches, maxErrors: 3 });
    v.header(header);
    for (let i = 2; i <= 11; i++) v.row(i, cells(`L-${i}`, { 本金余额: "1.234" }));
    const result = v.finish();
    expect(result.errors.map((e) => e.row)).toEqual([2, 3, 4]);
    expect(result.errorCount).toBe(10);
  });

  it("validates JSON API rows with the English keys the same way, by position (first row = 1)", () => {
    const good = { loan_number: "J-1", borrower_name: "张三", borrower_type: "individual", borrower_id_number: residentId(7), branch: "B002", region: "城关区", principal: 2500.5, disbursed_on: "2018-06-01", matures_on: "2020-06-01", five_tier: "loss", balance_sheet: "on", collateral: "mortgage", written_off: false };
    expect(validateJsonRow(good, { rowNumber: 1, today, branches })).toMatchObject({ ok: true, loan: { principal: 250_050n, fiveTier: "loss", branch: "B002" } });

    const v = createTapeValidation({ today, branches });
    v.jsonRow(1, good);
    v.jsonRow(2, { ...good, loan_number: "J-2", matures_on: "2024-09-31", note: "x" });
    v.jsonRow(3, "not a row");
    v.jsonRow(4, { ...good, loan_number: "J-4", note: "y" });
    const result = v.finish();
    expect(result.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, "matures_on", "tape.date.notACalendarDate"],
      [3, null, "tape.json.notAnObject"],
    ]);
    expect(result.warnings).toEqual([{ code: "tape.warning.unknownColumn", params: { header: "note" } }]);
  });
});
