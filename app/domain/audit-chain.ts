/**
 * The audit trail's hash chain, independent of storage: each entry's hash is SHA-256 over its
 * canonical serialization followed by the previous entry's hash. The hash function is passed in
 * so the domain stays free of Node I/O.
 */

export const genesisHash = "0".repeat(64);

export interface AuditFields {
  id: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  organizationId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: string | null;
  after: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Keys sorted, dates as ISO strings, nulls explicit: the same entry always serializes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function chainHash(entry: AuditFields, prevHash: string, sha256Hex: (text: string) => string): string {
  return sha256Hex(canonicalJson(entry) + prevHash);
}

export type ChainBreak = { id: number; reason: "prev_hash_mismatch" | "hash_mismatch" | "sequence_gap" };

/** Walks entries in id order; returns the first entry whose link or content does not check out. */
export function findChainBreak(
  entries: Iterable<AuditFields & { prevHash: string; hash: string }>,
  sha256Hex: (text: string) => string,
  startHash = genesisHash,
  startId = 0,
): { checked: number; lastHash: string; broken: ChainBreak | null } {
  let previous = startHash;
  let previousId = startId;
  let checked = 0;
  for (const { prevHash, hash, ...fields } of entries) {
    // Ids are consecutive from 1: a missing id means a removed entry even if the links were redone.
    if (fields.id !== previousId + 1) return { checked, lastHash: previous, broken: { id: fields.id, reason: "sequence_gap" } };
    if (prevHash !== previous) return { checked, lastHash: previous, broken: { id: fields.id, reason: "prev_hash_mismatch" } };
    if (chainHash(fields, prevHash, sha256Hex) !== hash) return { checked, lastHash: previous, broken: { id: fields.id, reason: "hash_mismatch" } };
    previous = hash;
    previousId = fields.id;
    checked++;
  }
  return { checked, lastHash: previous, broken: null };
}
