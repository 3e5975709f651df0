import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { forcedDeduction, lateInterestAccrual, verifiedRecovery, yuan } from "../fixtures/settlement-statements";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { callLoader } from "../support/routes";
import { asUser } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { statementDocument, statementExport, statementPdf, statementXlsx } from "~/services/settlement/statement-export.server";
import { statementDetail } from "~/services/settlement/statement-views.server";
import { takeStatementStep, verifyLine } from "~/services/settlement/statement-workflow.server";
import { generateDueStatements } from "~/services/settlement/statements.server";
/* eslint-disable no-restricted-imports -- the download routes are called directly, with a session cookie */
import { loader as pdfLoader } from "~/routes/settlement.statements.$statementId[.pdf]";
import { loader as xlsxLoader } from "~/routes/settlement.statements.$statementId[.xlsx]";
/* eslint-enable no-restricted-imports */

/** The 清收手续费清单 as the bank files it: XLSX and PDF from one model. */

installRecordingQueue();
const ctx = systemContext("test");
let agency: AuthUser;
let officer: AuthUser;
let clerk: AuthUser;

beforeEach(async () => {
  ({ agency, officer } = await freshTenderCast());
  clerk = await asUser("clerk@bank.example");
});

async function statementWithEverything() {
  const c = await custodyContract({ custodian: agency, startsAt: new Date("2026-06-01T00:00:00Z"), termMonths: 6, price: yuan(1_000_000), loans: 2 });
  await verifiedRecovery(c, { collectedOn: "2026-07-03", principal: yuan(80_000), interest: yuan(20_000) });
  await verifiedRecovery(c, { collectedOn: "2026-08-15", principal: yuan(10_000), interest: yuan(500.5), loan: 1 });
  await lateInterestAccrual(c.contract, "2026-09-30", yuan(150.25));
  await forcedDeduction(c.contract.id, { deductedOn: "2026-09-10", lateInterest: yuan(0), fromDeposit: yuan(3_000), claim: 0n });
  await generateDueStatements("2026-10-02");
  const statement = await prisma.settlementStatement.findFirstOrThrow({ where: { contractId: c.contract.id, quarter: 3 } });
  return { c, statement };
}

describe("the document model", () => {
  it("title, numbers, period, the recovery table, the other lines, net in figures and capitals, the sign-off with names and times", async () => {
    const { c, statement } = await statementWithEverything();
    await takeStatementStep(ctx, clerk, statement.id, "submit", {}, new Date("2026-10-03T02:00:00Z"));
    const doc = await statementExport(officer, statement.id);
    expect(doc.title).toBe("清收手续费清单");
    expect([doc.number, doc.contractNumber, doc.custodian, doc.period]).toEqual([statement.number, c.contract.number, "华信资产清收有限公司", "2026-07-01 至 2026-09-30"]);
    expect(doc.recoveryHead).toEqual(["序号", "贷款编号", "收回日期", "收回本金", "收回利息", "合计"]);
    expect(doc.recoveries.map((r) => [r.seq, r.loanNumber, r.collectedOn, r.principal, r.interest, r.total])).toEqual([
      [1, c.loans[0]!.loanNumber, "2026-07-03", yuan(80_000), yuan(20_000), yuan(100_000)],
      [2, c.loans[1]!.loanNumber, "2026-08-15", yuan(10_000), yuan(500.5), yuan(10_500.5)],
    ]);
    expect(doc.recoveryTotal.total).toBe(yuan(110_500.5));
    // fee 12% × 110,500.50 = 13,260.06; late interest 150.25; deduction 3,000 for information
    expect(doc.others.map((o) => [o.label, o.amount, o.counted])).toEqual([
      ["清收手续费（托管机构）", yuan(13_260.06), "+"],
      ["迟交利息", yuan(150.25), "−"],
      ["强行扣收（已从履约保证金扣划，仅列示）", yuan(3_000), "info"],
    ]);
    expect(doc.netLabel).toBe("本期应付托管方");
    expect(doc.net).toBe(yuan(13_109.81));
    expect(doc.netInWords).toBe("人民币壹万叁仟壹佰零玖元捌角壹分");
    expect(doc.signOff.map((s) => s.role)).toEqual(["经办", "复核", "审核", "财务"]);
    expect(doc.signOff[0]).toMatchObject({ name: clerk.displayName });
    expect(doc.signOff[0]!.at).toContain("2026");
    expect(doc.signOff.slice(1).every((s) => s.name === "" && s.at === "")).toBe(true);
  });
});

describe("XLSX and PDF", () => {
  it("the workbook holds the layout and the figures as numbers; the PDF is a real PDF with the Chinese font", async () => {
    const { statement } = await statementWithEverything();
    await takeStatementStep(ctx, clerk, statement.id, "submit");
    for (const p of [1, 2, 3, 4, 5]) await verifyLine(ctx, officer, statement.id, p);
    await takeStatementStep(ctx, officer, statement.id, "verify");
    const doc = statementDocument(await statementDetail(officer, statement.id));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await statementXlsx(doc)) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("清收手续费清单")!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]![0]).toBe("清收手续费清单"); // merged across A1:F1
    expect(rows).toContainEqual(["清单编号", statement.number]);
    expect(rows).toContainEqual(["序号", "贷款编号", "收回日期", "收回本金", "收回利息", "合计"]);
    expect(rows).toContainEqual(["合计", "", "", 90_000, 20_500.5, 110_500.5]);
    expect(rows.find((r) => r[0] === "（+）清收手续费（托管机构）")?.[5]).toBe(13_260.06);
    expect(rows.find((r) => r[0] === "本期应付托管方")?.[5]).toBe(13_109.81);
    expect(rows.find((r) => r[4] === "大写")?.[5]).toBe("人民币壹万叁仟壹佰零玖元捌角壹分");
    expect(rows.find((r) => String(r[0]).startsWith("经办："))).toEqual([`经办：${clerk.displayName}`, `复核：${officer.displayName}`, "审核：", "财务：", ""]);

    const pdf = await statementPdf(doc);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(2048);
    expect(pdf.toString("latin1")).toContain("WenQuanYiMicroHei");
  });

  it("the download routes: the custodian its own, another agency a 404, names after the statement number", async () => {
    const { statement } = await statementWithEverything();
    const path = `/settlement/statements/${statement.id}`;
    const params = { statementId: statement.id };
    const xlsx = await callLoader(xlsxLoader, `${path}.xlsx`, "member@huaxin.example", params);
    expect(xlsx.status).toBe(200);
    expect(xlsx.response!.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(decodeURIComponent(xlsx.response!.headers.get("Content-Disposition")!)).toContain(`清收手续费清单-${statement.number}.xlsx`);
    const pdf = await callLoader(pdfLoader, `${path}.pdf`, "finance@bank.example", params);
    expect([pdf.status, pdf.response!.headers.get("Content-Type")]).toEqual([200, "application/pdf"]);
    const other = await callLoader(xlsxLoader, `${path}.xlsx`, "admin@anda.example", params);
    expect(other.status).toBe(404);
    expect(await other.response!.text()).toBe("未找到该清单。");
    expect((await callLoader(pdfLoader, `${path}.pdf`, "admin@anda.example", params)).status).toBe(404);
  });
});
