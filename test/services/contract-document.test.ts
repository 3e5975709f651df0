import { beforeEach, describe, expect, it } from "vitest";
import { custodyContract } from "../fixtures/custody";
import { contractWithTerms } from "../fixtures/custody-terms";
import { freshTenderCast } from "../fixtures/tenders";
import { asUser, refusal } from "../support/users";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { contractDocument, yuanInCapitals, type ContractDocument } from "~/services/custody/contract-document.server";
import { contractFont, contractPdf, knownFonts } from "~/services/custody/contract-pdf.server";

let bidder: AuthUser;
let agency: AuthUser;
let officer: AuthUser;

/** One section's text, every block flattened. */
function sectionText(document: ContractDocument, key: string): string {
  const section = document.sections.find((s) => s.key === key);
  if (!section) throw new Error(`no section ${key}`);
  return section.blocks
    .map((b) => {
      switch (b.kind) {
        case "paragraph": return b.text;
        case "list": return b.items.join("\n");
        case "facts": return b.rows.map((r) => `${r.label}: ${r.value}`).join("\n");
        case "table": return [b.head, ...b.rows, b.footer ?? []].map((r) => r.join(" | ")).join("\n");
        case "signatures": return b.parties.map((p) => [p.role, ...p.rows.map((r) => `${r.label}: ${r.value}`)].join("\n")).join("\n");
      }
    })
    .join("\n");
}

describe("the contract document (R4/R5 terms as stored)", () => {
  beforeEach(async () => {
    ({ bidder, agency, officer } = await freshTenderCast());
  });

  it("a staff contract for ¥300,000: task ¥300,000.00, deposit 5% = ¥15,000.00, the ¥5,000.00 bid deposit credited, ¥10,000.00 to top up", async () => {
    const { contract } = await contractWithTerms({ custodian: bidder, price: 30_000_000n, bidDeposit: 500_000n, loan: (i) => ({ borrowerName: i === 0 ? "王小明" : "李大伟" }) });
    const document = await contractDocument(officer, contract.id);

    expect(document.title).toBe("清收承包协议");
    expect(document.numberLine).toBe(`合同编号：${contract.number}`);
    expect(sectionText(document, "task")).toContain("承包任务为 ¥300,000.00（人民币叁拾万元整）");
    const deposit = sectionText(document, "deposit");
    expect(deposit).toContain("成交价的 5%，即 ¥15,000.00（人民币壹万伍仟元整）");
    expect(deposit).toContain("竞买保证金 ¥5,000.00 于签署时转抵");
    expect(deposit).toContain("尚需在托管开始前补缴 ¥10,000.00");
    expect(sectionText(document, "term")).toContain("托管期限为 24 个月");
    // Internal tiers from the terms: threshold 5%, 10% / 20% / 40%.
    const commission = sectionText(document, "commission");
    expect(commission).toContain("c 低于 5% 的，不计奖励");
    expect(commission).toContain("10% × min(R, 0.5T) + 20% × max(0, min(R, T) − 0.5T) + 40% × max(0, R − T)");
    // R7: ≥5 days late interest, >10 days deduction, top-up within 10 days; staff owes personally.
    const remittance = sectionText(document, "remittance");
    expect(remittance).toContain("延迟满 5 日的");
    expect(remittance).toContain("延迟超过 10 日");
    expect(remittance).toContain("应在 10 日内补足");
    expect(remittance).toContain("由乙方本人承担");
    // R8 for staff: the whole deposit and the priced value.
    expect(sectionText(document, "limitation")).toContain("丧失全部履约保证金，并赔偿该笔贷款的定价");
    // Parties: the staff member with staff number; borrowers masked in the loan list.
    expect(sectionText(document, "parties")).toContain(`乙方: ${bidder.displayName}`);
    const subject = sectionText(document, "subject");
    expect(subject).toContain("王*明");
    expect(subject).toContain("李*伟");
    expect(subject).not.toContain("王小明");
    expect(subject).toContain("¥300,000.00");
    // Unsigned: both signatures pending.
    expect(sectionText(document, "signatures")).toContain("待签署");
    expect(document.footer).toContain("参数版本");
  });

  it("an agency contract: the fixed bond ¥200,000.00, fee 12%, ¥20.00 per loan kept alive, 5% excess / 2% shortfall; the agency's licence and legal representative", async () => {
    const { contract } = await contractWithTerms({ custodian: agency, price: 30_000_000n });
    const document = await contractDocument(agency, contract.id);
    expect(document.title).toBe("债权托管协议");
    expect(sectionText(document, "deposit")).toContain("固定金额 ¥200,000.00（人民币贰拾万元整）");
    // The ¥5,000 bid deposit is credited; ¥195,000 remains.
    expect(sectionText(document, "deposit")).toContain("补缴 ¥195,000.00");
    const fees = sectionText(document, "commission");
    expect(fees).toContain("× 12%");
    expect(fees).toContain("每笔另计 ¥20.00");
    expect(fees).toContain("超出部分的 5%");
    expect(fees).toContain("差额的 2%");
    const parties = sectionText(document, "parties");
    expect(parties).toContain("乙方: 华信资产清收有限公司");
    expect(parties).toContain("清收许可证号: QS-2024-0101");
    expect(parties).toContain("法定代表人: 赵立国");
    expect(sectionText(document, "remittance")).toContain("法定代表人承担连带责任");
    expect(sectionText(document, "limitation")).toContain("赔偿该笔贷款的本金及利息");
  });

  it("prohibitions from the terms: no contact 22:00–08:00, at most 3 effective contacts a day, agreements ≤ 36 months", async () => {
    const { contract } = await contractWithTerms({ custodian: bidder, price: 30_000_000n });
    const prohibitions = sectionText(await contractDocument(bidder, contract.id), "prohibitions");
    expect(prohibitions).toContain("每日 22:00–08:00 之间不得进行任何催收联系");
    expect(prohibitions).toContain("每日有效联系不得超过 3 次");
    expect(prohibitions).toContain("不得超过 36 个月");
    expect(prohibitions).toContain("借新还旧");
    expect(prohibitions).toContain("事先报经甲方资产保全部批准");
    expect(prohibitions).toContain("每次查看均记录在案");
  });

  it("signatures show who, when (China time) and from which IP; the custody window once started", async () => {
    const { contract } = await contractWithTerms({ custodian: bidder, price: 30_000_000n });
    await prisma.custodyContract.update({
      where: { id: contract.id },
      data: {
        status: "ACTIVE", signedById: bidder.id, signedAt: new Date("2026-03-02T01:30:00Z"), signedIp: "10.1.2.3",
        countersignedById: officer.id, countersignedAt: new Date("2026-03-03T02:00:00Z"), countersignedIp: "10.9.9.9",
        custodyStartsAt: new Date("2026-03-04T00:00:00Z"), custodyEndsAt: new Date("2028-03-04T00:00:00Z"),
      },
    });
    const document = await contractDocument(officer, contract.id);
    const signatures = sectionText(document, "signatures");
    expect(signatures).toContain(`签署人: ${bidder.displayName}`);
    expect(signatures).toContain("2026/03/02 09:30");
    expect(signatures).toContain("签署 IP: 10.1.2.3");
    expect(signatures).toContain(`签署人: ${officer.displayName}`);
    expect(signatures).toContain("2026/03/03 10:00");
    expect(signatures).not.toContain("待签署");
    expect(sectionText(document, "term")).toContain("托管期自 2026/03/04 08:00 起至 2028/03/04 08:00 止");
  });

  it("is 404 for anyone who may not see the contract, and refuses a contract without real terms", async () => {
    const { contract } = await contractWithTerms({ custodian: agency, price: 30_000_000n });
    const stranger = await asUser("admin@anda.example");
    expect((await refusal(contractDocument(stranger, contract.id))).status).toBe(404);
    expect((await refusal(contractDocument(bidder, contract.id))).status).toBe(404);
    const fixture = await custodyContract({ custodian: bidder, status: "AWAITING_SIGNATURE", rawTerms: JSON.stringify({ fixture: true }) });
    const noTerms = await refusal(contractDocument(officer, fixture.contract.id));
    expect(noTerms.key).toBe("contractPages.noTerms");
    expect(noTerms.status).toBe(409);
  });

  it("the PDF: a real PDF of more than 1 KB with the Chinese font", async () => {
    const { contract } = await contractWithTerms({ custodian: bidder, price: 30_000_000n });
    const pdf = await contractPdf(await contractDocument(officer, contract.id));
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(1024);
    // The font is embedded (subset) by its PostScript name.
    expect(pdf.toString("latin1")).toContain("WenQuanYiMicroHei");
  });
});

describe("the contract font", () => {
  it("is CONTRACT_FONT_PATH when set, else the first Debian CJK font installed", () => {
    expect(contractFont({ CONTRACT_FONT_PATH: "/fonts/a.ttf" }, (p) => p === "/fonts/a.ttf")).toEqual({ path: "/fonts/a.ttf" });
    expect(contractFont({ CONTRACT_FONT_PATH: "/fonts/a.ttc", CONTRACT_FONT_NAME: "FaceA" }, () => true)).toEqual({ path: "/fonts/a.ttc", name: "FaceA" });
    expect(contractFont({}, (p) => p === knownFonts[2]!.path)).toEqual(knownFonts[2]);
    expect(contractFont({}, () => true)).toEqual(knownFonts[0]);
  });

  it("none installed (or the configured one missing): a 503 telling the administrator what to install", () => {
    for (const env of [{}, { CONTRACT_FONT_PATH: "/nowhere.ttf" }] as Record<string, string>[]) {
      let caught: unknown;
      try {
        contractFont(env, () => false);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ key: "contractPages.fontMissing", status: 503 });
    }
  });
});

describe("amounts in capitals (大写)", () => {
  it.each([
    [30_000_000n, "人民币叁拾万元整"],
    [1_500_000n, "人民币壹万伍仟元整"],
    [20_000_000n, "人民币贰拾万元整"],
    [123_456n, "人民币壹仟贰佰叁拾肆元伍角陆分"],
    [10_000_005n, "人民币壹拾万元零伍分"],
    [1_001_000n, "人民币壹万零壹拾元整"],
    [10_000_000_000n, "人民币壹亿元整"],
    [10_000_100_000n, "人民币壹亿零壹仟元整"],
    [50n, "人民币伍角整"],
    [0n, "人民币零元整"],
  ])("%s fen → %s", (fen, text) => {
    expect(yuanInCapitals(fen)).toBe(text);
  });
});
