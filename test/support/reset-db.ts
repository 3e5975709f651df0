// Empties every table of the worker's database (process.env.DATABASE_URL), keeping the schema and
// Prisma's migration history. Uses better-sqlite3 directly, so it works whatever the app's client state.
//
//   import { resetDatabase } from "../support/reset-db";
//   beforeEach(() => resetDatabase());
import path from "node:path";
import Database from "better-sqlite3";

/** `file:./x.db`, `file:/abs/x.db?…` or a bare path → an absolute path (relative to the cwd). */
export function databaseFile(url: string | undefined = process.env.DATABASE_URL): string {
  if (!url) throw new Error("resetDatabase: DATABASE_URL is not set (is test/support/worker-db.ts a setupFile?)");
  const withoutScheme = url.startsWith("file:") ? url.slice("file:".length) : url;
  return path.resolve(withoutScheme.split("?")[0] ?? withoutScheme);
}

let cachedTriggers: string[] | undefined;
/** The triggers as migrated (from the run's template database), so a reset always restores all of them. */
function templateTriggers(): string[] {
  if (cachedTriggers) return cachedTriggers;
  const template = process.env.NPL_TEST_TEMPLATE_DB;
  if (!template) throw new Error("resetDatabase: NPL_TEST_TEMPLATE_DB is not set (is test/support/global-setup.ts the globalSetup?)");
  const db = new Database(template, { readonly: true, fileMustExist: true });
  try {
    cachedTriggers = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger'").all() as { sql: string }[]).map((t) => t.sql);
    return cachedTriggers;
  } finally {
    db.close();
  }
}

export function resetDatabase(url: string | undefined = process.env.DATABASE_URL): void {
  const db = new Database(databaseFile(url), { fileMustExist: true, timeout: 10_000 });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_prisma_migrations'",
      )
      .all() as { name: string }[];
    const hasSequence = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").get();
    // Append-only tables refuse DELETE by trigger; a test reset drops the triggers and puts them back
    // (a test may also have dropped one on purpose, so they are restored from the migrated template's SQL).
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    db.pragma("foreign_keys = OFF");
    try {
      db.transaction(() => {
        for (const { name } of triggers) db.exec(`DROP TRIGGER "${name.replaceAll('"', '""')}"`);
        for (const { name } of tables) db.prepare(`DELETE FROM "${name.replaceAll('"', '""')}"`).run();
        if (hasSequence) db.prepare("DELETE FROM sqlite_sequence").run();
        for (const sql of templateTriggers()) db.exec(sql);
      })();
    } finally {
      db.pragma("foreign_keys = ON");
    }
  } finally {
    db.close();
  }
}
