// Custody email templates (contracts): same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
// Use `layout` and `escape` from "./layout".
import { formatDateTime, type Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";

const method = (locale: Locale, m: string) =>
  locale === "zh-CN"
    ? ({ STRIPE: "在线支付", BANK_TRANSFER: "银行转账", PAYROLL: "工资代扣" } as Record<string, string>)[m] ?? m
    : ({ STRIPE: "online payment", BANK_TRANSFER: "bank transfer", PAYROLL: "payroll deduction" } as Record<string, string>)[m] ?? m;

const render = (subject: string, lines: string[]): RenderedEmail => ({ subject, text: lines.join("\n\n"), html: layout(subject, lines) });

export const custodyContractTemplates = {
  /** R4/R5: the contract of an accepted award was generated; the custodian is asked to sign it. */
  contractToSign: (locale: Locale, p: { number: string; tender: string; lot: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【待签约】托管合同 ${p.number}`, [
          `竞标 ${p.tender} 第 ${p.lot} 号标的的托管合同 ${p.number} 已生成，请阅读合同条款后在平台上签署。`,
          "签署时，您的竞标定金将转作履约保证金；不足部分须在托管开始前补缴。",
          `查看并签署：${p.link}`,
        ])
      : render(`[To sign] Custody contract ${p.number}`, [
          `The custody contract ${p.number} for lot ${p.lot} of tender ${p.tender} has been generated. Please read its terms and sign it on the platform.`,
          "On signing, your bid deposit is credited to the performance deposit; the rest is paid before custody starts.",
          `View and sign: ${p.link}`,
        ]),
  /** The department countersigned; what is still owed on the performance deposit. */
  contractCountersigned: (locale: Locale, p: { number: string; owed: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【已会签】托管合同 ${p.number}`, [
          `资产保全部已会签托管合同 ${p.number}。`,
          p.owed === "0.00" ? "履约保证金已足额到位，托管即将开始。" : `尚需补缴履约保证金 ${p.owed} 元，到账后托管开始。`,
          `查看合同：${p.link}`,
        ])
      : render(`[Countersigned] Custody contract ${p.number}`, [
          `The asset-preservation department countersigned custody contract ${p.number}.`,
          p.owed === "0.00" ? "The performance deposit is fully held: custody starts now." : `A performance deposit top-up of ¥${p.owed} is still owed; custody starts once it is received.`,
          `View the contract: ${p.link}`,
        ]),
  /** A performance deposit top-up was confirmed (Stripe webhook or finance's voucher). */
  topUpConfirmed: (locale: Locale, p: { number: string; amount: string; method: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【到账确认】托管合同 ${p.number} 履约保证金`, [`托管合同 ${p.number} 的履约保证金补缴 ${p.amount} 元（${method(locale, p.method)}）已确认到账。`, `查看合同：${p.link}`])
      : render(`[Received] Performance deposit of ${p.number}`, [`The performance deposit top-up of ¥${p.amount} (${method(locale, p.method)}) for custody contract ${p.number} is confirmed.`, `View the contract: ${p.link}`]),
  /** Custody started: the loans are in custody; personal data open to the custodian during the term. */
  custodyStarted: (locale: Locale, p: { number: string; startsAt: string; endsAt: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【托管开始】托管合同 ${p.number}`, [
          `托管合同 ${p.number} 已生效，托管期自 ${formatDateTime(locale, p.startsAt)} 起至 ${formatDateTime(locale, p.endsAt)} 止（北京时间）。`,
          "托管期内您可在清收工作台查看所托管贷款的完整信息；每次查看均记录在案。请遵守催收行为规范。",
          `查看合同：${p.link}`,
        ])
      : render(`[Custody started] Custody contract ${p.number}`, [
          `Custody contract ${p.number} is in force: custody runs from ${formatDateTime(locale, p.startsAt)} until ${formatDateTime(locale, p.endsAt)} (China time).`,
          "During the term the collection workbench shows the full data of the loans in your custody; every view is logged. Follow the collection conduct rules.",
          `View the contract: ${p.link}`,
        ]),
  /** Custody ended: access revoked, remaining loans returned to the bank. */
  custodyEnded: (locale: Locale, p: { number: string; endedAt: string; returned: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【托管结束】托管合同 ${p.number}`, [
          `托管合同 ${p.number} 的托管期已于 ${formatDateTime(locale, p.endedAt)}（北京时间）届满，您对所托管贷款信息的查看权限已终止。`,
          `尚未清收的 ${p.returned} 笔贷款已退回银行。`,
          `查看合同：${p.link}`,
        ])
      : render(`[Custody ended] Custody contract ${p.number}`, [
          `The custody term of contract ${p.number} ended at ${formatDateTime(locale, p.endedAt)} (China time); your access to the loans' data has ended.`,
          `${p.returned} loan(s) not recovered were returned to the bank.`,
          `View the contract: ${p.link}`,
        ]),
};
