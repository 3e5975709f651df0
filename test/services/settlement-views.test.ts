import { createElement, type JSX } from "react";
import { renderToString } from "react-dom/server";
import type { RouteObject } from "react-router-dom";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { recoveryRow, remitted } from "../fixtures/settlement-contracts";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { callLoader, postForm } from "../support/routes";
import { asUser, refusal } from "../support/users";
import { chartGeometry, RecoveredVsTask } from "~/components/settlement-chart";
import { formatBp, monthsBetween, netRecovery, percentOfTaskBp, recoveredSeries } from "~/domain/settlement-views";
import { formatYuan } from "~/domain/money";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { accrueLateInterest } from "~/services/settlement/late-interest.server";
import { contractSettlement, settlementOverview } from "~/services/settlement/settlement-views.server";
/* eslint-disable no-restricted-imports -- the pages' loaders and action are called directly, with a session cookie */
import OverviewPage, { loader as overviewLoader } from "~/routes/settlement._index";
import ContractPage, { action as contractAction, loader as contractLoader } from "~/routes/settlement.contracts.$contractId";
/* eslint-enable no-restricted-imports */

/**
 * The settlement views (README "What the bank also tracks"): recovered vs task, unremitted, late
 * remittances, late interest booked and accruing, earnings and net recovery per contract; the overview
 * with a scorecard per custodian. A custodian sees only its own contracts (404 otherwise).
 */

installRecordingQueue();
const startsAt = new Date("2026-06-01T00:00:00Z");
const today = "2026-08-27";

let officer: AuthUser;
let bidder: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ officer, bidder, agency } = await freshTenderCast());
});

describe("the arithmetic (pure)", () => {
  it("months, the cumulative series, % of task, net recovery", () => {
    expect(monthsBetween("2026-11", "2027-02")).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(monthsBetween("2026-05", "2026-04")).toEqual([]);
    const series = recoveredSeries(
      [{ collectedOn: "2026-05-30", amount: 5n }, { collectedOn: "2026-06-02", amount: 10n }, { collectedOn: "2026-08-31", amount: 20n }, { collectedOn: "2026-09-01", amount: 99n }],
      "2026-06-01", "2026-08-31",
    );
    expect(series).toEqual([{ month: "2026-06", recovered: 15n }, { month: "2026-07", recovered: 15n }, { month: "2026-08", recovered: 35n }]);
    expect(percentOfTaskBp(5_000_000n, 10_000_000n)).toBe(5000);
    expect(percentOfTaskBp(1n, 3n)).toBe(3333);
    expect(percentOfTaskBp(1n, 0n)).toBe(0);
    expect(formatBp(5000)).toBe("50.00%");
    expect(formatBp(12_345)).toBe("123.45%");
    expect(formatBp(7)).toBe("0.07%");
    expect(netRecovery({ recovered: 1000n, earningsPaid: 100n, lateInterest: 7n, penalties: 3n })).toBe(910n);
  });

  it("the chart: task line, a point per month, the numbers in a hidden table", () => {
    const points = [{ month: "2026-06", recovered: 0n }, { month: "2026-07", recovered: 5_000n }];
    const g = chartGeometry(points, 10_000n);
    expect(g.points[1]!.y).toBeGreaterThan(g.taskY); // half the task: below the task line (SVG y grows downwards)
    const html = renderToString(
      createElement(RecoveredVsTask, { points, task: 10_000n, format: (f: bigint) => formatYuan(f), labels: { title: "收回与承包任务", recovered: "累计收回", task: "承包任务", month: "月份", empty: "无" }, testId: "recovered-vs-task" }),
    );
    expect(html).toContain('data-testid="recovered-vs-task"');
    expect(html).toContain('data-last="5000"');
    expect(html).toContain("¥50.00");
    expect(html).toContain("2026-07");
  });
});

describe("one contract", () => {
  it("recovered (verified only) vs task by month, unremitted, late remittances, late interest booked and accruing, earnings and net recovery", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt }); // task ¥100,000, deposit ¥5,000
    const july = await recoveryRow(contract, { collectedOn: "2026-07-01", principal: 2_500_000n, interest: 500_000n });
    await remitted(contract, [[july, 3_000_000n]], "2026-07-03"); // on time
    await recoveryRow(contract, { collectedOn: "2026-08-15", principal: 2_000_000n }); // 12 days unremitted
    await recoveryRow(contract, { collectedOn: "2026-08-01", principal: 500_000n, status: "REPORTED" }); // 26 days, not verified
    await prisma.settlementStatement.create({
      data: {
        number: "STM-2026-880001", contractId: contract.id, kind: "QUARTERLY", year: 2026, quarter: 3, periodStartsOn: "2026-07-01", periodEndsOn: "2026-09-30",
        custodianKind: "STAFF", custodianKey: contract.custodianKey, recoveredPrincipal: 0n, recoveredInterest: 0n, payableToCustodian: 300_000n, owedByCustodian: 0n,
        deductionsTaken: 0n, netPayable: 300_000n, generatedBy: "test", state: "paid", lines: { create: [{ position: 1, kind: "commission", amount: 300_000n }] },
      },
    });
    await prisma.settlementStatement.create({
      data: {
        number: "STM-2026-880002", contractId: contract.id, kind: "QUARTERLY", year: 2026, quarter: 2, periodStartsOn: "2026-06-01", periodEndsOn: "2026-06-30",
        custodianKind: "STAFF", custodianKey: contract.custodianKey, recoveredPrincipal: 0n, recoveredInterest: 0n, payableToCustodian: 100_000n, owedByCustodian: 0n,
        deductionsTaken: 0n, netPayable: 100_000n, generatedBy: "test", state: "draft", lines: { create: [{ position: 1, kind: "commission", amount: 100_000n }] },
      },
    });

    const before = await contractSettlement(officer, contract.id, today);
    expect(before.recovered).toEqual({ principal: 4_500_000n, interest: 500_000n, total: 5_000_000n, percentBp: 5000, verifiedCount: 2 });
    expect(before.series).toEqual([{ month: "2026-06", recovered: 0n }, { month: "2026-07", recovered: 3_000_000n }, { month: "2026-08", recovered: 5_000_000n }]);
    expect(before.unremitted).toBe(2_500_000n);
    // 20,000 × 4.35% × 12 / 360 = 29.00; 5,000 × 4.35% × 26 / 360 = 15.708… → 15.71
    expect(before.lateRemittances.map((r) => [r.collectedOn, r.maxDelay, r.lateInterest])).toEqual([["2026-08-01", 26, 1_571n], ["2026-08-15", 12, 2_900n]]);
    expect(before.recoveries.filter((r) => r.deductible).map((r) => r.collectedOn)).toEqual(["2026-08-01", "2026-08-15"]);
    expect(before.lateInterest).toMatchObject({ booked: 0n, accruing: 4_471n, lastAccruedOn: null });
    expect(before.earnings).toEqual({ earned: 400_000n, paid: 300_000n, penalties: 0n });
    expect(before.netRecovery).toBe(5_000_000n - 300_000n + 0n);
    expect(before.deposit).toEqual({ held: 500_000n, owed: 500_000n, topUp: 0n });
    expect(before.statements.map((s) => [s.number, s.link])).toEqual([["STM-2026-880002", `/settlement/statements/${(await prisma.settlementStatement.findUniqueOrThrow({ where: { number: "STM-2026-880002" } })).id}`], ["STM-2026-880001", expect.stringMatching(/^\/settlement\/statements\//)]]);
    expect(before.may).toEqual({ deduct: true, recordLoss: true, closeOut: false, topUp: false });

    await accrueLateInterest(today);
    const after = await contractSettlement(officer, contract.id, today);
    expect(after.lateInterest).toMatchObject({ booked: 4_471n, accruing: 0n, lastAccruedOn: today });
    expect(after.netRecovery).toBe(5_000_000n - 300_000n + 4_471n);
    // The next day: 13 days → ¥31.42 and 27 days → ¥16.31, ¥47.73 in all: ¥3.02 accruing beyond what is booked.
    expect((await contractSettlement(officer, contract.id, "2026-08-28")).lateInterest).toMatchObject({ booked: 4_471n, accruing: 302n, cumulativeNow: 4_773n });
  });
});

describe("who sees what", () => {
  it("a custodian only its own contracts (404 otherwise, also for another agency); the department all with a scorecard per custodian", async () => {
    const own = (await custodyContract({ custodian: bidder, startsAt })).contract;
    const theirs = (await custodyContract({ custodian: agency, startsAt })).contract;
    await recoveryRow(own, { collectedOn: "2026-07-01", principal: 1_000_000n });
    await recoveryRow(theirs, { collectedOn: "2026-07-01", principal: 4_000_000n });
    const anda = await asUser("admin@anda.example");
    const member = await asUser("member@huaxin.example");
    const clerk = await asUser("clerk@bank.example");
    const bidder2 = await asUser("bidder2@bank.example");

    expect((await contractSettlement(bidder, own.id, today)).contract.number).toBe(own.number);
    expect((await contractSettlement(member, theirs.id, today)).contract.number).toBe(theirs.number);
    expect((await contractSettlement(clerk, theirs.id, today)).contract.number).toBe(theirs.number);
    for (const [viewer, id] of [[anda, theirs.id], [anda, own.id], [bidder, theirs.id], [bidder2, own.id], [member, own.id]] as const) {
      expect(await refusal(contractSettlement(viewer, id, today))).toMatchObject({ key: "settlement.contracts.notFound", status: 404 });
    }
    expect(await refusal(contractSettlement(officer, "nope", today))).toMatchObject({ status: 404 });

    const mine = await settlementOverview(bidder, today);
    expect(mine.rows.map((r) => r.number)).toEqual([own.number]);
    expect(mine.scorecard.map((s) => s.custodianKey)).toEqual([own.custodianKey]);
    expect((await settlementOverview(anda, today)).rows).toEqual([]);
    const all = await settlementOverview(officer, today);
    expect(all.rows.map((r) => r.number).sort()).toEqual([own.number, theirs.number].sort());
    const agencyCard = all.scorecard.find((s) => s.custodianKey === theirs.custodianKey)!;
    // 4,000,000 of 10,000,000: 40.00%; 57 days unremitted: late.
    expect(agencyCard).toMatchObject({ custodianName: "华信资产清收有限公司", contracts: 1, recovered: 4_000_000n, percentBp: 4000, unremitted: 4_000_000n, lateRemittances: 1 });

    // The pages: the same answers through the loaders (404 for a contract the viewer may not see).
    const page = await callLoader(overviewLoader, "/settlement", "admin@anda.example");
    expect([page.status, page.data?.rows]).toEqual([200, []]);
    const dept = await callLoader(overviewLoader, "/settlement", "officer@bank.example");
    expect(dept.data?.rows.map((r: { number: string }) => r.number).sort()).toEqual([own.number, theirs.number].sort());
    expect((await callLoader(contractLoader, `/settlement/contracts/${theirs.id}`, "admin@anda.example", { contractId: theirs.id })).status).toBe(404);
    const detail = await callLoader(contractLoader, `/settlement/contracts/${theirs.id}`, "member@huaxin.example", { contractId: theirs.id });
    expect([detail.status, detail.data?.contract.number, detail.data?.may.deduct]).toEqual([200, theirs.number, false]);
  });

  it("the contract page's forms: the department deducts, a custodian is refused, bad input comes back to the form", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt: new Date(Date.now() - 60 * 86_400_000) });
    const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);
    const late = await recoveryRow(contract, { collectedOn: day(-20), principal: 1_000_000n });
    const path = `/settlement/contracts/${contract.id}`;
    const empty = await postForm(contractAction, path, "officer@bank.example", [["intent", "deduct"], ["reason", ""]], { params: { contractId: contract.id } });
    expect([empty.status, empty.data?.fieldErrors?.reason]).toEqual([400, ["settlement.contracts.reasonRequired"]]);
    const byCustodian = await postForm(contractAction, path, "bidder@bank.example", [["intent", "deduct"], ["reason", "x"]], { params: { contractId: contract.id } });
    expect([byCustodian.status, byCustodian.data?.formError]).toEqual([403, "settlement.contracts.notDepartment"]);
    const notYours = await postForm(contractAction, path, "admin@anda.example", [["intent", "deduct"], ["reason", "x"]], { params: { contractId: contract.id } });
    expect(notYours.status).toBe(404);
    expect(await prisma.forcedDeduction.count()).toBe(0);
    const done = await postForm(contractAction, path, "officer@bank.example", [["intent", "deduct"], ["recovery_ids", late.id], ["reason", "逾期二十天"]], { params: { contractId: contract.id } });
    expect([done.status, done.location]).toEqual([302, path]);
    expect(await prisma.forcedDeduction.count({ where: { contractId: contract.id } })).toBe(1);
    const closeOut = await postForm(contractAction, path, "finance@bank.example", [["intent", "close-out"], ["voucher_number", "V"]], { params: { contractId: contract.id } });
    expect([closeOut.status, closeOut.data?.formError]).toEqual([409, "settlement.contracts.notEnded"]);
    const view = await callLoader(contractLoader, path, "bidder@bank.example", { contractId: contract.id });
    expect([view.data?.may.topUp, view.data?.deposit.topUp]).toEqual([true, 500_000n]);
  });
});

/** Renders a page with its loader data on a static data router, as the server would. */
async function renderPage(Component: () => JSX.Element, loaderData: unknown): Promise<string> {
  const routes: RouteObject[] = [{
    id: "root", path: "/", loader: () => ({ locale: "zh-CN" }),
    children: [{ id: "page", index: true, loader: () => loaderData as Record<string, unknown>, Component }],
  }];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request("http://localhost/?index"));
  if (context instanceof Response) throw new Error("unexpected redirect");
  return renderToString(createElement(StaticRouterProvider, { router: createStaticRouter(handler.dataRoutes, context), context, hydrate: false }));
}

describe("the pages render in Chinese with their test ids", () => {
  it("/settlement rows; the contract page's chart, late interest, deduction form and loss action for the department, the close-out form for finance", async () => {
    const { contract } = await custodyContract({ custodian: bidder, startsAt: new Date(Date.now() - 60 * 86_400_000) });
    const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);
    const late = await recoveryRow(contract, { collectedOn: day(-20), principal: 1_000_000n });
    const overview = await renderPage(OverviewPage, (await callLoader(overviewLoader, "/settlement", "officer@bank.example")).data);
    expect(overview).toContain(`data-testid="settlement-row-${contract.number}"`);
    expect(overview).toContain("结算总览");
    expect(overview).toContain('data-testid="settlement-scorecard"');

    const path = `/settlement/contracts/${contract.id}`;
    const dept = await renderPage(ContractPage, (await callLoader(contractLoader, path, "officer@bank.example", { contractId: contract.id })).data);
    for (const id of ["recovered-vs-task", "late-interest", "late-interest-booked", "late-interest-accruing", "deduction-form", `deduct-${late.number}`, `loss-submit-${late.id}`]) {
      expect(dept).toContain(`data-testid="${id}"`);
    }
    expect(dept).toContain("逾期交账与逾期利息");
    expect(dept).not.toContain('data-testid="close-out-form"');
    const custodianHtml = await renderPage(ContractPage, (await callLoader(contractLoader, path, "bidder@bank.example", { contractId: contract.id })).data);
    expect(custodianHtml).not.toContain('data-testid="deduction-form"');
    expect(custodianHtml).toContain('data-testid="late-interest-booked"');
    await prisma.custodyContract.update({ where: { id: contract.id }, data: { status: "ENDED" } });
    const financeHtml = await renderPage(ContractPage, (await callLoader(contractLoader, path, "finance@bank.example", { contractId: contract.id })).data);
    expect(financeHtml).toContain('data-testid="close-out-form"');
    expect(financeHtml).not.toContain('data-testid="deduction-form"');
  });
});
