import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clearingAccountType,
  creditedContract,
  depositCredit,
  depositReceivedEntry,
  depositTransferEntry,
  forfeitureEntry,
  isSigningLate,
  performanceDeposit,
  refundableDeposits,
  refundEntry,
  renegeOutcome,
  signingDeadline,
  type LotForRefund,
  type RegistrationForRefund,
} from "~/domain/award";
import { balanceOf, checkEntry, type Account, type Line } from "~/domain/ledger";
import { defaultSettings } from "~/domain/settings";

// R4 with the default settings: sign within 5 days; staff 5% of the winning price, agencies ¥200,000;
// the ¥5,000 bid deposit is credited on signing; a renege goes to the next bidder.
const yuan = (y: number) => BigInt(Math.round(y * 100));
const at = (iso: string) => new Date(iso);

describe("R4 signing deadline: end of the China (UTC+8) day, signingDays calendar days after the award day", () => {
  it.each([
    ["2026-03-02T02:00:00Z", "2026-03-07T15:59:59.999Z"], // awarded 10:00 on 2 March (China) → 23:59:59.999 on 7 March
    ["2026-03-01T16:00:00Z", "2026-03-07T15:59:59.999Z"], // 00:00 on 2 March China time is still 2 March
    ["2026-03-02T15:59:59.999Z", "2026-03-07T15:59:59.999Z"], // the last instant of 2 March
    ["2026-03-02T16:00:00Z", "2026-03-08T15:59:59.999Z"], // 00:00 on 3 March China time: one day later
    ["2026-02-26T04:00:00Z", "2026-03-03T15:59:59.999Z"], // across the end of a 28-day February
    ["2028-02-26T04:00:00Z", "2028-03-02T15:59:59.999Z"], // across 29 February of a leap year
  ])("awarded %s → sign by %s", (awarded, deadline) => {
    expect(signingDeadline(at(awarded), defaultSettings)).toEqual(at(deadline));
  });

  it("the number of days is a setting", () => expect(signingDeadline(at("2026-03-02T02:00:00Z"), { signingDays: 10 })).toEqual(at("2026-03-12T15:59:59.999Z")));

  it("the deadline instant itself is in time; one millisecond later is late", () => {
    const deadline = signingDeadline(at("2026-03-02T02:00:00Z"), defaultSettings);
    expect(isSigningLate(deadline, deadline)).toBe(false);
    expect(isSigningLate(deadline, new Date(deadline.getTime() + 1))).toBe(true);
  });
});

describe("R4 performance deposit", () => {
  it.each([
    [300_000, 15_000],
    [123_456.78, 6_172.84], // 5% = ¥6,172.839 → ¥6,172.84, rounded once
    [0.1, 0.01], // 5% of 10 fen = 0.5 fen → 1 fen (half up)
    [0.3, 0.02], // 1.5 fen → 2 fen
    [0.29, 0.01], // 1.45 fen → 1 fen
  ])("staff winning at ¥%d owe ¥%d", (price, deposit) => {
    expect(performanceDeposit({ bidderKind: "staff", winningPrice: yuan(price) }, defaultSettings)).toBe(yuan(deposit));
  });
  it("agencies post the fixed bond whatever the price (default ¥200,000)", () => {
    expect(performanceDeposit({ bidderKind: "agency", winningPrice: yuan(300_000) }, defaultSettings)).toBe(yuan(200_000));
    expect(performanceDeposit({ bidderKind: "agency", winningPrice: yuan(10_000_000) }, defaultSettings)).toBe(yuan(200_000));
  });
  it("both are settings", () => {
    const settings = { internalDepositRate: "0.08", agencyBondFen: "50000000" };
    expect(performanceDeposit({ bidderKind: "staff", winningPrice: yuan(300_000) }, settings)).toBe(yuan(24_000));
    expect(performanceDeposit({ bidderKind: "agency", winningPrice: yuan(300_000) }, settings)).toBe(yuan(500_000));
  });
});

describe("R4 the bid deposit credited toward the performance deposit on signing", () => {
  const bidDeposit = yuan(5_000);
  it("staff winning ¥300,000: ¥15,000 owed, ¥5,000 credited, ¥10,000 top-up", () => {
    expect(depositCredit({ bidDeposit, contracts: [{ id: "c1", signedAt: at("2026-03-04T02:00:00Z"), performanceDeposit: yuan(15_000) }] }, defaultSettings)).toEqual({
      creditedContractId: "c1", credit: yuan(5_000), refund: 0n,
      contracts: [{ id: "c1", performanceDeposit: yuan(15_000), credit: yuan(5_000), topUp: yuan(10_000) }],
    });
  });
  it("agency: ¥200,000 bond, ¥195,000 top-up", () => {
    expect(depositCredit({ bidDeposit, contracts: [{ id: "c1", signedAt: at("2026-03-04T02:00:00Z"), performanceDeposit: yuan(200_000) }] }, defaultSettings).contracts).toEqual([
      { id: "c1", performanceDeposit: yuan(200_000), credit: yuan(5_000), topUp: yuan(195_000) },
    ]);
  });
  it("a small lot (¥60,000 → ¥3,000 owed): ¥3,000 credited, no top-up, the other ¥2,000 refunded", () => {
    expect(depositCredit({ bidDeposit, contracts: [{ id: "c1", signedAt: at("2026-03-04T02:00:00Z"), performanceDeposit: yuan(3_000) }] }, defaultSettings)).toMatchObject({
      credit: yuan(3_000), refund: yuan(2_000), contracts: [{ credit: yuan(3_000), topUp: 0n }],
    });
  });
  it("several lots won: the one bid deposit goes to the FIRST contract signed, not the first listed", () => {
    const contracts = [
      { id: "lot-a", signedAt: at("2026-03-05T02:00:00Z"), performanceDeposit: yuan(15_000) },
      { id: "lot-b", signedAt: at("2026-03-04T02:00:00Z"), performanceDeposit: yuan(20_000) },
      { id: "lot-c", signedAt: null, performanceDeposit: yuan(10_000) },
    ];
    expect(creditedContract(contracts)?.id).toBe("lot-b");
    expect(depositCredit({ bidDeposit, contracts }, defaultSettings)).toEqual({
      creditedContractId: "lot-b", credit: yuan(5_000), refund: 0n,
      contracts: [
        { id: "lot-a", performanceDeposit: yuan(15_000), credit: 0n, topUp: yuan(15_000) },
        { id: "lot-b", performanceDeposit: yuan(20_000), credit: yuan(5_000), topUp: yuan(15_000) },
        { id: "lot-c", performanceDeposit: yuan(10_000), credit: 0n, topUp: yuan(10_000) },
      ],
    });
  });
  it("signed at the same instant: the order given decides", () => {
    const same = at("2026-03-04T02:00:00Z");
    expect(creditedContract([{ id: "x", signedAt: same }, { id: "y", signedAt: same }])?.id).toBe("x");
  });
  it("nothing signed yet: nothing credited, nothing released", () => {
    expect(depositCredit({ bidDeposit, contracts: [{ id: "c1", signedAt: null, performanceDeposit: yuan(15_000) }] }, defaultSettings)).toMatchObject({
      creditedContractId: null, credit: 0n, refund: 0n, contracts: [{ topUp: yuan(15_000) }],
    });
  });
  it("setting off: no credit, the full deposit is owed and the bid deposit is refunded on the first signing", () => {
    const off = { creditBidDepositToPerformance: false };
    expect(depositCredit({ bidDeposit, contracts: [{ id: "c1", signedAt: at("2026-03-04T02:00:00Z"), performanceDeposit: yuan(15_000) }] }, off)).toEqual({
      creditedContractId: null, credit: 0n, refund: yuan(5_000),
      contracts: [{ id: "c1", performanceDeposit: yuan(15_000), credit: 0n, topUp: yuan(15_000) }],
    });
  });
  it("always: credit + refund = bid deposit once signed; credit + top-up = performance deposit", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 8n }), fc.array(fc.record({ deposit: fc.bigInt({ min: 0n, max: 10n ** 8n }), signed: fc.option(fc.integer({ min: 0, max: 100 })) }), { maxLength: 5 }), fc.boolean(), (bid, rows, on) => {
        const contracts = rows.map((r, i) => ({ id: `c${i}`, performanceDeposit: r.deposit, signedAt: r.signed === null ? null : new Date(r.signed * 1000) }));
        const result = depositCredit({ bidDeposit: bid, contracts }, { creditBidDepositToPerformance: on });
        const anySigned = contracts.some((c) => c.signedAt);
        expect(result.credit + result.refund).toBe(anySigned ? bid : 0n);
        for (const c of result.contracts) expect(c.credit + c.topUp).toBe(c.performanceDeposit);
        expect(result.contracts.filter((c) => c.credit > 0n).length).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("R4 renege: forfeit the bid deposit, then next bidder or re-tender", () => {
  const next = { bidderId: "wang", amount: yuan(252_600) };
  it("default: forfeit ¥5,000; the lot is offered to the next bidder at their own price", () =>
    expect(renegeOutcome(defaultSettings, next, { amount: yuan(5_000) })).toEqual({ forfeit: yuan(5_000), retender: false, offerTo: next }));
  it("nobody left: forfeit, and re-tender", () =>
    expect(renegeOutcome(defaultSettings, null, { amount: yuan(5_000) })).toEqual({ forfeit: yuan(5_000), retender: true, because: "no_next_bidder", offerTo: null }));
  it("setting re-tender: re-tender even with a next bidder", () =>
    expect(renegeOutcome({ onRenege: "re-tender" }, next, { amount: yuan(5_000) })).toEqual({ forfeit: yuan(5_000), retender: true, because: "setting", offerTo: null }));
  it("a bidder reneging on a second lot forfeits nothing more (one deposit per tender)", () =>
    expect(renegeOutcome(defaultSettings, next, { amount: yuan(5_000), alreadyForfeited: true })).toMatchObject({ forfeit: 0n, offerTo: next }));
});

describe("R4 refunds once every lot of the tender is decided", () => {
  const deposit = yuan(5_000);
  const reg = (bidderId: string, status: RegistrationForRefund["status"] = "confirmed"): RegistrationForRefund => ({ bidderId, deposit, status });
  const registrations = [reg("wang"), reg("li"), reg("zhao"), reg("qian", "pending"), reg("sun", "refunded"), reg("zhou")];
  const decided: LotForRefund[] = [
    { lotId: "L1", state: "accepted", winnerId: "wang" },
    { lotId: "L2", state: "unsold", winnerId: null },
    { lotId: "L3", state: "returned", winnerId: null, renegedBidderIds: ["zhao"] },
    { lotId: "L4", state: "accepted", winnerId: "wang" },
    { lotId: "L5", state: "accepted", winnerId: "zhou", renegedBidderIds: ["li"] }, // li won, reneged; zhou was next and accepted
  ];

  it("losers refunded; a winner of two lots keeps one deposit; reneging bidders forfeit; unconfirmed or already refunded: nothing", () => {
    expect(refundableDeposits({ lots: decided, registrations })).toEqual({
      ready: true,
      refund: [],
      keep: [{ bidderId: "wang", amount: deposit, lots: ["L1", "L4"] }, { bidderId: "zhou", amount: deposit, lots: ["L5"] }],
      forfeit: [{ bidderId: "li", amount: deposit }, { bidderId: "zhao", amount: deposit }],
    });
    expect(refundableDeposits({ lots: decided, registrations: [...registrations, reg("zheng")] })).toMatchObject({ refund: [{ bidderId: "zheng", amount: deposit }] });
  });

  it.each(["open", "awaiting_signature", "offered_to_next"] as const)("one lot still %s: nobody is refunded yet", (state) => {
    expect(refundableDeposits({ lots: [...decided, { lotId: "L6", state, winnerId: "zheng" }], registrations: [...registrations, reg("zheng")] })).toEqual({ ready: false, undecidedLots: ["L6"] });
  });

  it("a deposit already forfeited or refunded is never refunded again, and a bidder is counted once", () => {
    const plan = refundableDeposits({ lots: [{ lotId: "L1", state: "unsold", winnerId: null }], registrations: [reg("a", "refunded"), reg("b", "forfeited"), reg("c", "credited"), reg("d"), reg("d")] });
    expect(plan).toEqual({ ready: true, refund: [{ bidderId: "d", amount: deposit }], keep: [], forfeit: [] });
  });

  it("always: every confirmed bidder lands in exactly one list, nobody else does", () => {
    const ids = ["a", "b", "c", "d", "e", "f"];
    fc.assert(
      fc.property(
        fc.array(fc.record({ state: fc.constantFrom("accepted", "unsold", "returned" as const), winner: fc.constantFrom(...ids), reneged: fc.subarray(ids, { maxLength: 2 }) }), { maxLength: 6 }),
        fc.array(fc.record({ bidderId: fc.constantFrom(...ids), status: fc.constantFrom("pending", "confirmed", "refunded", "forfeited", "credited" as const) }), { maxLength: 10 }),
        (lots, regs) => {
          const plan = refundableDeposits({
            lots: lots.map((l, i) => ({ lotId: `L${i}`, state: l.state, winnerId: l.state === "accepted" ? l.winner : null, renegedBidderIds: l.reneged })),
            registrations: regs.map((r) => ({ ...r, deposit })),
          });
          if (!plan.ready) throw new Error("every lot is decided");
          const listed = [...plan.refund, ...plan.keep, ...plan.forfeit].map((x) => x.bidderId);
          expect(new Set(listed).size).toBe(listed.length);
          expect(new Set(listed)).toEqual(new Set(regs.filter((r) => r.status === "confirmed").map((r) => r.bidderId)));
          const reneged = new Set(lots.flatMap((l) => l.reneged));
          for (const r of plan.refund) expect(reneged.has(r.bidderId)).toBe(false);
        },
      ),
    );
  });
});

// ---- R10 entries --------------------------------------------------------------------------------

const accounts = new Map<string, Account>([
  ["deposit:wang", { id: "deposit:wang", type: "DEPOSIT_HELD" }],
  ["deposit:li", { id: "deposit:li", type: "DEPOSIT_HELD" }],
  ["deposit:wang:performance", { id: "deposit:wang:performance", type: "DEPOSIT_HELD" }],
  ["clearing:stripe", { id: "clearing:stripe", type: clearingAccountType("stripe") }],
  ["clearing:transfer", { id: "clearing:transfer", type: clearingAccountType("bank_transfer") }],
  ["clearing:payroll", { id: "clearing:payroll", type: clearingAccountType("payroll") }],
  ["bank:income", { id: "bank:income", type: "BANK_INCOME" }],
]);
const balances = (lines: Line[]) => new Map([...accounts.values()].map((a) => [a.id, balanceOf(a, lines)]));
const totals = (lines: Line[]) => ({
  debits: lines.filter((l) => l.side === "DEBIT").reduce((s, l) => s + l.amount, 0n),
  credits: lines.filter((l) => l.side === "CREDIT").reduce((s, l) => s + l.amount, 0n),
});

describe("R10 journal entries of the auction", () => {
  it("payment methods map to their clearing accounts", () => {
    expect([clearingAccountType("stripe"), clearingAccountType("bank_transfer"), clearingAccountType("payroll")]).toEqual(["CLEARING_STRIPE", "CLEARING_BANK_TRANSFER", "CLEARING_PAYROLL"]);
  });

  it("a tender's money: two ¥5,000 deposits received, wang reneges (违约金 to bank income), li is refunded", () => {
    const received = [
      ...depositReceivedEntry({ clearingAccountId: "clearing:stripe", depositAccountId: "deposit:wang", amount: yuan(5_000) }),
      ...depositReceivedEntry({ clearingAccountId: "clearing:transfer", depositAccountId: "deposit:li", amount: yuan(5_000) }),
    ];
    const forfeit = forfeitureEntry({ depositAccountId: "deposit:wang", incomeAccountId: "bank:income", amount: yuan(5_000) });
    const refund = refundEntry({ depositAccountId: "deposit:li", clearingAccountId: "clearing:transfer", amount: yuan(5_000) });
    expect(forfeit).toEqual([{ accountId: "deposit:wang", side: "DEBIT", amount: yuan(5_000) }, { accountId: "bank:income", side: "CREDIT", amount: yuan(5_000) }]);
    expect(checkEntry(forfeit, accounts, balances(received))).toBeNull();
    expect(checkEntry(refund, accounts, balances([...received, ...forfeit]))).toBeNull();
    const after = balances([...received, ...forfeit, ...refund]);
    expect(after.get("deposit:wang")).toBe(0n);
    expect(after.get("deposit:li")).toBe(0n);
    expect(after.get("bank:income")).toBe(yuan(5_000));
    expect(after.get("clearing:stripe")).toBe(yuan(5_000));
    expect(after.get("clearing:transfer")).toBe(0n);
  });

  it("a deposit is never refunded twice: the second refund would drive it negative", () => {
    const received = depositReceivedEntry({ clearingAccountId: "clearing:stripe", depositAccountId: "deposit:li", amount: yuan(5_000) });
    const refund = refundEntry({ depositAccountId: "deposit:li", clearingAccountId: "clearing:stripe", amount: yuan(5_000) });
    expect(checkEntry(refund, accounts, balances([...received, ...refund]))).toEqual({ code: "ledger.depositNegative", accountId: "deposit:li", balanceAfter: -yuan(5_000) });
  });

  it("the credit on signing, when bid and performance deposits are held apart", () => {
    const received = depositReceivedEntry({ clearingAccountId: "clearing:payroll", depositAccountId: "deposit:wang", amount: yuan(5_000) });
    const transfer = depositTransferEntry({ fromAccountId: "deposit:wang", toAccountId: "deposit:wang:performance", amount: yuan(5_000) });
    expect(checkEntry(transfer, accounts, balances(received))).toBeNull();
    expect(balances([...received, ...transfer]).get("deposit:wang:performance")).toBe(yuan(5_000));
  });

  it("refuses a zero amount or an entry from an account to itself", () => {
    expect(() => refundEntry({ depositAccountId: "deposit:li", clearingAccountId: "clearing:stripe", amount: 0n })).toThrow(RangeError);
    expect(() => depositTransferEntry({ fromAccountId: "deposit:wang", toAccountId: "deposit:wang", amount: 1n })).toThrow(RangeError);
  });

  it("every entry is balanced (debits = credits) and valid against a deposit that covers it", () => {
    const builders = [
      (amount: bigint) => depositReceivedEntry({ clearingAccountId: "clearing:stripe", depositAccountId: "deposit:wang", amount }),
      (amount: bigint) => refundEntry({ depositAccountId: "deposit:wang", clearingAccountId: "clearing:transfer", amount }),
      (amount: bigint) => forfeitureEntry({ depositAccountId: "deposit:wang", incomeAccountId: "bank:income", amount }),
      (amount: bigint) => depositTransferEntry({ fromAccountId: "deposit:wang", toAccountId: "deposit:wang:performance", amount }),
    ];
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.constantFrom(...builders), (amount, build) => {
        const lines = build(amount);
        const { debits, credits } = totals(lines);
        expect(debits).toBe(credits);
        expect(debits).toBe(amount);
        const funded = depositReceivedEntry({ clearingAccountId: "clearing:payroll", depositAccountId: "deposit:wang", amount });
        expect(checkEntry(lines, accounts, balances(funded))).toBeNull();
      }),
    );
  });
});
