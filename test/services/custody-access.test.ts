import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract, type CustodyFixture } from "../fixtures/custody";
import { testResidentId } from "../fixtures/loans";
import { resetDatabase } from "../support/reset-db";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { custodyLoanView, myCustodyLoans } from "~/services/custody/workbench.server";

// Issue 7 item 2 (PIPL art. 21): the custodian's users see the borrower in full only for loans of
// their own ACTIVE contract and only during its term — from custodyStartsAt (inclusive) to
// custodyEndsAt (exclusive). Anyone else gets the 404 of a loan that does not exist. Each view is
// one audit entry.

const ctx = systemContext("test");
/** Custody of 华信 runs 2026-06-01 08:00 China time (00:00Z) for 12 months: to 2027-06-01T00:00Z, exclusive. */
const startsAt = new Date("2026-06-01T00:00:00Z");
const idNumber = testResidentId(42);

let huaxinAdmin: AuthUser;
let huaxinMember: AuthUser;
let andaAdmin: AuthUser;
let staff: AuthUser;
let officer: AuthUser;
let c: CustodyFixture;

const views = () => prisma.auditEntry.findMany({ where: { action: "custody.loan.view" }, orderBy: { id: "asc" } });

beforeEach(async () => {
  resetDatabase();
  await seed();
  [huaxinAdmin, huaxinMember, andaAdmin, staff, officer] = await Promise.all(
    ["admin@huaxin.example", "member@huaxin.example", "admin@anda.example", "bidder@bank.example", "officer@bank.example"].map((e) => asUser(e)),
  ) as [AuthUser, AuthUser, AuthUser, AuthUser, AuthUser];
  c = await custodyContract({
    custodian: huaxinAdmin, loans: 2, startsAt, termMonths: 12,
    loan: (i) => ({ borrowerName: i === 0 ? "王小明" : "李四", borrowerIdNumber: i === 0 ? idNumber : testResidentId(43), phone: i === 0 ? "13912345678" : null, guarantorName: "赵六" }),
  });
});

describe("custody access in time (start inclusive, end exclusive)", () => {
  it("the term is 2026-06-01T00:00Z to 2027-06-01T00:00Z", () => {
    expect(c.contract.custodyStartsAt?.toISOString()).toBe("2026-06-01T00:00:00.000Z");
    expect(c.contract.custodyEndsAt?.toISOString()).toBe("2027-06-01T00:00:00.000Z");
  });

  it("grants the full data exactly at custodyStartsAt, not a millisecond before", async () => {
    const loanNumber = c.loans[0]!.loanNumber;
    const before = await refusal(custodyLoanView(ctx, huaxinAdmin, loanNumber, new Date(startsAt.getTime() - 1)));
    expect([before.key, before.status]).toEqual(["custody.loanNotFound", 404]);
    const view = await custodyLoanView(ctx, huaxinAdmin, loanNumber, startsAt);
    expect(view.loan.borrowerName).toBe("王小明");
    expect(view.loan.borrowerIdNumber).toBe(idNumber);
    expect(view.loan.phone).toBe("13912345678");
    expect(view.loan.guarantorName).toBe("赵六");
    expect(view.contract.number).toBe(c.contract.number);
  });

  it("revokes it exactly at custodyEndsAt: allowed a millisecond before, 404 at the instant and after", async () => {
    const loanNumber = c.loans[0]!.loanNumber;
    const end = c.contract.custodyEndsAt!;
    expect((await custodyLoanView(ctx, huaxinAdmin, loanNumber, new Date(end.getTime() - 1))).loan.phone).toBe("13912345678");
    for (const at of [end, new Date(end.getTime() + 86_400_000)]) {
      const refused = await refusal(custodyLoanView(ctx, huaxinAdmin, loanNumber, at));
      expect([refused.key, refused.status]).toEqual(["custody.loanNotFound", 404]);
    }
  });

  it("lists the loans in custody during the term only", async () => {
    expect(await myCustodyLoans(huaxinAdmin, new Date(startsAt.getTime() - 1))).toEqual([]);
    const during = await myCustodyLoans(huaxinMember, new Date("2026-09-01T02:00:00Z"));
    expect(during.map((r) => r.loanNumber).sort()).toEqual(c.loans.map((l) => l.loanNumber).sort());
    expect(during[0]!.contractNumber).toBe(c.contract.number);
    // masked in the list: 王小明 → 王*明
    expect(during.find((r) => r.loanNumber === c.loans[0]!.loanNumber)!.borrower).toBe("王*明");
    expect(await myCustodyLoans(huaxinAdmin, c.contract.custodyEndsAt!)).toEqual([]);
  });
});

describe("custody access by party", () => {
  const during = new Date("2026-09-01T02:00:00Z");

  it("every user of the custodian agency sees the data (the member too)", async () => {
    const view = await custodyLoanView(ctx, huaxinMember, c.loans[0]!.loanNumber, during);
    expect(view.loan.borrowerIdNumber).toBe(idNumber);
  });

  it("another agency never sees it, not even during the term: the 404 of an unknown loan", async () => {
    const refused = await refusal(custodyLoanView(ctx, andaAdmin, c.loans[0]!.loanNumber, during));
    expect([refused.key, refused.status]).toEqual(["custody.loanNotFound", 404]);
    const unknown = await refusal(custodyLoanView(ctx, andaAdmin, "NO-SUCH-LOAN", during));
    expect([unknown.key, unknown.status]).toEqual([refused.key, refused.status]);
    expect(await myCustodyLoans(andaAdmin, during)).toEqual([]);
  });

  it("a staff contractor who is not the custodian gets the same 404; the department has no workbench (403)", async () => {
    expect((await refusal(custodyLoanView(ctx, staff, c.loans[0]!.loanNumber, during))).status).toBe(404);
    const dept = await refusal(custodyLoanView(ctx, officer, c.loans[0]!.loanNumber, during));
    expect([dept.key, dept.status]).toEqual(["custody.forbidden", 403]);
  });

  it("a staff custodian sees only the loans of their own contract", async () => {
    const own = await custodyContract({ custodian: staff, loans: 1, startsAt, termMonths: 12 });
    expect((await custodyLoanView(ctx, staff, own.loans[0]!.loanNumber, during)).loan.loanNumber).toBe(own.loans[0]!.loanNumber);
    expect((await refusal(custodyLoanView(ctx, await asUser("bidder2@bank.example"), own.loans[0]!.loanNumber, during))).status).toBe(404);
    expect((await refusal(custodyLoanView(ctx, huaxinAdmin, own.loans[0]!.loanNumber, during))).status).toBe(404);
  });
});

describe("each view is logged", () => {
  it("writes one custody.loan.view entry per view, naming the loan, the contract and the fields; a refused view writes none", async () => {
    const during = new Date("2026-09-01T02:00:00Z");
    const loan = c.loans[0]!;
    const actx = { ...ctx, actorType: "USER" as const, actorId: huaxinMember.id, actorLabel: huaxinMember.email };
    await custodyLoanView(actx, huaxinMember, loan.loanNumber, during);
    await custodyLoanView(actx, huaxinMember, loan.loanNumber, during);
    await refusal(custodyLoanView({ ...actx, actorId: andaAdmin.id }, andaAdmin, loan.loanNumber, during));
    const entries = await views();
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      expect(entry).toMatchObject({ entityType: "Loan", entityId: loan.id, actorId: huaxinMember.id });
      expect(JSON.parse(entry.after!)).toEqual({ loanNumber: loan.loanNumber, contractId: c.contract.id, fields: ["borrowerName", "borrowerIdNumber", "phone", "guarantorName"] });
    }
  });
});
