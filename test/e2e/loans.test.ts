import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { residentIdCheckCharacter } from "~/domain/identity-numbers";
import { baseUrl, launchBrowser, login } from "../support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function session(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  context.setDefaultTimeout(15_000);
  return { context, page: await context.newPage() };
}

const residentId = (n: number) => {
  const first17 = `11010519800101${String(100 + n).padStart(3, "0")}`;
  return first17 + residentIdCheckCharacter(first17);
};

const header = "贷款编号,借款人,借款人类型,证件号码,联系电话,经办机构,区域,本金余额,表内欠息,表外欠息,发放日期,到期日期,最后时效中断日期,五级分类,表内外,担保方式,担保人,诉讼状态,难度原因";
const row = (n: number, over: { id?: string; matures?: string } = {}) =>
  [`E2E-${n}`, "王小明", "个人", over.id ?? residentId(n), "13812345678", "B001", "城关区", "\"100,000.00\"", "15000", "5000", "2018-03-15", over.matures ?? "2020-03-15", "2024-06-01", "次级", "表内", "信用", "", "无", n === 3 ? "死亡" : ""].join(",");

/** A tape of four loans; `broken` gives rows 3 and 5 (spreadsheet rows) a bad ID checksum and an impossible date. */
function tape(broken: boolean): Buffer {
  const badId = residentId(2).slice(0, 17) + (residentId(2).endsWith("0") ? "1" : "0");
  const lines = [header, row(1), broken ? row(2, { id: badId }) : row(2), row(3), broken ? row(4, { matures: "2023-02-29" }) : row(4)];
  return Buffer.from(`\uFEFF${lines.join("\r\n")}\r\n`, "utf8");
}

async function uploadTape(page: Page, content: Buffer): Promise<void> {
  await page.goto(`${baseUrl()}/loan-tapes`);
  await page.setInputFiles("input[type=file][name=file]", { name: "贷款清单.csv", mimeType: "text/csv", buffer: content });
  await Promise.all([page.waitForURL(/\/loan-tapes\/[^/]+$/), page.getByTestId("tape-upload").locator("button[type=submit]").click()]);
}

describe("loan book journey", () => {
  it("a tape with two bad rows is refused with its errors; fixed, it imports; the loan is found, priced and one price overridden", async () => {
    const { context, page } = await session();
    try {
      await login(page, "officer@bank.example");

      // 1. Two bad rows: nothing is written, each error names the spreadsheet row, the column and the reason.
      await uploadTape(page, tape(true));
      await expect.poll(() => page.getByTestId("tape-status").getAttribute("data-status"), { timeout: 30_000 }).toBe("rejected");
      const errors = page.getByTestId("tape-error");
      expect(await errors.count()).toBe(2);
      expect(await errors.nth(0).getAttribute("data-row")).toBe("3");
      const first = await errors.nth(0).textContent();
      expect(first).toContain("证件号码");
      expect(first).toContain("校验");
      expect(await errors.nth(1).getAttribute("data-row")).toBe("5");
      const second = await errors.nth(1).textContent();
      expect(second).toContain("到期日期");
      expect(second).toContain("2023-02-29");
      await page.goto(`${baseUrl()}/loans?q=E2E-`);
      expect(await page.getByTestId("loan-row").count()).toBe(0);

      // 2. Fixed: all four loans are imported.
      await uploadTape(page, tape(false));
      await expect.poll(() => page.getByTestId("tape-status").getAttribute("data-status"), { timeout: 30_000 }).toBe("imported");

      // 3. Find a loan: masked in the list and on its page; unmasking shows the full number (and is audited).
      await page.goto(`${baseUrl()}/loans`);
      await page.getByTestId("filter-q").fill("E2E-3");
      await page.getByTestId("filter-q").press("Enter");
      // The seeded demo book is there too: the search narrows 52 loans to one.
      await expect.poll(() => page.getByTestId("loan-row").count()).toBe(1);
      const listed = await page.getByTestId("loan-row").textContent();
      expect(listed).toContain("王*明");
      expect(listed).toContain("110105********");
      expect(listed).not.toContain(residentId(3));
      await page.getByTestId("loan-row").getByRole("link").first().click();
      await page.getByTestId("statement").waitFor();
      expect(await page.getByTestId("statement").textContent()).not.toContain(residentId(3));
      await page.getByTestId("unmask-button").click();
      await expect.poll(() => page.getByTestId("unmasked-id").textContent()).toBe(residentId(3));
      // The product suggested 收回难度大 from the reason 死亡.
      expect(await page.getByTestId("statement").textContent()).toContain("收回难度大");

      // 4. Price the four loans: claim ¥120,000.00, overdue since 2020-03-15.
      await page.goto(`${baseUrl()}/pricing`);
      await page.getByTestId("mode-numbers").check();
      await page.locator("textarea[name=loan_numbers]").fill("E2E-1\nE2E-2\nE2E-3\nE2E-4");
      await page.locator("input[name=pricing_date]").fill("2026-11-23");
      await Promise.all([page.waitForURL(/\/pricing\/\d+$/), page.getByTestId("new-pricing-run").locator("button[type=submit]").click()]);
      const loan3 = page.locator("[data-testid=price-row][data-loan-number=E2E-3]");
      // Hard, 6 whole years overdue → 3% of ¥120,000.00 = ¥3,600.00; recoverable → 12% = ¥14,400.00.
      expect(await loan3.getByTestId("effective-price").textContent()).toBe("¥3,600.00");
      const loan1 = page.locator("[data-testid=price-row][data-loan-number=E2E-1]");
      expect(await loan1.getByTestId("effective-price").textContent()).toBe("¥14,400.00");

      // 5. Override one price with a reason; the computed price stays on record.
      const form = loan1.getByTestId("override-form");
      await form.locator("input[name=price]").fill("15,000");
      await form.locator("button[type=submit]").click();
      await expect.poll(() => loan1.getByTestId("field-error").count()).toBeGreaterThan(0); // no reason: refused in place
      await form.locator("input[name=reason]").fill("抵押物已评估，价值较高");
      await form.locator("button[type=submit]").click();
      await expect.poll(() => loan1.getByTestId("effective-price").textContent()).toBe("¥15,000.00");
      expect(await loan1.textContent()).toContain("¥14,400.00");
    } finally {
      await context.close();
    }
  });
});
