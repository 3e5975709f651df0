import crypto from "node:crypto";
import type Database from "better-sqlite3";
import { canonicalJson, chainHash, findChainBreak, genesisHash, type AuditFields } from "~/domain/audit-chain";
import type { AuthUser } from "./auth.server";
import { prisma, type Prisma } from "./db.server";
import { sqliteDateTime } from "./sqlite-datetime.server";
import { clientIp } from "./session.server";

export type Tx = Prisma.TransactionClient;

/** Who did it and from where: recorded with every audit entry. */
export interface AuditContext {
  actorType: "USER" | "SYSTEM" | "ANONYMOUS";
  actorId: string | null;
  actorLabel: string | null;
  organizationId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export function auditContextFor(request: Request, user?: Pick<AuthUser, "id" | "email" | "organizationId"> | null): AuditContext {
  return {
    actorType: user ? "USER" : "ANONYMOUS",
    actorId: user?.id ?? null,
    actorLabel: user?.email ?? null,
    organizationId: user?.organizationId ?? null,
    requestId: request.headers.get("X-Request-Id") ?? crypto.randomUUID(),
    ip: clientIp(request),
    userAgent: request.headers.get("User-Agent")?.slice(0, 300) ?? null,
  };
}

export function systemContext(job: string): AuditContext {
  return { actorType: "SYSTEM", actorId: null, actorLabel: job, organizationId: null, requestId: null, ip: null, userAgent: null };
}

export interface AuditEvent {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

const sha256Hex = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

/**
 * Appends one entry inside the caller's transaction, so the change and its record commit together
 * or not at all. SQLite has one writer, so reading the chain's head here cannot race another
 * append; the unique prevHash would refuse a fork if it ever did.
 */
export async function appendAudit(tx: Tx, context: AuditContext, event: AuditEvent): Promise<void> {
  const head = await tx.auditEntry.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } });
  const fields: AuditFields = {
    id: (head?.id ?? 0) + 1,
    at: new Date(),
    ...context,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: event.before === undefined ? null : canonicalJson(event.before),
    after: event.after === undefined ? null : canonicalJson(event.after),
  };
  const prevHash = head?.hash ?? genesisHash;
  await tx.auditEntry.create({ data: { ...fields, prevHash, hash: chainHash(fields, prevHash, sha256Hex) } });
}

/** The INSERT of one audit entry with its 16 values in this order (see auditEntryValues). */
export const auditInsertSql = `INSERT INTO "AuditEntry" ("id", "at", "actorType", "actorId", "actorLabel", "organizationId", "action", "entityType", "entityId", "before", "after", "requestId", "ip", "userAgent", "prevHash", "hash")
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The chain's head as `SELECT "id", "hash" FROM "AuditEntry" ORDER BY "id" DESC LIMIT 1` returns it. */
export const auditHeadSql = 'SELECT "id", "hash" FROM "AuditEntry" ORDER BY "id" DESC LIMIT 1';

/**
 * The values of the entry that follows `head` (read inside the writer's open transaction), for
 * auditInsertSql: what appendAudit writes, for writers that do not go through Prisma. `at` is in
 * Prisma's DateTime format, so the chain verifies (verifyAuditChain) and Prisma reads it back as
 * the same instant.
 */
export function auditEntryValues(head: { id: number | bigint; hash: string } | undefined, context: AuditContext, event: AuditEvent, at: Date = new Date()) {
  const fields: AuditFields = {
    id: Number(head?.id ?? 0) + 1,
    at,
    actorType: context.actorType,
    actorId: context.actorId,
    actorLabel: context.actorLabel,
    organizationId: context.organizationId,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    before: event.before === undefined ? null : canonicalJson(event.before),
    after: event.after === undefined ? null : canonicalJson(event.after),
    requestId: context.requestId,
    ip: context.ip,
    userAgent: context.userAgent,
  };
  const prevHash = head?.hash ?? genesisHash;
  const hash = chainHash(fields, prevHash, sha256Hex);
  return [
    fields.id, sqliteDateTime(at), fields.actorType, fields.actorId, fields.actorLabel, fields.organizationId, fields.action, fields.entityType, fields.entityId,
    fields.before, fields.after, fields.requestId, fields.ip, fields.userAgent, prevHash, hash,
  ] as const;
}

/**
 * appendAudit for a direct better-sqlite3 connection (bulk writers): call it inside the caller's
 * open transaction (BEGIN IMMEDIATE), so the entry commits with the change.
 */
export function appendAuditRaw(db: Database.Database, context: AuditContext, event: AuditEvent, at: Date = new Date()): void {
  const head = db.prepare(auditHeadSql).get() as { id: number; hash: string } | undefined;
  db.prepare(auditInsertSql).run(...auditEntryValues(head, context, event, at));
}

/** Runs a change and its audit entry in one transaction. */
export function audited<T>(
  context: AuditContext,
  work: (tx: Tx, audit: (event: AuditEvent) => Promise<void>) => Promise<T>,
  /** Long runs (a pricing run over the whole book) raise Prisma's 5 s interactive-transaction limit. */
  options?: { maxWait?: number; timeout?: number },
): Promise<T> {
  return prisma.$transaction((tx) => work(tx, (event) => appendAudit(tx, context, event)), options);
}

/** Walks the whole chain in pages; reports the first entry that does not check out. */
export async function verifyAuditChain(pageSize = 1000): Promise<{ checked: number; broken: { id: number; reason: string } | null }> {
  let lastHash = genesisHash;
  let afterId = 0;
  let checked = 0;
  for (;;) {
    const page = await prisma.auditEntry.findMany({ where: { id: { gt: afterId } }, orderBy: { id: "asc" }, take: pageSize });
    if (page.length === 0) return { checked, broken: null };
    const result = findChainBreak(page, sha256Hex, lastHash, afterId);
    checked += result.checked;
    if (result.broken) return { checked, broken: result.broken };
    lastHash = result.lastHash;
    afterId = page[page.length - 1]!.id;
  }
}
