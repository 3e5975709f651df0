import { beforeEach, describe, expect, it } from "vitest";
import { contractWithTerms } from "../fixtures/custody-terms";
import { freshTenderCast } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { callLoader, postForm } from "../support/routes";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";

/* eslint-disable no-restricted-imports -- these tests call the page loaders and actions directly, with a session cookie */
import { loader as listLoader } from "~/routes/contracts._index";
import { action as contractAction, loader as contractLoader } from "~/routes/contracts.$contractId";
import { loader as documentLoader } from "~/routes/contracts.$contractId_.document";
import { loader as pdfLoader } from "~/routes/contracts.$contractId_.document[.pdf]";
/* eslint-enable no-restricted-imports */

// Emails of the signing and the top-up are queued for sending: recorded, not run.
installRecordingQueue();

let bidder: AuthUser;
let agency: AuthUser;

beforeEach(async () => {
  ({ bidder, agency } = await freshTenderCast());
});

const load = callLoader;
/** Posts a form to an action from an IP. */
const post = (handler: unknown, path: string, email: string, fields: [string, string][], params: Record<string, string> = {}, ip = "203.0.113.7") =>
  postForm(handler, path, email, fields, { params, headers: { "X-Forwarded-For": ip, "User-Agent": "vitest" } });

describe("/contracts", () => {
  it("lists the agency's own contracts; a branch clerk may not open it", async () => {
    const mine = await contractWithTerms({ custodian: agency, price: 30_000_000n });
    await contractWithTerms({ custodian: bidder, price: 30_000_000n });
    const list = await load(listLoader, "/contracts", "member@huaxin.example");
    expect(list.data!.contracts.map((c: { id: string }) => c.id)).toEqual([mine.contract.id]);
    expect((await load(listLoader, "/contracts", "officer@bank.example")).data!.contracts).toHaveLength(2);
    expect((await load(listLoader, "/contracts", "clerk@bank.example")).status).toBe(403);
  });
});

describe("/contracts/{id}", () => {
  it("sign (must agree; who, when, IP recorded) → countersign → bank transfer declared → finance confirms with a voucher → custody starts", async () => {
    const { contract } = await contractWithTerms({ custodian: bidder, price: 30_000_000n, bidDeposit: 500_000n });
    const path = `/contracts/${contract.id}`;
    const params = { contractId: contract.id };

    // A stranger sees nothing, and can do nothing.
    expect((await load(contractLoader, path, "admin@anda.example", params)).status).toBe(404);
    expect((await post(contractAction, path, "bidder2@bank.example", [["intent", "sign"], ["agree", "on"]], params)).status).toBe(404);

    const before = await load(contractLoader, path, "bidder@bank.example", params);
    expect(before.data!.may.sign).toBe(true);
    expect(before.data!.deposit).toMatchObject({ owed: 1_500_000n, credit: 500_000n, topUp: 1_000_000n });

    // Not ticked: refused on the field, nothing signed.
    const unticked = await post(contractAction, path, "bidder@bank.example", [["intent", "sign"]], params);
    expect(unticked.status).toBe(400);
    expect(unticked.data!.fieldErrors.agree).toEqual(["custody.contract.mustAgree"]);
    expect((await prisma.custodyContract.findUniqueOrThrow({ where: { id: contract.id } })).signedAt).toBeNull();

    const signed = await post(contractAction, path, "bidder@bank.example", [["intent", "sign"], ["agree", "on"]], params, "198.51.100.20");
    expect(signed).toMatchObject({ status: 302, location: path });
    const afterSign = await prisma.custodyContract.findUniqueOrThrow({ where: { id: contract.id } });
    expect(afterSign).toMatchObject({ status: "AWAITING_COUNTERSIGNATURE", signedById: bidder.id, signedIp: "198.51.100.20", signedUserAgent: "vitest" });

    // The custodian cannot countersign; the department can.
    expect((await post(contractAction, path, "bidder@bank.example", [["intent", "countersign"]], params)).status).toBe(403);
    expect((await post(contractAction, path, "officer@bank.example", [["intent", "countersign"]], params, "10.0.0.5")).status).toBe(302);
    const page = await load(contractLoader, path, "bidder@bank.example", params);
    expect(page.data!.contract.status).toBe("AWAITING_DEPOSIT");
    expect(page.data!.signatures.department).toMatchObject({ ip: "10.0.0.5" });
    expect(page.data!.deposit).toMatchObject({ held: 500_000n, topUp: 1_000_000n });
    expect(page.data!.may.topUp).toBe(true);

    expect((await post(contractAction, path, "bidder@bank.example", [["intent", "topup-offline"], ["method", "BANK_TRANSFER"]], params)).status).toBe(302);
    const payment = await prisma.performanceDepositPayment.findFirstOrThrow({ where: { contractId: contract.id } });
    expect(payment).toMatchObject({ method: "BANK_TRANSFER", status: "DECLARED", amount: 1_000_000n });

    // Finance: a voucher is required; then confirmed, the deposit is full and custody starts.
    const noVoucher = await post(contractAction, path, "finance@bank.example", [["intent", "topup-confirm"], ["payment_id", payment.id], ["voucher_number", " "]], params);
    expect(noVoucher.status).toBe(400);
    expect(noVoucher.data!.fieldErrors.voucher_number).toEqual(["custody.topup.voucherRequired"]);
    expect((await post(contractAction, path, "finance@bank.example", [["intent", "topup-confirm"], ["payment_id", "another"], ["voucher_number", "V1"]], params)).status).toBe(404);
    expect((await post(contractAction, path, "finance@bank.example", [["intent", "topup-confirm"], ["payment_id", payment.id], ["voucher_number", "PZ-2026-001"]], params)).status).toBe(302);
    const active = await load(contractLoader, path, "bidder@bank.example", params);
    expect(active.data!.contract.status).toBe("ACTIVE");
    expect(active.data!.deposit).toMatchObject({ held: 1_500_000n, topUp: 0n });
    expect(active.data!.may.workLoans).toBe(true);
  });
});

describe("/contracts/{id}/document and /document.pdf", () => {
  it("the printable document and the PDF download for who may see the contract; 404 for anyone else", async () => {
    const { contract } = await contractWithTerms({ custodian: agency, price: 30_000_000n });
    const params = { contractId: contract.id };
    const printable = await load(documentLoader, `/contracts/${contract.id}/document`, "officer@bank.example", params);
    expect(printable.data!.document.title).toBe("债权托管协议");
    expect((await load(documentLoader, `/contracts/${contract.id}/document`, "admin@anda.example", params)).status).toBe(404);

    const pdf = await load(pdfLoader, `/contracts/${contract.id}/document.pdf`, "member@huaxin.example", params);
    expect(pdf.status).toBe(200);
    expect(pdf.response!.headers.get("Content-Type")).toBe("application/pdf");
    expect(pdf.response!.headers.get("Content-Disposition")).toContain(`attachment; filename="${contract.number}.pdf"`);
    const bytes = Buffer.from(await pdf.response!.arrayBuffer());
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(bytes.length).toBeGreaterThan(1024);

    const refused = await load(pdfLoader, `/contracts/${contract.id}/document.pdf`, "admin@anda.example", params);
    expect(refused.status).toBe(404);
    expect(await refused.response!.text()).toBe("未找到该合同，或您无权查看。");
  });
});
