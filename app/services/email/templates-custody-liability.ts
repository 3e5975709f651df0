// Custody email templates (liability): same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
// Use `layout` and `escape` from "./layout".
import { formatYuan, type Fen } from "~/domain/money";
import type { Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";

const render = (subject: string, lines: string[]): RenderedEmail => ({ subject, text: lines.join("\n\n"), html: layout(subject, lines) });

export const custodyLiabilityTemplates = {
  /** R8: a lapse of limitation during custody was detected; the department will confirm the liability. To the custodian. */
  custodyLapseDetected: (locale: Locale, p: { loan: string; contract: string; expiry: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【责任事件】贷款 ${p.loan} 诉讼时效届满`, [
          `您在合同 ${p.contract} 下托管的贷款 ${p.loan}，诉讼时效已于 ${p.expiry} 届满，发生在托管期内。`,
          "系统已登记该责任事件，待资产保全部确认。确认后：本行员工承包人没收全部履约保证金并按贷款定价赔偿；托管机构赔偿贷款本息。",
          `查看：${p.link}`,
        ])
      : render(`[Liability] Limitation of loan ${p.loan} lapsed`, [
          `The limitation of loan ${p.loan}, in your custody under contract ${p.contract}, expired on ${p.expiry}, during custody.`,
          "The event is recorded and awaits the asset-preservation department's confirmation. If confirmed, a staff contractor forfeits the whole performance deposit and owes the loan's priced value; an agency owes principal plus interest.",
          `View: ${p.link}`,
        ]),
  /** R8: the department recorded the loss of a foreclosed asset during custody. To the custodian. */
  custodyAssetLossRecorded: (locale: Locale, p: { loan: string; contract: string; day: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【责任事件】贷款 ${p.loan} 抵债资产灭失`, [
          `资产保全部登记了您在合同 ${p.contract} 下托管的贷款 ${p.loan} 的抵债资产于 ${p.day} 灭失的责任事件，待确认。`,
          `查看：${p.link}`,
        ])
      : render(`[Liability] Foreclosed asset of loan ${p.loan} lost`, [
          `The department recorded the loss on ${p.day} of a foreclosed asset of loan ${p.loan}, in your custody under contract ${p.contract}; the liability awaits confirmation.`,
          `View: ${p.link}`,
        ]),
  /** R8: the department confirmed the liability: what was forfeited, taken and is claimed. To the custodian. */
  custodyLiabilityConfirmed: (
    locale: Locale,
    p: { loan: string; contract: string; forfeit: Fen; compensation: Fen; fromDeposit: Fen; claim: Fen; agency: string | null; representative: string | null; link: string },
  ): RenderedEmail => {
    const [forfeit, compensation, fromDeposit, claim] = [p.forfeit, p.compensation, p.fromDeposit, p.claim].map(formatYuan);
    if (locale === "zh-CN") {
      return render(`【责任确认】贷款 ${p.loan}（合同 ${p.contract}）`, [
        `资产保全部已确认贷款 ${p.loan}（合同 ${p.contract}）的托管责任。`,
        p.agency
          ? `应赔偿贷款本息 ${compensation}：已从履约保证金抵扣 ${fromDeposit}，尚欠 ${claim} 作为追偿款。`
          : `没收全部履约保证金 ${forfeit}；应按贷款定价赔偿 ${compensation}，作为追偿款 ${claim}。`,
        ...(p.agency && p.claim > 0n ? [`追偿款由 ${p.agency} 与其法定代表人 ${p.representative ?? "（未登记）"} 承担连带责任。`] : []),
        `查看：${p.link}`,
      ]);
    }
    return render(`[Liability confirmed] Loan ${p.loan} (contract ${p.contract})`, [
      `The asset-preservation department confirmed your liability for loan ${p.loan} (contract ${p.contract}).`,
      p.agency
        ? `Compensation of principal plus interest ${compensation}: ${fromDeposit} taken from the performance deposit, ${claim} owed as a claim.`
        : `The whole performance deposit ${forfeit} is forfeited; the loan's priced value ${compensation} is owed as a claim of ${claim}.`,
      ...(p.agency && p.claim > 0n ? [`The claim is owed by ${p.agency} jointly with its legal representative ${p.representative ?? "(not on record)"}.`] : []),
      `View: ${p.link}`,
    ]);
  },
  /** R8: the department dismissed a liability event. To the custodian. */
  custodyLiabilityDismissed: (locale: Locale, p: { loan: string; contract: string; note: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【责任事件驳回】贷款 ${p.loan}`, [`贷款 ${p.loan}（合同 ${p.contract}）的责任事件已被资产保全部驳回，不予追究。理由：${p.note}`, `查看：${p.link}`])
      : render(`[Liability dismissed] Loan ${p.loan}`, [`The liability event for loan ${p.loan} (contract ${p.contract}) was dismissed by the department. Reason: ${p.note}`, `View: ${p.link}`]),
  /** A full-time application was decided. To the applicant. */
  custodyFullTimeDecided: (locale: Locale, p: { approved: boolean; note: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(p.approved ? "专职清收申请已批准" : "专职清收申请被驳回", [
          p.approved ? "资产保全部已批准您的专职清收申请。" : "资产保全部驳回了您的专职清收申请。",
          ...(p.note ? [`审批意见：${p.note}`] : []),
          `查看：${p.link}`,
        ])
      : render(p.approved ? "Full-time application approved" : "Full-time application rejected", [
          p.approved ? "The asset-preservation department approved your application to collect full time." : "The asset-preservation department rejected your application to collect full time.",
          ...(p.note ? [`Note: ${p.note}`] : []),
          `View: ${p.link}`,
        ]),
};
