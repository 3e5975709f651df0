import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { baseUrl, hydrated, launchBrowser, signedIn } from "../support/browser";
import { approvedPackage, chinaLocal, withDb, yuan } from "../support/e2e-data";

// Issue 6's journey on the seeded demo book: the officer makes a tender of an approved package with a
// one-minute anti-sniping window and publishes it; a staff bidder pays the deposit by payroll
// deduction (finance confirms it), an agency pays by Stripe (the local Stripe fake's webhook confirms
// it); both watch the lot live in two browser contexts; a last-minute bid moves the close; the lot
// closes by its job; the winner accepts the award; the loser's Stripe deposit is refunded.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});


const attr = (page: Page, testId: string, name: string) => page.getByTestId(testId).first().getAttribute(name);

/** The lot's close as the page shows it. */
async function closesAt(page: Page): Promise<number> {
  return new Date((await attr(page, "lot-closes-at", "data-closes-at")) ?? "").getTime();
}

describe("a tender from publication to refund, live in two browsers", () => {
  it("publishes, takes deposits, updates both bidders live, extends the close on a last-minute bid, closes, awards and refunds the loser", async () => {
    const pkg = await approvedPackage();
    const stripeFake = inject("stripeFakeUrl");

    // ---- the officer makes the tender: auction from now to the end of the minute after next; anti-sniping 1 minute
    const officer = await signedIn(browser, "officer@bank.example");
    const start = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const end = new Date(start.getTime() + 3 * 60_000);
    await officer.page.goto(`${baseUrl()}/tenders/new`);
    await hydrated(officer.page, "create-tender");
    await officer.page.fill("input[name=title]", "E2E 竞价：城区不良贷款包");
    await officer.page.check(`input[name=package_ids][value="${pkg.id}"]`);
    await officer.page.selectOption("select[name=audience]", "BOTH");
    await officer.page.fill("input[name=registration_opens_at]", chinaLocal(start));
    await officer.page.fill("input[name=registration_closes_at]", chinaLocal(end));
    await officer.page.fill("input[name=auction_starts_at]", chinaLocal(start));
    await officer.page.fill("input[name=auction_ends_at]", chinaLocal(end));
    await officer.page.fill("input[name=bid_deposit]", "5000");
    await officer.page.fill("input[name=anti_sniping_minutes]", "1");
    await Promise.all([officer.page.waitForURL((url) => /^\/tenders\/[^/]+$/.test(url.pathname) && url.pathname !== "/tenders/new"), officer.page.getByTestId("create-tender").click()]);
    const tenderId = new URL(officer.page.url()).pathname.split("/").pop()!;
    await hydrated(officer.page, "publish-tender");
    await officer.page.getByTestId("publish-tender").click();
    await expect.poll(() => attr(officer.page, "tender-status", "data-status")).toBe("PUBLISHED");
    const lotId = withDb((db) => (db.prepare('SELECT id FROM "TenderLot" WHERE "tenderId" = ?').get(tenderId) as { id: string }).id);
    await officer.context.close();

    // ---- two bidders register; the staff bidder declares a payroll deduction, the agency pays by Stripe
    const staff = await signedIn(browser, "bidder@bank.example");
    const agency = await signedIn(browser, "admin@huaxin.example");
    for (const [bidder, method] of [[staff, "PAYROLL"], [agency, "STRIPE"]] as const) {
      await bidder.page.goto(`${baseUrl()}/tenders/${tenderId}`);
      await hydrated(bidder.page, "register");
      await bidder.page.getByTestId("register").click();
      await hydrated(bidder.page, "pay-deposit");
      await bidder.page.getByTestId("deposit-method").selectOption(method);
      await bidder.page.getByTestId("pay-deposit").click();
      await bidder.page.locator(`[data-testid="deposit-row"][data-method="${method}"]`).waitFor();
    }
    await expect.poll(() => staff.page.locator('[data-testid="deposit-row"]').first().getAttribute("data-status")).toBe("DECLARED");
    await expect.poll(() => agency.page.locator('[data-testid="deposit-row"]').first().getAttribute("data-status")).toBe("AWAITING_PAYMENT");

    // The agency's customer side pays at Stripe; only the signed webhook the fake then sends confirms it.
    const paymentIntent = withDb(
      (db) =>
        (db.prepare(`SELECT d."providerRef" AS ref FROM "BidDeposit" d JOIN "TenderRegistration" r ON r.id = d."registrationId" WHERE r."tenderId" = ? AND d."method" = 'STRIPE'`).get(tenderId) as { ref: string }).ref,
    );
    const paid = await fetch(`${stripeFake}/__customer/payment_intents/${paymentIntent}/pay`, { method: "POST" });
    expect(paid.status).toBe(200);
    await expect
      .poll(async () => {
        await agency.page.reload();
        return agency.page.locator('[data-testid="deposit-row"]').first().getAttribute("data-status");
      }, { timeout: 20_000 })
      .toBe("CONFIRMED");
    await agency.page.getByTestId("qualified").waitFor();

    // Finance confirms the payroll deduction with a voucher number on the deposit desk.
    const finance = await signedIn(browser, "finance@bank.example");
    await finance.page.goto(`${baseUrl()}/deposits`);
    const depositId = withDb(
      (db) =>
        (db.prepare(`SELECT d.id FROM "BidDeposit" d JOIN "TenderRegistration" r ON r.id = d."registrationId" WHERE r."tenderId" = ? AND d."method" = 'PAYROLL'`).get(tenderId) as { id: string }).id,
    );
    const row = finance.page.locator(`[data-testid="pending-deposit-row"][data-deposit-id="${depositId}"]`);
    await hydrated(finance.page, "confirm-deposit-submit");
    await row.getByTestId("voucher-number").fill("PZ-2026-1124-01");
    await row.getByTestId("confirm-deposit-submit").click();
    await row.waitFor({ state: "detached" });
    await finance.context.close();
    await staff.page.reload();
    await staff.page.getByTestId("qualified").waitFor();
    await expect.poll(() => staff.page.locator('[data-testid="deposit-row"]').first().getAttribute("data-status")).toBe("CONFIRMED");

    // ---- both watch the lot; bids appear on the other page without a reload
    for (const bidder of [staff, agency]) {
      await bidder.page.goto(`${baseUrl()}/tenders/${tenderId}/lots/${lotId}`);
      await hydrated(bidder.page, "place-bid").catch(async (error: unknown) => {
        await bidder.page.screenshot({ path: "/tmp/e2e-lot.png", fullPage: true });
        console.log(await bidder.page.locator("main").innerText());
        throw error;
      });
      await expect.poll(() => attr(bidder.page, "live-indicator", "data-state")).toBe("connected");
    }
    // The first bid may be the reserve (the package's price): the form is pre-filled with it.
    await expect.poll(() => staff.page.getByTestId("bid-amount").inputValue()).toBe(yuan(pkg.total));
    await staff.page.getByTestId("place-bid").click();
    await staff.page.getByTestId("bid-accepted").waitFor();
    await expect.poll(() => attr(staff.page, "lot-my-status", "data-status")).toBe("leading");
    // The agency's page, untouched, shows the bid and the new minimum.
    await expect.poll(() => agency.page.getByTestId("bid-history-row").count()).toBe(1);
    await expect.poll(() => agency.page.getByTestId("lot-high-bid").textContent()).toContain(Number(pkg.total / 100n).toLocaleString("zh-CN"));
    const agencyMinimum = await agency.page.getByTestId("bid-amount").inputValue();
    expect(Number(agencyMinimum)).toBeGreaterThan(Number(yuan(pkg.total)));
    await agency.page.getByTestId("place-bid").click();
    await agency.page.getByTestId("bid-accepted").waitFor();
    await expect.poll(() => attr(staff.page, "lot-my-status", "data-status")).toBe("outbid");
    await expect.poll(() => staff.page.getByTestId("bid-history-row").count()).toBe(2);
    await expect(staff.page.getByTestId("bid-history").textContent()).resolves.toMatch(/竞买人1[\s\S]*竞买人2|竞买人2[\s\S]*竞买人1/);

    // ---- a bid in the last minute moves the close to a minute after it, on both pages
    const scheduledClose = await closesAt(staff.page);
    expect(scheduledClose).toBe(end.getTime());
    const lastMinute = scheduledClose - 50_000;
    if (Date.now() < lastMinute) await staff.page.waitForTimeout(lastMinute - Date.now());
    const bidAt = Date.now();
    await staff.page.getByTestId("place-bid").click();
    await staff.page.getByTestId("bid-accepted").waitFor();
    await expect.poll(() => closesAt(agency.page)).toBeGreaterThan(scheduledClose);
    const extendedClose = await closesAt(agency.page);
    expect(extendedClose - bidAt).toBeGreaterThanOrEqual(55_000);
    expect(extendedClose - bidAt).toBeLessThanOrEqual(65_000);
    expect(await closesAt(staff.page)).toBe(extendedClose);
    await expect.poll(() => attr(agency.page, "lot-my-status", "data-status")).toBe("outbid");

    // ---- the close job closes the lot at the extended close; both pages learn it live
    for (const bidder of [staff, agency]) {
      await expect.poll(() => attr(bidder.page, "lot-status", "data-status"), { timeout: Math.max(30_000, extendedClose - Date.now() + 45_000) }).toBe("AWAITING_SIGNATURE");
      await bidder.page.getByTestId("lot-result").waitFor();
    }
    await expect(staff.page.getByTestId("lot-result").textContent()).resolves.toContain("竞买人1");

    // ---- the winner accepts the award on the tender page; the results show price and premium
    await staff.page.goto(`${baseUrl()}/tenders/${tenderId}`);
    await hydrated(staff.page, "accept-award");
    await staff.page.getByTestId("accept-award").click();
    await staff.page.getByTestId("award-accepted").waitFor();
    const result = staff.page.locator(`[data-testid="result-row"][data-lot-id="${lotId}"]`);
    await expect(result.getAttribute("data-status")).resolves.toBe("ACCEPTED");
    await expect(result.textContent()).resolves.toMatch(/2/); // two bidders

    // ---- the loser's Stripe deposit comes back (refund job → Stripe refund → signed webhook)
    await expect
      .poll(async () => {
        await agency.page.goto(`${baseUrl()}/tenders/${tenderId}`);
        return agency.page.locator('[data-testid="deposit-row"]').first().getAttribute("data-status");
      }, { timeout: 60_000, interval: 1_000 })
      .toBe("REFUNDED");
    // The winner keeps the deposit for the contract.
    await expect.poll(() => staff.page.locator('[data-testid="deposit-row"]').first().getAttribute("data-status")).toBe("CONFIRMED");

    // Every journal entry balances.
    const unbalanced = withDb((db) =>
      db.prepare(
        `SELECT "entryId", SUM(CASE WHEN "side" = 'DEBIT' THEN "amount" ELSE -"amount" END) AS net FROM "JournalLine" GROUP BY "entryId" HAVING net <> 0`,
      ).all(),
    );
    expect(unbalanced).toEqual([]);
    await staff.context.close();
    await agency.context.close();
  }, 420_000);
});
