import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { contractWithTerms } from "../fixtures/custody-terms";
import { freshTenderCast } from "../fixtures/tenders";
import { asUser, refusal } from "../support/users";
import { addMonths } from "~/domain/eligibility";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { contractPage, listContracts } from "~/services/custody/contract-views.server";

let bidder: AuthUser;
let bidder2: AuthUser;
let agency: AuthUser;
let officer: AuthUser;
let finance: AuthUser;

beforeEach(async () => {
  ({ bidder, bidder2, agency, officer, finance } = await freshTenderCast());
});

describe("listContracts: a custodian sees its own, the bank's departments all", () => {
  it("华信 sees only 华信's contract (admin and member alike), a staff contractor only theirs; the department and finance see all three", async () => {
    const huaxin = await custodyContract({ custodian: agency, status: "AWAITING_SIGNATURE" });
    const anda = await custodyContract({ custodian: await asUser("admin@anda.example"), status: "AWAITING_SIGNATURE" });
    const staff = await custodyContract({ custodian: bidder });
    const ids = async (user: AuthUser, filter = {}) => (await listContracts(user, filter)).map((c) => c.id).sort();

    expect(await ids(agency)).toEqual([huaxin.contract.id]);
    expect(await ids(await asUser("member@huaxin.example"))).toEqual([huaxin.contract.id]);
    expect(await ids(await asUser("admin@anda.example"))).toEqual([anda.contract.id]);
    expect(await ids(bidder)).toEqual([staff.contract.id]);
    expect(await ids(bidder2)).toEqual([]);
    const all = [huaxin.contract.id, anda.contract.id, staff.contract.id].sort();
    expect(await ids(officer)).toEqual(all);
    expect(await ids(finance)).toEqual(all);
    // The status filter.
    expect(await ids(officer, { status: "ACTIVE" })).toEqual([staff.contract.id]);

    const row = (await listContracts(agency))[0]!;
    expect(row).toMatchObject({ number: huaxin.contract.number, custodianName: "华信资产清收有限公司", custodianKind: "AGENCY", loanCount: 2, status: "AWAITING_SIGNATURE" });
  });

  it("is refused without custody:view (a branch clerk)", async () => {
    const error = await refusal(listContracts(await asUser("clerk@bank.example")));
    expect(error.status).toBe(403);
  });
});

describe("contractPage", () => {
  it("a stranger agency, another staff member and a clerk get 404; the custodian, the department and finance see it", async () => {
    const { contract } = await custodyContract({ custodian: agency, status: "AWAITING_SIGNATURE" });
    for (const email of ["admin@anda.example", "member@anda.example", "bidder2@bank.example", "clerk@bank.example"]) {
      const error = await refusal(contractPage(await asUser(email), contract.id));
      expect({ email, status: error.status, key: error.key }).toEqual({ email, status: 404, key: "contractPages.notFound" });
    }
    expect((await refusal(contractPage(agency, "no-such-contract"))).status).toBe(404);
    for (const user of [agency, await asUser("member@huaxin.example"), officer, finance]) {
      expect((await contractPage(user, contract.id)).contract.id).toBe(contract.id);
    }
  });

  it("a staff contract for ¥300,000 before signing: task ¥300,000, deposit ¥15,000, ¥5,000 credited on signing, ¥10,000 to top up; only the custodian may sign", async () => {
    const { contract } = await contractWithTerms({ custodian: bidder, price: 30_000_000n, bidDeposit: 500_000n, loan: (i) => ({ borrowerName: i ? "欧阳小明" : "王小明" }) });
    const page = await contractPage(bidder, contract.id);
    expect(page.contract).toMatchObject({ number: contract.number, status: "AWAITING_SIGNATURE", task: 30_000_000n, custodianName: bidder.displayName, custodianKind: "STAFF", termMonths: 24 });
    expect(page.deposit).toEqual({ owed: 1_500_000n, credit: 500_000n, creditPlanned: true, held: 0n, topUp: 1_000_000n });
    expect(page.signatures).toEqual({ custodian: null, department: null });
    expect(page.may).toEqual({ sign: true, countersign: false, topUp: false, confirmTopUp: false, workLoans: false });
    // Names are masked on the page, for everyone.
    expect(page.loans.map((l) => l.borrowerName).sort()).toEqual(["欧**明", "王*明"].sort());
    expect((await contractPage(officer, contract.id)).may.sign).toBe(false);
  });

  it("after signing: the credit moved, the signature (name, time, IP), the department may countersign and the custodian top up", async () => {
    const { contract } = await contractWithTerms({ custodian: bidder, price: 30_000_000n });
    const signedAt = new Date("2026-03-02T01:30:00Z");
    await prisma.custodyContract.update({
      where: { id: contract.id },
      data: { status: "AWAITING_COUNTERSIGNATURE", signedById: bidder.id, signedAt, signedIp: "10.1.2.3", bidDepositCredit: 500_000n },
    });
    const mine = await contractPage(bidder, contract.id);
    expect(mine.signatures.custodian).toEqual({ name: bidder.displayName, at: signedAt, ip: "10.1.2.3" });
    expect(mine.deposit).toMatchObject({ credit: 500_000n, creditPlanned: false });
    // Nothing posted to the deposit account in this test: the whole deposit is still owed.
    expect(mine.deposit.topUp).toBe(1_500_000n);
    expect(mine.may).toMatchObject({ sign: false, topUp: true, countersign: false });
    expect((await contractPage(officer, contract.id)).may).toMatchObject({ countersign: true, topUp: false });

    // A pending offline top-up: no second one; finance may confirm it.
    await prisma.performanceDepositPayment.create({ data: { contractId: contract.id, method: "BANK_TRANSFER", amount: 1_000_000n, status: "DECLARED", declaredAt: signedAt, declaredById: bidder.id } });
    expect((await contractPage(bidder, contract.id)).may.topUp).toBe(false);
    const forFinance = await contractPage(finance, contract.id);
    expect(forFinance.may.confirmTopUp).toBe(true);
    expect(forFinance.payments).toEqual([expect.objectContaining({ method: "BANK_TRANSFER", amount: 1_000_000n, status: "DECLARED" })]);
  });

  it("a Stripe top-up's client secret goes to the custodian only", async () => {
    const { contract } = await contractWithTerms({ custodian: agency, price: 30_000_000n });
    await prisma.custodyContract.update({ where: { id: contract.id }, data: { status: "AWAITING_DEPOSIT", signedById: agency.id, signedAt: new Date(), countersignedById: officer.id, countersignedAt: new Date() } });
    await prisma.performanceDepositPayment.create({ data: { contractId: contract.id, method: "STRIPE", amount: 19_500_000n, status: "AWAITING_PAYMENT", providerRef: "pi_test_views", clientSecret: "pi_test_views_secret_x" } });
    expect((await contractPage(agency, contract.id)).payments[0]!.clientSecret).toBe("pi_test_views_secret_x");
    expect((await contractPage(await asUser("member@huaxin.example"), contract.id)).payments[0]!.clientSecret).toBe("pi_test_views_secret_x");
    expect((await contractPage(officer, contract.id)).payments[0]!.clientSecret).toBeNull();
    expect((await contractPage(finance, contract.id)).payments[0]!.clientSecret).toBeNull();
  });

  it("an active contract: the deposit held in full, nothing to top up; the custodian works the loans during the term only", async () => {
    const startsAt = new Date("2026-01-01T00:00:00Z");
    const { contract } = await custodyContract({ custodian: agency, startsAt, termMonths: 12, performanceDeposit: 20_000_000n });
    const during = await contractPage(agency, contract.id, new Date("2026-06-01T00:00:00Z"));
    expect(during.deposit).toMatchObject({ owed: 20_000_000n, held: 20_000_000n, topUp: 0n });
    expect(during.contract).toMatchObject({ status: "ACTIVE", custodyStartsAt: startsAt, custodyEndsAt: addMonths(startsAt, 12), inTerm: true });
    expect(during.may.workLoans).toBe(true);
    expect(during.loans.every((l) => l.status === "IN_CUSTODY")).toBe(true);
    // The end instant is outside the term.
    expect((await contractPage(agency, contract.id, addMonths(startsAt, 12))).may.workLoans).toBe(false);
    expect((await contractPage(officer, contract.id, new Date("2026-06-01T00:00:00Z"))).may.workLoans).toBe(false);
  });
});
