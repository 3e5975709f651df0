import { describe, expect, it } from "vitest";
import {
  can, canOpen, canViewOrganization, landingPathFor, permissionMatrix, protectedRoutes, roles, type ProtectedPath, type Role,
} from "~/domain/access";

// Who may open each protected page, written out by hand from the issue (not derived from the matrix).
const allowed: Record<ProtectedPath, Role[]> = {
  "/admin/users": ["admin"],
  "/admin/users/new": ["admin"],
  "/admin/orgs": ["admin"],
  "/admin/orgs/new": ["admin"],
  "/admin/outbox": ["admin"],
  "/admin/jobs": ["admin"],
  "/orgs": ["admin", "preservation_officer", "approver", "auditor", "finance", "branch_clerk"],
  "/eligibility": ["internal_bidder", "agency_admin", "agency_member"],
  "/audit": ["admin", "auditor"],
  "/settings": ["preservation_officer"],
  "/audit/export": ["admin", "auditor"],
  "/loans": ["preservation_officer", "approver", "auditor", "finance", "branch_clerk"],
  "/loans/limitation": ["preservation_officer", "approver", "auditor", "finance", "branch_clerk"],
  "/loans/export": ["preservation_officer", "approver", "auditor", "finance", "branch_clerk"],
  "/loan-tapes": ["preservation_officer"],
  "/loan-tapes/template": ["preservation_officer"],
  "/pricing": ["preservation_officer"],
  "/packages": ["preservation_officer", "approver", "auditor", "finance"],
  "/packages/new": ["preservation_officer"],
  "/tenders/new": ["preservation_officer"],
  "/deposits": ["finance"],
  "/contracts": ["preservation_officer", "approver", "auditor", "finance", "internal_bidder", "agency_admin", "agency_member"],
  "/custody": ["internal_bidder", "agency_admin", "agency_member"],
  "/custody/liability": ["preservation_officer", "approver", "auditor", "finance", "internal_bidder", "agency_admin", "agency_member"],
  "/custody/review": ["preservation_officer"],
  "/recoveries": ["preservation_officer", "approver", "auditor", "finance", "branch_clerk", "internal_bidder", "agency_admin", "agency_member"],
  "/remittances": ["preservation_officer", "approver", "auditor", "finance", "branch_clerk", "internal_bidder", "agency_admin", "agency_member"],
  "/settlement": ["preservation_officer", "approver", "auditor", "finance", "branch_clerk", "internal_bidder", "agency_admin", "agency_member"],
  "/settlement/statements": ["preservation_officer", "approver", "auditor", "finance", "branch_clerk", "internal_bidder", "agency_admin", "agency_member"],
};

describe("permission matrix: every role × every protected page", () => {
  it("covers every protected page in the expectation table", () => {
    expect(Object.keys(allowed).sort()).toEqual(protectedRoutes.map((r) => r.path).sort());
  });

  for (const route of protectedRoutes) {
    for (const role of roles) {
      const expected = allowed[route.path].includes(role);
      it(`${role} ${expected ? "may" : "may not"} open ${route.path}`, () => {
        expect(canOpen([role], route.path)).toBe(expected);
      });
    }
  }
});

describe("roles combine", () => {
  it("a user with several roles has the union of their permissions", () => {
    expect(can(["branch_clerk"], "audit:view")).toBe(false);
    expect(can(["branch_clerk", "auditor"], "audit:view")).toBe(true);
    expect(can(["branch_clerk", "auditor"], "recoveries:register")).toBe(true);
  });

  it("an unknown role grants nothing", () => {
    expect(can(["superuser"], "users:manage")).toBe(false);
  });

  it("only bank roles see every organization; agency roles only their own", () => {
    for (const role of ["agency_admin", "agency_member", "internal_bidder"] as const) {
      expect(permissionMatrix[role]).not.toContain("orgs:view-all");
      expect(permissionMatrix[role]).toContain("orgs:view-own");
    }
  });
});

describe("organization pages", () => {
  const member = { roles: ["agency_member"], organizationId: "agency-a" };
  it("an agency member opens their own agency", () => {
    expect(canViewOrganization(member, "agency-a")).toBe(true);
  });
  it("an agency member cannot open another agency", () => {
    expect(canViewOrganization(member, "agency-b")).toBe(false);
  });
  it("bank staff with orgs:view-all open any organization", () => {
    expect(canViewOrganization({ roles: ["finance"], organizationId: "bank" }, "agency-b")).toBe(true);
  });
});

describe("landing page per role", () => {
  it.each([
    [["admin"], "/admin/users"],
    [["preservation_officer"], "/orgs"],
    [["approver"], "/orgs"],
    [["auditor"], "/orgs"],
    [["finance"], "/orgs"],
    [["branch_clerk"], "/orgs"],
    [["internal_bidder"], "/eligibility"],
    [["agency_admin"], "/orgs/org-1"],
    [["agency_member"], "/orgs/org-1"],
  ])("%j lands on %s", (userRoles, path) => {
    expect(landingPathFor(userRoles, "org-1")).toBe(path);
  });
});

describe("the README documents the matrix in code", () => {
  it("contains the generated permission table verbatim", async () => {
    const { readFileSync } = await import("node:fs");
    const { permissionTableMarkdown } = await import("~/domain/permission-table");
    expect(readFileSync("README.md", "utf8")).toContain(permissionTableMarkdown());
  });
});
