// Custody email templates (agreements): same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
// Use `layout` and `escape` from "./layout".
import { formatYuan, type Fen } from "~/domain/money";
import type { Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";

export const custodyAgreementTemplates = {
  /** R5: the department decided a waiver request (a reduction in a repayment agreement): sent to the custodian's users. */
  custodyWaiverDecided: (
    locale: Locale,
    p: { loanNumber: string; contractNumber: string; approved: boolean; principal: Fen; interest: Fen; note: string | null; link: string },
  ): RenderedEmail => {
    const principal = formatYuan(p.principal);
    const interest = formatYuan(p.interest);
    const lines =
      locale === "zh-CN"
        ? [
            p.approved
              ? `合同 ${p.contractNumber} 项下贷款 ${p.loanNumber} 的还款协议减免申请（本金 ${principal}，利息 ${interest}）已获资产保全部门批准，自批准时起生效，还款协议开始执行。`
              : `合同 ${p.contractNumber} 项下贷款 ${p.loanNumber} 的还款协议减免申请（本金 ${principal}，利息 ${interest}）未获批准，该还款协议不成立，债务人仍须偿还全部欠款。`,
            ...(p.note ? [`审批意见：${p.note}`] : []),
            `查看还款协议：${p.link}`,
          ]
        : [
            p.approved
              ? `The waiver in the repayment agreement for loan ${p.loanNumber} (contract ${p.contractNumber}) — principal ${principal}, interest ${interest} — was approved by the asset-preservation department. It takes effect from the approval, and the agreement is now active.`
              : `The waiver in the repayment agreement for loan ${p.loanNumber} (contract ${p.contractNumber}) — principal ${principal}, interest ${interest} — was rejected. The agreement does not stand; the debtor still owes the full amount.`,
            ...(p.note ? [`Note: ${p.note}`] : []),
            `View the agreements: ${p.link}`,
          ];
    const subject =
      locale === "zh-CN"
        ? `【减免${p.approved ? "已批准" : "未批准"}】贷款 ${p.loanNumber}`
        : `[Waiver ${p.approved ? "approved" : "rejected"}] Loan ${p.loanNumber}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
};
