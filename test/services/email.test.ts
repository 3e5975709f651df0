import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { resetDatabase } from "../support/reset-db";
import { startSmtpSink, type SmtpSink } from "../support/smtp-sink";
import { audited, systemContext } from "~/infra/audit.server";
import { databaseFileFromUrl } from "~/infra/db/database-url";
import { prisma } from "~/infra/db.server";
import { verifyChainAndAlert } from "~/services/audit/nightly-verify.server";
import { deliverOutboxEmail, queueEmailIn } from "~/services/email/outbox.server";
import { jobs } from "../../jobs/registry";
import { silentLogger } from "../../jobs/define";

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
});
beforeEach(async () => {
  resetDatabase();
  await seed();
  sink.messages.length = 0;
  process.env.SMTP_URL = sink.url;
});
afterEach(() => {
  delete process.env.SMTP_URL;
});

const params = { id: 7, reason: "hash_mismatch", checked: 6, checkedAt: "2026-11-23T02:30:00.000Z" };
const queue = (to: { email: string; locale: string }) =>
  prisma.$transaction((tx) => queueEmailIn(tx, to, "auditChainBroken", params));
const runSendJob = (outboxId: string) =>
  jobs.sendEmail.handler(jobs.sendEmail.payload.parse({ outboxId }), { jobId: `email.send__${outboxId}`, attempt: 1, logger: silentLogger });

describe("email through SMTP", () => {
  it("is rendered in the recipient's language and delivered to a real SMTP server", async () => {
    const zh = await queue({ email: "admin@bank.example", locale: "zh-CN" });
    const en = await queue({ email: "ops@bank.example", locale: "en" });
    await runSendJob(zh.id);
    await runSendJob(en.id);
    expect(sink.messages).toHaveLength(2);
    const [first, second] = sink.messages;
    expect(first!.subject).toBe("【警报】审计日志在第 7 条被篡改");
    expect(first!.text).toContain("第 7 条记录未通过校验");
    expect(first!.html).toContain("<h2>");
    expect(second!.subject).toBe("[Alert] Audit log broken at entry #7");
    expect((await prisma.outboxEmail.findUniqueOrThrow({ where: { id: zh.id } })).status).toBe("SENT");
  });

  it("a job run twice sends the message once", async () => {
    const message = await queue({ email: "admin@bank.example", locale: "zh-CN" });
    await runSendJob(message.id);
    await runSendJob(message.id);
    expect(sink.messages).toHaveLength(1);
  });

  it("without SMTP_URL the message stays in the outbox for the admin page", async () => {
    delete process.env.SMTP_URL;
    const message = await queue({ email: "admin@bank.example", locale: "zh-CN" });
    expect(await deliverOutboxEmail(message.id)).toBe("stored");
    expect(sink.messages).toHaveLength(0);
  });

  it("an unreachable SMTP server fails the job (to be retried) and records the error", async () => {
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    const message = await queue({ email: "admin@bank.example", locale: "zh-CN" });
    await expect(deliverOutboxEmail(message.id)).rejects.toThrow();
    const row = await prisma.outboxEmail.findUniqueOrThrow({ where: { id: message.id } });
    expect(row.status).toBe("FAILED");
    expect(row.error).toBeTruthy();
  });
});

describe("nightly audit verification", () => {
  async function someEntries() {
    for (const name of ["甲", "乙", "丙"]) {
      await audited(systemContext("test"), async (tx, audit) => {
        const org = await tx.organization.create({ data: { kind: "AGENCY", name } });
        await audit({ action: "organization.create", entityType: "Organization", entityId: org.id, after: { name } });
      });
    }
  }

  it("an intact chain alerts nobody", async () => {
    await someEntries();
    expect(await verifyChainAndAlert()).toEqual({ broken: false, outboxIds: [] });
  });

  it("a tampered chain emails every active admin in their language, naming the entry", async () => {
    await someEntries();
    const db = new Database(databaseFileFromUrl(process.env.DATABASE_URL!));
    try {
      db.exec(`DROP TRIGGER "AuditEntry_no_update"`);
      db.prepare(`UPDATE "AuditEntry" SET "after" = '{"name":"丁"}' WHERE id = 2`).run();
    } finally {
      db.close();
    }
    const { broken, outboxIds } = await verifyChainAndAlert(new Date("2026-11-23T02:30:00Z"));
    expect(broken).toBe(true);
    expect(outboxIds).toHaveLength(1); // one admin in the seed
    for (const id of outboxIds) await runSendJob(id);
    expect(sink.messages.map((m) => m.subject)).toEqual(["【警报】审计日志在第 2 条被篡改"]);
    expect(sink.messages[0]!.to && "text" in sink.messages[0]!.to ? sink.messages[0]!.to.text : "").toContain("admin@bank.example");
    expect(await prisma.auditEntry.count({ where: { action: "audit.verify_failed" } })).toBe(1);
  });
});
