// Calling a route's loader or action directly, as a signed-in user (a real session cookie), and
// reading what it answered: the data, a redirect, or the status of a Response it threw.
import { prisma } from "~/infra/db.server";
import { startSession } from "~/infra/session.server";

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;

/** The `Cookie` header value of a fresh session for the user with this email. */
export async function sessionCookie(email: string): Promise<string> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  return (await startSession(user.id, new Request("http://localhost/login"))).split(";")[0]!;
}

/** A loader's data, or the status of the Response it returned or threw. */
export async function callLoader(handler: unknown, path: string, email: string, params: Record<string, string> = {}) {
  const request = new Request(`http://localhost${path}`, { headers: { Cookie: await sessionCookie(email) } });
  try {
    const result = await (handler as Handler)({ request, params, context: {} });
    if (result instanceof Response) return { status: result.status, data: null, response: result };
    return { status: 200, data: result as Record<string, any>, response: null }; // eslint-disable-line @typescript-eslint/no-explicit-any
  } catch (error) {
    if (error instanceof Response) return { status: error.status, data: null, response: error };
    throw error;
  }
}

/**
 * Posts a form to an action: a redirect (status, location), the form's state (status, data), or
 * the status of a Response it threw. `body`: fields (URL-encoded) or a FormData (multipart).
 */
export async function postForm(
  handler: unknown,
  path: string,
  email: string,
  body: [string, string][] | FormData,
  options: { params?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const form = body instanceof FormData;
  const request = new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { Cookie: await sessionCookie(email), ...(form ? {} : { "Content-Type": "application/x-www-form-urlencoded" }), ...options.headers },
    body: form ? body : new URLSearchParams(body).toString(),
  });
  let result: unknown;
  try {
    result = await (handler as Handler)({ request, params: options.params ?? {}, context: {} });
  } catch (error) {
    if (error instanceof Response) return { status: error.status, location: null, data: null };
    throw error;
  }
  if (result instanceof Response) return { status: result.status, location: result.headers.get("Location"), data: null };
  const wrapped = result as { data: Record<string, any>; init: { status?: number } | null }; // eslint-disable-line @typescript-eslint/no-explicit-any
  return { status: wrapped.init?.status ?? 200, location: null, data: wrapped.data };
}
