/**
 * Collection conduct (domain README, "Conduct and privacy"; issue [CUSTODY] item 3): who a custodian
 * may contact, when, and how often. Pure: the caller gives the China-time clock reading, the contact's
 * party and how many effective contacts the debtor already had that China day; the rules' numbers come
 * from the settings in force (quiet hours, daily limit).
 */
import { todayInChina } from "./calendar";

/** Kinds of activity on a loan; the first five reach a person and count as contacts. */
export const contactKinds = ["call", "sms", "visit", "letter", "collection_notice"] as const;
export const otherActivityKinds = ["lawyer_letter", "lawsuit", "payment_order"] as const;
export type ContactKind = (typeof contactKinds)[number];

/** Who was (to be) contacted. Only the debtor and a guarantor are parties to the loan. */
export const contactParties = ["debtor", "guarantor", "third_party"] as const;
export type ContactParty = (typeof contactParties)[number];

export interface ConductRules {
  /** Start of the quiet hours, "HH:MM" China time (default "22:00"): no contact from this minute on … */
  quietFrom: string;
  /** … until this minute (default "08:00"), the next morning when quietFrom is later. */
  quietUntil: string;
  /** Effective contacts per debtor per China day (default 3). */
  maxContactsPerDay: number;
}

export type ConductRefusal =
  | { allowed: false; reason: "not_a_party" }
  | { allowed: false; reason: "quiet_hours"; from: string; until: string }
  | { allowed: false; reason: "daily_limit"; limit: number };

export type ConductDecision = { allowed: true } | ConductRefusal;

const minutesOf = (hhmm: string): number => {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) throw new RangeError(`not a time of day: ${hhmm}`);
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[1]) > 23 || Number(match[2]) > 59) throw new RangeError(`not a time of day: ${hhmm}`);
  return minutes;
};

/** Minutes since midnight, China time (UTC+8, no daylight saving). */
export function chinaMinuteOfDay(at: Date): number {
  const shifted = new Date(at.getTime() + 8 * 3_600_000);
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

/** Whether `at` falls in the quiet hours [quietFrom, quietUntil), which may run past midnight. */
export function inQuietHours(at: Date, rules: Pick<ConductRules, "quietFrom" | "quietUntil">): boolean {
  const now = chinaMinuteOfDay(at);
  const from = minutesOf(rules.quietFrom);
  const until = minutesOf(rules.quietUntil);
  if (from === until) return false;
  return from < until ? now >= from && now < until : now >= from || now < until;
}

/**
 * May this contact happen now? In order: only the debtor or a guarantor; never in the quiet hours;
 * at most `maxContactsPerDay` effective contacts per debtor per China day (`contactsToday` counts
 * those already recorded that day, whoever recorded them).
 */
export function checkContact(input: { at: Date; party: ContactParty; contactsToday: number }, rules: ConductRules): ConductDecision {
  if (input.party !== "debtor" && input.party !== "guarantor") return { allowed: false, reason: "not_a_party" };
  if (inQuietHours(input.at, rules)) return { allowed: false, reason: "quiet_hours", from: rules.quietFrom, until: rules.quietUntil };
  if (input.contactsToday >= rules.maxContactsPerDay) return { allowed: false, reason: "daily_limit", limit: rules.maxContactsPerDay };
  return { allowed: true };
}

/** The China day a contact counts toward (for the daily limit). */
export const contactDay = (at: Date): string => todayInChina(at);
