// Playwright (playwright-core + system Chromium) helpers for the e2e tests.
//
//   const browser = await launchBrowser();
//   const page = await browser.newPage();
//   await login(page, "officer@bank.example", "Demo@12345");
//   await page.goto(`${baseUrl()}/packages`);
//   new Database(databaseFile(), { readonly: true }) // the server's seeded database
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { inject } from "vitest";

export const DEMO_PASSWORD = "Demo@12345";

/** Base URL of the e2e server started by test/support/e2e-server.ts (no trailing slash). */
export function baseUrl(): string {
  const url = inject("baseUrl") ?? process.env.E2E_BASE_URL;
  if (!url) throw new Error("baseUrl(): no e2e server (run with --config vitest.e2e.config.ts)");
  return url;
}

/** `file:` URL of the e2e server's database. */
export function databaseUrl(): string {
  const url = inject("databaseUrl") ?? process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("databaseUrl(): no e2e server (run with --config vitest.e2e.config.ts)");
  return url;
}

/** Absolute path of the e2e server's SQLite file (open it with better-sqlite3 to check or arrange data). */
export function databaseFile(): string {
  const url = databaseUrl();
  return url.startsWith("file:") ? url.slice("file:".length).split("?")[0]! : url;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Logs in through the /login form and waits until the browser has left /login. */
export async function login(page: Page, email: string, password: string = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl()}/login`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith("/login")),
    page.click("main button[type=submit]"),
  ]);
  // Signed in once the menu (rendered from the signed-in user's permissions) is on the page.
  await page.getByTestId("main-nav").waitFor();
}

/** A signed-in user in a context of their own (China locale and time zone), for journeys with several people. */
export async function signedIn(browser: Browser, email: string, timeoutMs = 15_000): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  context.setDefaultTimeout(timeoutMs);
  const page = await context.newPage();
  await login(page, email);
  return { context, page };
}

/**
 * Waits until React has hydrated the element: a click before would be a plain form post, or nothing
 * for a button that works in the browser (a busy machine shows it).
 */
export async function hydrated(page: Page, testId: string): Promise<void> {
  await page.waitForFunction(
    (id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return Boolean(el && Object.keys(el).some((k) => k.startsWith("__reactProps")));
    },
    testId,
    { timeout: 30_000 },
  );
}
