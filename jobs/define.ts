// A job is defined once: its name, payload schema, handler, retry policy and idempotency key. The
// same definition runs under BullMQ (jobs/bullmq.ts, with REDIS_URL) and under the in-process runner
// (jobs/inprocess.ts, without it). Handlers must be idempotent: running a job twice changes nothing
// the second time (a retry after a crash half-way, or a duplicate delivery, is always possible).
import type { z } from "zod";

export interface JobLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface JobContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  logger: JobLogger;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly payload: S;
  /** Total tries before the job is marked failed (BullMQ `attempts`). */
  readonly attempts: number;
  /** Exponential backoff base: retry n waits backoffMs · 2^(n-1). */
  readonly backoffMs: number;
  // Method syntax (bivariant parameters) so any definition fits a registry of JobDefinition.
  handler(payload: z.output<S>, ctx: JobContext): Promise<void>;
  /** Stable key of the payload's effect; the default job id is `${name}__${key}` (see jobIdFor). */
  idempotencyKey(payload: z.output<S>): string;
}

export type JobInput<D> = D extends JobDefinition<infer S> ? z.input<S> : never;
export type JobRegistry = Record<string, JobDefinition>;

export function defineJob<S extends z.ZodType>(spec: {
  name: string;
  payload: S;
  handler: (payload: z.output<S>, ctx: JobContext) => Promise<void>;
  attempts?: number;
  backoffMs?: number;
  idempotencyKey: (payload: z.output<S>) => string;
}): JobDefinition<S> {
  if (!/^[A-Za-z0-9._-]+$/.test(spec.name)) throw new Error(`defineJob: invalid job name ${JSON.stringify(spec.name)}`);
  const attempts = spec.attempts ?? 3;
  const backoffMs = spec.backoffMs ?? 1000;
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`defineJob ${spec.name}: attempts must be an integer ≥ 1`);
  if (!(backoffMs >= 0)) throw new Error(`defineJob ${spec.name}: backoffMs must be ≥ 0`);
  return {
    name: spec.name,
    payload: spec.payload,
    attempts,
    backoffMs,
    handler: spec.handler,
    idempotencyKey: spec.idempotencyKey,
  };
}

/**
 * The deterministic job id used when the caller gives none: `${name}__${idempotencyKey}`.
 * BullMQ refuses custom ids containing ':' (reserved for its own `repeat:…` ids), so ':' in the key
 * becomes '_' and the separator is '__'.
 */
export function jobIdFor(def: JobDefinition, parsedPayload: unknown): string {
  return `${def.name}__${def.idempotencyKey(parsedPayload)}`.replaceAll(":", "_");
}

/** Checks a caller-given job or scheduler id against BullMQ's rules (no ':', not an integer). */
export function assertValidId(kind: string, id: string): void {
  if (!id || id.includes(":") || /^\d+$/.test(id)) {
    throw new Error(`${kind} ${JSON.stringify(id)} must be non-empty, must not contain ':' and must not be an integer`);
  }
}

/** Delay before retry number `retry` (1-based): backoffMs · 2^(retry-1), as BullMQ's "exponential". */
export function backoffDelay(def: JobDefinition, retry: number): number {
  return def.backoffMs * 2 ** (retry - 1);
}

export function registryByName(registry: JobRegistry): Map<string, JobDefinition> {
  const byName = new Map<string, JobDefinition>();
  for (const def of Object.values(registry)) {
    if (byName.has(def.name)) throw new Error(`job registry: duplicate job name ${def.name}`);
    byName.set(def.name, def);
  }
  return byName;
}

/** One JSON line per event on stdout/stderr. */
export function consoleLogger(base: Record<string, unknown> = {}): JobLogger {
  const line = (level: string, message: string, meta?: Record<string, unknown>) =>
    JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...meta });
  return {
    info: (message, meta) => console.log(line("info", message, meta)),
    warn: (message, meta) => console.warn(line("warn", message, meta)),
    error: (message, meta) => console.error(line("error", message, meta)),
  };
}

export const silentLogger: JobLogger = { info: () => {}, warn: () => {}, error: () => {} };

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
