import { parseTerms } from "~/domain/contract";
import type { LateInterestSettings } from "~/domain/late-interest";
import type { RecoveryPosition, SettingsFor } from "~/domain/remittance-position";
import type { Tx } from "~/infra/audit.server";
import { type prisma } from "~/infra/db.server";
import { settingsByDay } from "~/services/settings/settings.server";

/**
 * Loads what R7 is computed from: every recovery a custodian owes the bank (reported, registered or
 * verified; a rejected one never was owed) with the parts of it remitted, per contract. Shared by the
 * late-interest job, deductions, statements, the views and the bench, so they all agree to the fen.
 */
export async function recoveryPositions(db: Tx | typeof prisma, contractIds: readonly string[]): Promise<Map<string, RecoveryPosition[]>> {
  const byContract = new Map<string, RecoveryPosition[]>(contractIds.map((id) => [id, []]));
  if (contractIds.length === 0) return byContract;
  const recoveries = await db.recovery.findMany({
    where: { contractId: { in: [...contractIds] }, status: { not: "REJECTED" } },
    select: { id: true, contractId: true, collectedOn: true, amount: true },
    orderBy: [{ collectedOn: "asc" }, { reportedAt: "asc" }, { id: "asc" }],
  });
  const allocations = await db.remittanceAllocation.findMany({
    where: { contractId: { in: [...contractIds] } },
    select: { recoveryId: true, amount: true, remittedOn: true },
    orderBy: [{ remittedOn: "asc" }, { createdAt: "asc" }],
  });
  const parts = new Map<string, { amount: bigint; remittedOn: string }[]>();
  for (const a of allocations) {
    const list = parts.get(a.recoveryId) ?? [];
    list.push({ amount: a.amount, remittedOn: a.remittedOn });
    parts.set(a.recoveryId, list);
  }
  for (const r of recoveries) {
    byContract.get(r.contractId)?.push({ id: r.id, collectedOn: r.collectedOn, amount: r.amount, parts: parts.get(r.id) ?? [] });
  }
  return byContract;
}

/**
 * R7 settings for one contract's recoveries: the delays and day basis its signed terms froze, and the
 * loan-rate schedule of the settings version in force on each collection day.
 */
export async function lateInterestSettingsFor(db: Tx | typeof prisma): Promise<(termsJson: string) => SettingsFor> {
  const onDay = await settingsByDay(db);
  return (termsJson: string) => {
    const { remittance } = parseTerms(termsJson);
    return (collectedOn: string): LateInterestSettings => ({
      lateInterestFromDays: remittance.lateInterestFromDays,
      interestDayBasis: remittance.interestDayBasis,
      loanRateSchedule: onDay(collectedOn).loanRateSchedule,
    });
  };
}
