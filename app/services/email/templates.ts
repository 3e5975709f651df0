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
} as const;

export type TemplateName = keyof typeof templates;
