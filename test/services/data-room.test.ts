import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createTestLoan, testResidentId } from "../fixtures/loans";
import { resetDatabase } from "../support/reset-db";
import { asUser, refusal } from "../support/users";
import { defaultSettings } from "~/domain/settings";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { approvePackage, submitPackage } from "~/services/packages/approval.server";
import {
  acceptUndertaking, addDocument, dataRoomAccessFor, downloadDocument, exportDataRoomXlsx, openDataRoom, undertakingText,
} from "~/services/packages/data-room.server";
import { saveDraftPackages } from "~/services/packages/drafts.server";
import { saveDraftsSchema } from "~/services/packages/package-schemas";
import { decideSettings, proposeSettings } from "~/services/settings/settings.server";

const ctx = systemContext("test");
const now = new Date("2026-11-22T08:00:00Z");
const monthLater = new Date("2026-12-22T08:00:00Z");

let officer: AuthUser;
let packageId: string;
const idNumbers: string[] = [];

const pdf = new TextEncoder().encode("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

/** A tender (minimal, as [AUCTION] will create them) offering the package. */
async function offerInTender(options: { audience?: string; status?: string; excludedPositions?: string[] } = {}) {
  const tender = await prisma.tender.create({
    data: {
      title: "2026 年第一期不良贷款清收权竞标", status: options.status ?? "PUBLISHED", audience: options.audience ?? "BOTH",
      excludedPositions: JSON.stringify(options.excludedPositions ?? []), auctionEndsAt: monthLater, createdById: officer.id,
    },
  });
  await prisma.tenderLot.create({ data: { tenderId: tender.id, packageId } });
  await prisma.package.update({ where: { id: packageId }, data: { status: "IN_TENDER" } });
  return tender;
}

beforeEach(async () => {
  resetDatabase();
  await seed();
  officer = await asUser("officer@bank.example");
  idNumbers.length = 0;
  for (const [i, n] of ["DR-1", "DR-2", "DR-3"].entries()) {
    const idNumber = testResidentId(700 + i);
    idNumbers.push(idNumber);
    await createTestLoan({ loanNumber: n, borrowerName: ["王小明", "欧阳小明", "李四"][i], borrowerIdNumber: idNumber, price: BigInt(1_000_000 * (i + 1)), difficulty: i === 2 ? "hard" : "recoverable" });
  }
  const saved = await saveDraftPackages(
    ctx, officer,
    saveDraftsSchema.parse({ loan_numbers: ["DR-1", "DR-2", "DR-3"], target_amount: "60000", mode: "mixed", packages: [{ loan_numbers: ["DR-1", "DR-2", "DR-3"] }] }),
    now,
  );
  packageId = saved.packageIds[0]!;
  await submitPackage(ctx, officer, packageId, now);
  await approvePackage(ctx, await asUser("approver@bank.example"), packageId, {}, now);
});

describe("the data room: who may open it", () => {
  it("the department opens it in any status; the opening is audit-logged", async () => {
    for (const email of ["officer@bank.example", "auditor@bank.example", "approver@bank.example"]) {
      const user = await asUser(email);
      expect(await dataRoomAccessFor(user, packageId, now)).toEqual({ allowed: true, as: "department" });
    }
    const room = await openDataRoom(ctx, officer, packageId, now);
    expect(room.as).toBe("department");
    expect(room.summary.number).toBe("PKG-2026-0001");
    expect(room.loans.map((l) => l.loanNumber)).toEqual(["DR-3", "DR-2", "DR-1"]);
    expect(room.aggregates).toMatchObject({ loanCount: 3, total: 6_000_000n, principal: 30_000_000n });
    expect(room.aggregates.byDifficulty).toEqual([{ key: "recoverable", count: 2, total: 3_000_000n }, { key: "hard", count: 1, total: 3_000_000n }]);
    expect(await prisma.auditEntry.count({ where: { action: "data_room.view", entityType: "Package", entityId: packageId } })).toBe(1);
  });

  it("a bidder is refused while the package is not in a tender", async () => {
    const bidder = await asUser("bidder@bank.example");
    expect(await dataRoomAccessFor(bidder, packageId, now)).toEqual({ allowed: false, reason: "not_in_tender" });
    const refused = await refusal(openDataRoom(ctx, bidder, packageId, now));
    expect(refused).toMatchObject({ key: "packages.dataRoom.not_in_tender", status: 403 });
    expect(await prisma.auditEntry.count({ where: { action: "data_room.view" } })).toBe(0);
    const clerk = await asUser("clerk@bank.example");
    expect(await dataRoomAccessFor(clerk, packageId, now)).toEqual({ allowed: false, reason: "not_a_bidder" });
  });

  it("an eligible bidder accepts the undertaking, then sees masked loans only; every step is audit-logged", async () => {
    await offerInTender();
    const bidder = await asUser("bidder@bank.example");
    const first = await refusal(openDataRoom(ctx, bidder, packageId, now));
    expect(first).toMatchObject({ key: "packages.dataRoom.undertaking_required", status: 403 });

    await acceptUndertaking(ctx, bidder, packageId, "10.0.0.7", now);
    await acceptUndertaking(ctx, bidder, packageId, "10.0.0.7", now); // once is enough
    const undertakings = await prisma.dataRoomUndertaking.findMany();
    expect(undertakings).toHaveLength(1);
    expect(undertakings[0]).toMatchObject({ userId: bidder.id, ip: "10.0.0.7" });
    expect(undertakings[0]!.textSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(undertakingText["zh-CN"]).toContain("保密");
    expect(await prisma.auditEntry.count({ where: { action: "data_room.undertaking", entityId: packageId } })).toBe(1);

    const room = await openDataRoom(ctx, bidder, packageId, now);
    expect(room.as).toBe("bidder");
    expect(room.loans.map((l) => l.borrowerName).sort()).toEqual(["李*", "欧**明", "王*明"].sort());
    const json = JSON.stringify(room, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    for (const id of idNumbers) expect(json).not.toContain(id);
    expect(json).not.toContain("王小明");
    for (const l of room.loans) expect(l.borrowerIdMasked).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    const audit = await prisma.auditEntry.findMany({ where: { action: "data_room.view", entityType: "Package", entityId: packageId } });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ as: "bidder", number: "PKG-2026-0001" });
  });

  it("without the undertaking setting an eligible bidder opens it straight away", async () => {
    const officer2 = await asUser("officer2@bank.example");
    const proposal = await proposeSettings(ctx, officer, { effectiveFrom: new Date("2026-11-22T00:00:00Z"), reason: "取消保密承诺", values: { ...defaultSettings, confidentialityUndertakingRequired: false } }, now);
    await decideSettings(ctx, officer2, proposal.id, "APPROVED", "同意");
    await offerInTender();
    const room = await openDataRoom(ctx, await asUser("bidder@bank.example"), packageId, now);
    expect(room.loans).toHaveLength(3);
  });

  it("refuses the ineligible: the president (excluded position), an agency whose licence ends before the term, a closed tender", async () => {
    await offerInTender();
    const president = await asUser("president@bank.example");
    expect(await dataRoomAccessFor(president, packageId, now)).toEqual({ allowed: false, reason: "not_eligible", eligibilityReasons: ["position_excluded"] });
    expect((await refusal(openDataRoom(ctx, president, packageId, now))).key).toBe("packages.dataRoom.not_eligible");
    expect((await refusal(acceptUndertaking(ctx, president, packageId, undefined, now))).key).toBe("packages.dataRoom.not_eligible");

    const jiuding = await asUser("admin@jiuding.example");
    expect(await dataRoomAccessFor(jiuding, packageId, now)).toEqual({ allowed: false, reason: "not_eligible", eligibilityReasons: ["licence_expires_before_term_end"] });

    // Huaxin's licence (to 2030-12-31) covers the term: only the undertaking is missing.
    const huaxin = await asUser("admin@huaxin.example");
    expect(await dataRoomAccessFor(huaxin, packageId, now)).toEqual({ allowed: false, reason: "undertaking_required" });

    await prisma.tender.updateMany({ data: { status: "CLOSED" } });
    expect(await dataRoomAccessFor(await asUser("bidder@bank.example"), packageId, now)).toEqual({ allowed: false, reason: "tender_not_open" });
  });

  it("a tender for staff only refuses an agency; a position the tender excludes refuses a member of staff", async () => {
    await offerInTender({ audience: "STAFF", excludedPositions: ["信贷员"] });
    expect(await dataRoomAccessFor(await asUser("admin@huaxin.example"), packageId, now)).toEqual({ allowed: false, reason: "audience" });
    expect(await dataRoomAccessFor(await asUser("bidder2@bank.example"), packageId, now)).toEqual({ allowed: false, reason: "not_eligible", eligibilityReasons: ["position_excluded"] });
    expect(await dataRoomAccessFor(await asUser("bidder@bank.example"), packageId, now)).toEqual({ allowed: false, reason: "undertaking_required" });
  });
});

describe("the data room's documents and export", () => {
  it("accepts a PDF, refuses junk named x.pdf, and audits each download", async () => {
    const doc = await addDocument(ctx, officer, packageId, { bytes: pdf, originalName: "尽调报告.pdf", uploadedById: officer.id }, "尽职调查报告", now);
    expect(doc).toMatchObject({ title: "尽职调查报告", fileName: "尽调报告.pdf", mimeType: "application/pdf", size: pdf.length });
    expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await prisma.auditEntry.count({ where: { action: "package.document_add", entityId: packageId } })).toBe(1);

    const junk = await refusal(addDocument(ctx, officer, packageId, { bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), originalName: "x.pdf", uploadedById: officer.id }, "恶意文件", now));
    expect(junk).toMatchObject({ key: "files.typeNotAllowed", status: 415 });
    const random = await refusal(addDocument(ctx, officer, packageId, { bytes: new Uint8Array(Array.from({ length: 64 }, (_, i) => (i * 37 + 1) % 256)), originalName: "x.pdf", uploadedById: officer.id }, "乱码", now));
    expect(random.key).toBe("files.typeNotAllowed");
    expect((await refusal(addDocument(ctx, officer, packageId, { bytes: pdf, originalName: "a.pdf", uploadedById: officer.id }, "  ", now))).key).toBe("packages.titleRequired");
    expect(await prisma.packageDocument.count()).toBe(1);
    await expect(addDocument(ctx, await asUser("approver@bank.example"), packageId, { bytes: pdf, originalName: "a.pdf", uploadedById: null }, "标题", now)).rejects.toMatchObject({ status: 403 });

    const file = await downloadDocument(ctx, officer, packageId, doc.id, now);
    expect(Buffer.compare(file.bytes, Buffer.from(pdf))).toBe(0);
    expect(file).toMatchObject({ fileName: "尽调报告.pdf", mimeType: "application/pdf" });
    expect(await prisma.auditEntry.count({ where: { action: "data_room.document_download", entityId: packageId } })).toBe(1);

    // A bidder: only with the data room's access.
    await offerInTender();
    const bidder = await asUser("bidder@bank.example");
    expect((await refusal(downloadDocument(ctx, bidder, packageId, doc.id, now))).key).toBe("packages.dataRoom.undertaking_required");
    await acceptUndertaking(ctx, bidder, packageId, undefined, now);
    await downloadDocument(ctx, bidder, packageId, doc.id, now);
    expect(await prisma.auditEntry.count({ where: { action: "data_room.document_download", entityId: packageId } })).toBe(2);
    expect((await refusal(downloadDocument(ctx, bidder, packageId, "nope", now))).key).toBe("packages.documentNotFound");
    expect((await openDataRoom(ctx, bidder, packageId, now)).documents.map((d) => d.title)).toEqual(["尽职调查报告"]);
  });

  it("exports a masked XLSX: the loans titled with the package number, and the aggregates; audit-logged", async () => {
    const { bytes, fileName } = await exportDataRoomXlsx(ctx, officer, packageId, now);
    expect(fileName).toBe("PKG-2026-0001-data-room.xlsx");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["贷款明细", "汇总"]);
    const sheet = workbook.worksheets[0]!;
    expect(String(sheet.getCell("A1").value)).toContain("PKG-2026-0001");
    expect(sheet.getRow(2).values).toContain("贷款编号");
    expect(sheet.rowCount).toBe(5);
    const cells: string[] = [];
    for (const ws of workbook.worksheets) ws.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value))));
    for (const id of idNumbers) expect(cells.join("|")).not.toContain(id);
    expect(cells).toContain("王*明");
    expect(cells).not.toContain("王小明");
    expect(cells).toContain("60000");
    expect(await prisma.auditEntry.count({ where: { action: "data_room.export", entityId: packageId } })).toBe(1);

    await expect(exportDataRoomXlsx(ctx, await asUser("bidder@bank.example"), packageId, now)).rejects.toMatchObject({ key: "packages.dataRoom.not_in_tender" });
    expect(await prisma.auditEntry.count({ where: { action: "data_room.export" } })).toBe(1);
  });
});
