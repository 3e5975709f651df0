import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { defaultSettings, settingsSchema, versionInForce, type Settings } from "~/domain/settings";
import { audited, type AuditContext } from "~/infra/audit.server";
import { forbidden, type AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";

/**
 * Versioned, effective-dated settings. The department proposes a complete new version with the day
 * it takes effect; a second person approves or rejects it; versions are never edited (a trigger
 * refuses it). Version 1 holds rules.md's defaults.
 */

export interface SettingsInForce {
  id: string;
  version: number;
  effectiveFrom: Date;
  values: Settings;
}

export async function ensureDefaultSettings(context: AuditContext): Promise<void> {
  if (await prisma.settingVersion.findFirst()) return;
  await audited(context, async (tx, audit) => {
    const row = await tx.settingVersion.create({
      data: {
        version: 1, effectiveFrom: new Date("2000-01-01T00:00:00Z"), values: JSON.stringify(defaultSettings),
        status: "APPROVED", reason: "rules.md defaults", decidedAt: new Date(), decisionNote: "initial",
      },
    });
    await audit({ action: "settings.initialize", entityType: "SettingVersion", entityId: row.id, after: { version: 1 } });
  });
}

/** A version stored before a setting existed reads that setting's default (rules.md), as it was in effect then. */
export function parseValues(json: string): Settings {
  return settingsSchema.parse({ ...defaultSettings, ...(JSON.parse(json) as Partial<Settings>) });
}

/** The settings in force at a moment, with the version that a calculation records (`db`: read inside a caller's transaction). */
export async function settingsAt(date: Date, db: Pick<typeof prisma, "settingVersion"> = prisma): Promise<SettingsInForce> {
  const versions = await db.settingVersion.findMany({ where: { status: "APPROVED", effectiveFrom: { lte: date } } });
  const row = versionInForce(versions, date);
  if (!row) throw new Error("no approved settings in force: run the seed (ensureDefaultSettings)");
  return { id: row.id, version: row.version, effectiveFrom: row.effectiveFrom, values: parseValues(row.values) };
}

export async function settingsHistory() {
  const rows = await prisma.settingVersion.findMany({ orderBy: { version: "desc" } });
  const people = await prisma.user.findMany({
    where: { id: { in: rows.flatMap((r) => [r.proposedById, r.decidedById]).filter((x): x is string => Boolean(x)) } },
    select: { id: true, displayName: true },
  });
  const name = (id: string | null) => people.find((p) => p.id === id)?.displayName ?? null;
  return rows.map((r) => ({ ...r, values: parseValues(r.values), proposedBy: name(r.proposedById), decidedBy: name(r.decidedById) }));
}

/** Proposes a complete new version from a day on (today or later: settings are not changed retroactively). */
export async function proposeSettings(
  context: AuditContext,
  actor: AuthUser,
  input: { effectiveFrom: Date; values: Settings; reason: string },
  now = new Date(),
) {
  if (!can(actor.roles, "settings:manage")) throw forbidden();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (input.effectiveFrom < today) throw new UserError("settings.effectiveInPast", { field: "effectiveFrom" });
  const values = settingsSchema.parse(input.values);
  return audited(context, async (tx, audit) => {
    const last = await tx.settingVersion.findFirst({ orderBy: { version: "desc" } });
    const current = last ? JSON.parse(last.values) as Settings : defaultSettings;
    const row = await tx.settingVersion.create({
      data: { version: (last?.version ?? 0) + 1, effectiveFrom: input.effectiveFrom, values: JSON.stringify(values), reason: input.reason, proposedById: actor.id },
    });
    const changed = Object.fromEntries(
      Object.entries(values).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(current[k as keyof Settings])),
    );
    await audit({ action: "settings.propose", entityType: "SettingVersion", entityId: row.id, after: { version: row.version, effectiveFrom: input.effectiveFrom, changed } });
    return row;
  });
}

/** Four eyes: a different person from the proposer approves or rejects a pending version. */
export async function decideSettings(context: AuditContext, actor: AuthUser, id: string, decision: "APPROVED" | "REJECTED", note: string) {
  if (!can(actor.roles, "settings:approve")) throw forbidden();
  const row = await prisma.settingVersion.findUnique({ where: { id } });
  if (!row) throw new UserError("settings.unknownVersion", { status: 404 });
  if (row.status !== "PENDING") throw new UserError("settings.alreadyDecided", { status: 409 });
  if (row.proposedById === actor.id) throw new UserError("settings.fourEyes", { status: 403 });
  await audited(context, async (tx, audit) => {
    await tx.settingVersion.update({ where: { id }, data: { status: decision, decidedById: actor.id, decidedAt: new Date(), decisionNote: note } });
    await audit({
      action: decision === "APPROVED" ? "settings.approve" : "settings.reject", entityType: "SettingVersion", entityId: id,
      before: { status: "PENDING" }, after: { status: decision, version: row.version, note },
    });
  });
}

/**
 * A synchronous "settings in force on day D" for many days at once (R7 reads the rate schedule in force
 * on each collection day): loads the approved versions once, then answers per China day from memory.
 */
export async function settingsByDay(db: Pick<typeof prisma, "settingVersion"> = prisma): Promise<(day: string) => Settings> {
  const versions = await db.settingVersion.findMany({ where: { status: "APPROVED" } });
  const cache = new Map<string, Settings>();
  const parsed = new Map<string, Settings>();
  const earliest = [...versions].sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.version - b.version)[0];
  return (day: string) => {
    let values = cache.get(day);
    if (!values) {
      // The end of the China day: a version effective that day is in force for it.
      // A day before the first version (data older than the installation) reads the first version.
      const row = versionInForce(versions, new Date(Date.parse(`${day}T23:59:59.999+08:00`))) ?? earliest;
      if (!row) throw new Error("no approved settings: run the seed (ensureDefaultSettings)");
      values = parsed.get(row.id) ?? parseValues(row.values);
      parsed.set(row.id, values);
      cache.set(day, values);
    }
    return values;
  };
}
