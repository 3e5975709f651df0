import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractTerms } from "~/domain/contract";
import { defaultSettings } from "~/domain/settings";
import { baseUrl, hydrated, launchBrowser, signedIn } from "../support/browser";
import { withDb } from "../support/e2e-data";

// Issue 8's journey. An agency (安达, so the custody journey's 华信 keeps its own loans) holds an active custody contract (arranged straight in the database:
// issue 7's journey already walks award → signature → deposit → custody). In the browser the agency
// reports money it collected 12 days ago, the branch registers it, audit verifies it; the agency remits
// it by bank transfer and the branch confirms it today, 12 days late, so R7 late interest is charged
// (¥10,500 × 4.35% × 12 / 360 = ¥15.225 → ¥15.23). The department generates the quarter's fee list
// (清收手续费清单: the recovery, the 12% fee ¥1,260.00, the late interest, net ¥1,244.77 to the agency)
// and it walks branch → department (line by line) → finance → invoice → paid, each step by another person.

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const DAY = 86_400_000;
const sqliteDateTime = (date: Date) => date.toISOString().replace(/Z$/, "+00:00");
const chinaDay = (date: Date) => new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
/** Polls a database read until it finds something, and returns it. */
async function eventually<T>(read: () => T | undefined): Promise<T> {
  let found: T | undefined;
  await expect.poll(() => (found = read()) !== undefined).toBe(true);
  return found!;
}

/** Errors thrown in the browser (a render that fails after hydration shows the error page, not a failed request). */
const pageErrors: string[] = [];
const watch = (page: Page) => page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).first().textContent()) ?? "";

/** An ACTIVE agency contract over two untouched demo loans, custody started 30 days ago, the ¥200,000 bond held. */
function activeAgencyContract(): { contractId: string; contractNumber: string; loanNumber: string } {
  return withDb((db) => {
    const agency = db.prepare(`SELECT u.id AS userId, u."organizationId" AS orgId FROM "User" u WHERE u.email = 'admin@anda.example'`).get() as { userId: string; orgId: string };
    const officer = db.prepare(`SELECT id FROM "User" WHERE email = 'officer@bank.example'`).get() as { id: string };
    const loans = db
      .prepare(
        `SELECT id, "loanNumber", "principal", "interestOnBalance", "interestOffBalance", "price" FROM "Loan"
          WHERE "status" = 'IN_BOOK' AND "price" IS NOT NULL AND "id" NOT IN (SELECT "loanId" FROM "PackageLoan") ORDER BY "loanNumber" LIMIT 2`,
      )
      .all() as { id: string; loanNumber: string; principal: number | bigint; interestOnBalance: number | bigint; interestOffBalance: number | bigint; price: number | bigint }[];
    expect(loans).toHaveLength(2);
    const price = loans.reduce((sum, l) => sum + BigInt(l.price), 0n);
    const startsAt = new Date(Date.now() - 30 * DAY);
    const endsAt = new Date(startsAt.getTime() + 730 * DAY);
    const id = `e2e-ctr-${crypto.randomUUID()}`;
    const number = `CTR-2026-E${String(Date.now() % 1000).padStart(3, "0")}`;
    const terms = contractTerms({ kind: "agency", winningPrice: price, day: chinaDay(startsAt) }, defaultSettings, 1);
    db.prepare(
      `INSERT INTO "CustodyContract" ("id", "number", "awardId", "lotId", "tenderId", "packageId", "custodianKey", "custodianKind", "custodianUserId", "custodianOrgId",
        "registrationId", "winningPrice", "task", "termMonths", "performanceDeposit", "bidDepositCredit", "terms", "settingsVersion", "status", "createdAt",
        "signedById", "signedAt", "countersignedById", "countersignedAt", "custodyStartsAt", "custodyEndsAt", "version")
       VALUES (?, ?, ?, ?, ?, ?, ?, 'AGENCY', NULL, ?, ?, ?, ?, 24, 20000000, 0, ?, 1, 'ACTIVE', ?, ?, ?, ?, ?, ?, ?, 1)`,
    ).run(
      id, number, `e2e-award-${id}`, `e2e-lot-${id}`, `e2e-tender-${id}`, `e2e-package-${id}`, `org:${agency.orgId}`, agency.orgId, `e2e-registration-${id}`,
      price, price, JSON.stringify(terms), sqliteDateTime(startsAt), agency.userId, sqliteDateTime(startsAt), officer.id, sqliteDateTime(startsAt),
      sqliteDateTime(startsAt), sqliteDateTime(endsAt),
    );
    for (const loan of loans) {
      db.prepare(
        `INSERT INTO "CustodyLoan" ("id", "contractId", "loanId", "loanNumber", "pricedValue", "principal", "interest", "status") VALUES (?, ?, ?, ?, ?, ?, ?, 'IN_CUSTODY')`,
      ).run(`e2e-cl-${crypto.randomUUID()}`, id, loan.id, loan.loanNumber, loan.price, loan.principal, BigInt(loan.interestOnBalance) + BigInt(loan.interestOffBalance));
      db.prepare(`UPDATE "Loan" SET "status" = 'IN_CUSTODY' WHERE id = ?`).run(loan.id);
    }
    return { contractId: id, contractNumber: number, loanNumber: loans[0]!.loanNumber };
  });
}

describe("settlement from a recovery to a paid fee list", () => {
  it("reports, registers, verifies, remits late with interest, and walks the quarter's statement to paid", async () => {
    const { contractId, contractNumber, loanNumber } = activeAgencyContract();
    const collectedOn = chinaDay(new Date(Date.now() - 12 * DAY));
    const today = chinaDay(new Date());

    // ---- the agency reports ¥10,000 principal + ¥500 interest collected 12 days ago, with the receipt
    const agency = await signedIn(browser, "admin@anda.example");
    watch(agency.page);
    await agency.page.goto(`${baseUrl()}/recoveries`);
    await hydrated(agency.page, "recovery-submit");
    const form = agency.page.getByTestId("recovery-form");
    await form.locator('[name="loan_number"]').fill(loanNumber);
    await form.locator('[name="collected_on"]').fill(collectedOn);
    await form.locator('[name="principal"]').fill("10000.00");
    await form.locator('[name="interest"]').fill("500.00");
    await form.locator('[name="payer"]').fill("债务人本人");
    await form.locator('[name="evidence"]').setInputFiles({ name: "receipt.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n") });
    await agency.page.getByTestId("recovery-submit").click();
    const recoveryNumber = await eventually(() => withDb((db) => (db.prepare(`SELECT "number" FROM "Recovery" WHERE "contractId" = ?`).get(contractId) as { number: string } | undefined)?.number));
    await expect.poll(() => agency.page.getByTestId(`recovery-status-${recoveryNumber}`).getAttribute("data-status")).toBe("REPORTED");

    // ---- the branch registers it (逐笔登记)
    const clerk = await signedIn(browser, "clerk@bank.example");
    watch(clerk.page);
    await clerk.page.goto(`${baseUrl()}/recoveries`);
    await hydrated(clerk.page, `register-${recoveryNumber}`);
    const clerkRow = clerk.page.getByTestId(`register-row-${recoveryNumber}`);
    await clerkRow.locator('[name="register_reference"]').fill("DJ-E2E-001");
    await clerk.page.getByTestId(`register-${recoveryNumber}`).click();
    await expect.poll(() => clerk.page.getByTestId(`recovery-status-${recoveryNumber}`).getAttribute("data-status")).toBe("REGISTERED");

    // ---- audit verifies it (逐笔审核)
    const auditor = await signedIn(browser, "auditor@bank.example");
    watch(auditor.page);
    await auditor.page.goto(`${baseUrl()}/recoveries`);
    await hydrated(auditor.page, `verify-${recoveryNumber}`);
    await auditor.page.getByTestId(`verify-${recoveryNumber}`).click();
    await expect.poll(() => auditor.page.getByTestId(`recovery-status-${recoveryNumber}`).getAttribute("data-status")).toBe("VERIFIED");
    await auditor.context.close();

    // ---- the agency sees the interest accruing (12 days: ¥15.23) and remits by bank transfer
    await agency.page.goto(`${baseUrl()}/remittances`);
    await expect.poll(() => text(agency.page, `accruing-${recoveryNumber}`)).toContain("15.23");
    await hydrated(agency.page, "remit-submit");
    const remit = agency.page.getByTestId("remit-form");
    await remit.locator('[name="amount"]').fill("10500.00");
    await remit.locator('[name="payer_reference"]').fill("HX-TRANSFER-0001");
    await agency.page.getByTestId("remit-submit").click();
    const remittanceNumber = await eventually(() => withDb((db) => (db.prepare(`SELECT "number" FROM "Remittance" WHERE "contractId" = ?`).get(contractId) as { number: string } | undefined)?.number));

    // ---- the branch confirms it arrived today: 12 days after it was collected
    await clerk.page.goto(`${baseUrl()}/remittances`);
    await hydrated(clerk.page, `confirm-remittance-${remittanceNumber}`);
    const remittanceRow = clerk.page.getByTestId(`declared-row-${remittanceNumber}`);
    await remittanceRow.locator('[name="voucher_number"]').fill("PZ-E2E-0001");
    await remittanceRow.locator('[name="remitted_on"]').fill(today);
    await clerk.page.getByTestId(`confirm-remittance-${remittanceNumber}`).click();
    await expect.poll(() => clerk.page.getByTestId(`remittance-status-${remittanceNumber}`).getAttribute("data-status")).toBe("CONFIRMED");

    // ---- the contract's settlement page shows the late interest the delay cost
    await agency.page.goto(`${baseUrl()}/settlement/contracts/${contractId}`);
    await expect.poll(() => text(agency.page, "late-interest")).toContain("15.23");
    await agency.page.getByTestId("recovered-vs-task").waitFor();

    // ---- the department generates this quarter's fee list
    const officer = await signedIn(browser, "officer@bank.example");
    watch(officer.page);
    await officer.page.goto(`${baseUrl()}/settlement/statements`);
    await hydrated(officer.page, "generate-statement-submit");
    const generate = officer.page.getByTestId("generate-statement-form");
    await generate.locator('[name="contract_id"]').selectOption(contractId);
    const [year, month] = today.split("-").map(Number) as [number, number];
    await generate.locator('[name="year"]').fill(String(year));
    await generate.locator('[name="quarter"]').selectOption(String(Math.floor((month - 1) / 3) + 1));
    await officer.page.getByTestId("generate-statement-submit").click();
    const statement = await eventually(() =>
      withDb((db) => db.prepare(`SELECT id, "number", "netPayable" FROM "SettlementStatement" WHERE "contractId" = ?`).get(contractId) as { id: string; number: string; netPayable: number | bigint } | undefined),
    );
    // fee 12% × ¥10,500 = ¥1,260.00; late interest ¥15.23; net ¥1,244.77 to the agency
    expect(BigInt(statement.netPayable)).toBe(124_477n);
    const statementUrl = `${baseUrl()}/settlement/statements/${statement.id}`;

    // ---- branch submits
    await clerk.page.goto(statementUrl);
    await hydrated(clerk.page, "statement-submit");
    await clerk.page.getByTestId("statement-submit").click();
    await expect.poll(() => clerk.page.getByTestId("statement-state").getAttribute("data-state")).toBe("submitted");
    await clerk.context.close();

    // ---- the department verifies every line, one by one, then the statement
    await officer.page.goto(statementUrl);
    await hydrated(officer.page, "statement-verify");
    const lineCount = withDb((db) => (db.prepare(`SELECT COUNT(*) AS n FROM "SettlementStatementLine" WHERE "statementId" = ?`).get(statement.id) as { n: number }).n);
    expect(lineCount).toBeGreaterThanOrEqual(3);
    for (let position = 1; position <= lineCount; position++) {
      await officer.page.getByTestId(`verify-line-${position}`).click();
      await expect
        .poll(() => withDb((db) => (db.prepare(`SELECT "verifiedAt" FROM "SettlementStatementLine" WHERE "statementId" = ? AND "position" = ?`).get(statement.id, position) as { verifiedAt: string | null }).verifiedAt))
        .not.toBeNull();
    }
    await officer.page.getByTestId("statement-verify").click();
    await expect.poll(() => officer.page.getByTestId("statement-state").getAttribute("data-state")).toBe("verified");

    // The department's overview lists the contract; its settlement page offers the department's actions.
    await officer.page.goto(`${baseUrl()}/settlement`);
    await officer.page.getByTestId(`settlement-row-${contractNumber}`).waitFor();
    await officer.page.goto(`${baseUrl()}/settlement/contracts/${contractId}`);
    await hydrated(officer.page, "recovered-vs-task");
    expect(await text(officer.page, "late-interest")).toContain("15.23");
    await officer.context.close();

    // ---- finance reviews; a second finance officer records the agency's tax invoice; the first pays
    const finance = await signedIn(browser, "finance@bank.example");
    watch(finance.page);
    await finance.page.goto(statementUrl);
    await hydrated(finance.page, "statement-review");
    await finance.page.getByTestId("statement-review").click();
    await expect.poll(() => finance.page.getByTestId("statement-state").getAttribute("data-state")).toBe("reviewed");

    const finance2 = await signedIn(browser, "finance2@bank.example");
    watch(finance2.page);
    await finance2.page.goto(statementUrl);
    await hydrated(finance2.page, "statement-invoice");
    await finance2.page.locator('[name="invoice_number"]').fill("FP-E2E-00001");
    await finance2.page.getByTestId("statement-invoice").click();
    await expect.poll(() => finance2.page.getByTestId("statement-state").getAttribute("data-state")).toBe("invoice_recorded");
    await finance2.context.close();

    await finance.page.reload();
    await hydrated(finance.page, "statement-pay");
    await finance.page.locator('[name="voucher_number"]').fill("FK-E2E-00001");
    await finance.page.getByTestId("statement-pay").click();
    await expect.poll(() => finance.page.getByTestId("statement-state").getAttribute("data-state")).toBe("paid");
    const [xlsx] = await Promise.all([finance.page.waitForEvent("download"), finance.page.getByTestId("export-xlsx").click()]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    await finance.context.close();

    // The agency sees its statement paid, read-only.
    await agency.page.goto(statementUrl);
    await expect.poll(() => agency.page.getByTestId("statement-state").getAttribute("data-state")).toBe("paid");
    expect(await agency.page.getByTestId("statement-pay").count()).toBe(0);
    await agency.context.close();

    // Every journal entry balances; the remittance receivable of the contract is settled to zero.
    const unbalanced = withDb((db) =>
      db.prepare(`SELECT "entryId", SUM(CASE WHEN "side" = 'DEBIT' THEN "amount" ELSE -"amount" END) AS net FROM "JournalLine" GROUP BY "entryId" HAVING net <> 0`).all(),
    );
    expect(unbalanced).toEqual([]);
    const receivable = withDb((db) =>
      db.prepare(`SELECT COALESCE(SUM(CASE WHEN l."side" = 'DEBIT' THEN l."amount" ELSE -l."amount" END), 0) AS owed FROM "JournalLine" l JOIN "LedgerAccount" a ON a.id = l."accountId" WHERE a."key" = ?`).get(`REMITTANCE_RECEIVABLE:contract:${contractId}`) as { owed: number | bigint },
    );
    expect(BigInt(receivable.owed)).toBe(0n);
    expect(pageErrors).toEqual([]);
  });
});
