/**
 * A DateTime as Prisma stores it in SQLite (`2026-11-23T22:57:32.910+00:00`), for rows written
 * without Prisma (the loan-tape import's bulk writer, raw audit entries): they read back through
 * Prisma as the same instant and sort with Prisma's own.
 */
export function sqliteDateTime(date: Date): string {
  return date.toISOString().replace(/Z$/, "+00:00");
}
