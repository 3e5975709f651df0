import { agencyRoles, type Role } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { audited, type AuditContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { hashPassword } from "~/infra/password.server";
import type { z } from "zod";
import type { createUserSchema, updateUserSchema } from "./schemas";

export const usersPageSize = 25;

export async function listUsers(filter: { q?: string; page?: number }) {
  const page = Math.max(1, filter.page ?? 1);
  const q = filter.q?.trim();
  const where: Prisma.UserWhereInput = q
    ? { OR: [{ email: { contains: q } }, { displayName: { contains: q } }, { staffNumber: { contains: q } }] }
    : {};
  const [total, users] = await Promise.all([
    prisma.user.count({ where }),
    prisma.user.findMany({
      where,
      include: { roles: true, organization: { select: { name: true, kind: true } }, branch: { select: { name: true } } },
      orderBy: [{ organization: { kind: "desc" } }, { email: "asc" }],
      skip: (page - 1) * usersPageSize,
      take: usersPageSize,
    }),
  ]);
  return { total, page, pages: Math.max(1, Math.ceil(total / usersPageSize)), users };
}

export function getUserForAdmin(id: string) {
  return prisma.user.findUnique({ where: { id }, include: { roles: true, organization: true, branch: true } });
}

/** Organizations and branches to choose from in the user form. */
export function userFormChoices() {
  return prisma.organization.findMany({
    orderBy: [{ kind: "asc" }, { name: "asc" }],
    select: { id: true, name: true, kind: true, branches: { select: { id: true, name: true }, orderBy: { code: "asc" } } },
  });
}

type UserInput = z.infer<typeof updateUserSchema>;

/** The rules that tie a user's roles and fields to the kind of organization they belong to. */
async function checkUserFits(input: UserInput, excludeUserId?: string) {
  const org = await prisma.organization.findUnique({ where: { id: input.organizationId } });
  if (!org) throw new UserError("form.invalidChoice", { field: "organizationId" });
  for (const role of input.roles) {
    const isAgencyRole = agencyRoles.includes(role as Role);
    if (isAgencyRole !== (org.kind === "AGENCY")) {
      throw new UserError("users.roleNotForOrg", { field: "roles", params: { role } });
    }
  }
  if (input.branchId) {
    const branch = await prisma.branch.findUnique({ where: { id: input.branchId } });
    if (!branch || branch.organizationId !== org.id) throw new UserError("users.branchNotInOrg", { field: "branchId" });
  }
  if (org.kind === "BANK") {
    if (!input.staffNumber) throw new UserError("users.staffNumberRequired", { field: "staffNumber" });
    if (!input.employmentStatus) throw new UserError("users.employmentRequired", { field: "employmentStatus" });
  }
  const sameEmail = await prisma.user.findUnique({ where: { email: input.email } });
  if (sameEmail && sameEmail.id !== excludeUserId) throw new UserError("users.emailTaken", { field: "email" });
  if (input.staffNumber) {
    const sameStaff = await prisma.user.findUnique({ where: { staffNumber: input.staffNumber } });
    if (sameStaff && sameStaff.id !== excludeUserId) throw new UserError("users.staffNumberTaken", { field: "staffNumber" });
  }
  return org;
}

function userData(input: UserInput, kind: string) {
  return {
    email: input.email,
    displayName: input.displayName,
    organizationId: input.organizationId,
    branchId: input.branchId,
    staffNumber: input.staffNumber,
    position: input.position,
    employmentStatus: kind === "BANK" ? input.employmentStatus : null,
    locale: input.locale,
  };
}

export async function createUser(context: AuditContext, input: z.infer<typeof createUserSchema>) {
  const org = await checkUserFits(input);
  const passwordHash = await hashPassword(input.password);
  return audited(context, async (tx, audit) => {
    const data = userData(input, org.kind);
    const user = await tx.user.create({
      data: { ...data, passwordHash, roles: { create: input.roles.map((role) => ({ role })) } },
    });
    await audit({ action: "user.create", entityType: "User", entityId: user.id, after: { ...data, roles: input.roles } });
    return user;
  });
}

export async function updateUser(context: AuditContext, actor: AuthUser, userId: string, input: UserInput) {
  const existing = await prisma.user.findUnique({ where: { id: userId }, include: { roles: true } });
  if (!existing) throw new UserError("error.404.body", { status: 404 });
  if (actor.id === userId && actor.roles.includes("admin") && !input.roles.includes("admin")) {
    throw new UserError("users.cannotDropOwnAdmin", { field: "roles" });
  }
  const org = await checkUserFits(input, userId);
  const data = userData(input, org.kind);
  await audited(context, async (tx, audit) => {
    await tx.user.update({ where: { id: userId }, data });
    await tx.userRole.deleteMany({ where: { userId, role: { notIn: input.roles } } });
    for (const role of input.roles) {
      await tx.userRole.upsert({ where: { userId_role: { userId, role } }, create: { userId, role }, update: {} });
    }
    // Moving a user to another organization ends their sessions: what they may see has changed.
    if (existing.organizationId !== input.organizationId) {
      await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    }
    const before = {
      email: existing.email, displayName: existing.displayName, organizationId: existing.organizationId, branchId: existing.branchId,
      staffNumber: existing.staffNumber, position: existing.position, employmentStatus: existing.employmentStatus,
      locale: existing.locale, roles: existing.roles.map((r) => r.role).sort(),
    };
    await audit({ action: "user.update", entityType: "User", entityId: userId, before, after: { ...data, roles: [...input.roles].sort() } });
  });
}

/** Disabling a user ends all their sessions at once; enabling does not sign them in. */
export async function setUserDisabled(context: AuditContext, actor: AuthUser, userId: string, disabled: boolean) {
  if (disabled && actor.id === userId) throw new UserError("users.cannotDisableSelf");
  const now = new Date();
  await audited(context, async (tx, audit) => {
    const before = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { disabledAt: true } });
    await tx.user.update({ where: { id: userId }, data: { disabledAt: disabled ? now : null } });
    const ended = disabled ? (await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } })).count : 0;
    await audit({
      action: disabled ? "user.disable" : "user.enable", entityType: "User", entityId: userId,
      before: { disabledAt: before.disabledAt }, after: { disabledAt: disabled ? now : null, sessionsEnded: ended },
    });
  });
}

export async function unlockUser(context: AuditContext, userId: string) {
  await audited(context, async (tx, audit) => {
    const before = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { lockedUntil: true } });
    await tx.user.update({ where: { id: userId }, data: { lockedUntil: null, failedLoginCount: 0 } });
    await audit({ action: "user.unlock", entityType: "User", entityId: userId, before, after: { lockedUntil: null } });
  });
}
