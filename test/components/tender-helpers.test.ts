import { describe, expect, it } from "vitest";
import { chinaDateTimeLocal, labelOf, retenderReservesOf, signedPercent, splitLines, tenderPhase } from "~/components/tender-helpers";
import { translator } from "~/infra/i18n";

const tender = {
  status: "PUBLISHED",
  registrationOpensAt: "2026-11-20T00:00:00Z",
  registrationClosesAt: "2026-11-25T00:00:00Z",
  auctionStartsAt: "2026-11-24T00:00:00Z",
  auctionEndsAt: "2026-11-26T00:00:00Z",
};

describe("tenderPhase", () => {
  it("counts to the earliest moment still to come", () => {
    expect(tenderPhase(tender, "2026-11-19T00:00:00Z")).toEqual({ phase: "registrationOpens", until: new Date(tender.registrationOpensAt) });
    // The auction may start before registration closes: the start comes first.
    expect(tenderPhase(tender, "2026-11-21T00:00:00Z")).toEqual({ phase: "auctionStarts", until: new Date(tender.auctionStartsAt) });
    expect(tenderPhase(tender, "2026-11-24T12:00:00Z")).toEqual({ phase: "registrationCloses", until: new Date(tender.registrationClosesAt) });
    expect(tenderPhase(tender, "2026-11-25T00:00:00Z")).toEqual({ phase: "auctionEnds", until: new Date(tender.auctionEndsAt) });
    expect(tenderPhase(tender, "2026-11-26T00:00:00Z")).toEqual({ phase: "ended", until: new Date(tender.auctionEndsAt) });
  });

  it("is over for a closed or cancelled tender, whatever the time", () => {
    expect(tenderPhase({ ...tender, status: "CLOSED" }, "2026-11-19T00:00:00Z").phase).toBe("ended");
    expect(tenderPhase({ ...tender, status: "CANCELLED" }, "2026-11-19T00:00:00Z").phase).toBe("ended");
  });
});

describe("form helpers", () => {
  it("writes China time for datetime-local inputs", () => {
    expect(chinaDateTimeLocal("2026-11-24T02:00:00Z")).toBe("2026-11-24T10:00");
    expect(chinaDateTimeLocal(new Date("2026-12-31T16:30:00Z"))).toBe("2027-01-01T00:30");
  });

  it("splits one position per line", () => {
    expect(splitLines(" 行长\r\n\n 副行长 \n")).toEqual(["行长", "副行长"]);
    expect(splitLines("")).toEqual([]);
  });

  it("keeps the filled-in reserves of the chosen lots only", () => {
    expect(retenderReservesOf({ reserve_a: " 150000.00 ", reserve_b: "", reserve_c: "9" }, ["a", "b"])).toEqual({ a: "150000.00" });
  });

  it("signs percentages", () => {
    expect(signedPercent(0.1)).toBe("+10.00%");
    expect(signedPercent(-0.0525)).toBe("−5.25%");
    expect(signedPercent(0)).toBe("±0.00%");
  });

  it("names statuses in both languages, the raw value when unknown", () => {
    expect(labelOf(translator("zh-CN"), "depositStatus", "DECLARED")).toBe("待财务确认");
    expect(labelOf(translator("en"), "depositStatus", "REFUND_PENDING")).toBe("Refund in progress");
    expect(labelOf(translator("zh-CN"), "depositStatus", "NEW_STATE")).toBe("NEW_STATE");
  });
});
