import crypto from "node:crypto";
import { ZodError } from "zod";
import { can, type Permission } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { userForToken, type ApiUser } from "~/services/identity/api-tokens.server";
import { defaultLocale, isMessageKey, translator, type Locale } from "./i18n";

/**
 * The /api/v1 plumbing: bearer-token sign-in, permission checks, a per-token rate limit and one
 * error body for everything, `{ "error": { "code", "message", "fields"? } }`.
 */

export type { ApiUser };
export type ApiFields = Record<string, string[]>;

const jsonHeaders = { "Cache-Control": "no-store" };

export function apiJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { ...jsonHeaders, ...init.headers } });
}

export function apiError(status: number, code: string, message: string, fields?: ApiFields, headers?: Record<string, string>, details?: Record<string, string | number>): Response {
  return apiJson({ error: { code, message, ...(fields ? { fields } : {}), ...(details ? { details } : {}) } }, { status, headers });
}

// ---- rate limit ---------------------------------------------------------------

const windowMs = 60 * 1000;
const hits = new Map<string, number[]>();

export function rateLimitPerMinute(): number {
  const configured = Number(process.env.API_RATE_LIMIT_PER_MINUTE);
  return Number.isInteger(configured) && configured > 0 ? configured : 120;
}

/** Sliding window per token, in memory. Returns null when allowed, else the seconds to wait. */
export function takeApiRequest(key: string, now = Date.now(), limit = rateLimitPerMinute()): number | null {
  const recent = (hits.get(key) ?? []).filter((t) => now - t < windowMs);
  if (recent.length >= limit) {
    hits.set(key, recent);
    return Math.max(1, Math.ceil((recent[0]! + windowMs - now) / 1000));
  }
  recent.push(now);
  hits.set(key, recent);
  if (hits.size > 10_000) hits.clear();
  return null;
}

/** Forgets every window (tests). */
export function resetApiRateLimits(): void {
  hits.clear();
}

// ---- authentication -----------------------------------------------------------

const requestUsers = new WeakMap<Request, ApiUser>();

function bearerToken(request: Request): string | null {
  const header = request.headers.get("Authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/** The token's user, or a thrown 401 (429 when the token is over its rate limit). */
export async function requireApiUser(request: Request): Promise<ApiUser> {
  const known = requestUsers.get(request);
  if (known) return known;
  const t = translator(defaultLocale);
  const token = bearerToken(request);
  const user = token ? await userForToken(token) : null;
  if (!user) {
    throw apiError(401, "unauthorized", t("api.unauthorized"), undefined, { "WWW-Authenticate": 'Bearer realm="api"' });
  }
  const wait = takeApiRequest(user.tokenId);
  if (wait !== null) {
    const seconds = String(wait);
    throw apiError(429, "rate_limited", translator(user.locale)("api.rateLimited", { seconds }), undefined, { "Retry-After": seconds });
  }
  requestUsers.set(request, user);
  return user;
}

/** The token's user holding the permission, or a thrown 403. */
export async function requireApiPermission(request: Request, permission: Permission): Promise<ApiUser> {
  const user = await requireApiUser(request);
  if (!can(user.roles, permission)) throw apiError(403, "forbidden", translator(user.locale)("api.forbidden"));
  return user;
}

// ---- errors ---------------------------------------------------------------------

function zodFields(error: ZodError, locale: Locale): ApiFields {
  const t = translator(locale);
  const fields: ApiFields = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join(".") : "_";
    (fields[field] ??= []).push(isMessageKey(issue.message) ? t(issue.message) : issue.message);
  }
  return fields;
}

/**
 * Wraps an API loader or action: thrown Responses pass through, a UserError becomes its 4xx body
 * (code = its key, message in the token user's language), a ZodError a 400 with `fields`, and
 * anything else a logged 500.
 */
export function apiHandler<A extends { request: Request }>(fn: (args: A) => Promise<Response>): (args: A) => Promise<Response> {
  return async (args) => {
    try {
      return await fn(args);
    } catch (error) {
      if (error instanceof Response) return error;
      const locale = requestUsers.get(args.request)?.locale ?? defaultLocale;
      const t = translator(locale);
      if (error instanceof UserError) {
        const message = isMessageKey(error.key) ? t(error.key, error.options.params) : error.key;
        const fields = error.options.field ? { [error.options.field]: [message] } : undefined;
        const params = error.options.params;
        return apiError(error.status, error.key, message, fields, undefined, params && Object.keys(params).length ? params : undefined);
      }
      if (error instanceof ZodError) return apiError(400, "invalid_input", t("api.invalidInput"), zodFields(error, locale));
      const id = args.request.headers.get("X-Request-Id") ?? crypto.randomUUID();
      console.error(`[api] ${args.request.method} ${new URL(args.request.url).pathname} failed (request ${id})`, error);
      return apiError(500, "internal", t("api.internal", { id }));
    }
  };
}

/** The answer to a method the path does not take; `allow` lists those it does. */
export function methodNotAllowed(locale: Locale, allow = "POST"): Response {
  return apiError(405, "method_not_allowed", translator(locale)("api.methodNotAllowed"), undefined, { Allow: allow });
}

/** A POST operation's JSON body: any other method is a 405 (`allow`: what the path takes), a body that is not JSON a 400. */
export async function postedJson(request: Request, user: { locale: Locale }, allow = "POST"): Promise<unknown> {
  if (request.method !== "POST") throw methodNotAllowed(user.locale, allow);
  try {
    return await request.json();
  } catch {
    throw new UserError("api.invalidJson");
  }
}
