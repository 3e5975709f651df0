/**
 * Who may do what. The one permission matrix of the product: every loader and action asks it
 * (through infra/permissions.server.ts) and the navigation is derived from it, so the menu never
 * offers what the server would refuse.
 */

export const roles = [
  "admin",
  "preservation_officer",
  "approver",
  "auditor",
  "finance",
  "branch_clerk",
  "internal_bidder",
  "agency_admin",
  "agency_member",
] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export const permissions = [
  "users:manage",
  "orgs:manage",
  "orgs:view-all",
  "orgs:view-own",
  "eligibility:view-own",
  "audit:view",
  "settings:manage",
  "settings:approve",
  "loans:view",
  "loans:import",
  "loans:unmask",
  "loans:unmask-branch",
  "loans:manage",
  "loans:record-interruption",
  "packages:view",
  "packages:manage",
  "packages:approve",
  "tenders:manage",
  "tenders:bid",
  "custody:view",
  "custody:work",
  "custody:manage",
  "recoveries:register",
  "recoveries:verify",
  "settlement:finance",
  "settlement:view",
] as const;
export type Permission = (typeof permissions)[number];

const bankDepartment: Permission[] = ["orgs:view-all", "orgs:view-own", "loans:view", "packages:view", "custody:view", "settlement:view"];
const bidder: Permission[] = ["orgs:view-own", "eligibility:view-own", "tenders:bid", "custody:view", "custody:work", "settlement:view"];

export const permissionMatrix: Record<Role, readonly Permission[]> = {
  admin: ["users:manage", "orgs:manage", "orgs:view-all", "orgs:view-own", "audit:view"],
  preservation_officer: [
    ...bankDepartment,
    "loans:import",
    "loans:unmask",
  "loans:unmask-branch",
  "loans:manage",
  "loans:record-interruption",
    "packages:manage",
    "tenders:manage",
    "custody:manage",
    "settings:manage",
    "settings:approve",
  ],
  approver: [...bankDepartment, "packages:approve"],
  auditor: [...bankDepartment, "audit:view", "recoveries:verify"],
  finance: [...bankDepartment, "settlement:finance"],
  branch_clerk: ["orgs:view-all", "orgs:view-own", "loans:view", "loans:unmask-branch", "loans:record-interruption", "recoveries:register", "settlement:view"],
  internal_bidder: bidder,
  agency_admin: bidder,
  agency_member: bidder,
};

export function can(userRoles: readonly string[], permission: Permission): boolean {
  return userRoles.some((role) => isRole(role) && permissionMatrix[role].includes(permission));
}

export function permissionsOf(userRoles: readonly string[]): Permission[] {
  return permissions.filter((p) => can(userRoles, p));
}

/** Roles that belong to agency users; all others are bank roles. */
export const agencyRoles: readonly Role[] = ["agency_admin", "agency_member"];

/**
 * Pages guarded by one permission. Pages whose rule depends on the record (an organization page:
 * all organizations, or only one's own) check that in the service as well.
 */
export const protectedRoutes = [
  { path: "/admin/users", permission: "users:manage" },
  { path: "/admin/users/new", permission: "users:manage" },
  { path: "/admin/orgs", permission: "orgs:manage" },
  { path: "/admin/orgs/new", permission: "orgs:manage" },
  { path: "/admin/outbox", permission: "users:manage" },
  { path: "/admin/jobs", permission: "users:manage" },
  { path: "/orgs", permission: "orgs:view-all" },
  { path: "/eligibility", permission: "eligibility:view-own" },
  { path: "/audit", permission: "audit:view" },
  { path: "/settings", permission: "settings:manage" },
  { path: "/audit/export", permission: "audit:view" },
  { path: "/loans", permission: "loans:view" },
  { path: "/loans/limitation", permission: "loans:view" },
  { path: "/loans/export", permission: "loans:view" },
  { path: "/loan-tapes", permission: "loans:import" },
  { path: "/loan-tapes/template", permission: "loans:import" },
  { path: "/pricing", permission: "loans:manage" },
  { path: "/packages", permission: "packages:view" },
  { path: "/packages/new", permission: "packages:manage" },
  { path: "/tenders/new", permission: "tenders:manage" },
  { path: "/deposits", permission: "settlement:finance" },
  { path: "/contracts", permission: "custody:view" },
  { path: "/custody", permission: "custody:work" },
  { path: "/custody/liability", permission: "custody:view" },
  { path: "/custody/review", permission: "custody:manage" },
  { path: "/recoveries", permission: "settlement:view" },
  { path: "/remittances", permission: "settlement:view" },
  { path: "/settlement", permission: "settlement:view" },
  { path: "/settlement/statements", permission: "settlement:view" },
] as const satisfies readonly { path: string; permission: Permission }[];
export type ProtectedPath = (typeof protectedRoutes)[number]["path"];

export function canOpen(userRoles: readonly string[], path: ProtectedPath): boolean {
  const route = protectedRoutes.find((r) => r.path === path);
  return route ? can(userRoles, route.permission) : false;
}

/** Organization pages: anyone with orgs:view-all, otherwise only one's own organization. */
export function canViewOrganization(
  viewer: { roles: readonly string[]; organizationId: string },
  organizationId: string,
): boolean {
  if (can(viewer.roles, "orgs:view-all")) return true;
  return can(viewer.roles, "orgs:view-own") && viewer.organizationId === organizationId;
}

/** Where a user lands after signing in: the page of the first of their roles, in this order. */
export function landingPathFor(userRoles: readonly string[], organizationId: string): string {
  if (userRoles.includes("admin")) return "/admin/users";
  if (userRoles.some((r) => ["preservation_officer", "approver", "auditor", "finance", "branch_clerk"].includes(r)))
    return "/orgs";
  if (userRoles.includes("internal_bidder")) return "/eligibility";
  if (userRoles.some((r) => agencyRoles.includes(r as Role))) return `/orgs/${organizationId}`;
  return "/";
}
