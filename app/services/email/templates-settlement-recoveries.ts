// [SETTLE] email templates (recoveries and remittances): same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
import type { Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";

const methodName = (locale: Locale, method: string) =>
  locale === "zh-CN"
    ? ({ BANK_TRANSFER: "银行转账", STRIPE: "在线支付", DEDUCTION: "强行扣收" } as Record<string, string>)[method] ?? method
    : ({ BANK_TRANSFER: "bank transfer", STRIPE: "online payment", DEDUCTION: "forced deduction" } as Record<string, string>)[method] ?? method;

export const settlementRecoveriesTemplates = {
  /** A recovery the custodian reported was rejected (branch at REPORTED, audit at REGISTERED): to the custodian. */
  settlementRecoveryRejected: (
    locale: Locale,
    p: { number: string; loanNumber: string; contract: string; collectedOn: string; amount: string; reason: string; link: string },
  ): RenderedEmail => {
    const lines =
      locale === "zh-CN"
        ? [
            `您报告的收回款项 ${p.number}（合同 ${p.contract}，贷款 ${p.loanNumber}，收款日期 ${p.collectedOn}，金额 ${p.amount} 元）被退回。`,
            `退回原因：${p.reason}`,
            "如款项确已收到，请核对后附正确的收款凭证重新报告。",
            `查看收回记录：${p.link}`,
          ]
        : [
            `Recovery ${p.number} you reported (contract ${p.contract}, loan ${p.loanNumber}, collected on ${p.collectedOn}, ¥${p.amount}) was rejected.`,
            `Reason: ${p.reason}`,
            "If the money was collected, check it and report it again with the right evidence.",
            `View your recoveries: ${p.link}`,
          ];
    const subject = locale === "zh-CN" ? `收回款项被退回：${p.number}` : `Recovery rejected: ${p.number}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** A remittance was received (branch voucher or Stripe webhook): to the custodian, with what it settled. */
  settlementRemittanceConfirmed: (
    locale: Locale,
    p: { number: string; contract: string; amount: string; remittedOn: string; method: string; allocations: { recovery: string; amount: string }[]; link: string },
  ): RenderedEmail => {
    const settled = p.allocations.map((a) => `${a.recovery} ${locale === "zh-CN" ? `${a.amount} 元` : `¥${a.amount}`}`).join(locale === "zh-CN" ? "；" : "; ");
    const lines =
      locale === "zh-CN"
        ? [
            `您的交账 ${p.number}（合同 ${p.contract}，${methodName(locale, p.method)}，${p.amount} 元）已于 ${p.remittedOn} 到账确认。`,
            `冲销收回记录：${settled || "无"}。`,
            `查看交账记录：${p.link}`,
          ]
        : [
            `Your remittance ${p.number} (contract ${p.contract}, ${methodName(locale, p.method)}, ¥${p.amount}) was received on ${p.remittedOn}.`,
            `Recoveries settled: ${settled || "none"}.`,
            `View your remittances: ${p.link}`,
          ];
    const subject = locale === "zh-CN" ? `交账已到账：${p.number}` : `Remittance received: ${p.number}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** A declared bank-transfer remittance was rejected by the branch: to the custodian. */
  settlementRemittanceRejected: (locale: Locale, p: { number: string; contract: string; amount: string; reason: string; link: string }): RenderedEmail => {
    const lines =
      locale === "zh-CN"
        ? [
            `您申报的交账 ${p.number}（合同 ${p.contract}，${p.amount} 元）被网点退回。`,
            `退回原因：${p.reason}`,
            "相关款项仍未交账，滞纳利息继续计算。请核对后重新交账。",
            `查看交账记录：${p.link}`,
          ]
        : [
            `Your remittance ${p.number} (contract ${p.contract}, ¥${p.amount}) was rejected by the branch.`,
            `Reason: ${p.reason}`,
            "The money is still unremitted and late interest keeps running. Check it and remit again.",
            `View your remittances: ${p.link}`,
          ];
    const subject = locale === "zh-CN" ? `交账被退回：${p.number}` : `Remittance rejected: ${p.number}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
};
