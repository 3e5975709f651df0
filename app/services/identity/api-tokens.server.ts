import crypto from "node:crypto";
import { UserError } from "~/domain/errors";
import { audited, type AuditContext } from "~/infra/audit.server";
import { identityOf, type AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";

/**
 * Personal API tokens (bearer). The token is shown once, when it is made; only its SHA-256 is kept,
 * with its first characters so the owner can recognize it in a list. A token acts with its user's
 * permissions, and stops working when it is revoked or the user is disabled.
 */

export const apiTokenPrefix = "npl_";
const prefixLength = 12;
/** Record the last use at most this often, so reads do not write on every request. */
const touchIntervalMs = 60 * 1000;

export const hashApiToken = (token: string) => crypto.createHash("sha256").update(token, "utf8").digest("hex");

export interface ApiTokenRecord {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const recordFields = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

/** Makes a token for the user; the returned `token` is the only time it is ever seen. */
export async function createApiToken(context: AuditContext, userId: string, name: string): Promise<{ token: string; record: ApiTokenRecord }> {
  const trimmed = name.trim();
  if (!trimmed) throw new UserError("form.required", { field: "name" });
  if (trimmed.length > 100) throw new UserError("form.tooLong", { field: "name" });
  const token = apiTokenPrefix + crypto.randomBytes(32).toString("base64url");
  const record = await audited(context, async (tx, audit) => {
    const row = await tx.apiToken.create({
      data: { userId, name: trimmed, prefix: token.slice(0, prefixLength), tokenHash: hashApiToken(token) },
      select: recordFields,
    });
    await audit({ action: "api_token.create", entityType: "ApiToken", entityId: row.id, after: { userId, name: row.name, prefix: row.prefix } });
    return row;
  });
  return { token, record };
}

/** Revokes one of the user's own tokens; someone else's token is "not found". */
export async function revokeApiToken(context: AuditContext, userId: string, tokenId: string): Promise<void> {
  await audited(context, async (tx, audit) => {
    const row = await tx.apiToken.findFirst({ where: { id: tokenId, userId } });
    if (!row) throw new UserError("apiToken.notFound", { status: 404 });
    if (row.revokedAt) return;
    await tx.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await audit({ action: "api_token.revoke", entityType: "ApiToken", entityId: row.id, before: { revokedAt: null }, after: { userId, prefix: row.prefix } });
  });
}

/** The user's tokens that still work, newest first. */
export function listApiTokens(userId: string): Promise<ApiTokenRecord[]> {
  return prisma.apiToken.findMany({ where: { userId, revokedAt: null }, orderBy: { createdAt: "desc" }, select: recordFields });
}

export type ApiUser = Omit<AuthUser, "sessionId"> & { tokenId: string };

/** The user a bearer token acts for, or null: unknown, revoked, or the user is disabled. */
export async function userForToken(token: string, now = new Date()): Promise<ApiUser | null> {
  if (!token.startsWith(apiTokenPrefix) || token.length > 200) return null;
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashApiToken(token) },
    include: { user: { include: { roles: true, organization: true } } },
  });
  if (!row || row.revokedAt || row.user.disabledAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > touchIntervalMs) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { ...identityOf(row.user), tokenId: row.id };
}
