/**
 * Who may open a package's data room (issue 5, item 4). Pure: the caller gathers the viewer, the
 * package's status, the tenders the package lies in, the setting and whether the viewer accepted the
 * confidentiality undertaking.
 *
 * The department (packages:view or tenders:manage) may open any package's data room. A bidder
 * (tenders:bid) only while the package is IN_TENDER and lies in at least one tender that is
 * PUBLISHED or OPEN, whose audience admits the viewer (STAFF = bank users, AGENCY = agency users,
 * BOTH = either), in which the viewer's position is not excluded and for which the viewer is eligible
 * (R3); then, when the setting requires it, only after accepting the undertaking.
 */
import { can } from "./access";
import type { Eligibility, EligibilityReason } from "./eligibility";

export const dataRoomRefusals = ["not_a_bidder", "not_in_tender", "tender_not_open", "audience", "not_eligible", "undertaking_required"] as const;
export type DataRoomRefusal = (typeof dataRoomRefusals)[number];

export interface DataRoomViewer {
  roles: readonly string[];
  organizationKind: "BANK" | "AGENCY";
  position: string | null;
  /** domain/eligibility.ts, computed for the tender's term end */
  eligibility: Eligibility;
}

export interface DataRoomTender {
  status: string;
  audience: "STAFF" | "AGENCY" | "BOTH";
  excludedPositions: readonly string[];
}

export type DataRoomAccess =
  | { allowed: true; as: "department" | "bidder" }
  | { allowed: false; reason: DataRoomRefusal; eligibilityReasons?: EligibilityReason[] };

/** Tender statuses in which bidders may study the packages. */
export const openTenderStatuses: readonly string[] = ["PUBLISHED", "OPEN"];

export function admitsAudience(audience: DataRoomTender["audience"], organizationKind: DataRoomViewer["organizationKind"]): boolean {
  if (audience === "BOTH") return true;
  return audience === "STAFF" ? organizationKind === "BANK" : organizationKind === "AGENCY";
}

export function dataRoomAccess(input: {
  viewer: DataRoomViewer;
  packageStatus: string;
  tenders: readonly DataRoomTender[];
  undertakingRequired: boolean;
  undertakingAccepted: boolean;
}): DataRoomAccess {
  const { viewer } = input;
  if (can(viewer.roles, "packages:view") || can(viewer.roles, "tenders:manage")) return { allowed: true, as: "department" };
  if (!can(viewer.roles, "tenders:bid")) return { allowed: false, reason: "not_a_bidder" };
  if (input.packageStatus !== "IN_TENDER" || input.tenders.length === 0) return { allowed: false, reason: "not_in_tender" };
  const open = input.tenders.filter((t) => openTenderStatuses.includes(t.status));
  if (open.length === 0) return { allowed: false, reason: "tender_not_open" };
  const audience = open.filter((t) => admitsAudience(t.audience, viewer.organizationKind));
  if (audience.length === 0) return { allowed: false, reason: "audience" };
  const admitted = audience.filter((t) => viewer.position === null || !t.excludedPositions.includes(viewer.position));
  if (admitted.length === 0 || !viewer.eligibility.eligible) {
    const reasons = new Set<EligibilityReason>(viewer.eligibility.eligible ? [] : viewer.eligibility.reasons);
    if (admitted.length === 0) reasons.add("position_excluded");
    return { allowed: false, reason: "not_eligible", eligibilityReasons: [...reasons] };
  }
  if (input.undertakingRequired && !input.undertakingAccepted) return { allowed: false, reason: "undertaking_required" };
  return { allowed: true, as: "bidder" };
}
