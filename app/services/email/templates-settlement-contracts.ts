// [SETTLE] email templates of the contracts' settlement (R7 forced deduction, loss of funds, close-out):
// same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
import { formatYuan, type Fen } from "~/domain/money";
import type { Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";

const render = (subject: string, lines: string[]): RenderedEmail => ({ subject, text: lines.join("\n\n"), html: layout(subject, lines) });

export const settlementContractTemplates = {
  /** R7: the department deducted late remittances from the performance deposit. To the custodian. */
  settlementForcedDeduction: (
    locale: Locale,
    p: {
      contract: string; recoveries: string[]; unremitted: Fen; lateInterest: Fen; fromDeposit: Fen; claim: Fen; topUp: Fen; dueOn: string;
      reason: string; agency: string | null; representative: string | null; link: string;
    },
  ): RenderedEmail => {
    const [unremitted, lateInterest, fromDeposit, claim, topUp] = [p.unremitted, p.lateInterest, p.fromDeposit, p.claim, p.topUp].map(formatYuan);
    if (locale === "zh-CN") {
      return render(`【强行扣收】合同 ${p.contract}`, [
        `因逾期未交账，资产保全部已对合同 ${p.contract} 的收回款（${p.recoveries.join("、")}）强行扣收：未交账金额 ${unremitted}，逾期利息 ${lateInterest}。`,
        `从履约保证金扣收 ${fromDeposit}${p.claim > 0n ? `；保证金不足部分 ${claim} 作为追偿款` : ""}。`,
        ...(p.agency && p.claim > 0n ? [`追偿款由 ${p.agency} 与其法定代表人 ${p.representative ?? "（未登记）"} 承担连带责任。`] : []),
        `请于 ${p.dueOn} 前补足履约保证金 ${topUp}。`,
        `原因：${p.reason}`,
        `查看：${p.link}`,
      ]);
    }
    return render(`[Forced deduction] Contract ${p.contract}`, [
      `The asset-preservation department deducted late remittances of contract ${p.contract} (${p.recoveries.join(", ")}) by force: unremitted ${unremitted}, late interest ${lateInterest}.`,
      `${fromDeposit} was taken from the performance deposit${p.claim > 0n ? `; the shortfall of ${claim} is a claim on you` : ""}.`,
      ...(p.agency && p.claim > 0n ? [`The claim is owed by ${p.agency} jointly with its legal representative ${p.representative ?? "(not on record)"}.`] : []),
      `Top the performance deposit up by ${topUp} before ${p.dueOn}.`,
      `Reason: ${p.reason}`,
      `View: ${p.link}`,
    ]);
  },
  /** R7: the department recorded a loss of funds on a recovery (it may be deducted whatever its delay). To the custodian. */
  settlementLossRecorded: (locale: Locale, p: { contract: string; number: string; amount: string; note: string; link: string }): RenderedEmail =>
    locale === "zh-CN"
      ? render(`【资金损失】收回款 ${p.number}`, [
          `资产保全部已登记合同 ${p.contract} 收回款 ${p.number}（${p.amount}）的资金损失：${p.note}`,
          "该笔款项可随时从履约保证金强行扣收。",
          `查看：${p.link}`,
        ])
      : render(`[Loss of funds] Recovery ${p.number}`, [
          `The department recorded a loss of funds on recovery ${p.number} (${p.amount}) of contract ${p.contract}: ${p.note}`,
          "It may be deducted from the performance deposit at any time.",
          `View: ${p.link}`,
        ]),
  /** README step 16: the contract was closed out; the deposit balance refunded. To the custodian. */
  settlementContractClosedOut: (locale: Locale, p: { contract: string; lateInterestNetted: Fen; claimsNetted: Fen; refund: Fen; claims: { account: string; amount: string }[]; voucher: string; link: string }): RenderedEmail => {
    const refund = formatYuan(p.refund);
    const netted = p.lateInterestNetted + p.claimsNetted > 0n;
    const claims = p.claims.map((c) => `${c.account} ¥${c.amount}`).join(locale === "zh-CN" ? "；" : "; ");
    return locale === "zh-CN"
      ? render(`【合同结清】${p.contract}`, [
          `合同 ${p.contract} 已结清。` +
            (netted ? `履约保证金先抵扣尚欠的逾期交账利息 ${formatYuan(p.lateInterestNetted)}、追偿款 ${formatYuan(p.claimsNetted)}，` : "") +
            `余额 ${refund} 已退还（凭证号 ${p.voucher}）。`,
          p.claims.length ? `尚未结清的追偿款：${claims}。` : "无未结清的追偿款。",
          `查看：${p.link}`,
        ])
      : render(`[Closed out] ${p.contract}`, [
          `Contract ${p.contract} is closed out. ` +
            (netted ? `The performance deposit first settled late interest of ${formatYuan(p.lateInterestNetted)} and claims of ${formatYuan(p.claimsNetted)} you owed; ` : "The performance deposit ") +
            `${netted ? "the balance of " : "balance of "}${refund} was refunded (voucher ${p.voucher}).`,
          p.claims.length ? `Claims still open: ${claims}.` : "No claims are open.",
          `View: ${p.link}`,
        ]);
  },
};
