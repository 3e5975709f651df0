// The /recoveries and /remittances pages, called as the browser would (loader + action with a session
// cookie): each desk sees its own queue, refusals come back to the form on their field and change
// nothing, and an agency never sees another's recoveries, remittances or evidence.
import { createElement, type JSX } from "react";
import { renderToString } from "react-dom/server";
import type { RouteObject } from "react-router-dom";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { everyEntryBalanced } from "../fixtures/custody-contracts";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { callLoader, postForm } from "../support/routes";
import { asUser } from "../support/users";
import { daysBetween, todayInChina } from "~/domain/calendar";
import { roundHalfUp } from "~/domain/money";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
/* eslint-disable no-restricted-imports -- the page test calls the loaders and actions directly, with a session cookie */
import RecoveriesPage, { action as recoveriesAction, loader as recoveriesLoader } from "~/routes/recoveries";
import { loader as evidenceLoader } from "~/routes/recoveries_.$recoveryId.evidence";
import RemittancesPage, { action as remittancesAction, loader as remittancesLoader } from "~/routes/remittances";
/* eslint-enable no-restricted-imports */

installRecordingQueue();

let agency: AuthUser;
let c: CustodyFixture;
let loanNumber: string;

const receipt = () => new File([new TextEncoder().encode("%PDF-1.4\n% receipt\n%%EOF\n")], "收据.pdf", { type: "application/pdf" });

function reportForm(extra: Record<string, string> = {}, evidence: File | null = receipt()): FormData {
  const form = new FormData();
  const fields = { intent: "report", loan_number: loanNumber, collected_on: "2026-11-02", principal: "10,000", interest: "0", payer: "王小明", note: "", ...extra };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (evidence) form.append("evidence", evidence);
  return form;
}

beforeEach(async () => {
  resetDatabase();
  await seed();
  agency = await asUser("admin@huaxin.example");
  c = await custodyContract({ custodian: agency, loans: 1, startsAt: new Date("2026-10-01T00:00:00Z"), termMonths: 12 });
  loanNumber = c.loans[0]!.loanNumber;
});

describe("/recoveries", () => {
  it("the custodian reports through the form; the clerk registers, the auditor verifies; each desk sees its queue", async () => {
    const page = await callLoader(recoveriesLoader, "/recoveries", "admin@huaxin.example");
    expect(page.data).toMatchObject({ may: { report: true, register: false, verify: false }, loans: [{ loanNumber, contractNumber: c.contract.number }], recoveries: [] });

    const posted = await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm());
    expect(posted).toMatchObject({ status: 302, location: "/recoveries" });
    const row = await prisma.recovery.findFirstOrThrow({ where: { loanNumber } });
    expect(row).toMatchObject({ principal: 1_000_000n, interest: 0n, amount: 1_000_000n, status: "REPORTED", payer: "王小明" });

    const clerkPage = await callLoader(recoveriesLoader, "/recoveries", "clerk@bank.example");
    expect(clerkPage.data!.may).toEqual({ report: false, register: true, verify: false });
    expect(clerkPage.data!.toRegister.map((r: { number: string }) => r.number)).toEqual([row.number]);
    const noRef = await postForm(recoveriesAction, "/recoveries", "clerk@bank.example", [["intent", "register"], ["id", row.id], ["register_reference", ""]]);
    expect(noRef).toMatchObject({ status: 400, data: { intent: "register", target: row.id, fieldErrors: { register_reference: ["settlement.recoveries.referenceRequired"] } } });
    expect(await postForm(recoveriesAction, "/recoveries", "clerk@bank.example", [["intent", "register"], ["id", row.id], ["register_reference", "DJ-1"]])).toMatchObject({ status: 302 });

    const auditorPage = await callLoader(recoveriesLoader, "/recoveries", "auditor@bank.example");
    expect(auditorPage.data!.toVerify.map((r: { number: string }) => r.number)).toEqual([row.number]);
    expect(await postForm(recoveriesAction, "/recoveries", "auditor@bank.example", [["intent", "verify"], ["id", row.id]])).toMatchObject({ status: 302 });
    expect((await prisma.recovery.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("VERIFIED");

    // The department sees it read-only: no queue of its own.
    const officerPage = await callLoader(recoveriesLoader, "/recoveries", "officer@bank.example");
    expect(officerPage.data).toMatchObject({ may: { report: false, register: false, verify: false }, toRegister: [], toVerify: [] });
    expect(officerPage.data!.recoveries).toHaveLength(1);
  });

  it("refusals come back to the form's field and change nothing; the clerk may not verify", async () => {
    const before = await prisma.recovery.count();
    const junk = await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm({ principal: "abc" }));
    expect(junk).toMatchObject({ status: 400, data: { intent: "report", fieldErrors: { principal: ["settlement.recoveries.amountInvalid"] }, values: { principal: "abc", payer: "王小明" } } });
    const noEvidence = await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm({}, null));
    expect(noEvidence).toMatchObject({ status: 400, data: { fieldErrors: { evidence: ["settlement.recoveries.evidenceRequired"] } } });
    const tooMuch = await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm({ principal: "100000.01" }));
    expect(tooMuch).toMatchObject({ status: 400, data: { fieldErrors: { principal: ["settlement.recoveries.overRecoveryPrincipal"] }, formErrorParams: { left: "100000.00" } } });
    expect(await prisma.recovery.count()).toBe(before);
    expect(await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm())).toMatchObject({ status: 302 });
    const row = await prisma.recovery.findFirstOrThrow();
    expect(await postForm(recoveriesAction, "/recoveries", "clerk@bank.example", [["intent", "verify"], ["id", row.id]])).toMatchObject({
      status: 403, data: { intent: "verify", target: row.id, formError: "settlement.recoveries.notAuditor" },
    });
    expect(await postForm(recoveriesAction, "/recoveries", "clerk@bank.example", [["intent", "nope"]])).toMatchObject({ status: 400, data: { formError: "form.invalidChoice" } });
    expect((await prisma.recovery.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("REPORTED");
  });

  it("another agency sees none of it, cannot report on the loan, and gets 404 for the evidence", async () => {
    await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm());
    const row = await prisma.recovery.findFirstOrThrow();
    const theirs = await callLoader(recoveriesLoader, "/recoveries", "admin@anda.example");
    expect(theirs.data).toMatchObject({ recoveries: [], loans: [] });
    expect(await postForm(recoveriesAction, "/recoveries", "admin@anda.example", reportForm())).toMatchObject({ status: 404, data: { fieldErrors: { loan_number: ["settlement.recoveries.loanNotFound"] } } });
    expect((await callLoader(evidenceLoader, `/recoveries/${row.id}/evidence`, "admin@anda.example", { recoveryId: row.id })).status).toBe(404);
    const own = await callLoader(evidenceLoader, `/recoveries/${row.id}/evidence`, "member@huaxin.example", { recoveryId: row.id });
    expect(own.status).toBe(200);
    expect(own.response!.headers.get("Content-Type")).toMatch(/application\/pdf/);
    expect(await prisma.auditEntry.count({ where: { action: "file.download", entityId: row.evidenceFileId } })).toBe(1);
  });
});

describe("/remittances", () => {
  it("shows what is owed with the late interest accruing today; the custodian declares, the clerk confirms with voucher and day", async () => {
    await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm());
    const row = await prisma.recovery.findFirstOrThrow();
    const today = todayInChina(new Date());
    const delay = daysBetween("2026-11-02", today);
    // ¥10,000 × 4.35 % × delay / 360, rounded once half up
    const accruing = delay >= 5 ? roundHalfUp(1_000_000n * 435n * BigInt(delay), 10_000n * 360n) : 0n;
    const page = await callLoader(remittancesLoader, "/remittances", "admin@huaxin.example");
    expect(page.data).toMatchObject({ may: { remit: true, confirm: false } });
    expect(page.data!.open).toEqual([expect.objectContaining({ contractId: c.contract.id, outstanding: 1_000_000n, recoveries: [expect.objectContaining({ number: row.number, delay, lateInterest: accruing })] })]);

    const refused = await postForm(remittancesAction, "/remittances", "admin@huaxin.example", [["intent", "remit"], ["contract_id", c.contract.id], ["amount", "10000.01"], ["method", "bank_transfer"], ["payer_reference", "LS-1"]]);
    expect(refused).toMatchObject({ status: 400, data: { fieldErrors: { amount: ["settlement.recoveries.remittance.amountAboveOutstanding"] }, formErrorParams: { open: "10000.00" } } });
    const declared = await postForm(remittancesAction, "/remittances", "admin@huaxin.example", [
      ["intent", "remit"], ["contract_id", c.contract.id], ["amount", "6,000"], ["method", "bank_transfer"], ["recovery_ids", row.id], ["payer_reference", "LS-1"],
    ]);
    expect(declared).toMatchObject({ status: 302, location: "/remittances" });
    const remittance = await prisma.remittance.findFirstOrThrow();
    expect(remittance).toMatchObject({ amount: 600_000n, status: "DECLARED", namedRecoveryIds: JSON.stringify([row.id]) });

    const clerkPage = await callLoader(remittancesLoader, "/remittances", "clerk@bank.example");
    expect(clerkPage.data!.declared.map((r: { number: string }) => r.number)).toEqual([remittance.number]);
    const noVoucher = await postForm(remittancesAction, "/remittances", "clerk@bank.example", [["intent", "confirm"], ["id", remittance.id], ["voucher_number", ""], ["remitted_on", "2026-11-09"]]);
    expect(noVoucher).toMatchObject({ status: 400, data: { target: remittance.id, fieldErrors: { voucher_number: ["settlement.recoveries.remittance.voucherRequired"] } } });
    const confirmed = await postForm(remittancesAction, "/remittances", "clerk@bank.example", [["intent", "confirm"], ["id", remittance.id], ["voucher_number", "PZ-1"], ["remitted_on", "2026-11-09"]]);
    expect(confirmed).toMatchObject({ status: 302 });
    expect(await prisma.remittance.findUniqueOrThrow({ where: { id: remittance.id } })).toMatchObject({ status: "CONFIRMED", remittedOn: "2026-11-09", voucherNumber: "PZ-1" });
    const after = await callLoader(remittancesLoader, "/remittances", "admin@huaxin.example");
    expect(after.data!.open[0].outstanding).toBe(400_000n);
    expect(after.data!.remittances[0]).toMatchObject({ number: remittance.number, status: "CONFIRMED", allocations: [expect.objectContaining({ recoveryNumber: row.number, amount: 600_000n })] });
    expect(await everyEntryBalanced()).toBe(true);
  });

  it("another agency sees none of it and cannot remit on the contract; the clerk cannot remit", async () => {
    await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm());
    const theirs = await callLoader(remittancesLoader, "/remittances", "admin@anda.example");
    expect(theirs.data).toMatchObject({ open: [], remittances: [] });
    const remit = [["intent", "remit"], ["contract_id", c.contract.id], ["amount", "100"], ["method", "bank_transfer"], ["payer_reference", "X"]] as [string, string][];
    expect(await postForm(remittancesAction, "/remittances", "admin@anda.example", remit)).toMatchObject({ status: 404 });
    expect(await postForm(remittancesAction, "/remittances", "clerk@bank.example", remit)).toMatchObject({ status: 403, data: { formError: "settlement.recoveries.notCustodian" } });
    expect(await prisma.remittance.count()).toBe(0);
  });
});

/** Renders a page with the loader data (and the action's answer, if any) on a static data router, as the server would. */
async function renderPage(Component: () => JSX.Element, loaderData: unknown, actionData?: unknown): Promise<string> {
  const routes: RouteObject[] = [{
    id: "root", path: "/", loader: () => ({ locale: "zh-CN" }),
    children: [{ id: "page", index: true, loader: () => loaderData ?? null, action: () => actionData ?? null, Component }],
  }];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request("http://localhost/?index", actionData ? { method: "POST", body: new URLSearchParams() } : {}));
  if (context instanceof Response) throw new Error("unexpected redirect");
  return renderToString(createElement(StaticRouterProvider, { router: createStaticRouter(handler.dataRoutes, context), context, hydrate: false }));
}

describe("the pages render in Chinese with their test ids", () => {
  it("/recoveries: the custodian's form and rows; the clerk's and auditor's buttons; a refusal next to its field", async () => {
    await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm());
    const row = await prisma.recovery.findFirstOrThrow();
    const mine = await renderPage(RecoveriesPage, (await callLoader(recoveriesLoader, "/recoveries", "admin@huaxin.example")).data);
    for (const id of ["recovery-form", "recovery-submit", `recovery-row-${row.number}`, `recovery-status-${row.number}`]) expect(mine).toContain(`data-testid="${id}"`);
    for (const name of ["loan_number", "collected_on", "principal", "interest", "payer", "evidence", "note"]) expect(mine).toContain(`name="${name}"`);
    expect(mine).toContain("报告收回款项");
    expect(mine).toContain("待登记");
    const refused = await renderPage(RecoveriesPage, (await callLoader(recoveriesLoader, "/recoveries", "admin@huaxin.example")).data, {
      intent: "report", fieldErrors: { principal: ["settlement.recoveries.overRecoveryPrincipal"] }, formErrorParams: { left: "90000.00" }, values: { principal: "99999" },
    });
    expect(refused).toContain("收回本金超过该贷款尚未收回的本金（尚余 90000.00 元）");
    const clerkHtml = await renderPage(RecoveriesPage, (await callLoader(recoveriesLoader, "/recoveries", "clerk@bank.example")).data);
    expect(clerkHtml).toContain(`data-testid="register-${row.number}"`);
    expect(clerkHtml).toContain('name="register_reference"');
    expect(clerkHtml).not.toContain('data-testid="recovery-form"');
    await postForm(recoveriesAction, "/recoveries", "clerk@bank.example", [["intent", "register"], ["id", row.id], ["register_reference", "DJ-1"]]);
    const auditorHtml = await renderPage(RecoveriesPage, (await callLoader(recoveriesLoader, "/recoveries", "auditor@bank.example")).data);
    expect(auditorHtml).toContain(`data-testid="verify-${row.number}"`);
    expect(auditorHtml).toContain(`data-testid="reject-${row.number}"`);
  });

  it("/remittances: accruing interest per recovery, the remit form, the clerk's confirm button and the list", async () => {
    await postForm(recoveriesAction, "/recoveries", "admin@huaxin.example", reportForm());
    const row = await prisma.recovery.findFirstOrThrow();
    const page = await renderPage(RemittancesPage, (await callLoader(remittancesLoader, "/remittances", "admin@huaxin.example")).data);
    for (const id of [`accruing-${row.number}`, "remit-form", "remit-submit"]) expect(page).toContain(`data-testid="${id}"`);
    for (const name of ["contract_id", "amount", "method", "recovery_ids", "payer_reference"]) expect(page).toContain(`name="${name}"`);
    expect(page).toContain("截至今日滞纳利息");
    await postForm(remittancesAction, "/remittances", "admin@huaxin.example", [["intent", "remit"], ["contract_id", c.contract.id], ["amount", "100"], ["method", "bank_transfer"], ["payer_reference", "LS"]]);
    const remittance = await prisma.remittance.findFirstOrThrow();
    const clerkHtml = await renderPage(RemittancesPage, (await callLoader(remittancesLoader, "/remittances", "clerk@bank.example")).data);
    for (const id of [`confirm-remittance-${remittance.number}`, `remittance-row-${remittance.number}`, `remittance-status-${remittance.number}`]) expect(clerkHtml).toContain(`data-testid="${id}"`);
    for (const name of ["voucher_number", "remitted_on"]) expect(clerkHtml).toContain(`name="${name}"`);
    expect(clerkHtml).toContain("待确认到账");
  });
});
