import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { resetDatabase } from "../support/reset-db";
import { createInProcessQueue } from "../../jobs/inprocess";
import { jobs } from "../../jobs/registry";
import { systemContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { jobOverview, retryFailedJob } from "~/services/jobs/job-admin.server";
import { queueEmailIn } from "~/services/email/outbox.server";

const saved = globalThis.__jobQueue;
beforeAll(() => {
  // The page reads whatever queue the process runs; here an in-process one owned by this test.
  globalThis.__jobQueue = createInProcessQueue(jobs);
});
afterAll(async () => {
  await globalThis.__jobQueue?.close();
  globalThis.__jobQueue = saved;
});
beforeEach(async () => {
  resetDatabase();
  await seed();
});

describe("jobs admin", () => {
  it("counts every job of the registry, and a finished email job shows as completed", async () => {
    const message = await prisma.$transaction((tx) =>
      queueEmailIn(tx, { email: "admin@bank.example", locale: "zh-CN" }, "auditChainBroken", { id: 1, reason: "hash_mismatch", checked: 0, checkedAt: "x" }),
    );
    await globalThis.__jobQueue!.enqueue(jobs.sendEmail, { outboxId: message.id });
    await expect.poll(async () => (await jobOverview()).counts["email.send"]?.completed, { timeout: 5000 }).toBe(1);
    const overview = await jobOverview();
    expect(Object.keys(overview.counts).sort()).toEqual(Object.values(jobs).map((j) => j.name).sort());
    expect(overview.failed["email.send"]).toEqual([]);
    expect((await prisma.outboxEmail.findUniqueOrThrow({ where: { id: message.id } })).status).toBe("STORED");
  });

  it("refuses to retry a job name that does not exist", async () => {
    await expect(retryFailedJob(systemContext("test"), "no.such.job", "x")).rejects.toMatchObject({ key: "jobs.unknown" });
    expect(await prisma.auditEntry.count({ where: { action: "job.retry" } })).toBe(0);
  });
});
