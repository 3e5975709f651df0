/**
 * The defaults of rules.md that the identity pages already need. [F2] turns every setting into
 * versioned, effective-dated data seeded from these values; until then they are read from here only.
 */
export const defaultSettings = {
  /** R3: positions excluded from bidding. */
  excludedPositions: ["行长", "管片稽核员"] as readonly string[],
  /** R5: custody term in months (a licence must be valid through it). */
  contractTermMonths: 24,
} as const;
