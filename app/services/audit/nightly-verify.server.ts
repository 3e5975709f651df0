import { systemContext, verifyAuditChain, audited } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { queueEmailIn } from "~/services/email/outbox.server";

/**
 * The nightly check: verify the whole chain; on a break, write one alert per active admin into the
 * outbox (in their language) and record the failed check itself in the audit trail.
 * Returns the outbox ids to dispatch after the transaction.
 */
export async function verifyChainAndAlert(now = new Date()): Promise<{ broken: boolean; outboxIds: string[] }> {
  const result = await verifyAuditChain();
  if (!result.broken) return { broken: false, outboxIds: [] };
  const admins = await prisma.user.findMany({ where: { disabledAt: null, roles: { some: { role: "admin" } } } });
  const broken = result.broken;
  const outboxIds = await audited(systemContext("audit.verify"), async (tx, audit) => {
    const ids: string[] = [];
    for (const admin of admins) {
      const message = await queueEmailIn(tx, admin, "auditChainBroken", {
        id: broken.id, reason: broken.reason, checked: result.checked, checkedAt: now.toISOString(),
      });
      ids.push(message.id);
    }
    await audit({ action: "audit.verify_failed", entityType: "AuditEntry", entityId: String(broken.id), after: { ...broken, alerted: admins.map((a) => a.email) } });
    return ids;
  });
  return { broken: true, outboxIds };
}
