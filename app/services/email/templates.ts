import type { Locale } from "~/infra/i18n";

/**
 * Email templates in both languages, HTML and text. Each template is a function of its parameters;
 * values are escaped in the HTML part.
 */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function layout(title: string, paragraphs: string[]): string {
  return `<!doctype html><html><body style="font-family:sans-serif;color:#0f172a"><h2>${escape(title)}</h2>${paragraphs
    .map((p) => `<p>${escape(p)}</p>`)
    .join("")}<p style="color:#64748b;font-size:12px">不良贷款清收交易平台 · NPL Collection Marketplace</p></body></html>`;
}

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
} as const;

export type TemplateName = keyof typeof templates;
