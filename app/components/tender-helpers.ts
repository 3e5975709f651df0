import { isMessageKey, type Translate } from "~/infra/i18n";

/**
 * Pure helpers of the tender pages (browser and server): which moment a tender's countdown runs to,
 * the colours of statuses, China-time datetime-local values, and the retender form's inputs.
 */

export type TenderPhase = "registrationOpens" | "registrationCloses" | "auctionStarts" | "auctionEnds" | "ended";

export interface TenderTimesView {
  status: string;
  registrationOpensAt: Date | string;
  registrationClosesAt: Date | string;
  auctionStartsAt: Date | string;
  auctionEndsAt: Date | string;
}

/**
 * The next moment of a tender after `now` (registration opening or closing, auction start or end),
 * the earliest still to come; "ended" (counting to the auction's end) once all passed or when the
 * tender is closed or cancelled.
 */
export function tenderPhase(tender: TenderTimesView, now: Date | string): { phase: TenderPhase; until: Date } {
  const at = new Date(now).getTime();
  const end = new Date(tender.auctionEndsAt);
  if (tender.status === "CLOSED" || tender.status === "CANCELLED") return { phase: "ended", until: end };
  const moments: { phase: TenderPhase; until: Date }[] = [
    { phase: "registrationOpens", until: new Date(tender.registrationOpensAt) },
    { phase: "registrationCloses", until: new Date(tender.registrationClosesAt) },
    { phase: "auctionStarts", until: new Date(tender.auctionStartsAt) },
    { phase: "auctionEnds", until: end },
  ];
  const next = moments.filter((m) => m.until.getTime() > at).sort((a, b) => a.until.getTime() - b.until.getTime())[0];
  return next ?? { phase: "ended", until: end };
}

export type Tone = "slate" | "green" | "red" | "amber" | "blue";

export const tenderStatusTones: Record<string, Tone> = { DRAFT: "slate", PUBLISHED: "blue", OPEN: "blue", CLOSED: "green", CANCELLED: "red" };

export const lotStatusTones: Record<string, Tone> = {
  OPEN: "blue", AWAITING_SIGNATURE: "amber", OFFERED_TO_NEXT: "amber", ACCEPTED: "green", UNSOLD: "slate", RETURNED: "red", WITHDRAWN: "slate",
};

export const depositStatusTones: Record<string, Tone> = {
  AWAITING_PAYMENT: "amber", DECLARED: "amber", CONFIRMED: "green", FAILED: "red", REFUND_PENDING: "amber", REFUNDED: "slate", FORFEITED: "red", CREDITED: "blue",
};

/** A Date as the value of a datetime-local input in China time (UTC+8, no daylight saving): 2026-11-24T10:00. */
export function chinaDateTimeLocal(date: Date | string): string {
  const d = new Date(new Date(date).getTime() + 8 * 60 * 60 * 1000);
  return d.toISOString().slice(0, 16);
}

/** A share (0.0525) as a signed percentage: +5.25%. */
export function signedPercent(share: number): string {
  const sign = share > 0 ? "+" : share < 0 ? "−" : "±";
  return `${sign}${Math.abs(share * 100).toFixed(2)}%`;
}

/** One position per line → the list (blank lines dropped, each trimmed). */
export function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The retender form's `reserve_<lotId>` inputs of the chosen lots that are filled in, keyed by lot id. */
export function retenderReservesOf(values: Record<string, unknown>, lotIds: readonly string[]): Record<string, string> {
  const reserves: Record<string, string> = {};
  for (const lotId of lotIds) {
    const value = values[`reserve_${lotId}`];
    if (typeof value === "string" && value.trim()) reserves[lotId] = value.trim();
  }
  return reserves;
}

/** A status or enum value in words (tenderPages.<group>.<value>), the raw value when there is no key. */
export function labelOf(t: Translate, group: string, value: string, params?: Record<string, string | number>): string {
  const key = `tenderPages.${group}.${value}`;
  return isMessageKey(key) ? t(key, params) : value;
}

export const tenderStatusLabel = (t: Translate, status: string) => labelOf(t, "status", status);
export const audienceLabel = (t: Translate, audience: string) => labelOf(t, "audience", audience);
export const lotStatusLabel = (t: Translate, status: string) => labelOf(t, "lotStatus", status);
export const depositStatusLabel = (t: Translate, status: string) => labelOf(t, "depositStatus", status);
export const depositMethodLabel = (t: Translate, method: string) => labelOf(t, "method", method);
