import { parseTerms, topUpOwed, type ContractTerms } from "~/domain/contract";
import { UserError } from "~/domain/errors";
import { maskBorrowerName } from "~/domain/masking";
import { formatRate, formatYuan, parseRate, type Fen } from "~/domain/money";
import { prisma } from "~/infra/db.server";
import { formatDateTime, translator, type Locale } from "~/infra/i18n";
import type { CustodyViewer } from "./access.server";
import { bidDepositCreditOf, loadViewableContract } from "./contract-views.server";

/**
 * The contract as a document (R4/R5, README step 9): one model, rendered by the printable page
 * (components/contract-document.tsx) and by the PDF (contract-pdf.server.ts). Every number comes from
 * the terms frozen in the contract (the settings version in force when it was generated), every
 * amount is shown as ¥1,234.56 (and in capitals for the task and the deposit), every time in China
 * time. Borrowers' names are masked: the document is read by both parties and printed.
 */

export type DocumentBlock =
  | { kind: "facts"; rows: { label: string; value: string }[] }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; head: string[]; rows: string[][]; numeric: boolean[]; footer?: string[] }
  | { kind: "signatures"; parties: DocumentSignature[] };

export interface DocumentSignature {
  role: string;
  name: string;
  signed: boolean;
  rows: { label: string; value: string }[];
}

export interface DocumentSection {
  key: "parties" | "subject" | "task" | "term" | "deposit" | "commission" | "remittance" | "limitation" | "prohibitions" | "signatures";
  heading: string;
  blocks: DocumentBlock[];
}

export interface ContractDocument {
  locale: Locale;
  number: string;
  title: string;
  numberLine: string;
  preamble: string;
  sections: DocumentSection[];
  footer: string;
}

/** Everything the document is made of, loaded and checked. */
export interface DocumentInput {
  number: string;
  terms: ContractTerms;
  /** 承包任务 in force: the contract's task (the department sets it when the task is not the winning price), fen */
  task: Fen;
  bankName: string;
  custodian:
    | { kind: "staff"; name: string; staffNumber: string | null; position: string | null; organization: string }
    | { kind: "agency"; name: string; licenceNumber: string | null; legalRepresentative: string | null; address: string | null };
  packageNumber: string;
  tenderNumber: string;
  loans: { loanNumber: string; borrowerName: string; principal: Fen; interest: Fen; pricedValue: Fen }[];
  /** the bid deposit credited (or to be credited on signing) */
  credit: Fen;
  custodyStartsAt: Date | null;
  custodyEndsAt: Date | null;
  signatures: { custodian: SignatureFact | null; department: SignatureFact | null };
}

export interface SignatureFact {
  name: string;
  at: Date;
  ip: string | null;
}

// ---- amounts in capitals (大写) -----------------------------------------------------------------

const capitalDigits = "零壹贰叁肆伍陆柒捌玖";
const smallUnits = ["", "拾", "佰", "仟"];
const groupUnits = ["", "万", "亿", "万亿"];

function integerInCapitals(n: bigint): string {
  if (n === 0n) return "零";
  const s = n.toString();
  let out = "";
  let zero = false;
  for (let i = 0; i < s.length; i++) {
    const digit = Number(s[i]);
    const position = s.length - 1 - i;
    if (digit === 0) zero = true;
    else {
      if (zero && out) out += "零";
      zero = false;
      out += capitalDigits[digit]! + smallUnits[position % 4]!;
    }
    // The end of a group of four: its unit, unless the whole group is zero.
    if (position % 4 === 0 && position > 0 && Number(s.slice(Math.max(0, i - 3), i + 1)) !== 0) out += groupUnits[position / 4]!;
  }
  return out;
}

/** ¥300,000.00 → 人民币叁拾万元整; ¥1,234.56 → 人民币壹仟贰佰叁拾肆元伍角陆分. */
export function yuanInCapitals(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const yuan = abs / 100n;
  const jiao = Number((abs % 100n) / 10n);
  const cents = Number(abs % 10n);
  let text = yuan > 0n || (jiao === 0 && cents === 0) ? `${integerInCapitals(yuan)}元` : "";
  if (jiao === 0 && cents === 0) text += "整";
  else {
    if (jiao > 0) text += `${capitalDigits[jiao]}角`;
    else if (yuan > 0n) text += "零";
    text += cents > 0 ? `${capitalDigits[cents]}分` : "整";
  }
  return `${negative ? "负" : ""}人民币${text}`;
}

// ---- the document ---------------------------------------------------------------------------------

const percent = (rate: string) => formatRate(parseRate(rate), true);

/** Whether stored terms are real contract terms (fixtures and broken rows are not). */
export function isContractTerms(value: unknown): value is ContractTerms {
  if (!value || typeof value !== "object") return false;
  const t = value as Partial<ContractTerms>;
  return (t.kind === "staff" || t.kind === "agency") && typeof t.task === "string" && typeof t.performanceDeposit === "string" && Boolean(t.commission) && Boolean(t.remittance) && Boolean(t.conduct) && Boolean(t.limitation);
}

/** The document model from its input, in `locale` (the contract itself is Chinese: zh-CN). */
export function buildContractDocument(input: DocumentInput, locale: Locale = "zh-CN"): ContractDocument {
  const t = translator(locale);
  const { terms } = input;
  const money = (fen: Fen) => formatYuan(fen);
  const when = (date: Date) => formatDateTime(locale, date);
  const task = input.task;
  const deposit = BigInt(terms.performanceDeposit);
  const topUp = topUpOwed(deposit, input.credit);
  const staff = terms.kind === "staff";
  const unknown = t("contractPages.doc.unknown");

  const partyB =
    input.custodian.kind === "staff"
      ? [
          { label: t("contractPages.doc.partyB"), value: input.custodian.name },
          { label: t("contractPages.doc.staffNumber"), value: input.custodian.staffNumber ?? unknown },
          { label: t("contractPages.doc.position"), value: input.custodian.position ?? unknown },
          { label: t("contractPages.doc.organization"), value: input.custodian.organization },
        ]
      : [
          { label: t("contractPages.doc.partyB"), value: input.custodian.name },
          { label: t("contractPages.doc.licence"), value: input.custodian.licenceNumber ?? unknown },
          { label: t("contractPages.doc.legalRepresentative"), value: input.custodian.legalRepresentative ?? unknown },
          { label: t("contractPages.doc.address"), value: input.custodian.address ?? unknown },
        ];

  const sum = (pick: (l: DocumentInput["loans"][number]) => Fen) => input.loans.reduce((acc, l) => acc + pick(l), 0n);
  const totalPriced = sum((l) => l.pricedValue);

  const termBlocks: DocumentBlock[] = [{ kind: "paragraph", text: t("contractPages.doc.term.text", { months: terms.termMonths }) }];
  if (input.custodyStartsAt && input.custodyEndsAt) {
    termBlocks.push({ kind: "paragraph", text: t("contractPages.doc.term.window", { from: when(input.custodyStartsAt), until: when(input.custodyEndsAt) }) });
  }
  termBlocks.push({ kind: "paragraph", text: t("contractPages.doc.term.end") });

  const depositRule =
    terms.depositRule.kind === "rate"
      ? t("contractPages.doc.deposit.rate", { rate: percent(terms.depositRule.rate), amount: money(deposit), upper: yuanInCapitals(deposit) })
      : t("contractPages.doc.deposit.bond", { amount: money(deposit), upper: yuanInCapitals(deposit) });
  const creditText = terms.creditBidDeposit && input.credit > 0n
    ? t("contractPages.doc.deposit.credit", { credit: money(input.credit), topUp: money(topUp) })
    : t("contractPages.doc.deposit.noCredit", { topUp: money(topUp) });

  const commission: DocumentBlock[] =
    terms.commission.kind === "internal"
      ? [
          { kind: "paragraph", text: t("contractPages.doc.commission.internal") },
          {
            kind: "list",
            items: [
              t("contractPages.doc.commission.internal.below", { threshold: percent(terms.commission.threshold) }),
              t("contractPages.doc.commission.internal.tiers", {
                threshold: percent(terms.commission.threshold), tier1: percent(terms.commission.tier1Rate), tier2: percent(terms.commission.tier2Rate), tier3: percent(terms.commission.tier3Rate),
              }),
            ],
          },
          { kind: "paragraph", text: t("contractPages.doc.commission.internal.payout") },
        ]
      : [
          {
            kind: "list",
            items: [
              t("contractPages.doc.commission.agency.fee", { rate: percent(terms.commission.feeRate) }),
              t("contractPages.doc.commission.agency.reward", { reward: money(BigInt(terms.commission.limitationReward)) }),
              t("contractPages.doc.commission.agency.excess", { rate: percent(terms.commission.excessBonusRate) }),
              t("contractPages.doc.commission.agency.shortfall", { rate: percent(terms.commission.shortfallPenaltyRate) }),
            ],
          },
        ];

  const signature = (role: string, fact: SignatureFact | null): DocumentSignature => ({
    role,
    name: fact?.name ?? t("contractPages.doc.signature.pending"),
    signed: Boolean(fact),
    rows: fact
      ? [
          { label: t("contractPages.doc.signature.by"), value: fact.name },
          { label: t("contractPages.doc.signature.at"), value: when(fact.at) },
          { label: t("contractPages.doc.signature.ip"), value: fact.ip ?? unknown },
        ]
      : [{ label: t("contractPages.doc.signature.by"), value: t("contractPages.doc.signature.pending") }],
  });

  const sections: DocumentSection[] = [
    {
      key: "parties",
      heading: t("contractPages.doc.h.parties"),
      blocks: [{ kind: "facts", rows: [{ label: t("contractPages.doc.partyA"), value: t("contractPages.doc.partyA.value", { bank: input.bankName }) }, ...partyB] }],
    },
    {
      key: "subject",
      heading: t("contractPages.doc.h.subject"),
      blocks: [
        { kind: "paragraph", text: t("contractPages.doc.subject.text", { package: input.packageNumber, count: input.loans.length, total: money(totalPriced), price: money(BigInt(terms.winningPrice)) }) },
        {
          kind: "table",
          head: [t("contractPages.doc.loans.number"), t("contractPages.doc.loans.borrower"), t("contractPages.doc.loans.principal"), t("contractPages.doc.loans.interest"), t("contractPages.doc.loans.priced")],
          numeric: [false, false, true, true, true],
          rows: input.loans.map((l) => [l.loanNumber, l.borrowerName, money(l.principal), money(l.interest), money(l.pricedValue)]),
          footer: [t("contractPages.doc.loans.total"), "", money(sum((l) => l.principal)), money(sum((l) => l.interest)), money(totalPriced)],
        },
      ],
    },
    { key: "task", heading: t("contractPages.doc.h.task"), blocks: [{ kind: "paragraph", text: t("contractPages.doc.task.text", { amount: money(task), upper: yuanInCapitals(task) }) }] },
    { key: "term", heading: t("contractPages.doc.h.term"), blocks: termBlocks },
    { key: "deposit", heading: t("contractPages.doc.h.deposit"), blocks: [{ kind: "paragraph", text: depositRule }, { kind: "paragraph", text: creditText }] },
    { key: "commission", heading: staff ? t("contractPages.doc.h.commission.internal") : t("contractPages.doc.h.commission.agency"), blocks: commission },
    {
      key: "remittance",
      heading: t("contractPages.doc.h.remittance"),
      blocks: [
        {
          kind: "list",
          items: [
            t("contractPages.doc.remittance.prompt"),
            t("contractPages.doc.remittance.late", { days: terms.remittance.lateInterestFromDays, rate: percent(terms.remittance.loanRate), basis: terms.remittance.interestDayBasis }),
            t("contractPages.doc.remittance.deduct", { days: terms.remittance.deductionAfterDays }),
            `${t("contractPages.doc.remittance.topUp", { days: terms.remittance.topUpDays })}${staff ? t("contractPages.doc.remittance.shortfall.staff") : t("contractPages.doc.remittance.shortfall.agency")}`,
          ],
        },
      ],
    },
    {
      key: "limitation",
      heading: t("contractPages.doc.h.limitation"),
      blocks: [
        {
          kind: "list",
          items: [
            t("contractPages.doc.limitation.expiry", { years: terms.limitation.years }),
            t("contractPages.doc.limitation.alerts", { days: terms.limitation.alertDays.join(locale === "zh-CN" ? "、" : ", ") }),
            staff ? t("contractPages.doc.limitation.staff") : t("contractPages.doc.limitation.agency"),
          ],
        },
      ],
    },
    {
      key: "prohibitions",
      heading: t("contractPages.doc.h.prohibitions"),
      blocks: [
        {
          kind: "list",
          items: [
            t("contractPages.doc.prohibition.parties"),
            t("contractPages.doc.prohibition.quiet", { from: terms.conduct.quietHoursFrom, until: terms.conduct.quietHoursUntil }),
            t("contractPages.doc.prohibition.perDay", { count: terms.conduct.maxContactsPerDay }),
            t("contractPages.doc.prohibition.conduct"),
            t("contractPages.doc.prohibition.newLending"),
            t("contractPages.doc.prohibition.agreements", { months: terms.conduct.maxAgreementMonths }),
            t("contractPages.doc.prohibition.reductions"),
            t("contractPages.doc.prohibition.privacy"),
          ],
        },
      ],
    },
    {
      key: "signatures",
      heading: t("contractPages.doc.h.signatures"),
      blocks: [
        {
          kind: "signatures",
          parties: [signature(t("contractPages.doc.signature.partyB"), input.signatures.custodian), signature(t("contractPages.doc.signature.partyA"), input.signatures.department)],
        },
      ],
    },
  ];

  return {
    locale,
    number: input.number,
    title: staff ? t("contractPages.doc.title.staff") : t("contractPages.doc.title.agency"),
    numberLine: t("contractPages.doc.number", { number: input.number }),
    preamble: t("contractPages.doc.preamble", { tender: input.tenderNumber }),
    sections,
    footer: t("contractPages.doc.settingsVersion", { version: terms.settingsVersion }),
  };
}

/** The contract's document for a user who may view it (404 otherwise), in Chinese unless told. */
export async function contractDocument(user: CustodyViewer, contractId: string, locale: Locale = "zh-CN"): Promise<ContractDocument> {
  const contract = await loadViewableContract(user, contractId);
  let terms: unknown;
  try {
    terms = parseTerms(contract.terms);
  } catch {
    terms = null;
  }
  if (!isContractTerms(terms)) throw new UserError("contractPages.noTerms", { status: 409 });
  const [bank, staffUser, org, pkg, tender, loans, credit, signers] = await Promise.all([
    prisma.organization.findFirst({ where: { kind: "BANK" }, orderBy: { createdAt: "asc" }, select: { name: true } }),
    contract.custodianUserId ? prisma.user.findUnique({ where: { id: contract.custodianUserId }, select: { displayName: true, staffNumber: true, position: true } }) : null,
    prisma.organization.findUnique({ where: { id: contract.custodianOrgId } }),
    prisma.package.findUnique({ where: { id: contract.packageId }, select: { number: true } }),
    prisma.tender.findUnique({ where: { id: contract.tenderId }, select: { number: true, title: true } }),
    prisma.loan.findMany({ where: { id: { in: contract.loans.map((l) => l.loanId) } }, select: { id: true, borrowerName: true, borrowerType: true } }),
    bidDepositCreditOf(contract),
    prisma.user.findMany({ where: { id: { in: [contract.signedById, contract.countersignedById].filter((id): id is string => Boolean(id)) } }, select: { id: true, displayName: true } }),
  ]);
  const borrowers = new Map(loans.map((l) => [l.id, maskBorrowerName(l.borrowerName, l.borrowerType)]));
  const signerName = (id: string | null) => signers.find((s) => s.id === id)?.displayName ?? "";
  const custodian: DocumentInput["custodian"] =
    terms.kind === "staff"
      ? { kind: "staff", name: staffUser?.displayName ?? "", staffNumber: staffUser?.staffNumber ?? null, position: staffUser?.position ?? null, organization: org?.name ?? "" }
      : { kind: "agency", name: org?.name ?? "", licenceNumber: org?.licenceNumber ?? null, legalRepresentative: org?.legalRepresentative ?? null, address: org?.address ?? null };
  return buildContractDocument(
    {
      number: contract.number,
      terms,
      task: contract.task,
      bankName: bank?.name ?? "",
      custodian,
      packageNumber: pkg?.number ?? contract.packageId,
      tenderNumber: tender?.number ?? tender?.title ?? contract.tenderId,
      loans: contract.loans.map((l) => ({ loanNumber: l.loanNumber, borrowerName: borrowers.get(l.loanId) ?? "", principal: l.principal, interest: l.interest, pricedValue: l.pricedValue })),
      credit: credit.credit,
      custodyStartsAt: contract.custodyStartsAt,
      custodyEndsAt: contract.custodyEndsAt,
      signatures: {
        custodian: contract.signedAt ? { name: signerName(contract.signedById), at: contract.signedAt, ip: contract.signedIp } : null,
        department: contract.countersignedAt ? { name: signerName(contract.countersignedById), at: contract.countersignedAt, ip: contract.countersignedIp } : null,
      },
    },
    locale,
  );
}
