import { z } from "zod";
import { prisma, type Prisma } from "~/infra/db.server";

const day = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : undefined));

/** Filters of the audit page and its CSV export (query string). Unknown or malformed values are ignored. */
export const auditFilterSchema = z.object({
  actor: z.string().trim().max(200).optional(),
  entityType: z.string().trim().max(100).optional(),
  entityId: z.string().trim().max(100).optional(),
  action: z.string().trim().max(100).optional(),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).catch(1),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const auditPageSize = 50;

// Days are the bank's calendar days (China Standard Time, UTC+8).
const startOfDay = (d: string) => new Date(`${d}T00:00:00+08:00`);
const endOfDay = (d: string) => new Date(new Date(`${d}T00:00:00+08:00`).getTime() + 24 * 3600 * 1000);

function where(filter: AuditFilter): Prisma.AuditEntryWhereInput {
  return {
    ...(filter.actor ? { actorLabel: { contains: filter.actor } } : {}),
    ...(filter.entityType ? { entityType: filter.entityType } : {}),
    ...(filter.entityId ? { entityId: filter.entityId } : {}),
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.from || filter.to
      ? { at: { ...(filter.from ? { gte: startOfDay(filter.from) } : {}), ...(filter.to ? { lt: endOfDay(filter.to) } : {}) } }
      : {}),
  };
}

export async function searchAuditLog(filter: AuditFilter) {
  const w = where(filter);
  const [total, entries, actions, entityTypes] = await Promise.all([
    prisma.auditEntry.count({ where: w }),
    prisma.auditEntry.findMany({ where: w, orderBy: { id: "desc" }, skip: (filter.page - 1) * auditPageSize, take: auditPageSize }),
    prisma.auditEntry.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
    prisma.auditEntry.findMany({ distinct: ["entityType"], select: { entityType: true }, orderBy: { entityType: "asc" } }),
  ]);
  return {
    total,
    pages: Math.max(1, Math.ceil(total / auditPageSize)),
    entries,
    actions: actions.map((a) => a.action),
    entityTypes: entityTypes.map((e) => e.entityType),
  };
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : String(value);
  // Quote everything; neutralize spreadsheet formulas (a cell starting with = + - @ is data, not code).
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
};

const csvColumns = ["id", "at", "actorType", "actorId", "actorLabel", "organizationId", "action", "entityType", "entityId", "before", "after", "requestId", "ip", "userAgent", "prevHash", "hash"] as const;

/** Every matching entry, oldest first, as CSV with a BOM so Excel opens the Chinese text correctly. */
export async function* auditCsv(filter: AuditFilter): AsyncGenerator<string> {
  yield `\uFEFF${csvColumns.join(",")}\r\n`;
  let afterId = 0;
  for (;;) {
    const page = await prisma.auditEntry.findMany({ where: { AND: [where(filter), { id: { gt: afterId } }] }, orderBy: { id: "asc" }, take: 1000 });
    if (page.length === 0) return;
    yield page.map((e) => csvColumns.map((k) => csvCell(e[k])).join(",") + "\r\n").join("");
    afterId = page[page.length - 1]!.id;
  }
}
