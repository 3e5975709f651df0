// Shared by the job tests: sessions around the purge cutoff, and a stable snapshot of what is left.
import { prisma } from "~/infra/db.server";
import { resetDatabase } from "../support/reset-db";

const DAY_MS = 24 * 3600_000;

export async function seedSessions(): Promise<void> {
  resetDatabase();
  const org = await prisma.organization.create({ data: { kind: "BANK", name: "测试银行资产保全部" } });
  const user = await prisma.user.create({
    data: { email: "purge@example.test", displayName: "清理测试", organizationId: org.id, passwordHash: "x" },
  });
  const now = Date.now();
  const at = (days: number) => new Date(now + days * DAY_MS);
  await prisma.session.createMany({
    data: [
      { id: "old-expired", userId: user.id, expiresAt: at(-40) },
      { id: "old-revoked", userId: user.id, expiresAt: at(10), revokedAt: at(-40) },
      { id: "recent-expired", userId: user.id, expiresAt: at(-5) },
      { id: "recent-revoked", userId: user.id, expiresAt: at(10), revokedAt: at(-5) },
      { id: "active", userId: user.id, expiresAt: at(10) },
    ],
  });
}

export function sessionRows() {
  return prisma.session.findMany({ orderBy: { id: "asc" } });
}
