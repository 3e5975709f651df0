import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { resetDatabase } from "../support/reset-db";
import { defaultSettings } from "~/domain/settings";
import { systemContext } from "~/infra/audit.server";
import { databaseFileFromUrl } from "~/infra/db/database-url";
import { prisma } from "~/infra/db.server";
import { eligibilityOf } from "~/services/identity/organizations.server";
import { decideSettings, proposeSettings, settingsAt } from "~/services/settings/settings.server";
import { asUser, refusal } from "../support/users";

const ctx = systemContext("test");
const now = new Date("2026-11-22T08:00:00Z");

beforeEach(async () => {
  resetDatabase();
  await seed();
});

describe("versioned settings with four eyes", () => {
  it("the seed puts rules.md's defaults in force as version 1", async () => {
    const inForce = await settingsAt(now);
    expect(inForce.version).toBe(1);
    expect(inForce.values).toEqual(defaultSettings);
  });

  it("a proposal takes effect only after another person approves it, and only from its date", async () => {
    const officer = await asUser("officer@bank.example");
    const second = await asUser("officer2@bank.example");
    const proposal = await proposeSettings(ctx, officer, {
      effectiveFrom: new Date("2026-12-01T00:00:00Z"), reason: "新年度保证金", values: { ...defaultSettings, bidDepositFen: "1000000" },
    }, now);
    expect((await settingsAt(new Date("2026-12-02T00:00:00Z"))).version).toBe(1); // pending: not in force
    expect((await refusal(decideSettings(ctx, officer, proposal.id, "APPROVED", ""))).key).toBe("settings.fourEyes");
    await decideSettings(ctx, second, proposal.id, "APPROVED", "同意");
    expect((await settingsAt(new Date("2026-11-30T23:59:59Z"))).values.bidDepositFen).toBe("500000");
    const later = await settingsAt(new Date("2026-12-01T00:00:00Z"));
    expect(later.version).toBe(2);
    expect(later.values.bidDepositFen).toBe("1000000");
    expect((await refusal(decideSettings(ctx, second, proposal.id, "REJECTED", ""))).key).toBe("settings.alreadyDecided");
    const actions = (await prisma.auditEntry.findMany({ where: { entityType: "SettingVersion" }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["settings.initialize", "settings.propose", "settings.approve"]);
  });

  it("refuses a retroactive effective date and a user without the permission", async () => {
    const officer = await asUser("officer@bank.example");
    const error = await refusal(proposeSettings(ctx, officer, { effectiveFrom: new Date("2026-11-21T00:00:00Z"), reason: "x", values: defaultSettings }, now));
    expect(error.key).toBe("settings.effectiveInPast");
    const bidder = await asUser("bidder@bank.example");
    await expect(proposeSettings(ctx, bidder, { effectiveFrom: now, reason: "x", values: defaultSettings }, now)).rejects.toMatchObject({ status: 403 });
    expect(await prisma.settingVersion.count()).toBe(1);
  });

  it("a decided version cannot be rewritten in the database", async () => {
    const db = new Database(databaseFileFromUrl(process.env.DATABASE_URL!));
    try {
      expect(() => db.prepare(`UPDATE "SettingVersion" SET "values" = '{}' WHERE version = 1`).run()).toThrow(/immutable/);
    } finally {
      db.close();
    }
  });

  it("eligibility reads the excluded positions from the settings in force", async () => {
    const officer = await asUser("officer@bank.example");
    const second = await asUser("officer2@bank.example");
    const president = await prisma.user.findUniqueOrThrow({ where: { email: "president@bank.example" } });
    expect((await eligibilityOf(president.id, now)).result.eligible).toBe(false);
    const proposal = await proposeSettings(ctx, officer, { effectiveFrom: new Date("2026-11-22T00:00:00Z"), reason: "x", values: { ...defaultSettings, excludedPositions: ["管片稽核员"] } }, now);
    await decideSettings(ctx, second, proposal.id, "APPROVED", "");
    expect((await eligibilityOf(president.id, now)).result.eligible).toBe(true);
  });
});
