import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { custodyContract } from "../fixtures/custody";
import { contractWithTerms } from "../fixtures/custody-terms";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { postForm, sessionCookie } from "../support/routes";
import { asUser } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { recordAgreement } from "~/services/custody/agreements.server";
import { signContract } from "~/services/custody/contracts.server";
import { reviewQueue } from "~/services/custody/review.server";
/* eslint-disable no-restricted-imports -- the page test calls the loader and action directly, with a session cookie */
import { action as reviewAction, loader as reviewLoader } from "~/routes/custody.review";
/* eslint-enable no-restricted-imports */

// The department's queue (/custody/review): what waits for the custodian, what waits for the
// department, and each decision routed to its own service with the refusal shown in its row.

const ctx = systemContext("test");
installRecordingQueue();
const sig = { ip: "203.0.113.9", userAgent: "test" };
type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;

let agency: AuthUser;

beforeEach(async () => {
  resetDatabase();
  await seed();
  agency = await asUser("admin@huaxin.example");
});

const post = (email: string, fields: [string, string][]) => postForm(reviewAction, "/custody/review", email, fields);

describe("the department's custody queue", () => {
  it("lists a contract waiting for the custodian's signature, then, once signed, the same contract to countersign", async () => {
    const officer = await asUser("officer@bank.example");
    const { contract } = await contractWithTerms({ custodian: agency, price: 30_000_000n });
    let queue = await reviewQueue(officer);
    expect(queue.waiting).toEqual([expect.objectContaining({ id: contract.id, custodian: "华信资产清收有限公司", status: "AWAITING_SIGNATURE" })]);
    expect(queue.countersign).toEqual([]);
    await signContract(ctx, agency, contract.id, sig);
    queue = await reviewQueue(officer);
    expect(queue.waiting).toEqual([]);
    expect(queue.countersign).toEqual([expect.objectContaining({ id: contract.id, winningPrice: 30_000_000n, performanceDeposit: 20_000_000n, loanCount: 2 })]);
  });

  it("only the department opens it: a custodian and finance are refused", async () => {
    for (const email of ["admin@huaxin.example", "finance@bank.example"]) {
      const request = new Request("http://localhost/custody/review", { headers: { Cookie: await sessionCookie(email) } });
      await expect((reviewLoader as Handler)({ request, params: {}, context: {} })).rejects.toMatchObject({ status: 403 });
    }
    expect((await post("finance@bank.example", [["intent", "waiver-approve"], ["waiverId", "x"]])).status).toBe(403);
  });

  it("routes a waiver decision: a rejection without a note is refused in the waiver's row and changes nothing; an approval takes effect", async () => {
    const c = await custodyContract({ custodian: agency, startsAt: new Date(Date.now() - 30 * 86_400_000), loans: 1, loan: () => ({ principal: 10_000_000n, interestOnBalance: 2_000_000n, interestOffBalance: 0n }) });
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const due = new Date(Date.now() + 8 * 3_600_000 + 40 * 86_400_000).toISOString().slice(0, 10);
    // Collects the ¥100,000 principal and ¥15,000 of the ¥20,000 interest: a ¥5,000 waiver to decide.
    const { waiver } = await recordAgreement(ctx, agency, c.loans[0]!.loanNumber, { signedOn: today, instalments: [{ dueOn: due, principal: 10_000_000n, interest: 1_500_000n }], reason: "困难减免" });
    const page = (await (reviewLoader as Handler)({ request: new Request("http://localhost/custody/review", { headers: { Cookie: await sessionCookie("officer@bank.example") } }), params: {}, context: {} })) as { waivers: { id: string }[] };
    expect(page.waivers.map((w) => w.id)).toEqual([waiver!.id]);

    const refused = await post("officer@bank.example", [["intent", "waiver-reject"], ["waiverId", waiver!.id], ["note", ""]]);
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ intent: "waiver-reject", target: waiver!.id });
    expect((await prisma.waiverRequest.findUniqueOrThrow({ where: { id: waiver!.id } })).status).toBe("PENDING");

    const approved = await post("officer@bank.example", [["intent", "waiver-approve"], ["waiverId", waiver!.id], ["note", "同意"]]);
    expect([approved.status, approved.location]).toEqual([302, "/custody/review"]);
    expect((await prisma.waiverRequest.findUniqueOrThrow({ where: { id: waiver!.id } })).status).toBe("APPROVED");
  });

  it("refuses an unknown intent with a message", async () => {
    const unknown = await post("officer@bank.example", [["intent", "delete-everything"]]);
    expect([unknown.status, unknown.data]).toEqual([400, { intent: null, formError: "form.invalidChoice" }]);
  });
});
