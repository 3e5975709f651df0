// Checks the test harness itself: every worker has its own migrated copy of the template database.
import fs from "node:fs";
import os from "node:os";
import Database from "better-sqlite3";
import { describe, expect, inject, it } from "vitest";
import { databaseFile, resetDatabase } from "./reset-db";

describe("test harness", () => {
  it("gives this worker its own migrated database file", () => {
    const url = process.env.DATABASE_URL ?? "";
    expect(url).toMatch(/^file:.*worker-[^/\\]+\.db$/);
    const file = databaseFile(url);
    expect(file.startsWith(os.tmpdir())).toBe(true);
    expect(fs.existsSync(file)).toBe(true);
    const templateDb = inject("templateDb");
    expect(fs.existsSync(templateDb)).toBe(true);
    expect(file).not.toBe(templateDb);

    const db = new Database(file, { readonly: true });
    try {
      const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'User'").get();
      expect(table).toEqual({ name: "User" });
      const migrations = db.prepare('SELECT COUNT(*) AS n FROM "_prisma_migrations"').get() as { n: number };
      expect(migrations.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it("sets a per-worker DATA_DIR and a session secret", () => {
    expect(process.env.DATA_DIR).toBeTruthy();
    expect(fs.existsSync(process.env.DATA_DIR ?? "")).toBe(true);
    expect(process.env.SESSION_SECRET).toBe("test-secret");
  });

  it("resetDatabase() empties the tables but keeps the migration history", () => {
    const file = databaseFile();
    const db = new Database(file);
    try {
      db.prepare("INSERT INTO \"Organization\" (id, kind, name, updatedAt) VALUES ('harness-org', 'BANK', 'Harness', CURRENT_TIMESTAMP)").run();
      resetDatabase();
      const orgs = db.prepare('SELECT COUNT(*) AS n FROM "Organization"').get() as { n: number };
      expect(orgs.n).toBe(0);
      const migrations = db.prepare('SELECT COUNT(*) AS n FROM "_prisma_migrations"').get() as { n: number };
      expect(migrations.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});
