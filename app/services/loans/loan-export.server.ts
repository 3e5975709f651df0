import crypto from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import ExcelJS from "exceljs";
import { can } from "~/domain/access";
import { toYuanString } from "~/domain/money";
import { audited, type AuditContext } from "~/infra/audit.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { translator, type Locale, type MessageKey, type Translate } from "~/infra/i18n";
import { decryptPii } from "~/infra/pii.server";
import { bookContext, loanBookWhere, loanSelect, maskedLoan, requireLoanViewer, type LoanViewer, type MaskedLoan } from "./loan-book.server";
import type { LoanBookFilter } from "./loan-book-schemas";
import { canUnmask } from "./unmask.server";

/**
 * The loan book's XLSX export (issue 4, items 3–4): the filtered loans with headers in the user's
 * language. Personal data is masked unless the exporter may unmask: the department (loans:unmask)
 * gets every row in full, a branch (loans:unmask-branch) only the rows of its own branch. Every
 * export is one audit entry `loan.export` with the filter, the row count and whether it was masked.
 * The workbook is streamed (exceljs' streaming writer), a thousand loans at a time.
 */

const batchSize = 1000;

type Column = { key: string; label: MessageKey; width: number; money?: boolean };

const columns: Column[] = [
  { key: "loanNumber", label: "loans.field.loanNumber", width: 18 },
  { key: "borrowerName", label: "loans.field.borrowerName", width: 22 },
  { key: "borrowerType", label: "loans.field.borrowerType", width: 8 },
  { key: "borrowerIdNumber", label: "loans.field.borrowerIdNumber", width: 22 },
  { key: "phone", label: "loans.field.phone", width: 15 },
  { key: "branch", label: "loans.field.branch", width: 14 },
  { key: "region", label: "loans.field.region", width: 10 },
  { key: "principal", label: "loans.field.principal", width: 15, money: true },
  { key: "interestOnBalance", label: "loans.field.interestOnBalance", width: 13, money: true },
  { key: "interestOffBalance", label: "loans.field.interestOffBalance", width: 13, money: true },
  { key: "claim", label: "loans.field.claim", width: 15, money: true },
  { key: "disbursedOn", label: "loans.field.disbursedOn", width: 12 },
  { key: "maturesOn", label: "loans.field.maturesOn", width: 12 },
  { key: "extendedMaturity", label: "loans.field.extendedMaturity", width: 12 },
  { key: "lastPaymentOn", label: "loans.field.lastPaymentOn", width: 12 },
  { key: "lastInterruptionOn", label: "loans.field.lastInterruptionOn", width: 14 },
  { key: "fiveTier", label: "loans.field.fiveTier", width: 8 },
  { key: "termClass", label: "loans.field.termClass", width: 8 },
  { key: "balanceSheet", label: "loans.field.balanceSheet", width: 8 },
  { key: "writtenOff", label: "loans.field.writtenOff", width: 8 },
  { key: "collateral", label: "loans.field.collateral", width: 8 },
  { key: "guarantorName", label: "loans.field.guarantorName", width: 12 },
  { key: "litigation", label: "loans.field.litigation", width: 12 },
  { key: "difficulty", label: "loans.field.difficulty", width: 12 },
  { key: "difficultyReason", label: "loans.field.difficultyReason", width: 14 },
  { key: "difficultyStatus", label: "loans.field.difficultyStatus", width: 12 },
  { key: "status", label: "loans.field.status", width: 10 },
  { key: "limitationExpiresOn", label: "loans.field.limitationExpiresOn", width: 12 },
  { key: "daysLeft", label: "loans.field.daysLeft", width: 10 },
  { key: "price", label: "loans.field.price", width: 15, money: true },
  { key: "officerStaffNumber", label: "loans.field.officer", width: 10 },
];

/** Labels of the enumerated values (the Chinese words of the tape in zh-CN). */
function enumLabel(t: Translate, group: string, value: string | null): string | null {
  return value === null ? null : t(`loans.${group}.${value}` as MessageKey);
}

/**
 * Money goes to the sheet as a number of yuan built from the exact decimal string (Excel keeps
 * every cell as a double; two-decimal amounts below 10^13 yuan print exactly) with a 0.00 format.
 */
const yuanCell = (fen: bigint | null) => (fen === null ? null : Number(toYuanString(fen)));

function rowOf(t: Translate, loan: MaskedLoan, full: { borrowerName: string; borrowerIdNumber: string; phone: string | null; guarantorName: string | null } | null) {
  return [
    loan.loanNumber,
    full?.borrowerName ?? loan.borrowerName,
    enumLabel(t, "borrowerType", loan.borrowerType),
    full?.borrowerIdNumber ?? loan.borrowerIdMasked,
    full ? full.phone : loan.phoneMasked,
    loan.branch.name,
    loan.region,
    yuanCell(loan.principal),
    yuanCell(loan.interestOnBalance),
    yuanCell(loan.interestOffBalance),
    yuanCell(loan.claim),
    loan.disbursedOn,
    loan.maturesOn,
    loan.extendedMaturity,
    loan.lastPaymentOn,
    loan.lastInterruptionOn,
    enumLabel(t, "fiveTier", loan.fiveTier),
    enumLabel(t, "termClass", loan.termClass),
    enumLabel(t, "balanceSheet", loan.balanceSheet),
    t(loan.writtenOff ? "common.yes" : "common.no"),
    enumLabel(t, "collateral", loan.collateral),
    full ? full.guarantorName : loan.guarantorName,
    enumLabel(t, "litigation", loan.litigation),
    enumLabel(t, "difficulty", loan.difficulty),
    enumLabel(t, "difficultyReason", loan.difficultyReason),
    enumLabel(t, "difficultyStatus", loan.difficultyStatus),
    enumLabel(t, "status", loan.status),
    loan.limitationExpiresOn,
    loan.daysLeft,
    yuanCell(loan.price),
    loan.officerStaffNumber,
  ];
}

export interface LoanExport {
  fileName: string;
  rowCount: number;
  /** Rows exported with personal data in full. */
  unmaskedRows: number;
  body: ReadableStream<Uint8Array>;
}

/** Waits until the consumer has taken the buffered bytes (or went away). */
function drained(stream: PassThrough): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

export async function exportLoans(context: AuditContext, user: LoanViewer, filter: LoanBookFilter, locale: Locale, now = new Date()): Promise<LoanExport> {
  requireLoanViewer(user);
  const book = await bookContext(now);
  const where = loanBookWhere(filter, book.today);
  // canUnmask decides row by row; these two say which rows that will be, for the count.
  const all = can(user.roles, "loans:unmask") && user.organizationKind !== "AGENCY";
  const ownBranch = !all && can(user.roles, "loans:unmask-branch") && user.branchId !== null ? user.branchId : null;
  const rowCount = await prisma.loan.count({ where });
  const unmaskedRows = all ? rowCount : ownBranch ? await prisma.loan.count({ where: { AND: [where, { branchId: ownBranch }] } }) : 0;

  // The access is recorded before any row leaves: one entry per export, masked or not.
  await audited(context, async (_tx, audit) => {
    await audit({
      action: "loan.export",
      entityType: "LoanExport",
      entityId: crypto.randomUUID(),
      after: { filter, rowCount, unmaskedRows, masked: unmaskedRows === 0, format: "xlsx", locale },
    });
  });

  const t = translator(locale);
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(t("loans.export.sheet"), { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ key: c.key, width: c.width, ...(c.money ? { style: { numFmt: "#,##0.00" } } : {}) }));

  const select = { ...loanSelect, borrowerIdCipher: true, phoneCipher: true } satisfies Prisma.LoanSelect;
  const write = async () => {
    const header = sheet.addRow(columns.map((c) => t(c.label)));
    header.font = { bold: true };
    header.commit();
    let after: string | null = null;
    for (;;) {
      if (out.destroyed) return;
      const batch: Prisma.LoanGetPayload<{ select: typeof select }>[] = await prisma.loan.findMany({
        where: after === null ? where : { AND: [where, { loanNumber: { gt: after } }] },
        select,
        orderBy: { loanNumber: "asc" },
        take: batchSize,
      });
      if (batch.length === 0) break;
      for (const record of batch) {
        const full = canUnmask(user, record)
          ? {
              borrowerName: record.borrowerName,
              borrowerIdNumber: decryptPii(record.borrowerIdCipher),
              phone: record.phoneCipher ? decryptPii(record.phoneCipher) : null,
              guarantorName: record.guarantorName,
            }
          : null;
        sheet.addRow(rowOf(t, maskedLoan(record, book), full)).commit();
      }
      after = batch[batch.length - 1]!.loanNumber;
      await drained(out);
    }
    sheet.commit();
    await workbook.commit();
  };
  write().catch((error: unknown) => {
    console.error("[loans] export failed", error);
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });

  return {
    fileName: `loans-${book.today}.xlsx`,
    rowCount,
    unmaskedRows,
    body: Readable.toWeb(out) as ReadableStream<Uint8Array>,
  };
}
