import type { Tx } from "~/infra/audit.server";

/** RCV / RMT / STM numbers: PREFIX-YYYY-NNNNNN, never reused (a trigger keeps the sequence growing). */
export async function nextSettlementNumber(tx: Tx, prefix: "RCV" | "RMT" | "STM", year: number): Promise<string> {
  const row = await tx.settlementNumberSequence.upsert({
    where: { prefix_year: { prefix, year } },
    create: { prefix, year, last: 1 },
    update: { last: { increment: 1 } },
  });
  return `${prefix}-${year}-${String(row.last).padStart(6, "0")}`;
}
