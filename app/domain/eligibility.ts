/**
 * R3 eligibility to bid, as far as it depends on the bidder alone. A tender adds its own
 * audience and excluded positions later; the reasons are codes so each screen says them in its language.
 */

export type EligibilityReason =
  | "staff_left"
  | "staff_status_unknown"
  | "position_excluded"
  | "licence_missing"
  | "licence_expires_before_term_end"
  | "agency_banned"
  | "user_disabled";

export interface StaffBidder {
  kind: "staff";
  employmentStatus: string | null;
  position: string | null;
  disabled: boolean;
}

export interface AgencyBidder {
  kind: "agency";
  licenceValidUntil: Date | null;
  bannedUntil: Date | null;
  disabled: boolean;
}

export interface EligibilityRules {
  excludedPositions: readonly string[];
  /** The contract term end that a licence must cover (custody start + term). */
  termEnd: Date;
  today: Date;
}

export type Eligibility = { eligible: true } | { eligible: false; reasons: EligibilityReason[] };

export function checkEligibility(bidder: StaffBidder | AgencyBidder, rules: EligibilityRules): Eligibility {
  const reasons: EligibilityReason[] = [];
  if (bidder.disabled) reasons.push("user_disabled");
  if (bidder.kind === "staff") {
    if (bidder.employmentStatus === "LEFT") reasons.push("staff_left");
    else if (bidder.employmentStatus !== "ON_PAYROLL" && bidder.employmentStatus !== "RETIRED")
      reasons.push("staff_status_unknown");
    if (bidder.position && rules.excludedPositions.includes(bidder.position)) reasons.push("position_excluded");
  } else {
    if (!bidder.licenceValidUntil) reasons.push("licence_missing");
    else if (bidder.licenceValidUntil.getTime() < rules.termEnd.getTime())
      reasons.push("licence_expires_before_term_end");
    if (bidder.bannedUntil && bidder.bannedUntil.getTime() > rules.today.getTime()) reasons.push("agency_banned");
  }
  return reasons.length === 0 ? { eligible: true } : { eligible: false, reasons };
}

/** Adds whole calendar months, clamping to the month's last day (2024-01-31 + 1 month = 2024-02-29). */
export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}
