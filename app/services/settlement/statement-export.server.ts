import ExcelJS from "exceljs";
import { toYuanString, type Fen } from "~/domain/money";
import { formatDateTime } from "~/infra/i18n";
import { a4Document, contractFont, type ContractFont } from "~/services/custody/contract-pdf.server";
import { yuanInCapitals } from "~/services/custody/contract-document.server";
import { statementDetail, type StatementDetail, type StatementViewer } from "./statement-views.server";

/**
 * The statement as the bank files it: 清收手续费清单 — title, statement and contract numbers,
 * custodian, period; the table 序号 / 贷款编号 / 收回日期 / 收回本金 / 收回利息 / 合计; then the
 * commission or fee, rewards, late interest, deductions, bonus or penalty lines; the net in figures
 * and in capitals (大写); and the sign-off block 经办 / 复核 / 审核 / 财务 with who took each step and
 * when. One model (statementDocument) for the XLSX (exceljs) and the PDF (pdfkit, the contract font).
 * Always in Chinese: it is the bank's own form.
 */

export interface StatementDocument {
  title: string;
  number: string;
  contractNumber: string;
  custodian: string;
  period: string;
  kind: string;
  state: string;
  recoveryHead: string[];
  recoveries: { seq: number; loanNumber: string; collectedOn: string; principal: Fen; interest: Fen; total: Fen }[];
  recoveryTotal: { principal: Fen; interest: Fen; total: Fen };
  others: { label: string; amount: Fen; basis: string; counted: "+" | "−" | "info" }[];
  netLabel: string;
  net: Fen;
  netInWords: string;
  invoiceNumber: string | null;
  payment: string | null;
  signOff: { role: string; name: string; at: string }[];
}

const lineLabels: Record<string, string> = {
  commission: "清收奖励（内部承包）",
  fee: "清收手续费（托管机构）",
  preservation_reward: "诉讼时效保全奖励",
  late_interest: "迟交利息",
  deduction: "强行扣收（已从履约保证金扣划，仅列示）",
  penalty: "期末未完成任务罚金",
  bonus: "期末超额完成奖励",
};
const counted: Record<string, "+" | "−" | "info"> = { commission: "+", fee: "+", preservation_reward: "+", bonus: "+", late_interest: "−", penalty: "−", deduction: "info" };
const stateLabels: Record<string, string> = { draft: "草稿", submitted: "已提交", verified: "已核对", reviewed: "已审核", invoice_recorded: "已登记发票", paid: "已支付" };
const methodLabels: Record<string, string> = { STRIPE_TRANSFER: "Stripe 转账", BANK_TRANSFER: "银行转账", PAYROLL: "随工资发放", DEPOSIT_NETTING: "履约保证金抵扣", NONE: "无需收付" };

export function statementDocument(detail: StatementDetail): StatementDocument {
  const s = detail.statement;
  const recoveries = detail.lines.filter((l) => l.kind === "recovery").map((l, i) => ({
    seq: i + 1, loanNumber: l.loanNumber ?? "", collectedOn: l.collectedOn ?? "", principal: l.principal ?? 0n, interest: l.interest ?? 0n, total: l.amount,
  }));
  const stepOf = (step: string) => detail.steps.find((x) => x.step === step);
  const sign = (role: string, step: string) => {
    const taken = stepOf(step);
    return { role, name: taken?.by ?? "", at: taken ? formatDateTime("zh-CN", taken.at) : "" };
  };
  const net = s.netPayable;
  return {
    title: "清收手续费清单",
    number: s.number,
    contractNumber: detail.contract.number,
    custodian: detail.custodianName,
    period: `${s.periodStartsOn} 至 ${s.periodEndsOn}`,
    kind: s.kind === "FINAL" ? `${s.year} 年第 ${s.quarter} 季度（期末结算）` : `${s.year} 年第 ${s.quarter} 季度`,
    state: stateLabels[s.state] ?? s.state,
    recoveryHead: ["序号", "贷款编号", "收回日期", "收回本金", "收回利息", "合计"],
    recoveries,
    recoveryTotal: { principal: s.recoveredPrincipal, interest: s.recoveredInterest, total: s.recoveredPrincipal + s.recoveredInterest },
    others: detail.lines.filter((l) => l.kind !== "recovery").map((l) => ({
      label: l.kind === "preservation_reward" && l.loans ? `${lineLabels[l.kind]}（${l.loans} 笔）` : (lineLabels[l.kind] ?? l.kind),
      amount: l.amount, basis: l.basis ?? "", counted: counted[l.kind] ?? "info",
    })),
    netLabel: net > 0n ? "本期应付托管方" : net < 0n ? "本期托管方应付本行" : "本期应收应付相抵",
    net: net < 0n ? -net : net,
    netInWords: yuanInCapitals(net < 0n ? -net : net),
    invoiceNumber: s.invoiceNumber,
    payment: s.paymentMethod ? `${methodLabels[s.paymentMethod] ?? s.paymentMethod}${s.paymentReference ? `（${s.paymentReference}）` : ""}` : null,
    signOff: [sign("经办", "submitted"), sign("复核", "verified"), sign("审核", "reviewed"), sign("财务", "paid")],
  };
}

export async function statementExport(viewer: StatementViewer, statementId: string): Promise<StatementDocument> {
  return statementDocument(await statementDetail(viewer, statementId));
}

const yuanCell = (fen: Fen) => Number(toYuanString(fen));

/** The XLSX workbook: one sheet 清收手续费清单. Money cells are numbers with two decimals. */
export async function statementXlsx(document: StatementDocument): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "npl-marketplace";
  const sheet = workbook.addWorksheet("清收手续费清单");
  sheet.columns = [{ width: 8 }, { width: 22 }, { width: 14 }, { width: 18 }, { width: 18 }, { width: 18 }];
  const money = "#,##0.00";
  sheet.mergeCells("A1:F1");
  sheet.getCell("A1").value = document.title;
  sheet.getCell("A1").font = { size: 16, bold: true };
  sheet.getCell("A1").alignment = { horizontal: "center" };
  const facts: [string, string][] = [
    ["清单编号", document.number], ["合同编号", document.contractNumber], ["托管方", document.custodian], ["结算期间", document.period], ["期别", document.kind], ["状态", document.state],
  ];
  for (const [label, value] of facts) sheet.addRow([label, value]);
  sheet.addRow([]);
  const head = sheet.addRow(document.recoveryHead);
  head.font = { bold: true };
  for (const r of document.recoveries) {
    const row = sheet.addRow([r.seq, r.loanNumber, r.collectedOn, yuanCell(r.principal), yuanCell(r.interest), yuanCell(r.total)]);
    for (const c of [4, 5, 6]) row.getCell(c).numFmt = money;
  }
  const total = sheet.addRow(["合计", "", "", yuanCell(document.recoveryTotal.principal), yuanCell(document.recoveryTotal.interest), yuanCell(document.recoveryTotal.total)]);
  total.font = { bold: true };
  for (const c of [4, 5, 6]) total.getCell(c).numFmt = money;
  sheet.addRow([]);
  const otherHead = sheet.addRow(["项目", "", "", "", "计算依据", "金额"]);
  otherHead.font = { bold: true };
  for (const o of document.others) {
    const row = sheet.addRow([`${o.counted === "info" ? "" : o.counted === "+" ? "（+）" : "（−）"}${o.label}`, "", "", "", o.basis, yuanCell(o.amount)]);
    row.getCell(6).numFmt = money;
  }
  sheet.addRow([]);
  const net = sheet.addRow([document.netLabel, "", "", "", "小写", yuanCell(document.net)]);
  net.font = { bold: true };
  net.getCell(6).numFmt = money;
  sheet.addRow(["", "", "", "", "大写", document.netInWords]).font = { bold: true };
  if (document.invoiceNumber) sheet.addRow(["发票号码", document.invoiceNumber]);
  if (document.payment) sheet.addRow(["支付方式", document.payment]);
  sheet.addRow([]);
  sheet.addRow(document.signOff.map((s) => `${s.role}：${s.name}`).concat([""]));
  sheet.addRow(document.signOff.map((s) => s.at).concat([""]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The PDF (A4): the same layout, written with the server's Chinese font (503 without one). */
export async function statementPdf(document: StatementDocument, font: ContractFont = contractFont()): Promise<Buffer> {
  const margin = 48;
  const { doc, done, width, ensureRoom } = a4Document({ title: document.title, number: document.number, margin, font });
  const yuan = (fen: Fen) => `¥${toYuanString(fen).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;

  doc.fontSize(18).fillColor("#111111").text(document.title, { align: "center" });
  doc.moveDown(0.5).fontSize(10);
  for (const [label, value] of [["清单编号", document.number], ["合同编号", document.contractNumber], ["托管方", document.custodian], ["结算期间", document.period], ["期别", document.kind], ["状态", document.state]] as const) {
    doc.text(`${label}：${value}`, margin, doc.y, { width });
  }
  doc.moveDown(0.6);
  // the recovery table
  const cols = [36, 120, 80, 90, 90, width - 416];
  const xs = cols.reduce<number[]>((acc, w, i) => [...acc, i === 0 ? margin : acc[i - 1]! + cols[i - 1]!], []);
  const row = (cells: string[], bold = false) => {
    ensureRoom(18);
    const y = doc.y;
    doc.fontSize(9).fillColor(bold ? "#000000" : "#222222");
    cells.forEach((text, i) => doc.text(text, xs[i]! + 2, y, { width: cols[i]! - 4, align: i >= 3 ? "right" : "left", lineBreak: false }));
    doc.moveTo(margin, y + 14).lineTo(margin + width, y + 14).lineWidth(0.4).strokeColor("#999999").stroke();
    doc.y = y + 17;
  };
  row(document.recoveryHead, true);
  for (const r of document.recoveries) row([String(r.seq), r.loanNumber, r.collectedOn, yuan(r.principal), yuan(r.interest), yuan(r.total)]);
  row(["合计", "", "", yuan(document.recoveryTotal.principal), yuan(document.recoveryTotal.interest), yuan(document.recoveryTotal.total)], true);
  doc.moveDown(0.8);
  for (const o of document.others) {
    ensureRoom(30);
    const y = doc.y;
    doc.fontSize(10).fillColor("#111111").text(`${o.counted === "info" ? "" : o.counted === "+" ? "（+）" : "（−）"}${o.label}`, margin, y, { width: width - 120 });
    doc.text(yuan(o.amount), margin + width - 120, y, { width: 120, align: "right" });
    if (o.basis) doc.fontSize(8).fillColor("#555555").text(o.basis, margin + 12, doc.y, { width: width - 140 });
    doc.moveDown(0.3);
  }
  doc.moveDown(0.6);
  ensureRoom(60);
  doc.fontSize(11).fillColor("#000000").text(`${document.netLabel}（小写）：${yuan(document.net)}`, margin, doc.y, { width });
  doc.text(`${document.netLabel}（大写）：${document.netInWords}`, margin, doc.y, { width });
  if (document.invoiceNumber) doc.fontSize(10).text(`发票号码：${document.invoiceNumber}`, margin, doc.y, { width });
  if (document.payment) doc.fontSize(10).text(`支付方式：${document.payment}`, margin, doc.y, { width });
  doc.moveDown(1.2);
  ensureRoom(40);
  const y = doc.y;
  const cell = width / 4;
  document.signOff.forEach((s, i) => {
    doc.fontSize(10).fillColor("#111111").text(`${s.role}：${s.name}`, margin + i * cell, y, { width: cell - 6 });
    doc.fontSize(8).fillColor("#555555").text(s.at, margin + i * cell, y + 16, { width: cell - 6 });
  });
  doc.end();
  return done;
}
