import { redirect } from "@remix-run/node";
import { can, type Permission } from "~/domain/access";
import { prisma } from "./db.server";
import { readSessionId, sessionLifetimeMs } from "./session.server";
import { isLocale, defaultLocale, type Locale } from "./i18n";

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  organizationId: string;
  organizationKind: string;
  organizationName: string;
  branchId: string | null;
  locale: Locale;
  sessionId: string;
}

/** Refresh the sliding expiry at most this often, so reads do not write on every request. */
const touchIntervalMs = 60 * 1000;

/** The signed-in user, or null: a revoked, expired or disabled session counts as none. */
export async function getUser(request: Request): Promise<AuthUser | null> {
  const sessionId = await readSessionId(request);
  if (!sessionId) return null;
  const session = await prisma.session.findUnique({
    where: { id: sessionId },
    include: { user: { include: { roles: true, organization: true } } },
  });
  const now = Date.now();
  if (!session || session.revokedAt || session.expiresAt.getTime() <= now || session.user.disabledAt) return null;
  if (now - session.lastSeenAt.getTime() > touchIntervalMs) {
    await prisma.session.update({
      where: { id: sessionId },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(now + sessionLifetimeMs) },
    });
  }
  return { ...identityOf(session.user), sessionId };
}

/** Who a signed-in user or API token acts as: the fields every permission check reads. */
export function identityOf(user: {
  id: string; email: string; displayName: string; organizationId: string; branchId: string | null; locale: string;
  roles: { role: string }[]; organization: { kind: string; name: string };
}): Omit<AuthUser, "sessionId"> {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles.map((r) => r.role),
    organizationId: user.organizationId,
    organizationKind: user.organization.kind,
    organizationName: user.organization.name,
    branchId: user.branchId,
    locale: isLocale(user.locale) ? user.locale : defaultLocale,
  };
}

/** Signed in, or off to the login page (coming back here afterwards). */
export async function requireUser(request: Request): Promise<AuthUser> {
  const user = await getUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const hadSession = Boolean(await readSessionId(request));
  const params = new URLSearchParams({ redirectTo: url.pathname + url.search });
  if (hadSession) params.set("ended", "1");
  throw redirect(`/login?${params.toString()}`);
}

export function forbidden(): Response {
  return new Response("Forbidden", { status: 403 });
}

export function notFound(): Response {
  return new Response("Not Found", { status: 404 });
}

/** Signed in and holding the permission, or a 403. */
export async function requirePermission(request: Request, permission: Permission): Promise<AuthUser> {
  const user = await requireUser(request);
  if (!can(user.roles, permission)) throw forbidden();
  return user;
}
