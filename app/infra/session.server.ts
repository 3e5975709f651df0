import crypto from "node:crypto";
import { createCookie, createCookieSessionStorage, redirect } from "@remix-run/node";
import { getEnv } from "./env.server";
import { prisma } from "./db.server";
import { isLocale, type Locale, type MessageKey, type Params } from "./i18n";

/** A signed login session lasts this long, sliding with activity. */
export const sessionLifetimeMs = 8 * 60 * 60 * 1000;

let cookies: ReturnType<typeof makeCookies> | undefined;
function makeCookies() {
  const env = getEnv();
  return {
    session: createCookie("npl_session", {
      httpOnly: true, sameSite: "lax", path: "/", secure: env.cookieSecure, secrets: [env.sessionSecret],
    }),
    locale: createCookie("npl_locale", { httpOnly: true, sameSite: "lax", path: "/", maxAge: 365 * 24 * 3600 }),
    toast: createCookieSessionStorage<Record<string, never>, { toast: Toast }>({
      cookie: { name: "npl_toast", httpOnly: true, sameSite: "lax", path: "/", secrets: [env.sessionSecret], secure: env.cookieSecure },
    }),
  };
}
function getCookies() {
  return (cookies ??= makeCookies());
}

export async function readSessionId(request: Request): Promise<string | null> {
  const value: unknown = await getCookies().session.parse(request.headers.get("Cookie"));
  return typeof value === "string" ? value : null;
}

export async function startSession(userId: string, request: Request): Promise<string> {
  const id = crypto.randomBytes(32).toString("base64url");
  await prisma.session.create({
    data: {
      id, userId, expiresAt: new Date(Date.now() + sessionLifetimeMs),
      ip: clientIp(request), userAgent: request.headers.get("User-Agent")?.slice(0, 300) ?? null,
    },
  });
  return getCookies().session.serialize(id, { maxAge: sessionLifetimeMs / 1000 });
}

export async function endSessionCookie(): Promise<string> {
  return getCookies().session.serialize("", { maxAge: 0 });
}

export function clientIp(request: Request): string | null {
  return request.headers.get("X-Forwarded-For")?.split(",")[0]?.trim() || request.headers.get("X-Real-IP") || null;
}

// ---- locale ---------------------------------------------------------------

export async function readLocaleCookie(request: Request): Promise<Locale | null> {
  const value: unknown = await getCookies().locale.parse(request.headers.get("Cookie"));
  return isLocale(value) ? value : null;
}

export function serializeLocaleCookie(locale: Locale): Promise<string> {
  return getCookies().locale.serialize(locale);
}

// ---- toasts: one flash message after an action, shown in the reader's language ----

export interface Toast {
  kind: "success" | "error" | "info";
  key: MessageKey;
  params?: Params;
}

export async function toastCookie(toast: Toast): Promise<string> {
  const storage = getCookies().toast;
  const session = await storage.getSession();
  session.flash("toast", toast);
  return storage.commitSession(session);
}

export async function redirectWithToast(url: string, toast: Toast, headers: HeadersInit = {}): Promise<Response> {
  const h = new Headers(headers);
  h.append("Set-Cookie", await toastCookie(toast));
  return redirect(url, { headers: h });
}

export async function popToast(request: Request): Promise<{ toast: Toast | null; setCookie: string | null }> {
  const storage = getCookies().toast;
  const session = await storage.getSession(request.headers.get("Cookie"));
  const toast = (session.get("toast") as Toast | undefined) ?? null;
  return { toast, setCookie: toast ? await storage.commitSession(session) : null };
}
