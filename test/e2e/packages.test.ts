import crypto from "node:crypto";
import Database from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, databaseFile, hydrated, launchBrowser, signedIn } from "../support/browser";

// Issue 5's journey on the seeded demo book (48 DEMO-xxxx loans, priced by the seed): build packages,
// move a loan, save, submit, approve as another user (four-eyes), then, with the package put into a
// fixture tender, open the data room as an eligible bidder (undertaking, masked data) and be refused
// as an excluded one.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});


/** A DateTime the way Prisma stores it in SQLite (see app/infra/sqlite-datetime.server.ts). */
const sqliteDateTime = (date: Date) => date.toISOString().replace(/Z$/, "+00:00");

/** Puts an approved package into a published tender open to staff and agencies (what [AUCTION] will do through its own pages). */
function putInTender(packageId: string): void {
  const db = new Database(databaseFile());
  try {
    const officer = db.prepare('SELECT id FROM "User" WHERE email = ?').get("officer@bank.example") as { id: string };
    const tenderId = `e2e-tender-${crypto.randomUUID()}`;
    const now = new Date();
    db.transaction(() => {
      db.prepare('INSERT INTO "Tender" ("id", "title", "status", "audience", "excludedPositions", "auctionEndsAt", "createdById", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(tenderId, "E2E 竞标", "PUBLISHED", "BOTH", "[]", sqliteDateTime(new Date(now.getTime() + 30 * 86_400_000)), officer.id, sqliteDateTime(now));
      // The lot runs as long as the tender (the close sweeper would otherwise close a lot ending "now").
      const ends = sqliteDateTime(new Date(now.getTime() + 30 * 86_400_000));
      db.prepare('INSERT INTO "TenderLot" ("id", "tenderId", "packageId", "status", "startsAt", "closesAt") VALUES (?, ?, ?, ?, ?, ?)')
        .run(`e2e-lot-${crypto.randomUUID()}`, tenderId, packageId, "OPEN", sqliteDateTime(now), ends);
      db.prepare('UPDATE "Package" SET "status" = ? WHERE "id" = ?').run("IN_TENDER", packageId);
    })();
  } finally {
    db.close();
  }
}

const rows = (page: Page) => page.getByTestId("package-row");


describe("loan packages journey", () => {
  it("builds, moves a loan, saves, submits, approves as another user; an eligible bidder opens the data room, an excluded one is refused", async () => {
    const officer = await signedIn(browser, "officer@bank.example");
    const contexts: BrowserContext[] = [officer.context];
    try {
      const page = officer.page;

      // 1. Build: the whole (priced) book into packages of about ¥150,000, by region.
      await page.goto(`${baseUrl()}/packages/new`);
      await hydrated(page, "bundle-preview");
      const form = page.getByTestId("bundle-form");
      await form.locator("input[name=target_amount]").fill("150000");
      await form.locator("select[name=mode]").selectOption("by-region");
      await page.getByTestId("bundle-preview").click();
      await expect.poll(() => page.getByTestId("bundle-package").count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

      // 2. Move the first package's smallest loan into the second package; the rules are re-checked in place.
      const first = page.getByTestId("bundle-package").nth(0);
      const second = page.getByTestId("bundle-package").nth(1);
      await first.getByTestId("bundle-package-toggle").click();
      const moved = (await first.getByTestId("bundle-loan").last().getAttribute("data-loan-number"))!;
      expect(moved).toBeTruthy();
      await first.getByTestId(`move-loan-${moved}`).selectOption("1");
      await expect.poll(() => first.locator(`[data-testid=bundle-loan][data-loan-number="${moved}"]`).count()).toBe(0);
      await second.getByTestId("bundle-package-toggle").click();
      await expect.poll(() => second.locator(`[data-testid=bundle-loan][data-loan-number="${moved}"]`).count()).toBe(1);

      // 3. Save as drafts: the list shows the bundle's drafts.
      await Promise.all([page.waitForURL(/\/packages\?bundle=/), page.getByTestId("bundle-save").click()]);
      await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(2);
      const statuses = await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
      expect(new Set(statuses)).toEqual(new Set(["DRAFT"]));
      const firstId = (await rows(page).nth(0).getAttribute("data-package-id"))!;
      const secondId = (await rows(page).nth(1).getAttribute("data-package-id"))!;

      // The moved loan was saved in the second draft, not the first.
      await page.goto(`${baseUrl()}/packages/${secondId}`);
      await expect.poll(() => page.locator(`[data-testid=package-loan][data-loan-number="${moved}"]`).count()).toBe(1);

      // 4. Move it back on the draft's own page (a select per loan, then the move button).
      await page.getByTestId(`move-loan-${moved}`).selectOption(firstId);
      await page.getByTestId(`move-loan-submit-${moved}`).click();
      await expect.poll(() => page.locator(`[data-testid=package-loan][data-loan-number="${moved}"]`).count()).toBe(0);
      expect(await page.getByTestId("package-history").textContent()).toContain(moved);

      // 5. Submit the first draft. Its submitter has no approve button (four-eyes).
      await page.goto(`${baseUrl()}/packages/${firstId}`);
      await expect.poll(() => page.locator(`[data-testid=package-loan][data-loan-number="${moved}"]`).count()).toBe(1);
      await page.getByTestId("package-submit").click();
      await expect.poll(() => page.getByTestId("package-status").getAttribute("data-status")).toBe("SUBMITTED");
      expect(await page.getByTestId("package-approve").count()).toBe(0);
      expect(await page.getByTestId("package-reject").count()).toBe(0);

      // A document: junk named .pdf is refused by sniffing; a real PDF is kept.
      const upload = page.getByTestId("package-document-upload");
      await upload.locator("input[name=title]").fill("尽调报告");
      await upload.locator("input[name=file]").setInputFiles({ name: "尽调报告.pdf", mimeType: "application/pdf", buffer: Buffer.from("MZ\x90\x00\x03\x00\x00\x00junk", "latin1") });
      await upload.locator("button[type=submit]").click();
      await expect.poll(() => page.getByTestId("package-document-upload").getByTestId("field-error").textContent()).toContain("文件类型不允许");
      await page.getByTestId("package-document-upload").locator("input[name=title]").fill("尽调报告");
      await page.getByTestId("package-document-upload").locator("input[name=file]").setInputFiles({
        name: "尽调报告.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "latin1"),
      });
      await page.getByTestId("package-document-upload").locator("button[type=submit]").click();
      await expect.poll(() => page.getByTestId("package-document").count()).toBe(1);

      // 6. The approver (another person) approves with a comment: the package gets its PKG-YYYY-NNNN number.
      const approver = await signedIn(browser, "approver@bank.example");
      contexts.push(approver.context);
      await approver.page.goto(`${baseUrl()}/packages/${firstId}`);
      await approver.page.getByTestId("package-comment").fill("同意挂牌");
      await approver.page.getByTestId("package-approve").click();
      await expect.poll(() => approver.page.getByTestId("package-status").getAttribute("data-status")).toBe("APPROVED");
      const number = (await approver.page.getByTestId("package-number").textContent())!.trim();
      expect(number).toMatch(/^PKG-\d{4}-\d{4}$/);
      expect(await approver.page.getByTestId("package-approve").count()).toBe(0);
      await page.reload();
      expect(await page.getByTestId("package-number").textContent()).toBe(number);
      expect(await page.getByTestId("package-approve").count()).toBe(0);

      // 7. [AUCTION] is not built yet: a fixture tender (published, staff and agencies) offers the package.
      putInTender(firstId);

      // 8. An eligible bidder: the undertaking first, then the masked data room.
      const bidder = await signedIn(browser, "bidder@bank.example");
      contexts.push(bidder.context);
      await bidder.page.goto(`${baseUrl()}/packages/${firstId}/data-room`);
      await bidder.page.getByTestId("undertaking-accept").click();
      await expect.poll(() => bidder.page.getByTestId("data-room-loan").count(), { timeout: 15_000 }).toBeGreaterThan(0);
      const room = (await bidder.page.locator("main").textContent())!;
      expect(room).toContain(number);
      expect(room).not.toMatch(/\d{17}[\dX]/); // no full resident ID number
      const names = await bidder.page.getByTestId("data-room-loan").evaluateAll((els) => els.map((e) => e.querySelectorAll("td")[1]?.textContent ?? ""));
      expect(names.some((n) => /^\p{Script=Han}\*+\p{Script=Han}?/u.test(n))).toBe(true); // 王*明
      expect(await bidder.page.getByTestId("data-room-document").count()).toBe(1);
      const doc = await bidder.page.request.get(`${baseUrl()}${await bidder.page.getByTestId("data-room-document").locator("a").getAttribute("href")}`);
      expect(doc.status()).toBe(200);
      expect(doc.headers()["content-disposition"]).toContain(`filename*=UTF-8''${encodeURIComponent("尽调报告.pdf")}`);
      expect(doc.headers()["x-content-type-options"]).toBe("nosniff");
      const xlsx = await bidder.page.request.get(`${baseUrl()}${await bidder.page.getByTestId("data-room-export").getAttribute("href")}`);
      expect(xlsx.status()).toBe(200);
      expect(xlsx.headers()["content-type"]).toContain("spreadsheetml");

      // 9. The president's position is excluded from bidding: a 403 that says why.
      const president = await signedIn(browser, "president@bank.example");
      contexts.push(president.context);
      const refused = await president.page.goto(`${baseUrl()}/packages/${firstId}/data-room`);
      expect(refused?.status()).toBe(403);
      const refusal = president.page.getByTestId("data-room-refused");
      expect(await refusal.getAttribute("data-reason")).toBe("not_eligible");
      expect(await refusal.textContent()).toContain("行长");
      expect(await president.page.getByTestId("data-room-loan").count()).toBe(0);
    } finally {
      for (const context of contexts) await context.close();
    }
  });
});
