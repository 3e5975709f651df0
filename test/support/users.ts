// Integration-test helpers shared by the service tests: act as a seeded user, and catch the
// UserError a service refuses with.
import { UserError } from "~/domain/errors";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import type { Locale } from "~/infra/i18n";

/** The seeded user with this email, as the services see a signed-in user. */
export async function asUser(email: string, locale: Locale = "zh-CN"): Promise<AuthUser> {
  const u = await prisma.user.findUniqueOrThrow({ where: { email }, include: { roles: true, organization: true } });
  return {
    id: u.id, email: u.email, displayName: u.displayName, roles: u.roles.map((r) => r.role),
    organizationId: u.organizationId, organizationKind: u.organization.kind, organizationName: u.organization.name,
    branchId: u.branchId, locale, sessionId: "test-session",
  };
}

/** The UserError a promise rejects with; fails when it resolves or throws anything else. */
export async function refusal(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a refusal (UserError)");
}
