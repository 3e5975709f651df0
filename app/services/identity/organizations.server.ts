import { canViewOrganization } from "~/domain/access";
import { checkEligibility, addMonths } from "~/domain/eligibility";
import { settingsAt } from "~/services/settings/settings.server";
import { UserError } from "~/domain/errors";
import { audited, type AuditContext } from "~/infra/audit.server";
import { forbidden, notFound, type AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import type { z } from "zod";
import type { branchSchema, organizationSchema } from "./schemas";

/** The organization form's input; stripeAccountId absent leaves the agency's Stripe account as it is. */
export type OrganizationInput = Omit<z.infer<typeof organizationSchema>, "stripeAccountId"> & { stripeAccountId?: string | null };

/** The bank with its branches and every agency with its licence standing: for bank staff. */
export async function organizationDirectory() {
  const organizations = await prisma.organization.findMany({
    orderBy: [{ kind: "asc" }, { name: "asc" }],
    include: { branches: { orderBy: { code: "asc" } }, _count: { select: { users: true } } },
  });
  return {
    bank: organizations.filter((o) => o.kind === "BANK"),
    agencies: organizations.filter((o) => o.kind === "AGENCY"),
  };
}

/**
 * One organization's page. Bank staff may open any; an agency's users only their own — anyone
 * else gets a 403, and an unknown id a 404 only for those who could see every organization.
 */
export async function getOrganizationFor(viewer: AuthUser, organizationId: string) {
  if (!canViewOrganization(viewer, organizationId)) throw forbidden();
  const organization = await prisma.organization.findUnique({
    where: { id: organizationId },
    include: {
      branches: { orderBy: { code: "asc" } },
      users: {
        orderBy: { email: "asc" },
        select: { id: true, email: true, displayName: true, position: true, disabledAt: true, roles: { select: { role: true } } },
      },
    },
  });
  if (!organization) throw notFound();
  return organization;
}

export async function createAgency(context: AuditContext, input: OrganizationInput) {
  if (await prisma.organization.findUnique({ where: { name: input.name } })) {
    throw new UserError("orgs.nameTaken", { field: "name" });
  }
  return audited(context, async (tx, audit) => {
    const org = await tx.organization.create({ data: { kind: "AGENCY", ...input } });
    await audit({ action: "organization.create", entityType: "Organization", entityId: org.id, after: { kind: "AGENCY", ...input } });
    return org;
  });
}

export async function updateOrganization(context: AuditContext, organizationId: string, input: OrganizationInput) {
  const existing = await prisma.organization.findUnique({ where: { id: organizationId } });
  if (!existing) throw notFound();
  const sameName = await prisma.organization.findUnique({ where: { name: input.name } });
  if (sameName && sameName.id !== organizationId) throw new UserError("orgs.nameTaken", { field: "name" });
  return audited(context, async (tx, audit) => {
    const org = await tx.organization.update({ where: { id: organizationId }, data: input });
    const before = Object.fromEntries(Object.keys(input).map((k) => [k, existing[k as keyof typeof existing]]));
    await audit({ action: "organization.update", entityType: "Organization", entityId: organizationId, before, after: input });
    return org;
  });
}

export async function addBranch(context: AuditContext, organizationId: string, input: z.infer<typeof branchSchema>) {
  const org = await prisma.organization.findUnique({ where: { id: organizationId } });
  if (!org) throw notFound();
  if (org.kind !== "BANK") throw forbidden();
  const clash = await prisma.branch.findFirst({ where: { OR: [{ code: input.code }, { name: input.name }] } });
  if (clash) throw new UserError("orgs.branchCodeTaken", { field: "code" });
  return audited(context, async (tx, audit) => {
    const branch = await tx.branch.create({ data: { organizationId, ...input } });
    await audit({ action: "branch.create", entityType: "Branch", entityId: branch.id, after: { organizationId, ...input } });
    return branch;
  });
}

/** R3 as it stands for this user today (a tender adds its own audience and positions later). */
export async function eligibilityOf(userId: string, today = new Date()) {
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, include: { organization: true } });
  const settings = await settingsAt(today);
  const termEnd = addMonths(today, settings.values.contractTermMonths);
  const bidder =
    user.organization.kind === "AGENCY"
      ? {
          kind: "agency" as const,
          licenceValidUntil: user.organization.licenceValidUntil,
          bannedUntil: user.organization.bannedUntil,
          disabled: Boolean(user.disabledAt),
        }
      : {
          kind: "staff" as const,
          employmentStatus: user.employmentStatus,
          position: user.position,
          disabled: Boolean(user.disabledAt),
        };
  const result = checkEligibility(bidder, { excludedPositions: settings.values.excludedPositions, termEnd, today });
  return { result, termEnd, termMonths: settings.values.contractTermMonths, settingsVersion: settings.version, user };
}
