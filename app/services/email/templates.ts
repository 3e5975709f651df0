import { formatYuan, type Fen } from "~/domain/money";
import { formatDateTime, type Locale } from "~/infra/i18n";
import { layout, type RenderedEmail } from "./layout";
import { custodyAgreementTemplates } from "./templates-custody-agreements";
import { custodyContractTemplates } from "./templates-custody-contracts";
import { custodyLiabilityTemplates } from "./templates-custody-liability";
import { custodyWorkTemplates } from "./templates-custody-work";
import { settlementRecoveriesTemplates } from "./templates-settlement-recoveries";
import { settlementContractTemplates } from "./templates-settlement-contracts";
import { settlementStatementTemplates } from "./templates-settlement-statements";

export type { RenderedEmail };

/**
 * Email templates in both languages, HTML and text. Each template is a function of its parameters;
 * values are escaped in the HTML part.
 */
export const templates = {
  auditChainBroken: (locale: Locale, p: { id: number; reason: string; checked: number; checkedAt: string }): RenderedEmail => {
    const lines =
      locale === "zh-CN"
        ? [
            `审计日志校验失败：第 ${p.id} 条记录未通过校验（${p.reason}）。`,
            `在它之前的 ${p.checked} 条记录校验通过。校验时间：${p.checkedAt}。`,
            "请立即检查数据库访问记录，并运行 npm run audit:verify 复核。",
          ]
        : [
            `Audit log verification failed: entry #${p.id} does not check out (${p.reason}).`,
            `${p.checked} entries before it verified. Checked at ${p.checkedAt}.`,
            "Check database access at once and run npm run audit:verify to confirm.",
          ];
    const subject = locale === "zh-CN" ? `【警报】审计日志在第 ${p.id} 条被篡改` : `[Alert] Audit log broken at entry #${p.id}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** A tender was published (内部公示): sent to every eligible bidder. */
  tenderPublished: (
    locale: Locale,
    p: { number: string; title: string; lots: number; registrationClosesAt: string; auctionStartsAt: string; auctionEndsAt: string; bidDeposit: string; link: string },
  ): RenderedEmail => {
    const lines =
      locale === "zh-CN"
        ? [
            `不良贷款资产包竞标 ${p.number}「${p.title}」已发布，共 ${p.lots} 个标的。`,
            `报名截止：${p.registrationClosesAt}；竞价时间：${p.auctionStartsAt} 至 ${p.auctionEndsAt}。`,
            `竞标定金 ${p.bidDeposit} 元（每次竞标交纳一次，定金确认后方可出价）。`,
            `查看竞标并报名：${p.link}`,
          ]
        : [
            `Tender ${p.number} “${p.title}” has been published with ${p.lots} lot(s).`,
            `Registration closes ${p.registrationClosesAt}; bidding runs from ${p.auctionStartsAt} to ${p.auctionEndsAt}.`,
            `Bid deposit: ¥${p.bidDeposit} (once per tender; you may bid once it is confirmed).`,
            `View the tender and register: ${p.link}`,
          ];
    const subject = locale === "zh-CN" ? `【竞标公示】${p.number} ${p.title}` : `[Tender] ${p.number} ${p.title}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** A bid deposit was confirmed (Stripe webhook or finance's voucher): the bidder may bid. */
  depositConfirmed: (locale: Locale, p: { number: string; title: string; amount: string; method: string; link: string }): RenderedEmail => {
    const method =
      locale === "zh-CN"
        ? ({ STRIPE: "在线支付", BANK_TRANSFER: "银行转账", PAYROLL: "工资代扣" } as Record<string, string>)[p.method] ?? p.method
        : ({ STRIPE: "online payment", BANK_TRANSFER: "bank transfer", PAYROLL: "payroll deduction" } as Record<string, string>)[p.method] ?? p.method;
    const lines =
      locale === "zh-CN"
        ? [`您为竞标 ${p.number}「${p.title}」交纳的竞标定金 ${p.amount} 元（${method}）已确认到账。`, "您现在可以在竞价时间内出价。", `查看竞标：${p.link}`]
        : [`Your bid deposit of ¥${p.amount} (${method}) for tender ${p.number} “${p.title}” has been confirmed.`, "You may now bid while bidding is open.", `View the tender: ${p.link}`];
    const subject = locale === "zh-CN" ? `竞标定金已确认：${p.number}` : `Bid deposit confirmed: ${p.number}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** A lot was closed and won: to every user of the winning bidder (accept before the signing deadline). */
  lotWon: (locale: Locale, p: { number: string; title: string; lotNumber: number; price: Fen; deadline: Date; link: string }): RenderedEmail => {
    const price = formatYuan(p.price);
    const deadline = formatDateTime(locale, p.deadline);
    const lines =
      locale === "zh-CN"
        ? [
            `恭喜！您在竞标 ${p.number}「${p.title}」第 ${p.lotNumber} 号标的中以 ${price} 中标。`,
            `请在 ${deadline}（北京时间）前在平台上确认中标并签约；逾期未确认视为违约，竞标定金将作为违约金没收。`,
            `查看并确认：${p.link}`,
          ]
        : [
            `Congratulations: you won lot ${p.lotNumber} of tender ${p.number} “${p.title}” at ${price}.`,
            `Accept the award and sign on the platform before ${deadline} (China time); if you do not, your bid deposit is forfeited.`,
            `View and accept: ${p.link}`,
          ];
    const subject = locale === "zh-CN" ? `【中标通知】${p.number} 第 ${p.lotNumber} 号标的` : `[Award] You won lot ${p.lotNumber} of ${p.number}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** A lot went to another bidder: to every other bidder of the lot. */
  lotLost: (locale: Locale, p: { number: string; title: string; lotNumber: number; price: Fen; link: string }): RenderedEmail => {
    const price = formatYuan(p.price);
    const lines =
      locale === "zh-CN"
        ? [
            `竞标 ${p.number}「${p.title}」第 ${p.lotNumber} 号标的已由其他竞买人以 ${price} 竞得。`,
            "您的竞标定金将在本次竞标所有标的均有结果后退还。",
            `查看竞标结果：${p.link}`,
          ]
        : [
            `Lot ${p.lotNumber} of tender ${p.number} “${p.title}” went to another bidder at ${price}.`,
            "Your bid deposit is refunded once every lot of the tender is decided.",
            `View the results: ${p.link}`,
          ];
    const subject = locale === "zh-CN" ? `【竞标结果】${p.number} 第 ${p.lotNumber} 号标的未中标` : `[Tender] Lot ${p.lotNumber} of ${p.number} went to another bidder`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** The signing deadline passed without acceptance: to the reneging bidder (the bid deposit is forfeited as 违约金). */
  awardLapsed: (locale: Locale, p: { number: string; lotNumber: number; deadline: Date; forfeit: Fen }): RenderedEmail => {
    const deadline = formatDateTime(locale, p.deadline);
    const forfeit = formatYuan(p.forfeit);
    const lines =
      locale === "zh-CN"
        ? [
            `您未在 ${deadline}（北京时间）前确认竞标 ${p.number} 第 ${p.lotNumber} 号标的的中标，视为违约。`,
            p.forfeit > 0n
              ? `您的竞标定金 ${forfeit} 已作为违约金没收。`
              : "您在本次竞标中的竞标定金已作为违约金没收（每次竞标只没收一次）。",
          ]
        : [
            `You did not accept the award of lot ${p.lotNumber} of tender ${p.number} before ${deadline} (China time): the award has lapsed.`,
            p.forfeit > 0n
              ? `Your bid deposit of ${forfeit} is forfeited as a default penalty (违约金).`
              : "Your bid deposit for this tender is already forfeited as a default penalty (违约金, once per tender).",
          ];
    const subject = locale === "zh-CN" ? `【违约通知】${p.number} 第 ${p.lotNumber} 号标的签约期限已过` : `[Award lapsed] Lot ${p.lotNumber} of ${p.number}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** After a renege the lot is offered to the next bidder at their own price. */
  awardOffered: (locale: Locale, p: { number: string; lotNumber: number; price: Fen; deadline: Date; link: string }): RenderedEmail => {
    const price = formatYuan(p.price);
    const deadline = formatDateTime(locale, p.deadline);
    const lines =
      locale === "zh-CN"
        ? [
            `竞标 ${p.number} 第 ${p.lotNumber} 号标的的原中标人未按期签约，现按您本人的出价 ${price} 向您授标。`,
            `如接受，请在 ${deadline}（北京时间）前在平台上确认并签约；逾期未确认视为违约，竞标定金将作为违约金没收。`,
            `查看并确认：${p.link}`,
          ]
        : [
            `The winner of lot ${p.lotNumber} of tender ${p.number} did not sign: the lot is offered to you at your own bid of ${price}.`,
            `To take it, accept on the platform before ${deadline} (China time); if you do not, your bid deposit is forfeited.`,
            `View and accept: ${p.link}`,
          ];
    const subject = locale === "zh-CN" ? `【递补授标】${p.number} 第 ${p.lotNumber} 号标的` : `[Award] Lot ${p.lotNumber} of ${p.number} is offered to you`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  /** A bid deposit refund was recorded as done (Stripe's refund.succeeded, or finance's voucher). */
  depositRefunded: (locale: Locale, p: { number: string; amount: Fen; method: string }): RenderedEmail => {
    const amount = formatYuan(p.amount);
    const method =
      locale === "zh-CN"
        ? ({ STRIPE: "原路退回至在线支付账户", BANK_TRANSFER: "银行转账", PAYROLL: "工资代发" } as Record<string, string>)[p.method] ?? p.method
        : ({ STRIPE: "back to the card or account you paid with", BANK_TRANSFER: "by bank transfer", PAYROLL: "through payroll" } as Record<string, string>)[p.method] ?? p.method;
    const lines =
      locale === "zh-CN"
        ? [`您为竞标 ${p.number} 交纳的竞标定金 ${amount} 已退还（${method}）。`, "到账时间以银行或支付机构处理为准。"]
        : [`Your bid deposit of ${amount} for tender ${p.number} has been refunded (${method}).`, "When it reaches you depends on your bank or payment provider."];
    const subject = locale === "zh-CN" ? `竞标定金已退还：${p.number}` : `Bid deposit refunded: ${p.number}`;
    return { subject, text: lines.join("\n\n"), html: layout(subject, lines) };
  },
  ...custodyContractTemplates,
  ...custodyWorkTemplates,
  ...custodyAgreementTemplates,
  ...custodyLiabilityTemplates,
  ...settlementRecoveriesTemplates,
  ...settlementContractTemplates,
  ...settlementStatementTemplates,
} as const;

export type TemplateName = keyof typeof templates;
