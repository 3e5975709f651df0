import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launchBrowser, login } from "../support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function page() {
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

describe("settings with four eyes", () => {
  it("one officer proposes a new bid deposit, a second approves it, and the auditor sees both steps", async () => {
    const first = await page();
    const second = await page();
    const auditor = await page();
    try {
      await login(first.page, "officer@bank.example");
      await first.page.getByTestId("nav-settings").click();
      const form = first.page.getByTestId("propose-settings");
      // A bad value is refused in place, with the field named and the input kept.
      await form.locator("input[name=bidDepositFen]").fill("8000.5");
      await form.locator("input[name=reason]").fill("提高竞标定金");
      await form.locator("button[type=submit]").click();
      await expect.poll(() => first.page.locator("#f-bidDepositFen-error").textContent()).toBe("请输入以“分”为单位的非负整数。");
      await form.locator("input[name=bidDepositFen]").fill("800000");
      await form.locator("button[type=submit]").click();
      await expect.poll(() => first.page.getByTestId("toast").textContent()).toContain("新版本已提交");
      await first.page.getByTestId("pending-2").waitFor();
      expect(await first.page.getByTestId("pending-2").getByRole("button").count()).toBe(0); // the proposer cannot approve

      await login(second.page, "officer2@bank.example");
      await second.page.goto(`${baseUrl()}/settings`);
      expect(await second.page.getByTestId("pending-changes").textContent()).toContain("\"500000\" → \"800000\"");
      await second.page.getByTestId("pending-2").locator("input[name=note]").fill("同意");
      await second.page.getByTestId("pending-2").getByRole("button", { name: "批准" }).click();
      await expect.poll(() => second.page.getByTestId("toast").textContent()).toContain("已批准");
      await expect.poll(() => second.page.getByTestId("settings-in-force").textContent()).toContain("第 2 版");

      await login(auditor.page, "auditor@bank.example");
      await auditor.page.goto(`${baseUrl()}/audit?entityType=SettingVersion`);
      const table = auditor.page.getByTestId("audit-table");
      await table.waitFor();
      const text = await table.textContent();
      expect(text).toContain("settings.propose");
      expect(text).toContain("settings.approve");
      expect(text).toContain("officer@bank.example");
      expect(text).toContain("officer2@bank.example");
    } finally {
      await first.context.close();
      await second.context.close();
      await auditor.context.close();
    }
  });
});
