import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { resetDatabase } from "../support/reset-db";
import { UserError } from "~/domain/errors";
import { apiHandler, resetApiRateLimits } from "~/infra/api.server";
import { systemContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { createApiToken, listApiTokens, revokeApiToken, userForToken } from "~/services/identity/api-tokens.server";
/* eslint-disable no-restricted-imports -- the API tests call the route loaders directly */
import { loader as catchAllLoader } from "~/routes/api.v1.$";
import { loader as auditLoader } from "~/routes/api.v1.audit";
import { loader as meLoader } from "~/routes/api.v1.me";
import { loader as openApiLoader } from "~/routes/api.v1.openapi[.json]";
import { loader as settingsLoader } from "~/routes/api.v1.settings";
/* eslint-enable no-restricted-imports */

const ctx = systemContext("test");
type Loader = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;

async function call(loader: unknown, path: string, token?: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const request = new Request(`http://localhost/api/v1${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const response = await (loader as Loader)({ request, params: {}, context: {} });
  expect(response.headers.get("Content-Type")).toMatch(/application\/json/);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function tokenFor(email: string, name = "test") {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  return { user, ...(await createApiToken(ctx, user.id, name)) };
}

const errorShape = (code: string) => ({ error: expect.objectContaining({ code, message: expect.any(String) }) });

beforeEach(async () => {
  resetDatabase();
  await seed();
  resetApiRateLimits();
  delete process.env.API_RATE_LIMIT_PER_MINUTE;
});
afterEach(() => {
  delete process.env.API_RATE_LIMIT_PER_MINUTE;
});

describe("API tokens", () => {
  it("are shown once and stored only as a hash with a recognizable prefix, audited", async () => {
    const { token, record, user } = await tokenFor("admin@bank.example", "reporting");
    expect(token).toMatch(/^npl_[A-Za-z0-9_-]{43}$/);
    expect(record.prefix).toBe(token.slice(0, 12));
    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } });
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect((await listApiTokens(user.id)).map((t) => t.id)).toEqual([record.id]);
    expect(await prisma.auditEntry.count({ where: { action: "api_token.create", entityId: record.id } })).toBe(1);
  });

  it("only its owner can revoke a token; a revoked token or a disabled user no longer authenticates", async () => {
    const { token, record, user } = await tokenFor("auditor@bank.example");
    const other = await prisma.user.findUniqueOrThrow({ where: { email: "bidder@bank.example" } });
    await expect(revokeApiToken(ctx, other.id, record.id)).rejects.toBeInstanceOf(UserError);
    expect(await userForToken(token)).not.toBeNull();
    await revokeApiToken(ctx, user.id, record.id);
    expect(await userForToken(token)).toBeNull();
    expect(await listApiTokens(user.id)).toEqual([]);
    expect(await prisma.auditEntry.count({ where: { action: "api_token.revoke", entityId: record.id } })).toBe(1);
    expect((await call(meLoader, "/me", token)).status).toBe(401);

    const second = await tokenFor("bidder@bank.example");
    await prisma.user.update({ where: { id: second.user.id }, data: { disabledAt: new Date() } });
    expect(await userForToken(second.token)).toBeNull();
  });

  it("records the last use at most once a minute", async () => {
    const { token, record } = await tokenFor("admin@bank.example");
    const t0 = new Date("2026-11-23T08:00:00Z");
    await userForToken(token, t0);
    await userForToken(token, new Date(t0.getTime() + 30_000));
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt).toEqual(t0);
    const later = new Date(t0.getTime() + 61_000);
    await userForToken(token, later);
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt).toEqual(later);
  });
});

describe("/api/v1", () => {
  it("refuses a missing, malformed or unknown token with a 401 JSON error", async () => {
    const none = await call(meLoader, "/me");
    expect(none.status).toBe(401);
    expect(none.body).toEqual(errorShape("unauthorized"));
    expect(none.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect((await call(meLoader, "/me", "npl_not-a-real-token")).status).toBe(401);
    expect((await call(auditLoader, "/audit", "garbage")).body).toEqual(errorShape("unauthorized"));
  });

  it("GET /me returns the token's user with roles and permissions", async () => {
    const { token, user } = await tokenFor("auditor@bank.example");
    const me = await call(meLoader, "/me", token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email: "auditor@bank.example", roles: ["auditor"] });
    expect(me.body.permissions).toContain("audit:view");
    expect(me.body.organization).toMatchObject({ id: user.organizationId });
  });

  it("GET /audit is 403 for a bidder and a paginated list for an auditor", async () => {
    const bidder = await tokenFor("bidder@bank.example");
    const refused = await call(auditLoader, "/audit", bidder.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(errorShape("forbidden"));

    const auditor = await tokenFor("auditor@bank.example");
    const page = await call(auditLoader, "/audit?page=1", auditor.token);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 1, page_size: 50, total: expect.any(Number), pages: expect.any(Number) });
    const items = page.body.items as { id: number; action: string; at: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(50);
    expect(items.map((i) => i.id)).toEqual([...items.map((i) => i.id)].sort((a, b) => b - a));

    const filtered = await call(auditLoader, "/audit?action=api_token.create", auditor.token);
    expect((filtered.body.items as { action: string }[]).map((i) => i.action)).toEqual(["api_token.create", "api_token.create"]);
    const beyond = await call(auditLoader, `/audit?page=${(page.body.pages as number) + 1}`, auditor.token);
    expect(beyond.body.items).toEqual([]);
  });

  it("GET /settings returns the version in force, money as yuan strings", async () => {
    const { token } = await tokenFor("bidder@bank.example");
    const res = await call(settingsLoader, "/settings", token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: expect.any(Number), effective_from: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    const settings = res.body.settings as Record<string, unknown>;
    expect(settings.bidDeposit).toMatch(/^\d+\.\d{2}$/);
    expect(Object.keys(settings).filter((k) => k.endsWith("Fen"))).toEqual([]);
  });

  it("limits each token to its requests per minute with a 429 and Retry-After", async () => {
    process.env.API_RATE_LIMIT_PER_MINUTE = "3";
    const { token } = await tokenFor("admin@bank.example");
    const other = await tokenFor("auditor@bank.example");
    for (let i = 0; i < 3; i++) expect((await call(meLoader, "/me", token)).status).toBe(200);
    const limited = await call(meLoader, "/me", token);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(errorShape("rate_limited"));
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await call(meLoader, "/me", other.token)).status).toBe(200);
  });

  it("turns user errors, invalid input and crashes into the one error body", async () => {
    const { token } = await tokenFor("admin@bank.example");
    const request = () => new Request("http://localhost/api/v1/x", { headers: { Authorization: `Bearer ${token}` } });
    const userError = apiHandler(async () => {
      throw new UserError("form.required", { field: "name", status: 422 });
    });
    const res = await userError({ request: request() });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: { code: "form.required", message: expect.any(String), fields: { name: [expect.any(String)] } } });

    const { z } = await import("zod");
    const invalid = apiHandler(async () => new Response(String(z.object({ n: z.number() }).parse({ n: "x" }))));
    const bad = await invalid({ request: request() });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: "invalid_input", message: expect.any(String), fields: { n: [expect.any(String)] } } });

    const crash = apiHandler(async () => {
      throw new Error("boom");
    });
    const consoleError = console.error;
    console.error = () => undefined;
    try {
      const broken = await crash({ request: request() });
      expect(broken.status).toBe(500);
      expect(await broken.json()).toEqual(errorShape("internal"));
    } finally {
      console.error = consoleError;
    }

    const missing = await call(catchAllLoader, "/nope", token);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorShape("not_found"));
  });

  it("the user error message is in the token user's language", async () => {
    const { token, user } = await tokenFor("admin@bank.example");
    await prisma.user.update({ where: { id: user.id }, data: { locale: "en" } });
    const handler = apiHandler(async ({ request }: { request: Request }) => {
      const { requireApiUser } = await import("~/infra/api.server");
      await requireApiUser(request);
      throw new UserError("form.required");
    });
    const res = await handler({ request: new Request("http://localhost/api/v1/x", { headers: { Authorization: `Bearer ${token}` } }) });
    expect(await res.json()).toEqual({ error: { code: "form.required", message: "This field is required." } });
  });

  it("serves an OpenAPI 3.1 document generated from the zod schemas", async () => {
    const doc = await call(openApiLoader, "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    const paths = doc.body.paths as Record<string, { get: { responses: Record<string, unknown>; parameters?: { name: string }[] } }>;
    // Every operation of /api/v1 is documented (the loan book's areas add theirs).
    expect(Object.keys(paths).sort()).toEqual([
      "/audit", "/awards/{id}/accept", "/branches", "/bundles", "/deposits/{id}/confirm", "/deposits/{id}/refund-confirm",
      "/loan-tapes", "/loan-tapes/{id}", "/loans", "/loans/{loan_number}", "/loans/{loan_number}/unmask",
      "/lots/{id}/reserve-approval", "/me", "/notifications", "/notifications/read",
      "/packages", "/packages/{id}", "/packages/{id}/approve", "/packages/{id}/move", "/packages/{id}/reject", "/packages/{id}/submit",
      "/pricing-runs", "/pricing-runs/{id}", "/pricing-runs/{id}/prices/{loan_number}/override", "/settings",
      "/tenders", "/tenders/{id}", "/tenders/{id}/deposit", "/tenders/{id}/lots/{lotId}/bids", "/tenders/{id}/publish",
      "/tenders/{id}/refunds", "/tenders/{id}/registration", "/tenders/{id}/retender",
      // [CUSTODY]
      "/contract-deposits/{id}/confirm", "/contracts", "/contracts/{id}", "/contracts/{id}/countersign", "/contracts/{id}/deposit", "/contracts/{id}/sign",
      "/custody/agreements/{id}/payments", "/custody/full-time-applications", "/custody/full-time-applications/{id}/decision",
      "/custody/liability-events", "/custody/liability-events/{id}/decision", "/custody/loans", "/custody/loans/{loan_number}",
      "/custody/loans/{loan_number}/activities", "/custody/loans/{loan_number}/agreements", "/custody/waivers", "/custody/waivers/{id}/decision",
      // [SETTLE]
      "/recoveries", "/recoveries/{id}", "/recoveries/{id}/register", "/recoveries/{id}/verify", "/recoveries/{id}/reject", "/recoveries/{id}/loss",
      "/remittances", "/remittances/{id}", "/remittances/{id}/confirm", "/remittances/{id}/reject",
      "/contracts/{id}/settlement", "/contracts/{id}/deductions", "/contracts/{id}/close-out", "/settlement/overview",
      "/statements", "/statements/{id}", "/contracts/{id}/statements", "/statements/{id}/lines/{position}/verify",
      "/statements/{id}/submit", "/statements/{id}/verify", "/statements/{id}/review", "/statements/{id}/invoice", "/statements/{id}/pay",
    ].sort());
    expect(paths["/audit"]!.get.responses["403"]).toBeDefined();
    expect(paths["/audit"]!.get.parameters!.map((p) => p.name)).toContain("page");
    const components = doc.body.components as { schemas: Record<string, { type?: string; properties?: Record<string, unknown> }>; securitySchemes: Record<string, unknown> };
    expect(Object.keys(components.schemas)).toEqual(expect.arrayContaining(["Error", "Me", "Settings", "AuditEntry", "AuditPage"]));
    expect(components.schemas.Me!.properties).toHaveProperty("email");
    expect(components.schemas.Error!.properties).toHaveProperty("error");
    expect(components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(JSON.stringify(doc.body)).not.toContain("$defs");
  });
});

describe("npm run cli -- token create", () => {
  const cli = (...args: string[]) =>
    spawnSync("node_modules/.bin/tsx", ["scripts/cli.ts", "token", "create", ...args], {
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL },
      timeout: 60_000,
    });

  it("prints a token that authenticates on its last line", async () => {
    const result = cli("--user", "admin@bank.example", "--name", "ops");
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n");
    const token = lines[lines.length - 1]!;
    expect(token).toMatch(/^npl_\S+$/);
    const me = await call(meLoader, "/me", token);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe("admin@bank.example");
  });

  it("exits 1 with a clear message for an unknown or disabled user", async () => {
    const unknown = cli("--user", "nobody@bank.example");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("No user with email nobody@bank.example");
    await prisma.user.update({ where: { email: "bidder@bank.example" }, data: { disabledAt: new Date() } });
    const disabled = cli("--user", "bidder@bank.example");
    expect(disabled.status).toBe(1);
    expect(disabled.stderr).toContain("is disabled");
    expect(disabled.stdout).not.toMatch(/npl_/);
  });
});
