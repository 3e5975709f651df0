// Custody email templates (work): same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
// Use `layout` and `escape` from "./layout".
import type { Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";

export const custodyWorkTemplates = {
  /** R8: a loan in custody reaches an alert threshold (90/30/7 days) before its limitation expiry: to the custodian and the department. */
  custodyLimitationAlert: (
    locale: Locale,
    p: { loanNumber: string; contract: string; expiresOn: string; daysLeft: number; days: number; link: string },
  ): RenderedEmail => {
    const lines =
      locale === "zh-CN"
        ? [
            `托管合同 ${p.contract} 项下贷款 ${p.loanNumber} 的诉讼时效将于 ${p.expiresOn} 届满，距今还有 ${p.daysLeft} 天（届满前 ${p.days} 天提醒）。`,
            "请尽快取得债务人或担保人签收的催收通知书回执、书面确认，或提起诉讼、申请支付令，并将证据上传平台，经资产保全部核实后时效重新起算。托管期间时效届满的，受托方须承担相应责任。",
            `查看贷款：${p.link}`,
          ]
        : [
            `The limitation period of loan ${p.loanNumber} (custody contract ${p.contract}) expires on ${p.expiresOn}, in ${p.daysLeft} days (the ${p.days}-day alert).`,
            "Obtain a signed collection-notice receipt or a written acknowledgement from the debtor or guarantor, or file a lawsuit or payment order, and upload the evidence: once the department verifies it the clock restarts. A lapse during custody is the custodian's liability.",
            `View the loan: ${p.link}`,
          ];
    const subject =
      locale === "zh-CN" ? `【诉讼时效提醒】贷款 ${p.loanNumber} 还有 ${p.daysLeft} 天届满` : `[Limitation alert] Loan ${p.loanNumber} expires in ${p.daysLeft} days`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
};
