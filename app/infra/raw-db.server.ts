import Database from "better-sqlite3";
import { databaseFileFromUrl } from "./db/database-url";
import { getEnv } from "./env.server";

/**
 * A direct better-sqlite3 connection to the product's database, for bulk work that Prisma would
 * make slow (the loan-tape import writes 100,000 rows in one transaction). Same pragmas as the
 * Prisma adapter (app/infra/db/sqlite-adapter.ts). The caller closes it.
 */
export function openRawDatabase(): Database.Database {
  const db = new Database(databaseFileFromUrl(getEnv().databaseUrl), { timeout: 5000 });
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  return db;
}

/**
 * A DateTime as Prisma stores it in SQLite (`2026-11-23T22:57:32.910+00:00`), so rows written here
 * read back through Prisma as the same instant and sort with Prisma's own.
 */
export function sqliteDateTime(date: Date): string {
  return date.toISOString().replace(/Z$/, "+00:00");
}
