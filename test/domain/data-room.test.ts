import { describe, expect, it } from "vitest";
import { dataRoomAccess, type DataRoomTender, type DataRoomViewer } from "~/domain/data-room";

const bidder: DataRoomViewer = { roles: ["internal_bidder"], organizationKind: "BANK", position: "客户经理", eligibility: { eligible: true } };
const agency: DataRoomViewer = { roles: ["agency_admin"], organizationKind: "AGENCY", position: "经理", eligibility: { eligible: true } };
const open: DataRoomTender = { status: "PUBLISHED", audience: "BOTH", excludedPositions: [] };

const access = (viewer: DataRoomViewer, options: { status?: string; tenders?: DataRoomTender[]; required?: boolean; accepted?: boolean } = {}) =>
  dataRoomAccess({
    viewer, packageStatus: options.status ?? "IN_TENDER", tenders: options.tenders ?? [open],
    undertakingRequired: options.required ?? true, undertakingAccepted: options.accepted ?? true,
  });

describe("who may open a package's data room", () => {
  it("the department opens any package's data room, in any status, without an undertaking", () => {
    for (const roles of [["preservation_officer"], ["approver"], ["auditor"], ["finance"]]) {
      expect(access({ ...bidder, roles }, { status: "DRAFT", tenders: [], accepted: false })).toEqual({ allowed: true, as: "department" });
    }
  });

  it("someone who neither manages packages nor bids is refused", () => {
    expect(access({ ...bidder, roles: ["branch_clerk"] })).toEqual({ allowed: false, reason: "not_a_bidder" });
    expect(access({ ...bidder, roles: ["admin"] })).toEqual({ allowed: false, reason: "not_a_bidder" });
  });

  it("a bidder only while the package is in a tender", () => {
    expect(access(bidder, { status: "APPROVED" })).toEqual({ allowed: false, reason: "not_in_tender" });
    expect(access(bidder, { tenders: [] })).toEqual({ allowed: false, reason: "not_in_tender" });
    expect(access(bidder)).toEqual({ allowed: true, as: "bidder" });
  });

  it("only while a tender of the package is published or open", () => {
    for (const status of ["DRAFT", "CLOSED", "CANCELLED"]) {
      expect(access(bidder, { tenders: [{ ...open, status }] })).toEqual({ allowed: false, reason: "tender_not_open" });
    }
    expect(access(bidder, { tenders: [{ ...open, status: "OPEN" }] }).allowed).toBe(true);
    expect(access(bidder, { tenders: [{ ...open, status: "CLOSED" }, { ...open, status: "OPEN" }] }).allowed).toBe(true);
  });

  it("the tender's audience: STAFF admits bank staff, AGENCY agencies, BOTH both", () => {
    expect(access(agency, { tenders: [{ ...open, audience: "STAFF" }] })).toEqual({ allowed: false, reason: "audience" });
    expect(access(bidder, { tenders: [{ ...open, audience: "AGENCY" }] })).toEqual({ allowed: false, reason: "audience" });
    expect(access(bidder, { tenders: [{ ...open, audience: "STAFF" }] }).allowed).toBe(true);
    expect(access(agency, { tenders: [{ ...open, audience: "AGENCY" }] }).allowed).toBe(true);
    expect(access(agency, { tenders: [{ ...open, audience: "STAFF" }, { ...open, audience: "BOTH" }] }).allowed).toBe(true);
  });

  it("an ineligible bidder is refused with the eligibility reasons (R3)", () => {
    const president = { ...bidder, position: "行长", eligibility: { eligible: false as const, reasons: ["position_excluded" as const] } };
    expect(access(president)).toEqual({ allowed: false, reason: "not_eligible", eligibilityReasons: ["position_excluded"] });
    const expired = { ...agency, eligibility: { eligible: false as const, reasons: ["licence_expires_before_term_end" as const] } };
    expect(access(expired)).toEqual({ allowed: false, reason: "not_eligible", eligibilityReasons: ["licence_expires_before_term_end"] });
  });

  it("a position the tender excludes is refused as not eligible", () => {
    expect(access(bidder, { tenders: [{ ...open, excludedPositions: ["客户经理"] }] })).toEqual({ allowed: false, reason: "not_eligible", eligibilityReasons: ["position_excluded"] });
    expect(access(bidder, { tenders: [{ ...open, excludedPositions: ["客户经理"] }, open] }).allowed).toBe(true);
  });

  it("the undertaking first when the setting requires it", () => {
    expect(access(bidder, { accepted: false })).toEqual({ allowed: false, reason: "undertaking_required" });
    expect(access(bidder, { accepted: false, required: false })).toEqual({ allowed: true, as: "bidder" });
    expect(access(bidder, { accepted: true })).toEqual({ allowed: true, as: "bidder" });
  });

  it("the undertaking is asked only of those who could otherwise open the room", () => {
    expect(access({ ...agency, eligibility: { eligible: false, reasons: ["licence_missing"] } }, { accepted: false }).allowed).toBe(false);
    expect(access({ ...agency, eligibility: { eligible: false, reasons: ["licence_missing"] } }, { accepted: false })).toMatchObject({ reason: "not_eligible" });
  });
});
