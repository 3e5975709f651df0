import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { databaseFileFromUrl } from "~/infra/db/database-url";
import { prisma } from "~/infra/db.server";
import { checkHealth } from "~/infra/health.server";

describe("SQLite connection settings", () => {
  it("runs in WAL mode with foreign keys enforced and a busy timeout", async () => {
    const [journal] = await prisma.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    const [fk] = await prisma.$queryRawUnsafe<{ foreign_keys: bigint | number }[]>("PRAGMA foreign_keys");
    const [busy] = await prisma.$queryRawUnsafe<{ timeout: bigint | number }[]>("PRAGMA busy_timeout");
    expect(journal?.journal_mode).toBe("wal");
    expect(Number(fk?.foreign_keys)).toBe(1);
    expect(Number(busy?.timeout)).toBe(5000);
  });

  it("takes the write lock when a transaction starts, so another process's writer waits instead of failing the transaction", async () => {
    // A second writer (the worker process) with no patience: while our transaction is open, after a
    // read only, it cannot start writing. With a deferred BEGIN it could, and our transaction's first
    // write would then fail with SQLITE_BUSY_SNAPSHOT.
    const other = new Database(databaseFileFromUrl(process.env.DATABASE_URL!));
    other.pragma("busy_timeout = 0");
    try {
      await prisma.$transaction(async (tx) => {
        await tx.user.count();
        expect(() => other.exec("BEGIN IMMEDIATE")).toThrow(/locked|busy/i);
      });
      other.exec("BEGIN IMMEDIATE");
      other.exec("ROLLBACK");
    } finally {
      other.close();
    }
  });

  it("refuses a row that points at nothing", async () => {
    await expect(
      prisma.branch.create({ data: { organizationId: "missing", code: "X1", name: "无主网点", region: "无" } }),
    ).rejects.toThrow();
  });
});

describe("health check", () => {
  it("reports the database, and Redis as not configured without REDIS_URL", async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      const health = await checkHealth();
      expect(health.database).toEqual({ status: "ok" });
      expect(health.redis).toEqual({ status: "not_configured" });
      expect(health.status).toBe("ok");
    } finally {
      if (saved) process.env.REDIS_URL = saved;
    }
  });

  it("reports an unreachable Redis as an error", async () => {
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    try {
      const health = await checkHealth();
      expect(health.redis.status).toBe("error");
      expect(health.status).toBe("error");
    } finally {
      delete process.env.REDIS_URL;
    }
  });

  it.runIf(process.env.TEST_REDIS_URL)("reports a live Redis as ok", async () => {
    process.env.REDIS_URL = process.env.TEST_REDIS_URL;
    try {
      expect((await checkHealth()).redis).toEqual({ status: "ok" });
    } finally {
      delete process.env.REDIS_URL;
    }
  });
});
