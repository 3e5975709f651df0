import { formatYuan } from "~/domain/money";
import { en } from "~/locales/en";
import { zhCN, type MessageKey } from "~/locales/zh-CN";

export type { MessageKey };
export const locales = ["zh-CN", "en"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "zh-CN";

const catalogs: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

export function isMessageKey(value: string): value is MessageKey {
  return value in zhCN;
}

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** The one translation function: catalog lookup plus `{name}` interpolation. */
export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => {
    const template = catalog[key] ?? zhCN[key] ?? key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  };
}

/** Form errors carry message keys (the zod schemas are shared by browser and server). */
export function translateError(t: Translate, message: string): string {
  return isMessageKey(message) ? t(message) : message;
}

const intlLocale: Record<Locale, string> = { "zh-CN": "zh-CN", en: "en-US" };

export function formatDate(locale: Locale, date: Date | string | null | undefined): string {
  if (!date) return "—";
  return new Intl.DateTimeFormat(intlLocale[locale], {
    year: "numeric", month: "2-digit", day: "2-digit", timeZone: "Asia/Shanghai",
  }).format(new Date(date));
}

export function formatDateTime(locale: Locale, date: Date | string | null | undefined): string {
  if (!date) return "—";
  return new Intl.DateTimeFormat(intlLocale[locale], {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hour12: false, timeZone: "Asia/Shanghai",
  }).format(new Date(date));
}

export function formatNumber(locale: Locale, value: number | bigint): string {
  return new Intl.NumberFormat(intlLocale[locale]).format(value);
}

/** ¥ amounts from bigint fen, exact (the same text in both languages). */
export function formatCny(_locale: Locale, fen: bigint): string {
  return formatYuan(fen);
}
