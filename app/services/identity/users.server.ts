import { agencyRoles, type Role } from "~/domain/access";
import { UserError } from "~/domain/errors";
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

export async function createUser(input: z.infer<typeof createUserSchema>) {
  const org = await checkUserFits(input);
  const passwordHash = await hashPassword(input.password);
  return prisma.user.create({
    data: { ...userData(input, org.kind), passwordHash, roles: { create: input.roles.map((role) => ({ role })) } },
  });
}

export async function updateUser(actor: AuthUser, userId: string, input: UserInput) {
  const existing = await prisma.user.findUnique({ where: { id: userId } });
  if (!existing) throw new UserError("error.404.body", { status: 404 });
  if (actor.id === userId && actor.roles.includes("admin") && !input.roles.includes("admin")) {
    throw new UserError("users.cannotDropOwnAdmin", { field: "roles" });
  }
  const org = await checkUserFits(input, userId);
  await prisma.$transaction([
    prisma.user.update({ where: { id: userId }, data: userData(input, org.kind) }),
    prisma.userRole.deleteMany({ where: { userId, role: { notIn: input.roles } } }),
    ...input.roles.map((role) =>
      prisma.userRole.upsert({ where: { userId_role: { userId, role } }, create: { userId, role }, update: {} }),
    ),
    // Moving a user to another organization ends their sessions: what they may see has changed.
    ...(existing.organizationId !== input.organizationId
      ? [prisma.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } })]
      : []),
  ]);
}

/** Disabling a user ends all their sessions at once; enabling does not sign them in. */
export async function setUserDisabled(actor: AuthUser, userId: string, disabled: boolean) {
  if (disabled && actor.id === userId) throw new UserError("users.cannotDisableSelf");
  const now = new Date();
  await prisma.$transaction([
    prisma.user.update({ where: { id: userId }, data: { disabledAt: disabled ? now : null } }),
    ...(disabled
      ? [prisma.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } })]
      : []),
  ]);
}

export async function unlockUser(userId: string) {
  await prisma.user.update({ where: { id: userId }, data: { lockedUntil: null, failedLoginCount: 0 } });
}
