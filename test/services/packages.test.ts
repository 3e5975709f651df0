import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan } from "../fixtures/loans";
import { resetDatabase } from "../support/reset-db";
import { asUser, refusal } from "../support/users";
import { todayInChina } from "~/domain/calendar";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { approvePackage, nextPackageNumber, rejectPackage, submitPackage } from "~/services/packages/approval.server";
import { previewBundle } from "~/services/packages/bundling.server";
import { discardDraft, mergeRemainderOfBundle, moveLoan, saveDraftPackages } from "~/services/packages/drafts.server";
import { getPackage, listPackages } from "~/services/packages/package-queries.server";
import { bundleInputSchema, saveDraftsSchema, type SaveDraftsInput } from "~/services/packages/package-schemas";
import { parseQuality, serializeQuality } from "~/services/packages/quality-json";

const ctx = systemContext("test");
const now = new Date("2026-11-22T08:00:00Z"); // 16:00 in China: 2026-11-22

let officer: AuthUser;
let approver: AuthUser;

/**
 * Ten priced loans: six in 城关区 (B001), four in 河西县 (B003); prices ¥6,000–¥10,000 (each under 25 % of
 * the ¥40,000 target), three hard. PK-01 … PK-10, total ¥80,000.00.
 */
const book: [string, string, bigint, "recoverable" | "hard"][] = [
  ["PK-01", "B001", 1_000_000n, "recoverable"],
  ["PK-02", "B001", 800_000n, "hard"],
  ["PK-03", "B001", 900_000n, "recoverable"],
  ["PK-04", "B001", 700_000n, "recoverable"],
  ["PK-05", "B001", 600_000n, "hard"],
  ["PK-06", "B001", 1_000_000n, "recoverable"],
  ["PK-07", "B003", 1_000_000n, "recoverable"],
  ["PK-08", "B003", 800_000n, "hard"],
  ["PK-09", "B003", 600_000n, "recoverable"],
  ["PK-10", "B003", 600_000n, "recoverable"],
];
const bookNumbers = book.map(([n]) => n);

const drafts = (packages: string[][], extra: Partial<SaveDraftsInput> = {}): SaveDraftsInput =>
  saveDraftsSchema.parse({ loan_numbers: bookNumbers, target_amount: "40000", mode: "mixed", packages: packages.map((loan_numbers) => ({ loan_numbers })), ...extra });

const loanStatus = async (loanNumber: string) => (await prisma.loan.findUniqueOrThrow({ where: { loanNumber } })).status;

beforeEach(async () => {
  resetDatabase();
  await seed();
  officer = await asUser("officer@bank.example");
  approver = await asUser("approver@bank.example");
  for (const [loanNumber, branch, price, difficulty] of book) await createTestLoan({ loanNumber, branch, price, difficulty });
});

describe("bundling a selection (R2 preview)", () => {
  it("bundles the selected loans and leaves out, with the reason, those that cannot be bundled", async () => {
    await createTestLoan({ loanNumber: "X-PACKAGED", status: "PACKAGED", price: 500_000n });
    await createTestLoan({ loanNumber: "X-UNPRICED" });
    await createTestLoan({ loanNumber: "X-SUIT", litigation: "in_suit", price: 500_000n });
    await createTestLoan({ loanNumber: "X-RECOVERED", status: "RECOVERED", price: 500_000n });
    const input = bundleInputSchema.parse({ loan_numbers: [...bookNumbers, "X-PACKAGED", "X-UNPRICED", "X-SUIT", "X-RECOVERED"], target_amount: "40000.00", mode: "mixed" });
    const preview = await previewBundle(officer, input, now);
    expect(preview.target).toBe(4_000_000n);
    expect(preview.settingsVersion).toBe(1);
    const reasons = Object.fromEntries(preview.result.leftOut.map((l) => [l.loanNumber, l.reason]));
    expect(reasons).toEqual({ "X-PACKAGED": "not_available", "X-UNPRICED": "unpriced", "X-SUIT": "litigation", "X-RECOVERED": "not_available" });
    expect(preview.result.leftOut.find((l) => l.loanNumber === "X-PACKAGED")!.detail).toMatchObject({ status: "PACKAGED" });
    const packaged = preview.result.packages.flatMap((p) => p.loanNumbers).sort();
    expect(packaged).toEqual(bookNumbers);
    expect(preview.result.packages.reduce((s, p) => s + p.total, 0n)).toBe(8_000_000n);

    // Included explicitly, the loan in litigation joins the pool.
    const included = await previewBundle(officer, { ...input, include: ["X-SUIT"] }, now);
    expect(included.result.leftOut.map((l) => l.loanNumber)).not.toContain("X-SUIT");
    expect(included.result.packages.flatMap((p) => p.loanNumbers)).toContain("X-SUIT");
  });

  it("bundles a filter or the whole book; refuses both, unknown loan numbers, and people without packages:manage", async () => {
    const byFilter = await previewBundle(officer, bundleInputSchema.parse({ filter: { region: "河西县" }, target_amount: "40000" }), now);
    expect(byFilter.loans.map((l) => l.loanNumber)).toEqual(["PK-07", "PK-08", "PK-09", "PK-10"]);
    const whole = await previewBundle(officer, bundleInputSchema.parse({ target_amount: "40000" }), now);
    expect(whole.loans).toHaveLength(10);

    const both = await refusal(previewBundle(officer, bundleInputSchema.parse({ loan_numbers: ["PK-01"], filter: {}, target_amount: "1" }), now));
    expect(both.key).toBe("packages.selectOne");
    const unknown = await refusal(previewBundle(officer, bundleInputSchema.parse({ loan_numbers: ["PK-01", "NOPE-1", "NOPE-2"], target_amount: "1" }), now));
    expect(unknown).toMatchObject({ key: "packages.unknownLoans", options: { field: "loan_numbers", params: { count: 2, loans: "NOPE-1, NOPE-2" } } });
    expect(bundleInputSchema.safeParse({ target_amount: "0" }).error?.issues[0]?.message).toBe("packages.invalidTarget");
    expect(bundleInputSchema.safeParse({ target_amount: "12.345" }).success).toBe(false);
    await expect(previewBundle(approver, bundleInputSchema.parse({ target_amount: "1" }), now)).rejects.toMatchObject({ status: 403 });
  });
});

describe("saving draft packages", () => {
  it("saves the packages of a bundle as drafts, with their totals, the loans' prices, events and one audit entry", async () => {
    const input = bundleInputSchema.parse({ loan_numbers: bookNumbers, target_amount: "40000", mode: "mixed", seed: 7 });
    const preview = await previewBundle(officer, input, now);
    const saved = await saveDraftPackages(ctx, officer, { ...input, packages: preview.result.packages.map((p) => ({ loan_numbers: p.loanNumbers, remainder: p.remainder })) }, now);
    expect(saved.packageIds).toHaveLength(preview.result.packages.length);

    const packages = await prisma.package.findMany({ where: { bundleId: saved.bundleId }, orderBy: { draftIndex: "asc" }, include: { loans: true } });
    expect(packages.map((p) => p.draftIndex)).toEqual(packages.map((_, i) => i + 1));
    for (const [i, p] of packages.entries()) {
      expect(p).toMatchObject({ status: "DRAFT", number: null, targetAmount: 4_000_000n, total: preview.result.packages[i]!.total, loanCount: preview.result.packages[i]!.loanNumbers.length });
      expect(p.total).toBe(p.loans.reduce((s, l) => s + l.price, 0n));
      expect(parseQuality<{ total: bigint }>(p.quality).total).toBe(p.total);
    }
    expect(packages.reduce((s, p) => s + p.total, 0n)).toBe(8_000_000n);
    const pk01 = await prisma.packageLoan.findFirstOrThrow({ where: { loanNumber: "PK-01" } });
    expect(pk01.price).toBe(1_000_000n);

    const bundle = await prisma.bundle.findUniqueOrThrow({ where: { id: saved.bundleId } });
    expect(bundle).toMatchObject({ targetAmount: 4_000_000n, mode: "mixed", seed: 7, settingsVersion: 1 });
    expect(JSON.parse(bundle.selection)).toEqual({ loanNumbers: bookNumbers, include: [] });
    expect(await prisma.packageEvent.count({ where: { kind: "created" } })).toBe(packages.length);
    const audit = await prisma.auditEntry.findMany({ where: { action: "package.create" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityType: "Bundle", entityId: saved.bundleId });
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ packageCount: packages.length, loanCount: 10, total: "80000.00", target: "40000.00" });

    // The list and the detail read them back.
    const list = await listPackages(officer, { bundle: saved.bundleId });
    expect(list.total).toBe(packages.length);
    expect(list.packages[0]!.label).toBe("草稿 1");
    const detail = await getPackage(officer, saved.packageIds[0]!, now);
    expect(detail.loans.map((l) => l.loanNumber)).toEqual(packages[0]!.loans.map((l) => l.loanNumber).sort((a, b) => {
      const pa = packages[0]!.loans.find((l) => l.loanNumber === a)!.price;
      const pb = packages[0]!.loans.find((l) => l.loanNumber === b)!.price;
      return pa === pb ? a.localeCompare(b) : pa > pb ? -1 : 1;
    }));
    expect(detail.loans[0]!.borrowerName).toBe("王*明");
    expect(detail.events.map((e) => e.kind)).toEqual(["created"]);
    expect(detail.can).toMatchObject({ submit: true, approve: false, discard: true, upload: true });
  });

  it("a loan cannot be in two packages: not twice in one save, not in a second save; a discarded draft releases its loans", async () => {
    const twice = await refusal(saveDraftPackages(ctx, officer, drafts([["PK-01", "PK-02"], ["PK-02", "PK-03"]]), now));
    expect(twice).toMatchObject({ key: "packages.loanTwice", options: { params: { loans: "PK-02" } } });

    const first = await saveDraftPackages(ctx, officer, drafts([["PK-01", "PK-02"]]), now);
    const again = await refusal(saveDraftPackages(ctx, officer, drafts([["PK-02", "PK-03"]]), now));
    expect(again).toMatchObject({ key: "packages.loanInPackage", options: { status: 409, params: { loans: "PK-02" } } });
    expect(await prisma.bundle.count()).toBe(1);

    // The bundle preview now leaves PK-01 and PK-02 out: they sit in the draft.
    const preview = await previewBundle(officer, bundleInputSchema.parse({ loan_numbers: bookNumbers, target_amount: "40000", mode: "mixed" }), now);
    const inPackage = preview.result.leftOut.filter((l) => l.reason === "in_package");
    expect(inPackage.map((l) => l.loanNumber).sort()).toEqual(["PK-01", "PK-02"]);
    // Named as people tell drafts apart: its index in the bundle and the day it was saved.
    const draft = await prisma.package.findUniqueOrThrow({ where: { id: first.packageIds[0]! } });
    expect(inPackage[0]!.detail).toMatchObject({ package: `#${draft.draftIndex} (${todayInChina(draft.createdAt)})` });

    await discardDraft(ctx, officer, first.packageIds[0]!, now);
    expect(await prisma.packageLoan.count()).toBe(0);
    expect((await prisma.package.findUniqueOrThrow({ where: { id: first.packageIds[0] } })).status).toBe("DISCARDED");
    const second = await saveDraftPackages(ctx, officer, drafts([["PK-02", "PK-03"]]), now);
    expect(second.packageIds).toHaveLength(1);
    expect(await prisma.auditEntry.count({ where: { action: "package.discard" } })).toBe(1);
    expect((await refusal(discardDraft(ctx, officer, first.packageIds[0]!, now))).key).toBe("packages.discarded");
  });

  it("refuses the whole save when a loan is outside the selection, not bundleable, unpriced or excluded by R2", async () => {
    await createTestLoan({ loanNumber: "X-UNPRICED" });
    await createTestLoan({ loanNumber: "X-CUSTODY", status: "IN_CUSTODY", price: 500_000n });
    await createTestLoan({ loanNumber: "X-SUIT", litigation: "in_suit", price: 500_000n });
    const outside = await refusal(saveDraftPackages(ctx, officer, drafts([["PK-01"]], { loan_numbers: ["PK-02"] }), now));
    expect(outside).toMatchObject({ key: "packages.loanNotInSelection", options: { params: { loans: "PK-01" } } });
    const all = [...bookNumbers, "X-UNPRICED", "X-CUSTODY", "X-SUIT"];
    const unavailable = await refusal(saveDraftPackages(ctx, officer, drafts([["PK-01", "X-CUSTODY"]], { loan_numbers: all }), now));
    expect(unavailable).toMatchObject({ key: "packages.loanUnavailable", options: { params: { loans: "X-CUSTODY" } } });
    const unpriced = await refusal(saveDraftPackages(ctx, officer, drafts([["PK-01", "X-UNPRICED"]], { loan_numbers: all }), now));
    expect(unpriced).toMatchObject({ key: "packages.loanUnpriced", options: { params: { loans: "X-UNPRICED" } } });
    const excluded = await refusal(saveDraftPackages(ctx, officer, drafts([["PK-01", "X-SUIT"]], { loan_numbers: all }), now));
    expect(excluded).toMatchObject({ key: "packages.loanExcluded", options: { params: { loans: "X-SUIT" } } });
    // Included explicitly, it may be saved.
    await saveDraftPackages(ctx, officer, drafts([["PK-01", "X-SUIT"]], { loan_numbers: all, include: ["X-SUIT"] }), now);
    expect(await prisma.package.count()).toBe(1);
    await expect(saveDraftPackages(ctx, approver, drafts([["PK-03"]]), now)).rejects.toMatchObject({ status: 403 });
  });
});

describe("moving a loan between drafts", () => {
  it("moves the loan, re-assesses both packages, records the events and refuses packages that are not drafts", async () => {
    const saved = await saveDraftPackages(ctx, officer, drafts([["PK-01", "PK-02"], ["PK-03", "PK-04"], ["PK-05"]]), now);
    const [a, b, c] = saved.packageIds as [string, string, string];
    const moved = await moveLoan(ctx, officer, a, { loan_number: "PK-02", to_package_id: b }, now);
    expect(moved.from).toMatchObject({ id: a, total: 1_000_000n, hardTotal: 0n, loanCount: 1, version: 2 });
    expect(moved.to).toMatchObject({ id: b, total: 2_400_000n, hardTotal: 800_000n, loanCount: 3, version: 2 });
    expect(moved.from.quality.total).toBe(1_000_000n);
    expect(moved.to.quality.loanCount).toBe(3);
    expect((await prisma.packageLoan.findFirstOrThrow({ where: { loanNumber: "PK-02" } })).packageId).toBe(b);
    expect((await prisma.packageEvent.findMany({ where: { packageId: a }, orderBy: [{ at: "asc" }, { id: "asc" }] })).map((e) => e.kind)).toEqual(["created", "loan_out"]);
    expect((await prisma.packageEvent.findMany({ where: { packageId: b } })).map((e) => e.kind).sort()).toEqual(["created", "loan_in"]);
    expect(await prisma.auditEntry.count({ where: { action: "package.move_loan", entityId: a } })).toBe(1);

    expect((await refusal(moveLoan(ctx, officer, a, { loan_number: "PK-02", to_package_id: c }, now))).key).toBe("packages.loanNotInPackage");
    expect((await refusal(moveLoan(ctx, officer, a, { loan_number: "PK-01", to_package_id: a }, now))).key).toBe("packages.sameTarget");
    await submitPackage(ctx, officer, c, now);
    const toSubmitted = await refusal(moveLoan(ctx, officer, a, { loan_number: "PK-01", to_package_id: c }, now));
    expect(toSubmitted).toMatchObject({ key: "packages.notDraft", options: { status: 409 } });
    const fromSubmitted = await refusal(moveLoan(ctx, officer, c, { loan_number: "PK-05", to_package_id: a }, now));
    expect(fromSubmitted.key).toBe("packages.notDraft");
  });
});

describe("merging the remainder", () => {
  it("moves the remainder's loans into the drafts with room, re-assesses them, and discards an emptied remainder", async () => {
    const saved = await saveDraftPackages(ctx, officer, saveDraftsSchema.parse({
      loan_numbers: bookNumbers, target_amount: "40000", mode: "mixed",
      packages: [
        { loan_numbers: ["PK-01", "PK-02", "PK-03", "PK-04", "PK-05"] }, // ¥40,000: full
        { loan_numbers: ["PK-06", "PK-07", "PK-08", "PK-09"] }, // ¥34,000: room for ¥6,000
        { loan_numbers: ["PK-10"], remainder: true },
      ],
    }), now);
    const [a, b, r] = saved.packageIds as [string, string, string];
    await mergeRemainderOfBundle(ctx, officer, saved.bundleId, now);
    expect((await prisma.packageLoan.findFirstOrThrow({ where: { loanNumber: "PK-10" } })).packageId).toBe(b);
    const rows = await prisma.package.findMany({ where: { id: { in: [a, b, r] } } });
    const byId = new Map(rows.map((p) => [p.id, p]));
    expect(byId.get(a)).toMatchObject({ total: 4_000_000n, loanCount: 5, version: 1 });
    expect(byId.get(b)).toMatchObject({ total: 4_000_000n, loanCount: 5, version: 2 });
    expect(byId.get(r)).toMatchObject({ status: "DISCARDED", total: 0n, loanCount: 0 });
    expect(await prisma.auditEntry.count({ where: { action: "package.merge_remainder", entityId: saved.bundleId } })).toBe(1);
    expect((await refusal(mergeRemainderOfBundle(ctx, officer, saved.bundleId, now))).key).toBe("packages.noRemainder");
  });
});

describe("approval (four eyes) and numbering", () => {
  async function threeDrafts() {
    return (await saveDraftPackages(ctx, officer, drafts([["PK-01", "PK-02"], ["PK-03", "PK-04"], ["PK-05", "PK-06"]]), now)).packageIds as [string, string, string];
  }

  it("submit, then approval by another person: number PKG-2026-0001 and the loans locked with history", async () => {
    const [a] = await threeDrafts();
    const submitted = await submitPackage(ctx, officer, a, now);
    expect(submitted).toMatchObject({ status: "SUBMITTED", submittedBy: "陈保全", number: null });
    const approved = await approvePackage(ctx, approver, a, { comment: "同意" }, now);
    expect(approved).toMatchObject({ status: "APPROVED", number: "PKG-2026-0001", label: "PKG-2026-0001", decision: "APPROVED", decidedBy: "黄领导", decisionComment: "同意" });
    expect(await loanStatus("PK-01")).toBe("PACKAGED");
    expect(await loanStatus("PK-02")).toBe("PACKAGED");
    expect(await loanStatus("PK-03")).toBe("IN_BOOK");
    const history = await prisma.loanChange.findMany({ where: { loan: { loanNumber: "PK-01" } } });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ kind: "status", actorId: approver.id });
    expect(JSON.parse(history[0]!.changes)).toEqual({ status: ["IN_BOOK", "PACKAGED"], package: "PKG-2026-0001" });
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "package.approve" } });
    expect(audit).toMatchObject({ entityType: "Package", entityId: a, actorId: null });
    expect(JSON.parse(audit.after!)).toMatchObject({ number: "PKG-2026-0001", loanCount: 2, total: "18000.00" });
    expect(await prisma.auditEntry.count({ where: { action: "package.submit", entityId: a } })).toBe(1);
    const detail = await getPackage(approver, a, now);
    expect(detail.events.map((e) => e.kind)).toEqual(["approved", "submitted", "created"]);

    // Approving twice does not number twice.
    expect((await refusal(approvePackage(ctx, approver, a, {}, now))).key).toBe("packages.notSubmitted");
    expect(await prisma.packageNumberSequence.findUnique({ where: { year: 2026 } })).toEqual({ year: 2026, last: 1 });
  });

  it("the submitter cannot approve or reject, even holding both roles; someone without packages:approve is forbidden", async () => {
    const [a] = await threeDrafts();
    await prisma.userRole.create({ data: { userId: officer.id, role: "approver" } });
    const both = await asUser("officer@bank.example");
    await submitPackage(ctx, both, a, now);
    const own = await refusal(approvePackage(ctx, both, a, {}, now));
    expect(own).toMatchObject({ key: "packages.fourEyes", status: 403 });
    expect((await refusal(rejectPackage(ctx, both, a, { comment: "自己驳回" }, now))).key).toBe("packages.fourEyes");
    const officer2 = await asUser("officer2@bank.example");
    await expect(approvePackage(ctx, officer2, a, {}, now)).rejects.toMatchObject({ status: 403 });
    expect((await prisma.package.findUniqueOrThrow({ where: { id: a } })).status).toBe("SUBMITTED");
    expect(await prisma.packageNumberSequence.count()).toBe(0);
    // Another approver may.
    expect((await approvePackage(ctx, approver, a, {}, now)).number).toBe("PKG-2026-0001");
  });

  it("rejection (with a comment) returns the package to draft without a number", async () => {
    const [a] = await threeDrafts();
    await submitPackage(ctx, officer, a, now);
    expect((await refusal(rejectPackage(ctx, approver, a, { comment: "  " }, now))).key).toBe("packages.commentRequired");
    const rejected = await rejectPackage(ctx, approver, a, { comment: "难度大贷款占比偏高" }, now);
    expect(rejected).toMatchObject({ status: "DRAFT", number: null, decision: "REJECTED", decisionComment: "难度大贷款占比偏高" });
    expect(await loanStatus("PK-01")).toBe("IN_BOOK");
    expect(await prisma.auditEntry.count({ where: { action: "package.reject", entityId: a } })).toBe(1);
    expect((await refusal(rejectPackage(ctx, approver, a, { comment: "再次" }, now))).key).toBe("packages.notSubmitted");
  });

  it("numbers are never reused across rejections: A 0001; B rejected, resubmitted, approved 0002; C 0003; a new year starts at 0001", async () => {
    const [a, b, c] = await threeDrafts();
    await submitPackage(ctx, officer, a, now);
    expect((await approvePackage(ctx, approver, a, {}, now)).number).toBe("PKG-2026-0001");
    await submitPackage(ctx, officer, b, now);
    await rejectPackage(ctx, approver, b, { comment: "请调整" }, now);
    await submitPackage(ctx, officer, b, now);
    expect((await approvePackage(ctx, approver, b, {}, now)).number).toBe("PKG-2026-0002");
    await submitPackage(ctx, officer, c, now);
    expect((await approvePackage(ctx, approver, c, {}, now)).number).toBe("PKG-2026-0003");
    expect(await prisma.package.count({ where: { number: { not: null } } })).toBe(3);
    // The year of the approval day in China: 2026-12-31 16:30 UTC is already 2027-01-01 there.
    const [d] = (await saveDraftPackages(ctx, officer, drafts([["PK-07", "PK-08"]]), now)).packageIds as [string];
    await submitPackage(ctx, officer, d, now);
    expect((await approvePackage(ctx, approver, d, {}, new Date("2026-12-31T16:30:00Z"))).number).toBe("PKG-2027-0001");
  });

  it("the sequence only grows (the trigger refuses a decrease or a delete)", async () => {
    await prisma.$transaction((tx) => nextPackageNumber(tx, 2026));
    await prisma.$transaction((tx) => nextPackageNumber(tx, 2026));
    // (Prisma words SQLite's RAISE(ABORT) from the trigger as a constraint error.)
    await expect(prisma.packageNumberSequence.update({ where: { year: 2026 }, data: { last: 1 } })).rejects.toThrow();
    await expect(prisma.packageNumberSequence.update({ where: { year: 2026 }, data: { last: 2 } })).rejects.toThrow();
    await expect(prisma.packageNumberSequence.delete({ where: { year: 2026 } })).rejects.toThrow();
    expect(await prisma.packageNumberSequence.findUnique({ where: { year: 2026 } })).toEqual({ year: 2026, last: 2 });
    expect(await prisma.$transaction((tx) => nextPackageNumber(tx, 2026))).toBe("PKG-2026-0003");
  });

  it("submitting takes each loan's current price; a loan re-priced after submission blocks the approval", async () => {
    const [a] = await threeDrafts();
    await prisma.loan.update({ where: { loanNumber: "PK-01" }, data: { price: 1_100_000n } });
    const submitted = await submitPackage(ctx, officer, a, now);
    expect(submitted.total).toBe(1_900_000n);
    expect((await prisma.packageLoan.findFirstOrThrow({ where: { loanNumber: "PK-01" } })).price).toBe(1_100_000n);

    await prisma.loan.update({ where: { loanNumber: "PK-02" }, data: { price: 700_000n } });
    const blocked = await refusal(approvePackage(ctx, approver, a, {}, now));
    expect(blocked).toMatchObject({ key: "packages.priceChanged", options: { status: 409, params: { loans: "PK-02" } } });
    expect((await prisma.package.findUniqueOrThrow({ where: { id: a } })).status).toBe("SUBMITTED");
    expect(await prisma.packageNumberSequence.count()).toBe(0);
    expect(await loanStatus("PK-01")).toBe("IN_BOOK");

    // A status change blocks it too.
    await prisma.loan.update({ where: { loanNumber: "PK-02" }, data: { price: 800_000n, status: "RECOVERED" } });
    expect((await refusal(approvePackage(ctx, approver, a, {}, now))).key).toBe("packages.statusChanged");
  });

  it("submitting refuses a loan no longer bundleable", async () => {
    const [a] = await threeDrafts();
    await prisma.loan.update({ where: { loanNumber: "PK-01" }, data: { status: "WRITTEN_OFF" } });
    const refused = await refusal(submitPackage(ctx, officer, a, now));
    expect(refused).toMatchObject({ key: "packages.loanUnavailable", options: { params: { loans: "PK-01" } } });
    expect((await prisma.package.findUniqueOrThrow({ where: { id: a } })).status).toBe("DRAFT");
  });
});

describe("quality JSON", () => {
  it("round-trips bigints", () => {
    const quality = { total: 123_456_789_012_345_678n, loanCount: 2, regions: [{ region: "城关区", total: 5n }], largestLoan: null } as never;
    expect(parseQuality(serializeQuality(quality))).toEqual(quality);
  });
});
