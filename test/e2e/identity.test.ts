import Database from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, databaseFile, launchBrowser, login } from "../support/browser";

const password = "Demo@12345";
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

async function navTestIds(page: Page): Promise<string[]> {
  const ids = await page.locator('[data-testid="main-nav"] a').evaluateAll((links) =>
    links.map((a) => a.getAttribute("data-testid") ?? ""),
  );
  return ids.sort();
}

function organizationId(name: string): string {
  const db = new Database(databaseFile(), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM "Organization" WHERE name = ?').get(name) as { id: string }).id;
  } finally {
    db.close();
  }
}

describe("each seeded role signs in and sees its own navigation", () => {
  const cases: [string, string, string[]][] = [
    ["admin@bank.example", "/admin/users", ["nav-account", "nav-audit", "nav-directory", "nav-home", "nav-jobs", "nav-orgs", "nav-outbox", "nav-users"]],
    ["officer@bank.example", "/orgs", ["nav-account", "nav-contracts", "nav-custody-review", "nav-directory", "nav-home", "nav-limitation", "nav-loan-tapes", "nav-loans", "nav-packages", "nav-pricing", "nav-recoveries", "nav-remittances", "nav-settings", "nav-settlement", "nav-statements", "nav-tenders"]],
    ["approver@bank.example", "/orgs", ["nav-account", "nav-contracts", "nav-directory", "nav-home", "nav-limitation", "nav-loans", "nav-packages", "nav-recoveries", "nav-remittances", "nav-settlement", "nav-statements", "nav-tenders"]],
    ["auditor@bank.example", "/orgs", ["nav-account", "nav-audit", "nav-contracts", "nav-directory", "nav-home", "nav-limitation", "nav-loans", "nav-packages", "nav-recoveries", "nav-remittances", "nav-settlement", "nav-statements", "nav-tenders"]],
    ["finance@bank.example", "/orgs", ["nav-account", "nav-contracts", "nav-deposits", "nav-directory", "nav-home", "nav-limitation", "nav-loans", "nav-packages", "nav-recoveries", "nav-remittances", "nav-settlement", "nav-statements", "nav-tenders"]],
    ["clerk@bank.example", "/orgs", ["nav-account", "nav-directory", "nav-home", "nav-limitation", "nav-loans", "nav-recoveries", "nav-remittances", "nav-settlement", "nav-statements"]],
    ["bidder@bank.example", "/eligibility", ["nav-account", "nav-contracts", "nav-custody", "nav-eligibility", "nav-home", "nav-recoveries", "nav-remittances", "nav-settlement", "nav-statements", "nav-tenders"]],
    ["admin@huaxin.example", "/orgs/", ["nav-account", "nav-contracts", "nav-custody", "nav-eligibility", "nav-home", "nav-my-org", "nav-recoveries", "nav-remittances", "nav-settlement", "nav-statements", "nav-tenders"]],
    ["member@anda.example", "/orgs/", ["nav-account", "nav-contracts", "nav-custody", "nav-eligibility", "nav-home", "nav-my-org", "nav-recoveries", "nav-remittances", "nav-settlement", "nav-statements", "nav-tenders"]],
  ];
  for (const [email, landing, nav] of cases) {
    it(`${email} lands on ${landing} with ${nav.length} menu items`, async () => {
      const { context, page } = await freshPage();
      try {
        await login(page, email, password);
        expect(new URL(page.url()).pathname.startsWith(landing)).toBe(true);
        await expect.poll(() => navTestIds(page)).toEqual(nav);
        await expect.poll(() => page.getByTestId("current-user").textContent()).toBeTruthy();
      } finally {
        await context.close();
      }
    });
  }
});

describe("language", () => {
  it("switches to English and back, and remembers the choice for the user", async () => {
    const { context, page } = await freshPage();
    try {
      await login(page, "officer@bank.example", password);
      await expect.poll(() => page.getByTestId("page-title").textContent()).toBe("机构名录");
      await page.getByTestId("lang-en").click();
      await expect.poll(() => page.getByTestId("page-title").textContent()).toBe("Directory");
      expect(await page.locator("html").getAttribute("lang")).toBe("en");
      // Remembered on the user: a new browser signs in to English.
      const other = await freshPage();
      await login(other.page, "officer@bank.example", password);
      await expect.poll(() => other.page.getByTestId("page-title").textContent()).toBe("Directory");
      await other.context.close();
      await page.getByTestId("lang-zh-CN").click();
      await expect.poll(() => page.getByTestId("page-title").textContent()).toBe("机构名录");
    } finally {
      await context.close();
    }
  });
});

describe("authorization on direct URLs", () => {
  it("a bidder opening the user administration gets the 403 page", async () => {
    const { context, page } = await freshPage();
    try {
      await login(page, "bidder2@bank.example", password);
      const response = await page.goto(`${baseUrl()}/admin/users`);
      expect(response?.status()).toBe(403);
      await expect.poll(() => page.getByTestId("error-403").isVisible()).toBe(true);
      expect(await page.getByTestId("error-403").textContent()).toContain("无权访问");
    } finally {
      await context.close();
    }
  });

  it("an agency member cannot open another agency's organization page", async () => {
    const { context, page } = await freshPage();
    try {
      await login(page, "member@huaxin.example", password);
      const own = await page.goto(`${baseUrl()}/orgs/${organizationId("华信资产清收有限公司")}`);
      expect(own?.status()).toBe(200);
      const other = await page.goto(`${baseUrl()}/orgs/${organizationId("安达债权管理有限公司")}`);
      expect(other?.status()).toBe(403);
      await expect.poll(() => page.getByTestId("error-403").isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it("an unknown page is a 404 in the user's language", async () => {
    const { context, page } = await freshPage();
    try {
      const response = await page.goto(`${baseUrl()}/no-such-page`);
      expect(response?.status()).toBe(404);
      expect(await page.getByTestId("error-404").textContent()).toContain("页面不存在");
    } finally {
      await context.close();
    }
  });
});

describe("lockout and disabling", () => {
  it("a locked-out user is told when to retry", async () => {
    const { context, page } = await freshPage();
    try {
      await page.goto(`${baseUrl()}/login`);
      for (let attempt = 1; attempt <= 5; attempt++) {
        await page.locator("input[name=email]").fill("retiree@bank.example");
        await page.locator("input[name=password]").fill(`wrong-${attempt}`);
        await page.locator("main button[type=submit]").click();
        await page.getByTestId("form-error").waitFor();
        if (attempt < 5) await expect.poll(() => page.getByTestId("form-error").textContent()).toBe("邮箱或密码不正确。");
      }
      await expect.poll(() => page.getByTestId("form-error").textContent()).toMatch(/账户已暂时锁定，请于 .*\d{2}:\d{2}.* 之后再试/);
      // Even the right password is refused while locked.
      await page.locator("input[name=email]").fill("retiree@bank.example");
      await page.locator("input[name=password]").fill(password);
      await page.locator("main button[type=submit]").click();
      await expect.poll(() => page.getByTestId("form-error").textContent()).toMatch(/暂时锁定/);
    } finally {
      await context.close();
    }
  });

  it("a user disabled by the admin is logged out at once", async () => {
    const victim = await freshPage();
    const admin = await freshPage();
    try {
      await login(victim.page, "member@anda.example", password);
      await login(admin.page, "admin@bank.example", password);
      await admin.page.goto(`${baseUrl()}/admin/users?q=member%40anda.example`);
      await admin.page.getByTestId("user-row-member@anda.example").getByRole("link").click();
      await admin.page.getByTestId("user-status").getByRole("button").click();
      await expect.poll(() => admin.page.getByTestId("toast").textContent()).toContain("用户已停用");

      await victim.page.goto(`${baseUrl()}/`);
      expect(new URL(victim.page.url()).pathname).toBe("/login");
      await expect.poll(() => victim.page.getByTestId("session-ended").isVisible()).toBe(true);
      await victim.page.locator("input[name=email]").fill("member@anda.example");
      await victim.page.locator("input[name=password]").fill(password);
      await victim.page.locator("main button[type=submit]").click();
      await expect.poll(() => victim.page.getByTestId("form-error").textContent()).toContain("已被停用");
    } finally {
      await victim.context.close();
      await admin.context.close();
    }
  });
});

describe("forms", () => {
  it("validates in the browser with the server's schema and keeps the input", async () => {
    const { context, page } = await freshPage();
    try {
      await login(page, "admin@bank.example", password);
      await page.goto(`${baseUrl()}/admin/users/new`);
      await page.locator("input[name=email]").fill("not-an-email");
      await page.locator("input[name=displayName]").fill("测试用户");
      await page.getByTestId("user-form").locator("button[type=submit]").click();
      await expect.poll(() => page.locator("#f-email-error").textContent()).toBe("请输入有效的电子邮箱。");
      expect(await page.locator("input[name=displayName]").inputValue()).toBe("测试用户");
    } finally {
      await context.close();
    }
  });
});

describe("audit log", () => {
  it("an auditor finds the sign-ins and the disabling above, filters them and exports CSV", async () => {
    const { context, page } = await freshPage();
    try {
      await login(page, "auditor@bank.example", password);
      await page.getByTestId("nav-audit").click();
      await page.getByTestId("audit-table").waitFor();
      await page.getByTestId("audit-filters").locator("select[name=action]").selectOption("user.disable");
      await page.getByTestId("audit-filters").locator("button[type=submit]").click();
      await expect.poll(() => page.getByTestId("audit-table").locator("tbody tr").count()).toBe(1);
      expect(await page.getByTestId("audit-table").textContent()).toContain("admin@bank.example");
      const href = await page.getByTestId("audit-export").getAttribute("href");
      const csv = await page.request.get(`${baseUrl()}${href}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()["content-type"]).toContain("text/csv");
      const lines = (await csv.text()).trim().split("\r\n");
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('"user.disable"');
    } finally {
      await context.close();
    }
  });

  it("a bidder cannot export the audit log", async () => {
    const { context, page } = await freshPage();
    try {
      await login(page, "bidder@bank.example", password);
      const response = await page.request.get(`${baseUrl()}/audit/export`);
      expect(response.status()).toBe(403);
    } finally {
      await context.close();
    }
  });
});

describe("operations pages", () => {
  it("the admin sees the job counts and the email outbox", async () => {
    const { context, page } = await freshPage();
    try {
      await login(page, "admin@bank.example", password);
      await page.getByTestId("nav-jobs").click();
      expect(await page.getByTestId("job-counts").textContent()).toContain("audit.verify");
      await page.getByTestId("nav-outbox").click();
      await page.getByTestId("outbox-table").waitFor();
    } finally {
      await context.close();
    }
  });
});
