import { randomUUID } from "node:crypto";
import { can } from "~/domain/access";
import { isCalendarDay, todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { isLocked } from "~/domain/loan";
import { maskBorrowerName } from "~/domain/masking";
import { toYuanString, type Fen } from "~/domain/money";
import { ageBands, priceLoan, type AgeBand, type LoanPricing } from "~/domain/pricing";
import { settingsSchema, type Settings } from "~/domain/settings";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import { forbidden, type AuthUser } from "~/infra/auth.server";
import { prisma, type Prisma } from "~/infra/db.server";
import { loanFilterSchema, loanWhere, type LoanFilter } from "~/services/loans/loan-filter";
import { settingsAt } from "~/services/settings/settings.server";
import { parseOverridePrice } from "./pricing-schemas";

/**
 * R1 pricing runs: price a selection of loans with the ratio table in force on the pricing date,
 * keep every loan's claim, age, band, ratio and price with the settings version, make each price the
 * loan's price in force, list and compare runs, and let the department override a price with a reason.
 *
 * Who: everything here needs `loans:manage` (the asset-preservation department), like the /pricing pages.
 *
 * Which loans can be priced: loans in the book (IN_BOOK) and loans returned from custody (RETURNED).
 * A loan in a package, a tender or a custody (PACKAGED, IN_TENDER, IN_CUSTODY) keeps the price it was
 * packaged with, and a recovered or written-off loan (RECOVERED, WRITTEN_OFF) is closed: such loans
 * are skipped and reported with their reason (the run prices the others). A price of a skipped kind of
 * loan cannot be overridden either.
 */

type Actor = Pick<AuthUser, "id" | "roles">;

function requireManage(actor: Actor): void {
  if (!can(actor.roles, "loans:manage")) throw forbidden();
}

export type UnpriceableReason = "locked" | "closed";

export function unpriceableReason(status: string): UnpriceableReason | null {
  if (isLocked(status)) return "locked";
  if (status === "RECOVERED" || status === "WRITTEN_OFF") return "closed";
  return null;
}

/**
 * Settings store their effective day as that day's UTC midnight (the settings form); the version in
 * force on a pricing day is the one effective on or before that same midnight.
 */
export function settingsMomentOf(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** At most 20 loan numbers in a message, then "…". */
function listed(numbers: readonly string[]): string {
  return numbers.length > 20 ? `${numbers.slice(0, 20).join(", ")}, …` : numbers.join(", ");
}

const pricedLoanColumns = {
  id: true, loanNumber: true, status: true, principal: true, interestOnBalance: true, interestOffBalance: true,
  maturesOn: true, extendedMaturity: true, difficulty: true,
} satisfies Prisma.LoanSelect;
type PricedLoan = Prisma.LoanGetPayload<{ select: typeof pricedLoanColumns }>;

async function loansByNumber(tx: Tx, numbers: readonly string[]): Promise<PricedLoan[]> {
  const found: PricedLoan[] = [];
  for (const part of chunks(numbers, 500)) {
    found.push(...(await tx.loan.findMany({ where: { loanNumber: { in: part } }, select: pricedLoanColumns })));
  }
  return found.sort((a, b) => a.loanNumber.localeCompare(b.loanNumber));
}

/** Room for pricing a whole book: the default 5-second limit of an interactive transaction is too short for 100,000 loans. */
const longRun = { maxWait: 10_000, timeout: 120_000 };

export interface PricingRequest {
  loanNumbers?: string[];
  filter?: LoanFilter;
  /** YYYY-MM-DD; default today in China. */
  pricingDate?: string;
}

export interface SkippedLoan {
  loanNumber: string;
  status: string;
  reason: UnpriceableReason;
}

export interface PricedLoanResult extends LoanPricing {
  loanId: string;
  loanNumber: string;
}

/** What a run stores in PricingRun.selection (JSON). */
interface StoredSelection {
  loanNumbers?: string[];
  filter?: LoanFilter;
  skipped?: SkippedLoan[];
}

/**
 * Prices the selected loans (exactly one of `loanNumbers` and `filter`) on the pricing date, all in one
 * transaction with its `pricing.run` audit entry: the run, one LoanPrice per loan, and each loan's
 * price in force. Unknown loan numbers or an empty selection refuse the whole run.
 */
export async function runPricing(context: AuditContext, actor: Actor, request: PricingRequest, now = new Date()) {
  requireManage(actor);
  const byNumbers = request.loanNumbers !== undefined;
  if (byNumbers === (request.filter !== undefined)) throw new UserError("pricing.error.selectOne", { field: "loan_numbers" });
  const pricingDate = request.pricingDate ?? todayInChina(now);
  if (!isCalendarDay(pricingDate)) throw new UserError("pricing.error.invalidDate", { field: "pricing_date" });
  const filter = byNumbers ? undefined : loanFilterSchema.parse(request.filter);
  const numbers = byNumbers ? [...new Set(request.loanNumbers!.map((n) => n.trim()).filter(Boolean))] : [];
  if (byNumbers && numbers.length === 0) throw new UserError("pricing.error.emptySelection", { field: "loan_numbers" });
  const settings = await settingsAt(settingsMomentOf(pricingDate));

  return audited(context, async (tx, audit) => {
    const loans = byNumbers
      ? await loansByNumber(tx, numbers)
      : await tx.loan.findMany({ where: loanWhere(filter!, todayInChina(now)), select: pricedLoanColumns, orderBy: { loanNumber: "asc" } });
    if (byNumbers) {
      const known = new Set(loans.map((l) => l.loanNumber));
      const unknown = numbers.filter((n) => !known.has(n));
      if (unknown.length) {
        throw new UserError("pricing.error.unknownLoans", { field: "loan_numbers", params: { count: unknown.length, loans: listed(unknown) } });
      }
    }
    if (loans.length === 0) throw new UserError("pricing.error.emptySelection", byNumbers ? { field: "loan_numbers" } : {});

    const skipped: SkippedLoan[] = [];
    const priced: PricedLoanResult[] = [];
    for (const loan of loans) {
      const reason = unpriceableReason(loan.status);
      if (reason) skipped.push({ loanNumber: loan.loanNumber, status: loan.status, reason });
      else priced.push({ loanId: loan.id, loanNumber: loan.loanNumber, ...priceLoan(loan, settings.values, pricingDate) });
    }
    if (priced.length === 0) throw new UserError("pricing.error.nothingPriceable", { params: { count: skipped.length } });

    const totalClaim = priced.reduce((sum, p) => sum + p.claim, 0n);
    const totalPrice = priced.reduce((sum, p) => sum + p.price, 0n);
    const last = await tx.pricingRun.aggregate({ _max: { number: true } });
    const selection: StoredSelection = { ...(byNumbers ? { loanNumbers: numbers } : { filter }), skipped };
    const run = await tx.pricingRun.create({
      data: {
        number: (last._max.number ?? 0) + 1, pricingDate, settingsVersion: settings.version, claimBasis: settings.values.claimBasis,
        selection: JSON.stringify(selection), loanCount: priced.length, totalClaim, totalPrice, createdById: actor.id, createdAt: now,
      },
    });
    // Multi-row INSERTs of 500 rows (5,000 parameters, well under SQLite's limit): a 10,000-loan run
    // writes its prices in a fraction of a second (Prisma's createMany took seconds).
    for (const part of chunks(priced, 500)) {
      const rows = part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
      const values = part.flatMap((p) => [randomUUID(), run.id, p.loanId, p.loanNumber, p.claim, p.ageYears, p.band, p.difficulty, p.ratio, p.price]);
      await tx.$executeRawUnsafe(
        `INSERT INTO "LoanPrice" ("id", "runId", "loanId", "loanNumber", "claim", "ageYears", "band", "difficulty", "ratio", "price") VALUES ${rows}`,
        ...values,
      );
    }
    // Every priced loan's price in force becomes this run's price, in one statement.
    await tx.$executeRaw`UPDATE "Loan" SET "price" = lp."price", "priceId" = lp."id", "updatedAt" = ${now}
      FROM "LoanPrice" AS lp WHERE lp."runId" = ${run.id} AND lp."loanId" = "Loan"."id"`;
    await audit({
      action: "pricing.run", entityType: "PricingRun", entityId: run.id,
      after: {
        number: run.number, pricingDate, settingsVersion: settings.version, claimBasis: run.claimBasis, loanCount: priced.length,
        totalClaim: toYuanString(totalClaim), totalPrice: toYuanString(totalPrice), skipped: skipped.length,
        selection: byNumbers ? { loanNumbers: numbers.length } : { filter },
      },
    });
    return { run, prices: priced, skipped };
  }, longRun);
}

// ---- reading runs ----------------------------------------------------------------------------------

export const runsPageSize = 20;
export const pricesPageSize = 50;

async function displayNames(ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const users = await prisma.user.findMany({ where: { id: { in: unique } }, select: { id: true, displayName: true } });
  return new Map(users.map((u) => [u.id, u.displayName]));
}

/** Runs newest first. */
export async function listPricingRuns(actor: Actor, page = 1, pageSize = runsPageSize) {
  requireManage(actor);
  const total = await prisma.pricingRun.count();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = await prisma.pricingRun.findMany({ orderBy: { number: "desc" }, skip: (current - 1) * pageSize, take: pageSize, omit: { selection: true } });
  const names = await displayNames(rows.map((r) => r.createdById));
  return {
    runs: rows.map((r) => ({ ...r, createdBy: names.get(r.createdById) ?? null })),
    page: current, pages, total, pageSize,
  };
}

/** Every run's number and date (newest first), for choosing two runs to compare. */
export async function pricingRunChoices(actor: Actor, take = 500) {
  requireManage(actor);
  return prisma.pricingRun.findMany({ orderBy: { number: "desc" }, take, select: { id: true, number: true, pricingDate: true, loanCount: true } });
}

/** The branches and regions of the loan book, for the selection form. */
export async function pricingFormOptions(actor: Actor) {
  requireManage(actor);
  const branches = await prisma.branch.findMany({ orderBy: { code: "asc" }, select: { id: true, code: true, name: true, region: true } });
  return { branches, regions: [...new Set(branches.map((b) => b.region))].sort() };
}

/** A run by its id or its number. */
async function findRun(ref: string) {
  const run = /^\d{1,9}$/.test(ref)
    ? await prisma.pricingRun.findUnique({ where: { number: Number(ref) } })
    : await prisma.pricingRun.findUnique({ where: { id: ref } });
  if (!run) throw new UserError("pricing.error.unknownRun", { status: 404 });
  return run;
}

export type RatioTable = Pick<Settings, "claimBasis" | "ratioRecoverable" | "ratioHard">;

/** The claim basis and ratio table of a settings version, as the run used them. */
async function ratioTableOf(version: number): Promise<RatioTable | null> {
  const row = await prisma.settingVersion.findFirst({ where: { version }, select: { values: true } });
  if (!row) return null;
  const parsed = settingsSchema.pick({ claimBasis: true, ratioRecoverable: true, ratioHard: true }).safeParse(JSON.parse(row.values));
  return parsed.success ? parsed.data : null;
}

function selectionOf(run: { selection: string }): StoredSelection {
  try {
    return JSON.parse(run.selection) as StoredSelection;
  } catch {
    return {};
  }
}

/** The latest override of each of the given prices (the latest counts). */
async function latestOverrides(where: Prisma.PriceOverrideWhereInput) {
  const rows = await prisma.priceOverride.findMany({ where, orderBy: [{ at: "asc" }, { id: "asc" }], include: { loanPrice: { select: { price: true } } } });
  const latest = new Map<string, (typeof rows)[number]>();
  const counts = new Map<string, number>();
  for (const row of rows) {
    latest.set(row.loanPriceId, row);
    counts.set(row.loanPriceId, (counts.get(row.loanPriceId) ?? 0) + 1);
  }
  return { latest, counts };
}

function runSummary(run: Awaited<ReturnType<typeof findRun>>, createdBy: string | null) {
  const { selection: _selection, ...rest } = run;
  return { ...rest, createdBy };
}

/**
 * One run: its header (with the settings version's ratio table), the loans it skipped, and one page of
 * its prices with the effective price (the latest override, else the computed price). Borrower
 * names are masked. `q` finds a loan number (prefix) or a borrower name (contains).
 */
export async function pricingRun(actor: Actor, runRef: string, page = 1, options: { q?: string; pageSize?: number } = {}) {
  requireManage(actor);
  const run = await findRun(runRef);
  const pageSize = options.pageSize ?? pricesPageSize;
  const q = options.q?.trim() ?? "";
  const where: Prisma.LoanPriceWhereInput = {
    runId: run.id,
    ...(q ? { OR: [{ loanNumber: { startsWith: q } }, { loan: { borrowerName: { contains: q } } }] } : {}),
  };
  const [total, ratios, overrides] = await Promise.all([
    prisma.loanPrice.count({ where }),
    ratioTableOf(run.settingsVersion),
    latestOverrides({ loanPrice: { runId: run.id } }),
  ]);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = await prisma.loanPrice.findMany({
    where, orderBy: { loanNumber: "asc" }, skip: (current - 1) * pageSize, take: pageSize,
    include: { loan: { select: { borrowerName: true, borrowerType: true, status: true, priceId: true } } },
  });
  const names = await displayNames([run.createdById, ...[...overrides.latest.values()].map((o) => o.byId)]);
  let totalEffectivePrice = run.totalPrice;
  for (const o of overrides.latest.values()) totalEffectivePrice += o.price - o.loanPrice.price;
  const selection = selectionOf(run);
  return {
    run: { ...runSummary(run, names.get(run.createdById) ?? null), totalEffectivePrice, overriddenCount: overrides.latest.size },
    ratios,
    selection: { loanNumbers: selection.loanNumbers?.length ?? null, filter: selection.filter ?? null },
    skipped: selection.skipped ?? [],
    prices: rows.map((row) => {
      const latest = overrides.latest.get(row.id);
      return {
        id: row.id, loanId: row.loanId, loanNumber: row.loanNumber,
        borrower: maskBorrowerName(row.loan.borrowerName, row.loan.borrowerType), loanStatus: row.loan.status,
        claim: row.claim, ageYears: row.ageYears, band: row.band as AgeBand, difficulty: row.difficulty, ratio: row.ratio,
        price: row.price, effectivePrice: latest?.price ?? row.price,
        override: latest ? { price: latest.price, reason: latest.reason, by: names.get(latest.byId) ?? null, at: latest.at } : null,
        overrideCount: overrides.counts.get(row.id) ?? 0,
        inForce: row.loan.priceId === row.id,
        overridable: unpriceableReason(row.loan.status) === null,
      };
    }),
    q, page: current, pages, total, pageSize,
  };
}

/** The LoanPrice of a loan in a run (by the run's id or number and the loan number). */
export async function findLoanPrice(actor: Actor, runRef: string, loanNumber: string) {
  requireManage(actor);
  const run = await findRun(runRef);
  const row = await prisma.loanPrice.findFirst({ where: { runId: run.id, loanNumber } });
  if (!row) throw new UserError("pricing.error.unknownPrice", { status: 404 });
  return { run, loanPrice: row };
}

// ---- comparing runs --------------------------------------------------------------------------------

export const comparePageSize = 100;

interface ComparedPrice {
  claim: Fen;
  ageYears: number;
  band: string;
  difficulty: string;
  ratio: string;
  /** The effective price (the latest override, else the computed price). */
  price: Fen;
  computedPrice: Fen;
  overridden: boolean;
}

async function comparedPrices(runId: string): Promise<Map<string, ComparedPrice & { loanNumber: string }>> {
  const [rows, overrides] = await Promise.all([
    prisma.loanPrice.findMany({ where: { runId }, select: { id: true, loanId: true, loanNumber: true, claim: true, ageYears: true, band: true, difficulty: true, ratio: true, price: true } }),
    latestOverrides({ loanPrice: { runId } }),
  ]);
  return new Map(rows.map((r) => {
    const latest = overrides.latest.get(r.id);
    return [r.loanId, {
      loanNumber: r.loanNumber, claim: r.claim, ageYears: r.ageYears, band: r.band, difficulty: r.difficulty, ratio: r.ratio,
      price: latest?.price ?? r.price, computedPrice: r.price, overridden: Boolean(latest),
    }];
  }));
}

export interface RatioChange {
  difficulty: "recoverable" | "hard";
  band: AgeBand;
  a: string | null;
  b: string | null;
}

/**
 * Two runs side by side: per loan (in both, or only in one) the claim, band, ratio and effective
 * price in each and the difference (b − a); the totals of each run; each run's settings version with
 * the ratio-table cells that differ between them (so a new ratio table shows). Rows are paged.
 */
export async function comparePricingRuns(actor: Actor, refA: string, refB: string, options: { page?: number; onlyChanged?: boolean; pageSize?: number } = {}) {
  requireManage(actor);
  const [runA, runB] = [await findRun(refA), await findRun(refB)];
  if (runA.id === runB.id) throw new UserError("pricing.error.sameRun", { field: "b" });
  const [pricesA, pricesB, ratiosA, ratiosB] = await Promise.all([comparedPrices(runA.id), comparedPrices(runB.id), ratioTableOf(runA.settingsVersion), ratioTableOf(runB.settingsVersion)]);
  const names = await displayNames([runA.createdById, runB.createdById]);

  const loanIds = [...new Set([...pricesA.keys(), ...pricesB.keys()])];
  const all = loanIds.map((loanId) => {
    const a = pricesA.get(loanId) ?? null;
    const b = pricesB.get(loanId) ?? null;
    const { loanNumber: _a, ...inA } = a ?? { loanNumber: "" };
    const { loanNumber: _b, ...inB } = b ?? { loanNumber: "" };
    return {
      loanId, loanNumber: (a ?? b)!.loanNumber,
      a: a ? (inA as ComparedPrice) : null, b: b ? (inB as ComparedPrice) : null,
      difference: a && b ? b.price - a.price : null,
    };
  }).sort((x, y) => x.loanNumber.localeCompare(y.loanNumber));

  const summary = {
    inBoth: all.filter((r) => r.a && r.b).length,
    onlyInA: all.filter((r) => r.a && !r.b).length,
    onlyInB: all.filter((r) => !r.a && r.b).length,
    changed: all.filter((r) => r.difference !== null && r.difference !== 0n).length,
  };
  const sum = (prices: Map<string, ComparedPrice>) => {
    let claim = 0n;
    let price = 0n;
    for (const p of prices.values()) {
      claim += p.claim;
      price += p.price;
    }
    return { claim, price };
  };
  const totalsA = sum(pricesA);
  const totalsB = sum(pricesB);
  // Over the loans in both runs: what the second run changes for the same loans.
  let commonDifference = 0n;
  for (const r of all) if (r.difference !== null) commonDifference += r.difference;

  const ratioChanges: RatioChange[] = [];
  for (const difficulty of ["recoverable", "hard"] as const) {
    const key = difficulty === "hard" ? "ratioHard" : "ratioRecoverable";
    for (const band of ageBands) {
      const a = ratiosA?.[key][band] ?? null;
      const b = ratiosB?.[key][band] ?? null;
      if (a !== b) ratioChanges.push({ difficulty, band, a, b });
    }
  }

  const filtered = options.onlyChanged ? all.filter((r) => r.difference === null || r.difference !== 0n) : all;
  const pageSize = options.pageSize ?? comparePageSize;
  const pages = Math.max(1, Math.ceil(filtered.length / pageSize));
  const page = Math.min(Math.max(1, Math.floor(options.page ?? 1) || 1), pages);
  return {
    a: { run: runSummary(runA, names.get(runA.createdById) ?? null), ratios: ratiosA, totals: totalsA },
    b: { run: runSummary(runB, names.get(runB.createdById) ?? null), ratios: ratiosB, totals: totalsB },
    settingsChanged: runA.settingsVersion !== runB.settingsVersion,
    claimBasisChanged: runA.claimBasis !== runB.claimBasis,
    ratioChanges,
    summary,
    difference: { claim: totalsB.claim - totalsA.claim, price: totalsB.price - totalsA.price, common: commonDifference },
    rows: filtered.slice((page - 1) * pageSize, page * pageSize),
    page, pages, total: filtered.length, pageSize,
  };
}

// ---- overriding a price ----------------------------------------------------------------------------

/**
 * The department overrides one computed price with a reason (appended, never edited; the latest
 * counts). When that price is the loan's price in force, the loan's price changes too and its history
 * records it; overriding an older run's price leaves the loan's current price alone (the run, the
 * override and the audit log record it). The price must be more than zero and at most the claim.
 */
export async function overridePrice(
  context: AuditContext,
  actor: Actor,
  loanPriceId: string,
  input: { price: string; reason: string },
  now = new Date(),
) {
  requireManage(actor);
  const parsed = parseOverridePrice(input.price ?? "");
  if (!parsed.ok) throw new UserError(parsed.error, { field: "price" });
  const reason = (input.reason ?? "").trim();
  if (!reason) throw new UserError("pricing.error.reasonRequired", { field: "reason" });
  if (reason.length > 500) throw new UserError("pricing.error.reasonTooLong", { field: "reason" });
  const price = parsed.fen;

  return audited(context, async (tx, audit) => {
    const loanPrice = await tx.loanPrice.findUnique({
      where: { id: loanPriceId },
      include: {
        run: { select: { number: true } },
        loan: { select: { id: true, loanNumber: true, status: true, price: true, priceId: true } },
        overrides: { orderBy: [{ at: "desc" }, { id: "desc" }], take: 1 },
      },
    });
    if (!loanPrice) throw new UserError("pricing.error.unknownPrice", { status: 404 });
    const refused = unpriceableReason(loanPrice.loan.status);
    if (refused) {
      throw new UserError(refused === "locked" ? "pricing.error.overrideLocked" : "pricing.error.overrideClosed", { status: 409, params: { loan: loanPrice.loanNumber } });
    }
    if (price > loanPrice.claim) throw new UserError("pricing.error.priceAboveClaim", { field: "price" });

    const previous = loanPrice.overrides[0];
    const before = previous?.price ?? loanPrice.price;
    // The latest override counts: keep their times strictly increasing even within one millisecond.
    const at = previous && previous.at.getTime() >= now.getTime() ? new Date(previous.at.getTime() + 1) : now;
    const override = await tx.priceOverride.create({ data: { loanPriceId, price, reason, byId: actor.id, at } });
    const inForce = loanPrice.loan.priceId === loanPrice.id;
    if (inForce) {
      const old = loanPrice.loan.price ?? before;
      await tx.loan.update({ where: { id: loanPrice.loan.id }, data: { price } });
      await tx.loanChange.create({
        data: { loanId: loanPrice.loan.id, actorId: actor.id, at: now, kind: "price.override", changes: JSON.stringify({ price: [toYuanString(old), toYuanString(price)] }) },
      });
    }
    await audit({
      action: "pricing.override", entityType: "LoanPrice", entityId: loanPrice.id,
      before: { price: toYuanString(before) },
      after: { price: toYuanString(price), reason, loanNumber: loanPrice.loanNumber, runNumber: loanPrice.run.number, inForce },
    });
    return { override, loanPrice, before, price, inForce };
  });
}
