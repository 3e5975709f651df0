import { UserError } from "~/domain/errors";
import { audited, type AuditContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import type { Locale } from "~/infra/i18n";
import { hashPassword, verifyPassword } from "~/infra/password.server";

export async function logout(sessionId: string | null): Promise<void> {
  if (!sessionId) return;
  await prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** Ends every session of the user, this one included ("log out everywhere"). */
export async function logoutEverywhere(context: AuditContext, userId: string): Promise<number> {
  return audited(context, async (tx, audit) => {
    const { count } = await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await audit({ action: "auth.logout_everywhere", entityType: "User", entityId: userId, after: { sessionsEnded: count } });
    return count;
  });
}

export async function changePassword(
  context: AuditContext,
  user: AuthUser,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
  if (!(await verifyPassword(input.currentPassword, row.passwordHash))) {
    throw new UserError("account.wrongPassword", { field: "currentPassword" });
  }
  const passwordHash = await hashPassword(input.newPassword);
  const now = new Date();
  await audited(context, async (tx, audit) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, passwordChangedAt: now } });
    // A changed password ends the other sessions: whoever knew the old one is out.
    const { count } = await tx.session.updateMany({
      where: { userId: user.id, revokedAt: null, NOT: { id: user.sessionId } },
      data: { revokedAt: now },
    });
    await audit({ action: "auth.password_change", entityType: "User", entityId: user.id, after: { otherSessionsEnded: count } });
  });
}

export async function setLocale(userId: string, locale: Locale): Promise<void> {
  await prisma.user.update({ where: { id: userId }, data: { locale } });
}

export function listActiveSessions(userId: string) {
  return prisma.session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { lastSeenAt: "desc" },
    select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
  });
}
