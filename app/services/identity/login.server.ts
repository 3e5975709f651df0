import { UserError } from "~/domain/errors";
import { audited, auditContextFor } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { decoyHash, verifyPassword } from "~/infra/password.server";
import { clientIp, startSession } from "~/infra/session.server";
import { takeLoginAttempt } from "~/infra/rate-limit.server";

/** Failures in a row that lock an account, and for how long. */
export const loginPolicy = { maxFailures: 5, lockMinutes: 15 };

export interface LoginResult {
  userId: string;
  roles: string[];
  organizationId: string;
  setCookie: string;
}

/**
 * Password sign-in. Wrong passwords count per account; the fifth in a row locks it for a while
 * (the user is told until when). A locked or disabled account is refused even with the right password.
 */
export async function login(input: { email: string; password: string }, request: Request, now = new Date()): Promise<LoginResult> {
  if (!takeLoginAttempt(clientIp(request) ?? "local", now.getTime())) {
    throw new UserError("login.throttled", { status: 429 });
  }
  const user = await prisma.user.findUnique({ where: { email: input.email }, include: { roles: true } });
  if (!user) {
    await verifyPassword(input.password, await decoyHash());
    throw new UserError("login.invalid", { status: 401 });
  }
  if (user.lockedUntil && user.lockedUntil > now) {
    throw new UserError("login.locked", { params: { lockedUntil: user.lockedUntil.toISOString() }, status: 423 });
  }
  if (!(await verifyPassword(input.password, user.passwordHash))) {
    const failures = (user.lockedUntil && user.lockedUntil <= now ? 0 : user.failedLoginCount) + 1;
    const lock = failures >= loginPolicy.maxFailures;
    const lockedUntil = lock ? new Date(now.getTime() + loginPolicy.lockMinutes * 60_000) : null;
    const update = { where: { id: user.id }, data: { failedLoginCount: lock ? 0 : failures, lockedUntil } };
    if (lockedUntil) {
      const context = { ...auditContextFor(request, null), actorLabel: user.email };
      await audited(context, async (tx, audit) => {
        await tx.user.update(update);
        await audit({ action: "auth.lockout", entityType: "User", entityId: user.id, after: { lockedUntil, failures } });
      });
    } else {
      await prisma.user.update(update);
    }
    if (lockedUntil) throw new UserError("login.locked", { params: { lockedUntil: lockedUntil.toISOString() }, status: 423 });
    throw new UserError("login.invalid", { status: 401 });
  }
  if (user.disabledAt) throw new UserError("login.disabled", { status: 403 });
  const setCookie = await startSession(user.id, request);
  await audited(auditContextFor(request, user), async (tx, audit) => {
    await tx.user.update({ where: { id: user.id }, data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now } });
    await audit({ action: "auth.login", entityType: "User", entityId: user.id });
  });
  return {
    userId: user.id,
    roles: user.roles.map((r) => r.role),
    organizationId: user.organizationId,
    setCookie,
  };
}
