// Calls /api/v1 route handlers directly, as the HTTP layer would, with a user's bearer token.
import { expect } from "vitest";
import { systemContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { createApiToken } from "~/services/identity/api-tokens.server";

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;

/** One request to a loader or action; a body makes it a JSON POST (a string body is sent as is). Every answer must be JSON. */
export async function callApi(
  handler: unknown,
  path: string,
  token: string | null,
  options: { method?: string; body?: unknown; params?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const request = new Request(`http://localhost/api/v1${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"), headers,
    body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  });
  const response = await (handler as Handler)({ request, params: options.params ?? {}, context: {} });
  expect(response.headers.get("Content-Type")).toMatch(/application\/json/);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A fresh API token for a seeded user. */
export async function tokenFor(email: string): Promise<string> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  return (await createApiToken(systemContext("test"), user.id, "test")).token;
}
