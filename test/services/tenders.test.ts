// Tenders, eligibility (R3), registration and notifications (issue 6, items 1–3).
import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { createApprovedPackage, createDraftTender, createPublishedTender, tenderTimes } from "../fixtures/tenders";
import { installRecordingQueue } from "../support/recording-queue";
import { resetDatabase } from "../support/reset-db";
import { asUser, refusal } from "../support/users";
import { systemContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { registerForTender } from "~/services/tenders/registration.server";
import { listNotifications, markRead } from "~/services/tenders/notifications.server";
import { createTenderSchema } from "~/services/tenders/tender-schemas";
import { createTender, getTender, listTenders, publishTender, tenderEligibility } from "~/services/tenders/tenders.server";

// Publishing queues the close jobs and the emails: the queue records them instead of running them.
const { calls } = installRecordingQueue();

const ctx = systemContext("test");
const now = new Date("2026-11-24T02:00:00Z"); // 10:00 in China

beforeEach(async () => {
  resetDatabase();
  calls.length = 0;
  await seed();
});

const officerLoans = async (staffNumber: string) =>
  (await prisma.loan.findMany({ where: { officerStaffNumber: staffNumber }, orderBy: { loanNumber: "asc" } })).map((l) => l.loanNumber);

const eligibleBidders = ["admin@anda.example", "admin@huaxin.example", "bidder2@bank.example", "bidder@bank.example", "member@anda.example", "member@huaxin.example", "retiree@bank.example"];

describe("creating a tender", () => {
  it("makes a draft with a lot per approved package (reserve = package total) and the settings' terms copied in", async () => {
    const a = await createApprovedPackage({ prefix: "A", now });
    const b = await createApprovedPackage({ prefix: "B", prices: [800_000n, 700_000n, 600_000n, 900_000n], now });
    const { tenderId } = await createDraftTender({ packageIds: [b.id, a.id], audience: "STAFF", excludedPositions: ["客户经理"], now });
    const tender = await prisma.tender.findUniqueOrThrow({ where: { id: tenderId }, include: { lots: { orderBy: { lotNumber: "asc" } } } });
    expect(tender).toMatchObject({
      status: "DRAFT", number: null, audience: "STAFF", excludedPositions: JSON.stringify(["客户经理"]), bidDeposit: 500_000n, currency: "cny",
      incrementMinimum: 100_000n, incrementRate: "0.005", incrementRoundUpTo: 10_000n, antiSnipingMinutes: 5, contractTermMonths: 24, settingsVersion: 1,
    });
    const times = tenderTimes(now);
    expect(tender.lots.map((l) => [l.lotNumber, l.packageId, l.reserve, l.status])).toEqual([
      [1, b.id, 3_000_000n, "OPEN"],
      [2, a.id, 4_000_000n, "OPEN"],
    ]);
    for (const lot of tender.lots) expect([lot.startsAt, lot.closesAt]).toEqual([times.auction_starts_at, times.auction_ends_at]);
    expect(await prisma.auditEntry.count({ where: { action: "tender.create", entityId: tenderId } })).toBe(1);
    // Packages stay APPROVED until publication.
    expect((await prisma.package.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("APPROVED");
  });

  it("refuses packages that are unknown, not approved or already in a draft tender, and people without tenders:manage", async () => {
    const officer = await asUser("officer@bank.example");
    const a = await createApprovedPackage({ prefix: "A", now });
    const input = (ids: string[]) => createTenderSchema.parse({ title: "T", package_ids: ids, audience: "BOTH", ...tenderTimes(now) });
    expect(await refusal(createTender(ctx, officer, input(["nope"]), now))).toMatchObject({ key: "auction.tender.unknownPackages", status: 404 });
    await prisma.package.update({ where: { id: a.id }, data: { status: "SUBMITTED" } });
    expect(await refusal(createTender(ctx, officer, input([a.id]), now))).toMatchObject({ key: "auction.tender.packageNotApproved", options: { params: { count: 1, packages: a.number } } });
    await prisma.package.update({ where: { id: a.id }, data: { status: "APPROVED" } });
    await createTender(ctx, officer, input([a.id]), now);
    expect(await refusal(createTender(ctx, officer, input([a.id]), now))).toMatchObject({ key: "auction.tender.packageInDraftTender" });
    await expect(createTender(ctx, await asUser("bidder@bank.example"), input([a.id]), now)).rejects.toMatchObject({ status: 403 });
  });

  it("validates the input: title, packages, audience, time windows", () => {
    const base = { title: "T", package_ids: ["p1"], audience: "BOTH", ...tenderTimes(now) };
    const issue = (over: Record<string, unknown>) => createTenderSchema.safeParse({ ...base, ...over }).error?.issues[0]?.message;
    expect(issue({ title: " " })).toBe("auction.tender.titleRequired");
    expect(issue({ package_ids: [] })).toBe("auction.tender.noPackages");
    expect(issue({ package_ids: ["p1", "p1"] })).toBe("auction.tender.duplicatePackages");
    expect(issue({ audience: "ALL" })).toBe("auction.tender.invalidAudience");
    expect(issue({ registration_closes_at: base.registration_opens_at })).toBe("auction.tender.registrationWindowInvalid");
    expect(issue({ auction_ends_at: base.auction_starts_at })).toBe("auction.tender.auctionWindowInvalid");
    expect(issue({ auction_starts_at: "not a date" })).toBe("auction.tender.invalidTime");
    // A datetime-local value is China time.
    const parsed = createTenderSchema.parse({ ...base, registration_opens_at: "2026-11-20T09:00" });
    expect(parsed.registration_opens_at.toISOString()).toBe("2026-11-20T01:00:00.000Z");
  });

  it("takes the officer's own deposit, increment rule and anti-sniping window, else the settings in force; refuses bad ones", async () => {
    const officer = await asUser("officer@bank.example");
    const a = await createApprovedPackage({ prefix: "A", now });
    const input = createTenderSchema.parse({
      title: "T", package_ids: [a.id], audience: "BOTH", ...tenderTimes(now),
      bid_deposit: "8000", increment_minimum: "", increment_rate: "0.01", increment_round_up_to: "", anti_sniping_minutes: "2",
    });
    const created = await createTender(ctx, officer, input, now);
    expect(await prisma.tender.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({
      bidDeposit: 800_000n, incrementMinimum: 100_000n, incrementRate: "0.01", incrementRoundUpTo: 10_000n, antiSnipingMinutes: 2, settingsVersion: 1,
    });
    const audit = await prisma.auditEntry.findFirstOrThrow({ where: { action: "tender.create", entityId: created.id } });
    expect(JSON.parse(audit.after ?? "{}").overridden).toEqual(["bidDeposit", "incrementRate", "antiSnipingMinutes"]);

    const base = { title: "T", package_ids: ["p1"], audience: "BOTH", ...tenderTimes(now) };
    const issue = (over: Record<string, unknown>) => createTenderSchema.safeParse({ ...base, ...over }).error?.issues[0]?.message;
    expect(issue({ bid_deposit: "0" })).toBe("auction.tender.invalidBidDeposit");
    expect(issue({ bid_deposit: "12.345" })).toBe("auction.tender.invalidBidDeposit");
    expect(issue({ increment_minimum: "-5" })).toBe("auction.tender.invalidIncrementMinimum");
    expect(issue({ increment_rate: "1" })).toBe("auction.tender.invalidIncrementRate");
    expect(issue({ increment_rate: "half" })).toBe("auction.tender.invalidIncrementRate");
    expect(issue({ increment_round_up_to: "abc" })).toBe("auction.tender.invalidIncrementRounding");
    expect(issue({ anti_sniping_minutes: "0" })).toBe("auction.tender.invalidAntiSniping");
    expect(issue({ anti_sniping_minutes: "61" })).toBe("auction.tender.invalidAntiSniping");
    expect(issue({ anti_sniping_minutes: "2.5" })).toBe("auction.tender.invalidAntiSniping");
    expect(createTenderSchema.parse(base)).not.toHaveProperty("bid_deposit", expect.anything());
  });
});

describe("publishing a tender", () => {
  it("numbers it, puts its packages in tender and tells every eligible bidder by email and in the app", async () => {
    const { tenderId, packageIds } = await createDraftTender({ packages: 2, now });
    const officer = await asUser("officer@bank.example");
    const published = await publishTender(ctx, officer, tenderId, now);
    expect(published).toEqual({ id: tenderId, number: "TND-2026-001", notified: eligibleBidders.length });
    const tender = await prisma.tender.findUniqueOrThrow({ where: { id: tenderId } });
    expect(tender).toMatchObject({ status: "PUBLISHED", number: "TND-2026-001", publishedById: officer.id, publishedAt: now });
    for (const id of packageIds) expect((await prisma.package.findUniqueOrThrow({ where: { id } })).status).toBe("IN_TENDER");
    expect(await prisma.packageEvent.count({ where: { kind: "in_tender" } })).toBe(2);

    const emails = await prisma.outboxEmail.findMany({ where: { template: "tenderPublished" }, orderBy: { to: "asc" } });
    expect(emails.map((e) => e.to)).toEqual(eligibleBidders);
    expect(emails[0]!.subject).toBe("【竞标公示】TND-2026-001 2026年第四季度不良贷款资产包竞标");
    expect(emails[0]!.text).toContain("竞标定金 5000.00 元");
    // Sent after the commit: one email.send job per message.
    expect(calls.filter((c) => c.name === "email.send").map((c) => (c.payload as { outboxId: string }).outboxId).sort()).toEqual(emails.map((e) => e.id).sort());
    const notified = await prisma.notification.findMany({ where: { messageKey: "auction.notify.tenderPublished" } });
    expect(notified).toHaveLength(eligibleBidders.length);
    const president = await prisma.user.findUniqueOrThrow({ where: { email: "president@bank.example" } });
    expect(notified.some((n) => n.userId === president.id)).toBe(false);
    expect(await prisma.auditEntry.count({ where: { action: "tender.publish", entityId: tenderId } })).toBe(1);

    // Once only; the next tender takes the next number.
    expect(await refusal(publishTender(ctx, officer, tenderId, now))).toMatchObject({ key: "auction.tender.notDraft", status: 409 });
    const second = await createPublishedTender({ now });
    expect(second.number).toBe("TND-2026-002");
  });

  it("notifies only the audience, minus the tender's own excluded positions; refuses after registration closed", async () => {
    const { tenderId } = await createDraftTender({ audience: "STAFF", excludedPositions: ["客户经理"], now });
    await publishTender(ctx, await asUser("officer@bank.example"), tenderId, now);
    const emails = await prisma.outboxEmail.findMany({ where: { template: "tenderPublished" }, orderBy: { to: "asc" } });
    expect(emails.map((e) => e.to)).toEqual(["bidder2@bank.example", "retiree@bank.example"]);

    const late = await createDraftTender({ now, registrationOpensAt: new Date(now.getTime() - 3_600_000), registrationClosesAt: new Date(now.getTime() - 1000) });
    expect(await refusal(publishTender(ctx, await asUser("officer@bank.example"), late.tenderId, now))).toMatchObject({ key: "auction.tender.tooLateToPublish" });
    // A package that left APPROVED meanwhile refuses the publication, and nothing changes.
    const stale = await createDraftTender({ now });
    await prisma.package.update({ where: { id: stale.packageIds[0]! }, data: { status: "SUBMITTED" } });
    expect(await refusal(publishTender(ctx, await asUser("officer@bank.example"), stale.tenderId, now))).toMatchObject({ key: "auction.tender.packageNotApproved" });
    expect((await prisma.tender.findUniqueOrThrow({ where: { id: stale.tenderId } })).status).toBe("DRAFT");
  });
});

describe("eligibility for a tender (R3)", () => {
  it("gives the reasons: excluded positions, licence through auction end + term, audience, no bid permission; flags conflicts", async () => {
    const { tenderId } = await createPublishedTender({ now, officerStaffNumber: "S2001" });
    const tender = await prisma.tender.findUniqueOrThrow({ where: { id: tenderId } });
    const of = async (email: string, t = tender) => tenderEligibility(await asUser(email), t, now);
    expect(await of("admin@huaxin.example")).toMatchObject({ eligible: true, reasons: [], bidderKind: "AGENCY" });
    expect((await of("admin@huaxin.example")).bidderKey).toMatch(/^org:/);
    expect(await of("president@bank.example")).toMatchObject({ eligible: false, reasons: ["position_excluded"] });
    expect(await of("admin@jiuding.example")).toMatchObject({ eligible: false, reasons: ["licence_expires_before_term_end"] });
    expect(await of("officer@bank.example")).toMatchObject({ eligible: false, reasons: ["not_a_bidder"] });
    const bidder = await of("bidder@bank.example");
    expect(bidder).toMatchObject({ eligible: true, bidderKind: "STAFF", conflictLoans: await officerLoans("S2001") });
    expect(bidder.conflictLoans).toHaveLength(4);
    expect(bidder.bidderKey).toBe(`user:${(await asUser("bidder@bank.example")).id}`);

    // Huaxin's licence runs to 2030-12-31: an auction ending 2029-02-01 + 24 months needs it to 2031-02-01.
    const longer = { ...tender, auctionEndsAt: new Date("2029-02-01T00:00:00Z") };
    expect(await of("admin@huaxin.example", longer)).toMatchObject({ eligible: false, reasons: ["licence_expires_before_term_end"] });
    expect(await of("admin@huaxin.example", { ...tender, audience: "STAFF" })).toMatchObject({ reasons: ["audience_staff_only"] });
    expect(await of("bidder@bank.example", { ...tender, audience: "AGENCY" })).toMatchObject({ reasons: ["audience_agency_only"] });
  });
});

describe("registering for a tender", () => {
  it("registers an eligible bidder once (again = the same registration), with conflicts recorded for approvers", async () => {
    const { tenderId } = await createPublishedTender({ now, officerStaffNumber: "S2001" });
    const bidder = await asUser("bidder@bank.example");
    const first = await registerForTender(ctx, bidder, tenderId, now);
    expect(first.created).toBe(true);
    expect(first.registration).toMatchObject({ bidderKey: `user:${bidder.id}`, bidderKind: "STAFF", userId: bidder.id });
    const conflicts = await officerLoans("S2001");
    expect(conflicts).toHaveLength(4);
    expect(JSON.parse(first.registration.conflictLoans)).toEqual(conflicts);
    const again = await registerForTender(ctx, bidder, tenderId, now);
    expect(again).toMatchObject({ created: false, registration: { id: first.registration.id } });
    expect(await prisma.auditEntry.count({ where: { action: "tender.register" } })).toBe(1);

    // An agency registers once for all its users.
    const admin = await registerForTender(ctx, await asUser("admin@huaxin.example"), tenderId, now);
    const member = await registerForTender(ctx, await asUser("member@huaxin.example"), tenderId, now);
    expect(member).toMatchObject({ created: false, registration: { id: admin.registration.id, bidderKind: "AGENCY" } });

    // Approvers see the conflict on the tender page.
    const view = await getTender(await asUser("approver@bank.example"), tenderId, now);
    const registration = view.registrations!.find((r) => r.bidderKey === `user:${bidder.id}`)!;
    expect(registration.conflictLoans).toEqual(conflicts);
  });

  it("refuses the ineligible with the reasons in their language, and outside the registration window", async () => {
    const { tenderId } = await createPublishedTender({ now });
    const president = await refusal(registerForTender(ctx, await asUser("president@bank.example"), tenderId, now));
    expect(president).toMatchObject({ key: "auction.refused.not_eligible", status: 403, options: { params: { reasons: "您的职务“行长”不得参与竞买。", codes: "position_excluded" } } });
    const jiuding = await refusal(registerForTender(ctx, await asUser("admin@jiuding.example", "en"), tenderId, now));
    expect(jiuding.options.params).toMatchObject({ codes: "licence_expires_before_term_end" });
    expect(String(jiuding.options.params!.reasons)).toContain("Your agency's licence runs until 06/30/2025");

    const bidder = await asUser("bidder@bank.example");
    const closed = await refusal(registerForTender(ctx, bidder, tenderId, new Date(now.getTime() + 25 * 3_600_000)));
    expect(closed).toMatchObject({ key: "auction.tender.registrationClosed", status: 409 });
    const early = await refusal(registerForTender(ctx, bidder, tenderId, new Date(now.getTime() - 25 * 3_600_000)));
    expect(early).toMatchObject({ key: "auction.tender.registrationNotOpen" });
    // A draft is not found by bidders; someone who cannot bid is told so.
    const draft = await createDraftTender({ now });
    expect(await refusal(registerForTender(ctx, bidder, draft.tenderId, now))).toMatchObject({ key: "auction.tender.notFound", status: 404 });
    expect(await refusal(registerForTender(ctx, await asUser("finance@bank.example"), tenderId, now))).toMatchObject({ key: "auction.deposit.notBidder", status: 403 });
  });
});

describe("reading tenders", () => {
  it("shows bidders only published tenders of their audience; staff all of them", async () => {
    const staffOnly = await createPublishedTender({ audience: "STAFF", now });
    const draft = await createDraftTender({ now });
    const bidder = await asUser("bidder@bank.example");
    const agency = await asUser("admin@huaxin.example");
    const officer = await asUser("officer@bank.example");
    expect((await listTenders(bidder)).tenders.map((t) => t.id)).toEqual([staffOnly.tenderId]);
    expect((await listTenders(agency)).tenders).toEqual([]);
    expect((await listTenders(officer)).tenders.map((t) => t.id).sort()).toEqual([staffOnly.tenderId, draft.tenderId].sort());
    await expect(getTender(agency, staffOnly.tenderId, now)).rejects.toMatchObject({ status: 404 });
    await expect(getTender(bidder, draft.tenderId, now)).rejects.toMatchObject({ status: 404 });
    await expect(listTenders(await asUser("admin@bank.example"))).rejects.toMatchObject({ status: 403 });

    const view = await getTender(bidder, staffOnly.tenderId, now);
    expect(view.tender).toMatchObject({ number: "TND-2026-001", status: "PUBLISHED", registrationOpen: true, bidDeposit: 500_000n });
    expect(view.lots).toHaveLength(1);
    expect(view.bidder).toMatchObject({ eligibility: { eligible: true }, registration: null, qualified: false });
    expect(view.registrations).toBeNull();
    const president = await getTender(await asUser("president@bank.example", "en"), staffOnly.tenderId, now);
    expect(president.bidder!.eligibility.reasonsText).toBe("Your position “行长” is excluded from bidding.");
  });
});

describe("notifications", () => {
  it("lists a user's notifications in their language and marks them read", async () => {
    await createPublishedTender({ now });
    const en = await asUser("bidder@bank.example", "en");
    const listed = await listNotifications(en);
    expect(listed.unread).toBe(1);
    expect(listed.items[0]).toMatchObject({ messageKey: "auction.notify.tenderPublished", params: { number: "TND-2026-001" }, readAt: null });
    expect(listed.items[0]!.text).toContain("Tender TND-2026-001");
    expect((await listNotifications(await asUser("bidder@bank.example"))).items[0]!.text).toContain("竞标 TND-2026-001");
    // Someone else's ids change nothing.
    expect(await markRead(await asUser("bidder2@bank.example"), { ids: [listed.items[0]!.id] })).toBe(0);
    expect(await markRead(en, { ids: [listed.items[0]!.id] })).toBe(1);
    expect((await listNotifications(en, { unreadOnly: true })).items).toEqual([]);
  });
});
