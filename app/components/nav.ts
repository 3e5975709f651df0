import { can, type Permission } from "~/domain/access";
import type { MessageKey } from "~/infra/i18n";

export interface NavItem {
  to: string;
  label: MessageKey;
  testId: string;
}

interface NavRule {
  label: MessageKey;
  testId: string;
  to: (user: { organizationId: string }) => string;
  show: (user: { roles: string[]; organizationKind: string }) => boolean;
}

const by = (permission: Permission) => (user: { roles: string[] }) => can(user.roles, permission);

/** The menu is derived from the permission matrix, so it never offers a page the server would refuse. */
const rules: NavRule[] = [
  { label: "nav.home", testId: "nav-home", to: () => "/", show: () => true },
  { label: "nav.users", testId: "nav-users", to: () => "/admin/users", show: by("users:manage") },
  { label: "nav.orgs", testId: "nav-orgs", to: () => "/admin/orgs", show: by("orgs:manage") },
  { label: "nav.jobs", testId: "nav-jobs", to: () => "/admin/jobs", show: by("users:manage") },
  { label: "nav.outbox", testId: "nav-outbox", to: () => "/admin/outbox", show: by("users:manage") },
  { label: "nav.loans", testId: "nav-loans", to: () => "/loans", show: by("loans:view") },
  { label: "nav.limitation", testId: "nav-limitation", to: () => "/loans/limitation", show: by("loans:view") },
  { label: "nav.loanTapes", testId: "nav-loan-tapes", to: () => "/loan-tapes", show: by("loans:import") },
  { label: "nav.pricing", testId: "nav-pricing", to: () => "/pricing", show: by("loans:manage") },
  { label: "nav.packages", testId: "nav-packages", to: () => "/packages", show: by("packages:view") },
  { label: "nav.tenders", testId: "nav-tenders", to: () => "/tenders", show: (u) => ["packages:view", "tenders:manage", "tenders:bid"].some((p) => can(u.roles, p as Permission)) },
  { label: "nav.deposits", testId: "nav-deposits", to: () => "/deposits", show: by("settlement:finance") },
  { label: "nav.contracts", testId: "nav-contracts", to: () => "/contracts", show: by("custody:view") },
  { label: "nav.custody", testId: "nav-custody", to: () => "/custody", show: by("custody:work") },
  { label: "nav.custodyReview", testId: "nav-custody-review", to: () => "/custody/review", show: by("custody:manage") },
  { label: "nav.recoveries", testId: "nav-recoveries", to: () => "/recoveries", show: by("settlement:view") },
  { label: "nav.remittances", testId: "nav-remittances", to: () => "/remittances", show: by("settlement:view") },
  { label: "nav.settlement", testId: "nav-settlement", to: () => "/settlement", show: by("settlement:view") },
  { label: "nav.statements", testId: "nav-statements", to: () => "/settlement/statements", show: by("settlement:view") },
  { label: "nav.settings", testId: "nav-settings", to: () => "/settings", show: by("settings:manage") },
  { label: "nav.audit", testId: "nav-audit", to: () => "/audit", show: by("audit:view") },
  { label: "nav.directory", testId: "nav-directory", to: () => "/orgs", show: by("orgs:view-all") },
  {
    label: "nav.myOrg",
    testId: "nav-my-org",
    to: (u) => `/orgs/${u.organizationId}`,
    show: (u) => u.organizationKind === "AGENCY",
  },
  { label: "nav.eligibility", testId: "nav-eligibility", to: () => "/eligibility", show: by("eligibility:view-own") },
  { label: "nav.account", testId: "nav-account", to: () => "/account", show: () => true },
];

export function navFor(user: { roles: string[]; organizationId: string; organizationKind: string }): NavItem[] {
  return rules.filter((r) => r.show(user)).map((r) => ({ to: r.to(user), label: r.label, testId: r.testId }));
}
