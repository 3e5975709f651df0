// Settlement statement email templates (R9): same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
import { formatYuan, type Fen } from "~/domain/money";
import type { Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";

const render = (subject: string, lines: string[]): RenderedEmail => ({ subject, text: lines.join("\n\n"), html: layout(subject, lines) });

const methodZh: Record<string, string> = {
  STRIPE_TRANSFER: "Stripe 转账至贵方账户", BANK_TRANSFER: "银行转账", PAYROLL: "随工资发放", DEPOSIT_NETTING: "从履约保证金抵扣", NONE: "无需收付",
};
const methodEn: Record<string, string> = {
  STRIPE_TRANSFER: "Stripe transfer to your account", BANK_TRANSFER: "bank transfer", PAYROLL: "through payroll", DEPOSIT_NETTING: "set off against the performance deposit", NONE: "nothing to pay",
};

export const settlementStatementTemplates = {
  /** R9: a statement was paid (or settled against the custodian). To the custodian. */
  settlementStatementPaid: (
    locale: Locale,
    p: { number: string; contract: string; net: Fen; method: string; reference: string | null; fromDeposit: Fen; claim: Fen; link: string },
  ): RenderedEmail => {
    const amount = formatYuan(p.net < 0n ? -p.net : p.net);
    if (locale === "zh-CN") {
      return render(`【清收手续费清单】${p.number} 已结算`, [
        `合同 ${p.contract} 的清收手续费清单 ${p.number} 已完成结算。`,
        p.net > 0n ? `本行应付贵方 ${amount}，方式：${methodZh[p.method] ?? p.method}${p.reference ? `（凭证/参考号 ${p.reference}）` : ""}。`
          : p.net < 0n ? `贵方应付本行 ${amount}，方式：${methodZh[p.method] ?? p.method}${p.reference ? `（凭证号 ${p.reference}）` : ""}。`
            : "本期应收应付相抵为零。",
        ...(p.fromDeposit > 0n || p.claim > 0n ? [`其中从履约保证金抵扣 ${formatYuan(p.fromDeposit)}，不足部分 ${formatYuan(p.claim)} 作为追偿款。`] : []),
        `查看：${p.link}`,
      ]);
    }
    return render(`[Settlement statement] ${p.number} settled`, [
      `Settlement statement ${p.number} of contract ${p.contract} has been settled.`,
      p.net > 0n ? `The bank pays you ${amount} by ${methodEn[p.method] ?? p.method}${p.reference ? ` (reference ${p.reference})` : ""}.`
        : p.net < 0n ? `You owe the bank ${amount}, settled by ${methodEn[p.method] ?? p.method}${p.reference ? ` (voucher ${p.reference})` : ""}.`
          : "Nothing is owed either way this period.",
      ...(p.fromDeposit > 0n || p.claim > 0n ? [`${formatYuan(p.fromDeposit)} was taken from the performance deposit; the rest, ${formatYuan(p.claim)}, is owed as a claim.`] : []),
      `View: ${p.link}`,
    ]);
  },
};
