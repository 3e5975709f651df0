import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../support/reset-db";
import { genesisHash } from "~/domain/audit-chain";
import { audited, systemContext, verifyAuditChain } from "~/infra/audit.server";
import { databaseFileFromUrl } from "~/infra/db/database-url";
import { prisma } from "~/infra/db.server";
import { createAgency, updateOrganization } from "~/services/identity/organizations.server";

const ctx = systemContext("test");
const agency = (name: string) => ({
  name, licenceNumber: "QS-1", licenceValidUntil: new Date("2030-01-01T00:00:00Z"), legalRepresentative: "赵", contactName: null,
  contactPhone: null, contactEmail: null, address: null, bannedUntil: null, banReason: null,
});

/** Opens the same SQLite file behind Prisma's back, as someone tampering with it would. */
function rawDb() {
  return new Database(databaseFileFromUrl(process.env.DATABASE_URL!));
}

async function threeEntries() {
  const org = await createAgency(ctx, agency("甲公司"));
  await updateOrganization(ctx, org.id, { ...agency("甲公司"), legalRepresentative: "钱" });
  await createAgency(ctx, agency("乙公司"));
}

// An empty database: these tests count and number every entry from the first.
beforeEach(() => {
  resetDatabase();
});

describe("audit trail", () => {
  it("records each change in the same transaction, chained from the genesis hash", async () => {
    await threeEntries();
    const entries = await prisma.auditEntry.findMany({ orderBy: { id: "asc" } });
    expect(entries.map((e) => e.action)).toEqual(["organization.create", "organization.update", "organization.create"]);
    expect(entries[0]!.prevHash).toBe(genesisHash);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(JSON.parse(entries[1]!.before!)).toMatchObject({ legalRepresentative: "赵" });
    expect(JSON.parse(entries[1]!.after!)).toMatchObject({ legalRepresentative: "钱" });
    expect(await verifyAuditChain()).toEqual({ checked: 3, broken: null });
  });

  it("a change that fails leaves neither the change nor an entry", async () => {
    await expect(
      audited(ctx, async (tx, audit) => {
        await tx.organization.create({ data: { kind: "AGENCY", name: "丙公司" } });
        await audit({ action: "organization.create", entityType: "Organization", entityId: "x" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await prisma.organization.count({ where: { name: "丙公司" } })).toBe(0);
    expect(await prisma.auditEntry.count()).toBe(0);
  });

  it("the database refuses to update or delete an entry", async () => {
    await threeEntries();
    const db = rawDb();
    try {
      expect(() => db.prepare(`UPDATE "AuditEntry" SET "after" = '{}' WHERE id = 2`).run()).toThrow(/append-only/);
      expect(() => db.prepare(`DELETE FROM "AuditEntry" WHERE id = 2`).run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it("an entry edited directly in SQLite breaks verification at that entry", async () => {
    await threeEntries();
    const db = rawDb();
    try {
      db.exec(`DROP TRIGGER "AuditEntry_no_update"`);
      db.prepare(`UPDATE "AuditEntry" SET "after" = '{"legalRepresentative":"孙"}' WHERE id = 2`).run();
    } finally {
      db.close();
    }
    expect(await verifyAuditChain()).toEqual({ checked: 1, broken: { id: 2, reason: "hash_mismatch" } });
  });

  it("an entry removed from the middle breaks verification at the next one", async () => {
    await threeEntries();
    const db = rawDb();
    try {
      db.exec(`DROP TRIGGER "AuditEntry_no_delete"`);
      db.prepare(`DELETE FROM "AuditEntry" WHERE id = 2`).run();
    } finally {
      db.close();
    }
    expect((await verifyAuditChain()).broken).toEqual({ id: 3, reason: "sequence_gap" });
  });

  it("npm run audit:verify exits 0 on an intact chain and 1 naming the first broken entry", async () => {
    await threeEntries();
    const run = () =>
      spawnSync("node_modules/.bin/tsx", ["scripts/audit-verify.ts"], { env: process.env, encoding: "utf8" });
    const ok = run();
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("3 entries verified");
    const db = rawDb();
    try {
      db.exec(`DROP TRIGGER "AuditEntry_no_update"`);
      db.prepare(`UPDATE "AuditEntry" SET "actorLabel" = 'someone else' WHERE id = 3`).run();
    } finally {
      db.close();
    }
    const broken = run();
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("entry #3");
  });
});

describe("audit search and export", () => {
  it("filters by action, entity and actor, and exports the same entries as CSV", async () => {
    const { searchAuditLog, auditCsv, auditFilterSchema } = await import("~/services/audit/audit-log.server");
    await threeEntries();
    const filter = auditFilterSchema.parse({ action: "organization.update" });
    const found = await searchAuditLog(filter);
    expect(found.total).toBe(1);
    expect(found.actions).toEqual(["organization.create", "organization.update"]);
    expect((await searchAuditLog(auditFilterSchema.parse({ actor: "test" }))).total).toBe(3);
    expect((await searchAuditLog(auditFilterSchema.parse({ actor: "nobody" }))).total).toBe(0);
    expect((await searchAuditLog(auditFilterSchema.parse({ from: "2000-01-01", to: "2000-01-02" }))).total).toBe(0);
    let csv = "";
    for await (const chunk of auditCsv(filter)) csv += chunk;
    expect(csv.startsWith("\uFEFFid,at,")).toBe(true);
    const lines = csv.trim().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"organization.update"');
  });

  it("a spreadsheet formula in a value is exported as text", async () => {
    const { auditCsv, auditFilterSchema } = await import("~/services/audit/audit-log.server");
    await createAgency(ctx, agency("=HYPERLINK(\"x\")"));
    let csv = "";
    for await (const chunk of auditCsv(auditFilterSchema.parse({}))) csv += chunk;
    expect(csv).not.toContain('",=HYPERLINK');
  });
});
