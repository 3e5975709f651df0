// `npm run bench -- settlement [--contracts 1000] [--recoveries 100] [--seed 7]`: settlement at scale
// (issue [SETTLE]). A scratch SQLite database (migrated, seeded) gets, straight as rows (one raw
// better-sqlite3 transaction, as the loan-tape import writes in bulk):
// - two approved settings versions: the seed's (rules.md defaults, from 2000) and a later one (from D2
//   ≈ 100 days ago) with another loan-rate schedule (a new rate from D2 − 10 days: collections in those
//   10 days still read the older version's rate), a 365-day interest basis, a 10 % agency fee and a 25 %
//   second bonus tier — so contracts signed before D2 keep the frozen defaults and those signed after
//   freeze the new terms (contractTerms(), the real ones), while the loan rate follows the collection day;
// - 1,000 ACTIVE custody contracts (2 in 5 agencies, the rest staff) starting on random days so that at
//   least one quarter has ended within every term, 24 months long, each with 10 loans (Loan +
//   CustodyLoan rows) and a task T chosen against what it collects (below the 5 % threshold, in each
//   bonus tier, beyond T; odd fen for half of them);
// - 100 VERIFIED recoveries per contract (plus one REPORTED, one REGISTERED and one REJECTED) on random
//   collection days from the term start to today, random amounts (some crafted so that a late-interest
//   charge falls on exactly half a fen), remitted in one or two parts at random delays (0–30 days, extra
//   weight on 3–6 and 9–12), partly or wholly unremitted for some; parts that would reach the bank after
//   today stay unremitted. Parts are grouped into CONFIRMED bank-transfer remittances with allocations.
// Then, as the daily jobs would have, in day order (untimed, reported): accrueLateInterest at every
// quarter end that has passed and on one day inside the last quarter, and generateDueStatements on the
// first day of every quarter before the last one ended. Timed: (a) accrueLateInterest(today) and
// (b) generateDueStatements(today) — the last quarter's statements, on top of the stored earlier ones. Baseline in the same run: reading the very inputs both need (every
// recovery and allocation) through Prisma, and through raw SQL. Then EVERY amount is checked against a
// reference written here with plain bigint arithmetic (no app/domain function): per contract the
// cumulative late interest of every accrual row and as of today (R7: each charge — every remitted part,
// collected → remitted, and the unremitted rest, collected → the day — rounded half up once, only from
// the contract's frozen lateInterestFromDays, the rate of the settings version in force on the
// collection day, the frozen day basis), the deltas, the contract's LATE_INTEREST_RECEIVABLE balance;
// every statement expected (periods ended before today) and none else, its recovery lines (order,
// loan, day, principal, interest), commission (R6 tiers, rounded once) or fee (rounded once on the
// cumulative), late interest (the accrual in force at the period end minus earlier lines), totals and
// net; and both runs again the same day write nothing. The last line is one JSON object with "ok":
// totalMs (a + b) under 10 s and no mismatch.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a non-negative number`);
  return Math.floor(value);
}
const CONTRACTS = Math.max(1, option("contracts", 1000));
const RECOVERIES = Math.max(1, option("recoveries", 100));
const SEED = option("seed", 7);
const LOANS_PER_CONTRACT = 10;
const TERM_MONTHS = 24;
const GOAL_MS = 10_000;

const work = fs.mkdtempSync(path.join(os.tmpdir(), "npl-bench-settlement-"));
const dbFile = path.join(work, "settlement.db");

// The app reads these lazily: set them before any app module is imported.
delete process.env.REDIS_URL;
process.env.DATABASE_URL = `file:${dbFile}`;
process.env.DATA_DIR = path.join(work, "data");
process.env.SESSION_SECRET ||= "bench-settlement";
process.env.CHECKPOINT_DISABLE = "1";
// Jobs (emails, notifications) are recorded, never run.
const enqueued: unknown[] = [];
(globalThis as { __jobQueue?: unknown }).__jobQueue = {
  enqueue: async (_def: unknown, payload: unknown) => (enqueued.push(payload), { id: "bench" }),
  reschedule: async () => ({ id: "bench" }),
  schedule: async () => undefined,
  cancel: async () => undefined,
};

const binPath = (name: string) => path.join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const yuan = (fen: bigint) => `${fen < 0n ? "-" : ""}${(fen < 0n ? -fen : fen) / 100n}.${String((fen < 0n ? -fen : fen) % 100n).padStart(2, "0")}`;
/** As Prisma stores a DateTime in SQLite (app/infra/sqlite-datetime.server.ts). */
const sqliteDate = (d: Date) => d.toISOString().replace(/Z$/, "+00:00");

function migrate(): void {
  const result = spawnSync(binPath("prisma"), ["migrate", "deploy"], { cwd: root, encoding: "utf8", env: process.env, shell: process.platform === "win32" });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed:\n${result.stdout}${result.stderr}`);
}

// ---- days (the bench's own: the reference uses no app/domain function) ----------------------------

const DAY_MS = 86_400_000;
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plusDays = (day: string, n: number) => dayOf(dayMs(day) + n * DAY_MS);
const daysFrom = (from: string, to: string) => Math.round((dayMs(to) - dayMs(from)) / DAY_MS);
const chinaDay = (at: Date) => dayOf(at.getTime() + 8 * 3_600_000);
const quarterNo = (day: string) => Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
function quarterBoundsOf(day: string): { year: number; quarter: number; startsOn: string; endsOn: string } {
  const year = Number(day.slice(0, 4));
  const quarter = quarterNo(day);
  const first = (quarter - 1) * 3 + 1;
  const last = first + 2;
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const p = (n: number) => String(n).padStart(2, "0");
  return { year, quarter, startsOn: `${year}-${p(first)}-01`, endsOn: `${year}-${p(last)}-${p(lastDay)}` };
}

// ---- plain bigint arithmetic ------------------------------------------------------------------------

interface Fraction {
  num: bigint;
  den: bigint;
}
/** "0.0435" → 435/10000 (settings and terms store rates as exact decimal strings). */
function decimal(text: string): Fraction {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal rate: ${JSON.stringify(text)}`);
  const places = m[2] ?? "";
  return { num: BigInt(m[1]! + places), den: 10n ** BigInt(places.length) };
}
/** n / d rounded half up (n ≥ 0, d > 0). */
const halfUp = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);
const bmin = (a: bigint, b: bigint) => (a < b ? a : b);
const bmax = (a: bigint, b: bigint) => (a > b ? a : b);

// ---- deterministic randomness ---------------------------------------------------------------------

let state = SEED >>> 0 || 1;
function rnd(): number {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
let idSerial = 0;
const newId = (prefix: string) => `${prefix}${Math.floor(rnd() * 36 ** 6).toString(36).padStart(6, "0")}${(++idSerial).toString(36)}`;
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

// ---- the R7 rate and terms, as the reference reads them ---------------------------------------------

interface VersionRow {
  version: number;
  effectiveFrom: number;
  schedule: { effectiveFrom: string; annualRate: string }[];
}
let versions: VersionRow[] = [];
const rateCache = new Map<string, Fraction>();
/** The loan rate of the settings version in force at the end of the collection day (China), its schedule's entry on that day. */
function loanRateFor(collectedOn: string): Fraction {
  const cached = rateCache.get(collectedOn);
  if (cached) return cached;
  const endOfDay = Date.parse(`${collectedOn}T23:59:59.999+08:00`);
  let inForce: VersionRow | null = null;
  for (const v of versions) {
    if (v.effectiveFrom > endOfDay) continue;
    if (!inForce || v.effectiveFrom > inForce.effectiveFrom || (v.effectiveFrom === inForce.effectiveFrom && v.version > inForce.version)) inForce = v;
  }
  // A day before the first version reads the first version.
  inForce ??= [...versions].sort((a, b) => a.effectiveFrom - b.effectiveFrom || a.version - b.version)[0]!;
  let entry: { effectiveFrom: string; annualRate: string } | null = null;
  for (const e of inForce.schedule) if (e.effectiveFrom <= collectedOn && (!entry || e.effectiveFrom > entry.effectiveFrom)) entry = e;
  if (!entry) throw new Error(`no loan rate on ${collectedOn}`);
  const rate = decimal(entry.annualRate);
  rateCache.set(collectedOn, rate);
  return rate;
}

interface RefTerms {
  kind: "agency" | "internal";
  fromDays: number;
  basis: bigint;
  feeRate: Fraction;
  threshold: Fraction;
  tiers: [Fraction, Fraction, Fraction];
}
function readTerms(json: string): RefTerms {
  const t = JSON.parse(json) as {
    commission: { kind: "agency"; feeRate: string } | { kind: "internal"; threshold: string; tier1Rate: string; tier2Rate: string; tier3Rate: string };
    remittance: { lateInterestFromDays: number; interestDayBasis: number };
  };
  const zero = { num: 0n, den: 1n };
  return t.commission.kind === "agency"
    ? { kind: "agency", fromDays: t.remittance.lateInterestFromDays, basis: BigInt(t.remittance.interestDayBasis), feeRate: decimal(t.commission.feeRate), threshold: zero, tiers: [zero, zero, zero] }
    : {
        kind: "internal", fromDays: t.remittance.lateInterestFromDays, basis: BigInt(t.remittance.interestDayBasis), feeRate: zero,
        threshold: decimal(t.commission.threshold), tiers: [decimal(t.commission.tier1Rate), decimal(t.commission.tier2Rate), decimal(t.commission.tier3Rate)],
      };
}

// ---- the data --------------------------------------------------------------------------------------

interface Part {
  amount: bigint;
  remittedOn: string;
}
interface Rec {
  id: string;
  number: string;
  contract: number;
  loan: number;
  collectedOn: string;
  principal: bigint;
  interest: bigint;
  status: "VERIFIED" | "REPORTED" | "REGISTERED" | "REJECTED";
  parts: Part[];
}
interface Contract {
  id: string;
  number: string;
  kind: "agency" | "internal";
  custodianKey: string;
  startsOn: string;
  task: bigint;
  terms: RefTerms;
  termsJson: string;
  recoveries: Rec[];
  loanIds: string[];
  loanNumbers: string[];
}

/** R7 for one contract as of a day: every charge rounded once, half up; delay ≥ the frozen threshold only. */
function lateInterestOf(c: Contract, asOf: string): bigint {
  let total = 0n;
  for (const r of c.recoveries) {
    if (r.status === "REJECTED" || r.collectedOn > asOf) continue;
    const rate = loanRateFor(r.collectedOn);
    const charge = (amount: bigint, until: string) => {
      const delay = daysFrom(r.collectedOn, until);
      return delay >= c.terms.fromDays ? halfUp(amount * rate.num * BigInt(delay), rate.den * c.terms.basis) : 0n;
    };
    let remitted = 0n;
    for (const p of r.parts) {
      if (p.remittedOn > asOf) continue;
      remitted += p.amount;
      total += charge(p.amount, p.remittedOn);
    }
    const outstanding = r.principal + r.interest - remitted;
    if (outstanding > 0n) total += charge(outstanding, asOf);
  }
  return total;
}

/** R6 internal bonus on R against T: 0 below the threshold, else the three tiers' exact sum rounded once, half up. */
function bonusOf(R: bigint, T: bigint, t: RefTerms): bigint {
  if (R * t.threshold.den < t.threshold.num * T) return 0n;
  const [a, b, c] = t.tiers;
  // doubled amounts, so that 0.5T is the integer T
  const tier1 = bmin(2n * R, T);
  const tier2 = bmax(0n, 2n * bmin(R, T) - T);
  const tier3 = 2n * bmax(0n, R - T);
  const den = 2n * a.den * b.den * c.den;
  const num = tier1 * a.num * b.den * c.den + tier2 * b.num * a.den * c.den + tier3 * c.num * a.den * b.den;
  return halfUp(num, den);
}

interface RefStatement {
  year: number;
  quarter: number;
  startsOn: string;
  endsOn: string;
  lines: Rec[];
  earned: bigint;
  payable: bigint;
  lateInterest: bigint;
  principal: bigint;
  interest: bigint;
}

function referenceStatements(c: Contract, today: string, accrualDays: string[]): RefStatement[] {
  const out: RefStatement[] = [];
  const verified = c.recoveries.filter((r) => r.status === "VERIFIED").sort((x, y) => (x.collectedOn < y.collectedOn ? -1 : x.collectedOn > y.collectedOn ? 1 : x.number < y.number ? -1 : 1));
  let day = c.startsOn;
  let R = 0n;
  let paid = 0n;
  let lateLines = 0n;
  let taken = 0;
  for (;;) {
    const q = quarterBoundsOf(day);
    if (q.endsOn >= today) break; // not ended yet (terms are 24 months: no FINAL period ends before today)
    const lines: Rec[] = [];
    while (taken < verified.length && verified[taken]!.collectedOn <= q.endsOn) lines.push(verified[taken++]!);
    const principal = lines.reduce((s, r) => s + r.principal, 0n);
    const interest = lines.reduce((s, r) => s + r.interest, 0n);
    R += principal + interest;
    const earned = c.kind === "agency" ? halfUp(R * c.terms.feeRate.num, c.terms.feeRate.den) : bonusOf(R, c.task, c.terms);
    const payable = bmax(0n, earned - paid);
    paid += payable;
    // the cumulative of the last accrual on or before the period end (the job ran on accrualDays)
    const lastRun = accrualDays.filter((d) => d <= q.endsOn).pop();
    const cumulative = lastRun ? lateInterestOf(c, lastRun) : 0n;
    const late = bmax(0n, cumulative - lateLines);
    lateLines += late;
    out.push({ year: q.year, quarter: q.quarter, startsOn: day, endsOn: q.endsOn, lines, earned, payable, lateInterest: late, principal, interest });
    day = plusDays(q.endsOn, 1);
  }
  return out;
}

/** Smallest amount ≥ from with amount × k ≡ m / 2 (mod m): a charge of exactly half a fen (null if none). */
function halfFenAmount(from: bigint, k: bigint, m: bigint): bigint | null {
  if (m % 2n !== 0n) return null;
  // extended Euclid: g = gcd(k, m) and the inverse of k / g modulo m / g
  let [r0, r1, s0, s1] = [k, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  const g = r0;
  if ((m / 2n) % g !== 0n) return null;
  const period = m / g;
  const first = ((((m / 2n / g) * s0) % period) + period) % period || period;
  const steps = from > first ? (from - first + period - 1n) / period : 0n;
  return first + steps * period;
}

// ---- run -------------------------------------------------------------------------------------------

interface Mismatches {
  count: number;
  byKind: Map<string, { n: number; examples: string[] }>;
}
const mismatches: Mismatches = { count: 0, byKind: new Map() };
function mismatch(kind: string, text: string): void {
  mismatches.count += 1;
  const entry = mismatches.byKind.get(kind) ?? { n: 0, examples: [] };
  entry.n += 1;
  if (entry.examples.length < 5) entry.examples.push(text);
  mismatches.byKind.set(kind, entry);
}

async function main() {
  const now = new Date();
  const today = chinaDay(now);
  const lastQuarterEnd = plusDays(quarterBoundsOf(today).startsOn, -1);
  console.log(`settlement bench: ${CONTRACTS} contracts × ${RECOVERIES} verified recoveries, today ${today} (China), seed ${SEED}, work dir ${work}`);
  const tPrep = performance.now();
  migrate();
  const { seed } = await import("../prisma/seed");
  await seed();
  console.log(`data: migrate + seed ${seconds(performance.now() - tPrep)}`);
  const { contractTerms, custodyWindow } = await import("../app/domain/contract");
  const { defaultSettings } = await import("../app/domain/settings");

  const db = new Database(dbFile);
  db.pragma("busy_timeout = 10000");
  db.defaultSafeIntegers(true);
  const one = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T;
  const userId = (email: string) => one<{ id: string }>('SELECT "id" FROM "User" WHERE "email" = ?', email).id;
  const orgId = (email: string) => one<{ organizationId: string }>('SELECT "organizationId" FROM "User" WHERE "email" = ?', email).organizationId;
  const bankOrg = orgId("officer@bank.example");
  const officer = userId("officer@bank.example");
  const clerk = userId("clerk@bank.example");
  const auditor = userId("auditor@bank.example");
  const branches = db.prepare('SELECT "id", "region" FROM "Branch"').all() as { id: string; region: string }[];
  const staff = ["bidder@bank.example", "bidder2@bank.example"].map((email) => ({ key: `user:${userId(email)}`, userId: userId(email), orgId: bankOrg, reporter: userId(email) }));
  const agencies = ["admin@huaxin.example", "admin@anda.example", "admin@jiuding.example"].map((email) => ({ key: `org:${orgId(email)}`, userId: null, orgId: orgId(email), reporter: userId(email) }));

  // A second settings version from D2: another loan-rate schedule (a new rate from D2 − 10), another
  // day basis, agency fee and second bonus tier. Contracts signed from D2 freeze these terms.
  const d2 = plusDays(today, -100);
  const v2Settings = {
    ...defaultSettings,
    loanRateSchedule: [...defaultSettings.loanRateSchedule, { effectiveFrom: plusDays(d2, -10), annualRate: "0.0385" }],
    interestDayBasis: 365,
    agencyFeeRate: "0.1",
    bonusTier2Rate: "0.25",
  };
  const insert = (table: string, rows: Record<string, unknown>[]) => {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const statement = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
    for (const row of rows) statement.run(columns.map((c) => row[c] as never));
  };
  insert("SettingVersion", [
    {
      id: newId("set"), version: 2, effectiveFrom: sqliteDate(new Date(`${d2}T00:00:00+08:00`)), values: JSON.stringify(v2Settings), status: "APPROVED",
      reason: "bench: loan rate 3.85 %, 365-day basis, agency fee 10 %, tier 2 25 %", proposedById: officer, proposedAt: sqliteDate(now), decidedById: userId("approver@bank.example"), decidedAt: sqliteDate(now), decisionNote: "bench",
    },
  ]);
  versions = (db.prepare('SELECT "version", "effectiveFrom", "values" FROM "SettingVersion" WHERE "status" = \'APPROVED\'').all() as { version: bigint; effectiveFrom: string | bigint; values: string }[]).map((v) => ({
    version: Number(v.version),
    effectiveFrom: typeof v.effectiveFrom === "bigint" ? Number(v.effectiveFrom) : Date.parse(v.effectiveFrom),
    schedule: (JSON.parse(v.values) as { loanRateSchedule?: { effectiveFrom: string; annualRate: string }[] }).loanRateSchedule ?? defaultSettings.loanRateSchedule,
  }));

  // ---- contracts, loans, recoveries, remittances --------------------------------------------------
  const tGen = performance.now();
  const earliestStart = plusDays(today, -200);
  const latestStart = plusDays(lastQuarterEnd, -20);
  const contracts: Contract[] = [];
  const contractRows: Record<string, unknown>[] = [];
  const loanRows: Record<string, unknown>[] = [];
  const custodyLoanRows: Record<string, unknown>[] = [];
  const allRecoveries: Rec[] = [];
  const taskFactors = [0.02, 0.04, 0.08, 0.3, 0.5, 0.7, 1.0, 1.3, 2.5];
  const delays = [3, 4, 5, 6, 9, 10, 11, 12];
  const delay = () => (rnd() < 0.45 ? pick(delays) : int(0, 30));
  let halfFen = 0;
  for (let i = 0; i < CONTRACTS; i++) {
    const agency = i % 5 < 2;
    const party = agency ? agencies[i % agencies.length]! : staff[i % staff.length]!;
    const startsOn = plusDays(earliestStart, int(0, daysFrom(earliestStart, latestStart)));
    const startsAt = new Date(`${startsOn}T${String(int(8, 17)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}:00+08:00`);
    const signedUnderV2 = startsOn >= d2;
    const id = newId("ctr");
    const c: Contract = {
      id, number: `CTR-${startsOn.slice(0, 4)}-B${String(i + 1).padStart(4, "0")}`, kind: agency ? "agency" : "internal", custodianKey: party.key, startsOn,
      task: 0n, terms: null as unknown as RefTerms, termsJson: "", recoveries: [], loanIds: [], loanNumbers: [],
    };
    for (let l = 0; l < LOANS_PER_CONTRACT; l++) {
      c.loanIds.push(newId("loan"));
      c.loanNumbers.push(`BENCH-${String(i + 1).padStart(4, "0")}-${String(l + 1).padStart(2, "0")}`);
    }
    // Collection days: random over the term to today; a few on purpose 4/5/10/11 days before today and
    // before the last quarter end (unremitted there, or remitted after it).
    const specials = [4, 5, 10, 11].flatMap((d) => [plusDays(today, -d), plusDays(lastQuarterEnd, -d)]).filter((d) => d >= startsOn);
    const span = daysFrom(startsOn, today);
    const statuses: Rec["status"][] = [...Array<Rec["status"]>(RECOVERIES).fill("VERIFIED"), "REPORTED", "REGISTERED", "REJECTED"];
    // the settings the terms are frozen with, and the rate on a collection day (for the half-fen crafting)
    const settings = signedUnderV2 ? v2Settings : defaultSettings;
    for (const [k, status] of statuses.entries()) {
      const collectedOn = k < specials.length ? specials[k]! : plusDays(startsOn, int(0, span));
      let amount = BigInt(int(0, 1) ? int(100_00, 50_000_00) : int(1, 5_000_00));
      const parts: Part[] = [];
      const shape = rnd();
      const plan: { share: number; delay: number }[] =
        k < specials.length && collectedOn > lastQuarterEnd
          ? [] // collected in the last days: still unremitted
          : shape < 0.12
            ? []
            : shape < 0.22
              ? [{ share: 0.2 + 0.6 * rnd(), delay: delay() }]
              : shape < 0.32
                ? (() => {
                    const a = delay();
                    return [{ share: 0.2 + 0.6 * rnd(), delay: a }, { share: 1, delay: a + int(1, 20) }];
                  })()
                : [{ share: 1, delay: k < specials.length ? int(daysFrom(collectedOn, lastQuarterEnd) + 1, 30) : delay() }];
      // One in 12 fully remitted single charges late enough: an amount whose charge is exactly half a fen.
      if (plan.length === 1 && plan[0]!.share === 1 && plan[0]!.delay >= settings.lateInterestFromDays && k % 12 === 0 && status !== "REJECTED") {
        const rate = loanRateFor(collectedOn);
        const crafted = halfFenAmount(amount, rate.num * BigInt(plan[0]!.delay), rate.den * BigInt(settings.interestDayBasis));
        if (crafted !== null && crafted < 200_000_00n && plusDays(collectedOn, plan[0]!.delay) <= today) {
          amount = crafted;
          halfFen += 1;
        }
      }
      // principal + interest = amount: some interest-only, some principal-only
      const interestOnly = int(0, 19) === 0;
      const interest = interestOnly ? amount : int(0, 9) === 0 ? 0n : amount / BigInt(int(5, 30));
      const principal = amount - interest;
      const total = amount;
      const rec: Rec = { id: newId("rcv"), number: "", contract: i, loan: int(0, LOANS_PER_CONTRACT - 1), collectedOn, principal, interest, status, parts };
      if (status !== "REJECTED") {
        let left = total;
        for (const p of plan) {
          const remittedOn = plusDays(collectedOn, p.delay);
          if (remittedOn > today || left === 0n) break;
          const part = p.share >= 1 ? left : bmax(1n, bmin(left - 1n, BigInt(Math.floor(Number(total) * p.share))));
          parts.push({ amount: part, remittedOn });
          left -= part;
        }
      }
      c.recoveries.push(rec);
      allRecoveries.push(rec);
    }
    // The task against what the contract collects: below the threshold, in each tier, beyond it; odd fen for half.
    const collected = c.recoveries.filter((r) => r.status === "VERIFIED").reduce((s, r) => s + r.principal + r.interest, 0n);
    let task = BigInt(Math.max(1_000_000, Math.round(Number(collected) / taskFactors[i % taskFactors.length]!)));
    task = i % 2 === 0 ? task | 1n : task & ~1n;
    c.task = task;
    const frozen = contractTerms({ kind: agency ? "agency" : "staff", winningPrice: task, day: startsOn }, { ...settings, contractTermMonths: TERM_MONTHS }, signedUnderV2 ? 2 : 1);
    c.termsJson = JSON.stringify(frozen);
    c.terms = readTerms(c.termsJson);
    const window = custodyWindow(startsAt, TERM_MONTHS);
    const signedAt = new Date(startsAt.getTime() - 3 * DAY_MS);
    contractRows.push({
      id, number: c.number, awardId: newId("award"), lotId: newId("lot"), tenderId: newId("tender"), packageId: newId("pkg"),
      custodianKey: party.key, custodianKind: agency ? "AGENCY" : "STAFF", custodianUserId: party.userId, custodianOrgId: party.orgId, registrationId: newId("reg"),
      winningPrice: task, task, termMonths: TERM_MONTHS, performanceDeposit: BigInt(frozen.performanceDeposit), bidDepositCredit: 0n, terms: c.termsJson,
      settingsVersion: signedUnderV2 ? 2 : 1, status: "ACTIVE", createdAt: sqliteDate(new Date(signedAt.getTime() - 4 * DAY_MS)),
      signedById: party.reporter, signedAt: sqliteDate(signedAt), signedIp: "127.0.0.1", countersignedById: officer, countersignedAt: sqliteDate(signedAt), countersignedIp: "127.0.0.1",
      custodyStartsAt: sqliteDate(window.startsAt), custodyEndsAt: sqliteDate(window.endsAt), version: 1,
    });
    for (let l = 0; l < LOANS_PER_CONTRACT; l++) {
      const onLoan = c.recoveries.filter((r) => r.loan === l && r.status !== "REJECTED");
      const principal = onLoan.reduce((s, r) => s + r.principal, 0n) + BigInt(int(0, 20_000_000));
      const interest = onLoan.reduce((s, r) => s + r.interest, 0n) + BigInt(int(0, 2_000_000));
      const branch = branches[(i + l) % branches.length]!;
      loanRows.push({
        id: c.loanIds[l], loanNumber: c.loanNumbers[l], borrowerName: `压测借款人${i + 1}-${l + 1}`, borrowerType: "individual",
        borrowerIdCipher: "bench", borrowerIdHmac: `bench-${i}-${l}`, borrowerIdMasked: "1101**********0011", branchId: branch.id, region: branch.region,
        principal, interestOnBalance: interest, interestOffBalance: 0n, disbursedOn: "2018-03-15", maturesOn: "2020-03-15", lastInterruptionOn: "2024-06-01",
        fiveTier: "doubtful", termClass: "overdue", balanceSheet: "on", writtenOff: 0, collateral: "unsecured", litigation: "none", difficulty: "recoverable",
        suggestedDifficulty: "recoverable", difficultyStatus: "SUGGESTED", status: "IN_CUSTODY", limitationExpiresOn: "2027-06-01", limitationYears: 3,
        price: principal / 10n, version: 1, createdAt: sqliteDate(now), updatedAt: sqliteDate(now),
      });
      custodyLoanRows.push({ id: newId("cl"), contractId: id, loanId: c.loanIds[l], loanNumber: c.loanNumbers[l], pricedValue: principal / 10n, principal, interest, status: "IN_CUSTODY" });
    }
    contracts.push(c);
  }

  // Numbers: RCV-YYYY-NNNNNN in an order unrelated to the collection day (ties on a day sort by number).
  const serials = new Map<string, number>();
  for (const r of shuffle([...allRecoveries])) {
    const year = r.collectedOn.slice(0, 4);
    const n = (serials.get(`RCV${year}`) ?? 0) + 1;
    serials.set(`RCV${year}`, n);
    r.number = `RCV-${year}-${String(n).padStart(6, "0")}`;
  }
  const recoveryRows = allRecoveries.map((r) => {
    const c = contracts[r.contract]!;
    const party = c.kind === "agency" ? agencies[r.contract % agencies.length]! : staff[r.contract % staff.length]!;
    const reportedAt = new Date(`${r.collectedOn}T18:00:00+08:00`);
    const registered = r.status !== "REPORTED";
    return {
      id: r.id, number: r.number, contractId: c.id, loanId: c.loanIds[r.loan], loanNumber: c.loanNumbers[r.loan], custodianKey: c.custodianKey, collectedOn: r.collectedOn,
      principal: r.principal, interest: r.interest, amount: r.principal + r.interest, payer: "压测还款人", evidenceFileId: "bench-evidence", note: null,
      reportedById: party.reporter, reportedAt: sqliteDate(reportedAt), status: r.status,
      registerReference: registered ? `REG-${r.number}` : null, registeredById: registered ? clerk : null, registeredAt: registered ? sqliteDate(new Date(reportedAt.getTime() + DAY_MS)) : null,
      verifiedById: r.status === "VERIFIED" ? auditor : null, verifiedAt: r.status === "VERIFIED" ? sqliteDate(new Date(reportedAt.getTime() + 2 * DAY_MS)) : null,
      rejectedById: r.status === "REJECTED" ? auditor : null, rejectedAt: r.status === "REJECTED" ? sqliteDate(new Date(reportedAt.getTime() + 2 * DAY_MS)) : null,
      rejectionReason: r.status === "REJECTED" ? "压测：凭证不符" : null,
    };
  });
  // Remittances: one CONFIRMED bank transfer per contract and day money reached the bank, with its allocations.
  const remittanceRows: Record<string, unknown>[] = [];
  const allocationRows: Record<string, unknown>[] = [];
  for (const c of contracts) {
    const byDay = new Map<string, { rec: Rec; part: Part }[]>();
    for (const rec of c.recoveries) for (const part of rec.parts) byDay.set(part.remittedOn, [...(byDay.get(part.remittedOn) ?? []), { rec, part }]);
    for (const [remittedOn, items] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const id = newId("rmt");
      const year = remittedOn.slice(0, 4);
      const n = (serials.get(`RMT${year}`) ?? 0) + 1;
      serials.set(`RMT${year}`, n);
      const at = sqliteDate(new Date(`${remittedOn}T15:00:00+08:00`));
      remittanceRows.push({
        id, number: `RMT-${year}-${String(n).padStart(6, "0")}`, contractId: c.id, custodianKey: c.custodianKey, method: "BANK_TRANSFER",
        amount: items.reduce((s, x) => s + x.part.amount, 0n), status: "CONFIRMED", declaredById: null, declaredAt: at, payerReference: `BENCH-${n}`,
        remittedOn, confirmedById: clerk, confirmedAt: at, voucherNumber: `V-${year}-${n}`,
      });
      for (const { rec, part } of items) allocationRows.push({ id: newId("alc"), remittanceId: id, recoveryId: rec.id, contractId: c.id, amount: part.amount, remittedOn, createdAt: at });
    }
  }
  const sequenceRows = [...serials].map(([key, last]) => ({ prefix: key.slice(0, 3), year: Number(key.slice(3)), last }));
  const tInsert = performance.now();
  db.exec("BEGIN IMMEDIATE");
  insert("CustodyContract", contractRows);
  insert("Loan", loanRows);
  insert("CustodyLoan", custodyLoanRows);
  insert("Recovery", recoveryRows);
  insert("Remittance", remittanceRows);
  insert("RemittanceAllocation", allocationRows);
  insert("SettlementNumberSequence", sequenceRows);
  db.exec("COMMIT");
  const unremittedNow = allRecoveries.filter((r) => r.status !== "REJECTED" && r.parts.reduce((s, p) => s + p.amount, 0n) < r.principal + r.interest).length;
  console.log(
    `data: ${contracts.length} ACTIVE contracts (${contracts.filter((c) => c.kind === "agency").length} agency, ${contracts.filter((c) => c.kind === "internal").length} staff; ` +
      `${contracts.filter((c) => c.startsOn >= d2).length} signed under settings v2), ${loanRows.length} loans, ${allRecoveries.length} recoveries ` +
      `(${allRecoveries.filter((r) => r.status === "VERIFIED").length} VERIFIED, ${unremittedNow} with money unremitted today, ${halfFen} crafted half-fen charges), ` +
      `${remittanceRows.length} remittances, ${allocationRows.length} allocations — generated ${seconds(tInsert - tGen)}, inserted ${seconds(performance.now() - tInsert)}`,
  );

  // ---- the services ------------------------------------------------------------------------------
  const interestModule = path.join(root, "app", "services", "settlement", "late-interest.server.ts");
  const statementsModule = path.join(root, "app", "services", "settlement", "statements.server.ts");
  const missing = [interestModule, statementsModule].filter((f) => !fs.existsSync(f)).map((f) => path.relative(root, f));
  if (missing.length) throw new Error(`not written yet: ${missing.join(", ")}`);
  const { accrueLateInterest } = (await import("../app/services/settlement/late-interest.server")) as {
    accrueLateInterest: (asOf: string, now?: Date) => Promise<{ contracts: number; posted: number; total: bigint }>;
  };
  const { generateDueStatements } = (await import("../app/services/settlement/statements.server")) as {
    generateDueStatements: (today: string, now?: Date) => Promise<{ generated: number }>;
  };
  const { prisma } = await import("../app/infra/db.server");

  // The jobs' past runs, in day order: late interest at every quarter end that has passed since the
  // first term started and on one day inside the last quarter; the statements on the first day of every
  // quarter but the current one (so the timed run generates the last quarter's statements on top of
  // stored earlier ones — commission paid and late interest already billed come from the database).
  const historyDays: string[] = [];
  const statementDays: string[] = [];
  const minStart = contracts.reduce((m, c) => (c.startsOn < m ? c.startsOn : m), today);
  for (let q = quarterBoundsOf(minStart); q.endsOn < today; q = quarterBoundsOf(plusDays(q.endsOn, 1))) {
    historyDays.push(q.endsOn);
    if (q.endsOn < lastQuarterEnd) statementDays.push(plusDays(q.endsOn, 1));
  }
  const inside = plusDays(lastQuarterEnd, -40);
  if (inside >= minStart && !historyDays.includes(inside)) historyDays.push(inside);
  historyDays.sort();
  const bigints = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);
  for (const [day, run] of [...historyDays.map((d) => [d, "accrue"] as const), ...statementDays.map((d) => [d, "statements"] as const)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const t = performance.now();
    const result = run === "accrue" ? await accrueLateInterest(day, new Date()) : await generateDueStatements(day, new Date());
    console.log(`history: ${run === "accrue" ? "accrueLateInterest" : "generateDueStatements"}(${day}) ${seconds(performance.now() - t)} → ${JSON.stringify(result, bigints)}`);
  }
  const prepMs = performance.now() - tPrep;
  console.log(`data ready in ${seconds(prepMs)}`);

  // ---- baseline: the inputs both services must read ------------------------------------------------
  let t = performance.now();
  // every contract of the database is the bench's: no id list (SQLite caps bound parameters)
  const viaPrisma = await prisma.recovery.findMany({ where: { status: { not: "REJECTED" } }, select: { id: true, contractId: true, collectedOn: true, amount: true, status: true, principal: true, interest: true } });
  const allocViaPrisma = await prisma.remittanceAllocation.findMany({ select: { recoveryId: true, amount: true, remittedOn: true } });
  const baselinePrismaMs = performance.now() - t;
  t = performance.now();
  const raw = db.prepare('SELECT "id", "contractId", "collectedOn", "amount", "status", "principal", "interest" FROM "Recovery" WHERE "status" <> \'REJECTED\'').raw(true).all();
  const rawAlloc = db.prepare('SELECT "recoveryId", "amount", "remittedOn" FROM "RemittanceAllocation"').raw(true).all();
  const baselineRawMs = performance.now() - t;
  t = performance.now();
  const refToday = new Map(contracts.map((c) => [c.id, lateInterestOf(c, today)]));
  const referenceMs = performance.now() - t;
  console.log(
    `baseline: reading the inputs (${viaPrisma.length} recoveries + ${allocViaPrisma.length} allocations) through Prisma ${baselinePrismaMs.toFixed(0)} ms, ` +
      `raw SQL ${baselineRawMs.toFixed(0)} ms (${raw.length} + ${rawAlloc.length}); the bench's own R7 reference for every contract ${referenceMs.toFixed(0)} ms`,
  );

  // ---- timed -------------------------------------------------------------------------------------
  t = performance.now();
  const accrued = await accrueLateInterest(today, new Date());
  const accrueMs = performance.now() - t;
  console.log(`(a) accrueLateInterest(${today}): ${accrueMs.toFixed(0)} ms → ${JSON.stringify(accrued, bigints)}`);
  t = performance.now();
  const generated = await generateDueStatements(today, new Date());
  const statementsMs = performance.now() - t;
  console.log(`(b) generateDueStatements(${today}): ${statementsMs.toFixed(0)} ms → ${JSON.stringify(generated)}`);
  const totalMs = accrueMs + statementsMs;

  // Idempotent: the same day again writes nothing.
  t = performance.now();
  const accruedAgain = await accrueLateInterest(today, new Date());
  const generatedAgain = await generateDueStatements(today, new Date());
  console.log(`again the same day: accrueLateInterest ${JSON.stringify(accruedAgain, bigints)}, generateDueStatements ${JSON.stringify(generatedAgain)} (${(performance.now() - t).toFixed(0)} ms)`);

  // ---- check every amount against the reference ----------------------------------------------------
  const accrualDays = [...historyDays, today];
  type AccrualRow = { contractId: string; asOf: string; cumulative: bigint; delta: bigint; entryId: string; createdAt: string };
  const accrualRows = db.prepare('SELECT "contractId", "asOf", "cumulative", "delta", "entryId", "createdAt" FROM "LateInterestAccrual" ORDER BY "contractId", "asOf", "createdAt", rowid').all() as AccrualRow[];
  const accrualsOf = new Map<string, AccrualRow[]>();
  for (const a of accrualRows) accrualsOf.set(a.contractId, [...(accrualsOf.get(a.contractId) ?? []), a]);
  const balances = new Map(
    (db.prepare(`SELECT a."key" AS key, COALESCE(SUM(CASE WHEN l."side" = 'DEBIT' THEN l."amount" ELSE -l."amount" END), 0) AS balance FROM "LedgerAccount" a LEFT JOIN "JournalLine" l ON l."accountId" = a."id" WHERE a."type" = 'LATE_INTEREST_RECEIVABLE' GROUP BY a."key"`).all() as { key: string; balance: bigint }[]).map((b) => [b.key, b.balance]),
  );
  let expectedToday = 0n;
  const contractById = new Map(contracts.map((c) => [c.id, c]));
  for (const c of contracts) {
    const expected = refToday.get(c.id)!;
    expectedToday += expected;
    const rows = accrualsOf.get(c.id) ?? [];
    let previous = 0n;
    for (const row of rows) {
      if (!accrualDays.includes(row.asOf)) {
        mismatch("accrual: unexpected asOf", `${c.number} accrual as of ${row.asOf}: the job ran on ${accrualDays.join(", ")} only`);
        continue;
      }
      const ref = lateInterestOf(c, row.asOf);
      if (row.cumulative !== ref) mismatch("accrual: cumulative", `${c.number} (${c.id}) as of ${row.asOf}: expected ${yuan(ref)}, got ${yuan(row.cumulative)}`);
      if (row.delta !== row.cumulative - previous) mismatch("accrual: delta", `${c.number} as of ${row.asOf}: delta ${yuan(row.delta)} ≠ cumulative ${yuan(row.cumulative)} − previous ${yuan(previous)}`);
      if (row.delta === 0n) mismatch("accrual: zero delta stored", `${c.number} as of ${row.asOf}: a row with delta 0`);
      previous = row.cumulative;
    }
    // Each run day with a change must have its row (delta 0 days have none).
    let last = 0n;
    for (const day of accrualDays) {
      const ref = lateInterestOf(c, day);
      const stored = rows.filter((r) => r.asOf === day);
      if (ref !== last && stored.length !== 1) mismatch("accrual: missing row", `${c.number} as of ${day}: expected one row (cumulative ${yuan(ref)}, delta ${yuan(ref - last)}), got ${stored.length}`);
      if (ref === last && stored.length > 0) mismatch("accrual: extra row", `${c.number} as of ${day}: nothing changed (cumulative ${yuan(ref)}) but ${stored.length} row(s) stored`);
      last = ref;
    }
    const lastCumulative = rows.length ? rows[rows.length - 1]!.cumulative : 0n;
    if (lastCumulative !== expected) mismatch("accrual: cumulative today", `${c.number} (${c.id}) as of ${today}: expected ${yuan(expected)}, last stored ${yuan(lastCumulative)}`);
    const balance = balances.get(`LATE_INTEREST_RECEIVABLE:contract:${c.id}`) ?? 0n;
    if (balance !== expected) mismatch("ledger: late interest receivable", `${c.number}: LATE_INTEREST_RECEIVABLE balance ${yuan(balance)}, expected the cumulative ${yuan(expected)}`);
  }
  for (const contractId of accrualsOf.keys()) if (!contractById.has(contractId)) mismatch("accrual: unknown contract", contractId);
  const postedToday = accrualRows.filter((r) => r.asOf === today).length;
  if (accrued.posted !== postedToday) mismatch("accrual: result", `accrueLateInterest(${today}) said posted ${accrued.posted}, ${postedToday} rows as of ${today} stored`);
  const deltaToday = accrualRows.filter((r) => r.asOf === today).reduce((sum, r) => sum + r.delta, 0n);
  if (BigInt(accrued.total) !== deltaToday) mismatch("accrual: result", `accrueLateInterest(${today}) said total ${yuan(BigInt(accrued.total))}, its rows' deltas add up to ${yuan(deltaToday)}`);
  if (accruedAgain.posted !== 0) mismatch("accrual: not idempotent", `a second accrueLateInterest(${today}) posted ${accruedAgain.posted}`);
  const unbalanced = db
    .prepare(
      `SELECT e."id" FROM "JournalEntry" e LEFT JOIN "JournalLine" l ON l."entryId" = e."id" GROUP BY e."id"
       HAVING SUM(CASE WHEN l."side" = 'DEBIT' THEN l."amount" ELSE 0 END) <> SUM(CASE WHEN l."side" = 'CREDIT' THEN l."amount" ELSE 0 END) OR COUNT(l."id") < 2`,
    )
    .all() as unknown[];
  if (unbalanced.length) mismatch("ledger: unbalanced", `${unbalanced.length} journal entr(y/ies) unbalanced or with fewer than 2 lines`);

  // Statements.
  type StatementRow = {
    id: string; number: string; contractId: string; kind: string; year: bigint; quarter: bigint; periodStartsOn: string; periodEndsOn: string; custodianKind: string; custodianKey: string;
    recoveredPrincipal: bigint; recoveredInterest: bigint; payableToCustodian: bigint; owedByCustodian: bigint; deductionsTaken: bigint; netPayable: bigint; earnedToDate: bigint; state: string;
  };
  type LineRow = { statementId: string; position: bigint; kind: string; recoveryId: string | null; loanNumber: string | null; collectedOn: string | null; principal: bigint | null; interest: bigint | null; amount: bigint };
  const statementRows = db.prepare('SELECT * FROM "SettlementStatement"').all() as StatementRow[];
  const lineRows = db.prepare('SELECT "statementId", "position", "kind", "recoveryId", "loanNumber", "collectedOn", "principal", "interest", "amount" FROM "SettlementStatementLine" ORDER BY "statementId", "position"').all() as LineRow[];
  const linesOf = new Map<string, LineRow[]>();
  for (const l of lineRows) linesOf.set(l.statementId, [...(linesOf.get(l.statementId) ?? []), l]);
  const statementsOf = new Map<string, StatementRow[]>();
  for (const s of statementRows) {
    if (!contractById.has(s.contractId)) mismatch("statement: unknown contract", `${s.number} for ${s.contractId}`);
    statementsOf.set(s.contractId, [...(statementsOf.get(s.contractId) ?? []), s]);
  }
  let expectedStatements = 0;
  let expectedLines = 0;
  const recById = new Map(allRecoveries.map((r) => [r.id, r]));
  for (const c of contracts) {
    const refs = referenceStatements(c, today, accrualDays);
    expectedStatements += refs.length;
    const stored = statementsOf.get(c.id) ?? [];
    const storedByPeriod = new Map(stored.map((s) => [`${s.kind}:${s.year}:${s.quarter}`, s]));
    for (const s of stored) {
      if (!refs.some((r) => s.kind === "QUARTERLY" && Number(s.year) === r.year && Number(s.quarter) === r.quarter)) {
        mismatch("statement: unexpected", `${c.number}: ${s.number} ${s.kind} ${s.year}Q${s.quarter} (${s.periodStartsOn}..${s.periodEndsOn}) — only periods ended before ${today} are due: ${refs.map((r) => `${r.year}Q${r.quarter}`).join(", ") || "none"}`);
      }
    }
    for (const ref of refs) {
      const s = storedByPeriod.get(`QUARTERLY:${ref.year}:${ref.quarter}`);
      const where = `${c.number} (${c.kind}, ${c.id}) ${ref.year}Q${ref.quarter}`;
      if (!s) {
        mismatch("statement: missing", `${where}: no statement (period ${ref.startsOn}..${ref.endsOn})`);
        continue;
      }
      expectedLines += ref.lines.length + 2;
      if (s.periodStartsOn !== ref.startsOn || s.periodEndsOn !== ref.endsOn) mismatch("statement: period", `${where} ${s.number}: period ${s.periodStartsOn}..${s.periodEndsOn}, expected ${ref.startsOn}..${ref.endsOn}`);
      if (s.custodianKind !== (c.kind === "agency" ? "AGENCY" : "STAFF") || s.custodianKey !== c.custodianKey) mismatch("statement: custodian", `${where} ${s.number}: ${s.custodianKind} ${s.custodianKey}`);
      if (s.state !== "draft") mismatch("statement: state", `${where} ${s.number}: state ${s.state}, expected draft`);
      const lines = linesOf.get(s.id) ?? [];
      const positions = lines.map((l) => Number(l.position));
      if (new Set(positions).size !== positions.length) mismatch("statement: positions", `${where} ${s.number}: repeated positions ${positions.join(",")}`);
      // Recovery lines: the period's verified recoveries, in collection-day then number order, first.
      const recoveryLines = lines.filter((l) => l.kind === "recovery");
      const firstOther = lines.findIndex((l) => l.kind !== "recovery");
      if (firstOther >= 0 && lines.slice(firstOther).some((l) => l.kind === "recovery")) mismatch("statement: line order", `${where} ${s.number}: a recovery line after a ${lines[firstOther]!.kind} line`);
      if (recoveryLines.length !== ref.lines.length) {
        const storedIds = new Set(recoveryLines.map((l) => l.recoveryId));
        const refIds = new Set(ref.lines.map((r) => r.id));
        const extra = recoveryLines.filter((l) => !refIds.has(l.recoveryId ?? "")).map((l) => { const r = recById.get(l.recoveryId ?? ""); return r ? `${r.number} ${r.status} ${r.collectedOn}` : String(l.recoveryId); });
        const absent = ref.lines.filter((r) => !storedIds.has(r.id)).map((r) => `${r.number} ${r.collectedOn}`);
        mismatch("statement: recovery lines", `${where} ${s.number}: ${recoveryLines.length} recovery lines, expected ${ref.lines.length}${extra.length ? `; not expected: ${extra.slice(0, 3).join(", ")}` : ""}${absent.length ? `; missing: ${absent.slice(0, 3).join(", ")}` : ""}`);
      } else {
        ref.lines.forEach((r, k) => {
          const l = recoveryLines[k]!;
          if (l.recoveryId !== r.id) {
            const got = recById.get(l.recoveryId ?? "");
            mismatch("statement: recovery line order", `${where} ${s.number} line ${l.position}: ${got ? `${got.number} ${got.collectedOn}` : l.recoveryId}, expected ${r.number} ${r.collectedOn} (order: collection day, then number)`);
            return;
          }
          const loanNumber = c.loanNumbers[r.loan];
          if (l.loanNumber !== loanNumber || l.collectedOn !== r.collectedOn || l.principal !== r.principal || l.interest !== r.interest || l.amount !== r.principal + r.interest) {
            mismatch("statement: recovery line", `${where} ${s.number} line ${l.position} (${r.number}): got ${l.loanNumber} ${l.collectedOn} ${l.principal}+${l.interest}=${l.amount}, expected ${loanNumber} ${r.collectedOn} ${r.principal}+${r.interest}=${r.principal + r.interest}`);
          }
        });
      }
      const payKind = c.kind === "agency" ? "fee" : "commission";
      const payLines = lines.filter((l) => l.kind === payKind);
      const lateLines = lines.filter((l) => l.kind === "late_interest");
      if (payLines.length !== 1) mismatch(`statement: ${payKind} line`, `${where} ${s.number}: ${payLines.length} ${payKind} lines, expected 1 (a zero one is still shown)`);
      else if (payLines[0]!.amount !== ref.payable) mismatch(`statement: ${payKind}`, `${where} ${s.number}: ${payKind} ${yuan(payLines[0]!.amount)}, expected ${yuan(ref.payable)} (earned to date ${yuan(ref.earned)}, R ${yuan(ref.principal + ref.interest)} this period, T ${yuan(c.task)})`);
      if (lateLines.length !== 1) mismatch("statement: late_interest line", `${where} ${s.number}: ${lateLines.length} late_interest lines, expected 1 (a zero one is still shown)`);
      else if (lateLines[0]!.amount !== ref.lateInterest) {
        const accrual = (accrualsOf.get(c.id) ?? []).filter((a) => a.asOf <= ref.endsOn).pop();
        mismatch("statement: late interest", `${where} ${s.number}: late interest ${yuan(lateLines[0]!.amount)}, expected ${yuan(ref.lateInterest)} (stored accrual on or before ${ref.endsOn}: ${accrual ? `${accrual.asOf} ${yuan(accrual.cumulative)}` : "none"}; reference cumulative ${yuan(lateInterestOf(c, ref.endsOn))})`);
      }
      for (const l of lines) {
        if (!["recovery", payKind, "late_interest"].includes(l.kind) && l.amount !== 0n) mismatch("statement: unexpected line", `${where} ${s.number} line ${l.position}: ${l.kind} ${yuan(l.amount)} (no rewards, deductions or term end in this data)`);
      }
      if (payLines.length === 1 && lateLines.length === 1 && Number(payLines[0]!.position) > Number(lateLines[0]!.position)) mismatch("statement: line order", `${where} ${s.number}: ${payKind} after late_interest`);
      const net = ref.payable - ref.lateInterest;
      const figures: [string, bigint, bigint][] = [
        ["recoveredPrincipal", s.recoveredPrincipal, ref.principal], ["recoveredInterest", s.recoveredInterest, ref.interest], ["payableToCustodian", s.payableToCustodian, ref.payable],
        ["owedByCustodian", s.owedByCustodian, ref.lateInterest], ["deductionsTaken", s.deductionsTaken, 0n], ["netPayable", s.netPayable, net], ["earnedToDate", s.earnedToDate, ref.earned],
      ];
      for (const [name, got, want] of figures) if (got !== want) mismatch(`statement: ${name}`, `${where} ${s.number}: ${name} ${yuan(got)}, expected ${yuan(want)}`);
    }
  }
  const lastStatementDay = statementDays[statementDays.length - 1] ?? "0000-00-00";
  const dueInRun = contracts.reduce((n, c) => n + referenceStatements(c, today, accrualDays).filter((r) => r.endsOn >= lastStatementDay).length, 0);
  for (const s of statementRows) if (!/^STM-\d{4}-\d{6}$/.test(s.number)) mismatch("statement: number", `${s.number}: not STM-YYYY-NNNNNN`);
  if (new Set(statementRows.map((s) => s.number)).size !== statementRows.length) mismatch("statement: number", "a statement number used twice");
  if (generated.generated !== dueInRun) mismatch("statement: result", `generateDueStatements(${today}) said ${generated.generated} generated, ${dueInRun} periods were due then (${expectedStatements} in all with the earlier runs)`);
  if (generatedAgain.generated !== 0) mismatch("statement: not idempotent", `a second generateDueStatements(${today}) generated ${generatedAgain.generated}`);
  const { verifyAuditChain } = await import("../app/infra/audit.server");
  const chain = await verifyAuditChain();
  if (chain.broken) mismatch("audit chain", `broken at ${chain.broken.id}: ${chain.broken.reason}`);
  console.log(
    `checked: ${contracts.length} contracts' late interest (${accrualRows.length} accrual rows over ${accrualDays.length} run days; today ${yuan(expectedToday)} in all), ` +
      `${statementRows.length} statements (${expectedStatements} due) with ${lineRows.length} lines (≥ ${expectedLines} expected); audit chain ${chain.checked} entries ${chain.broken ? "BROKEN" : "intact"}`,
  );
  if (mismatches.count) {
    console.log(`MISMATCHES: ${mismatches.count}`);
    for (const [kind, { n, examples }] of mismatches.byKind) console.log(`  ${kind}: ${n}\n    ${examples.join("\n    ")}`);
  } else console.log("mismatches: none");
  db.close();
  await prisma.$disconnect();
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`times: (a) accrue ${accrueMs.toFixed(0)} ms + (b) statements ${statementsMs.toFixed(0)} ms = ${totalMs.toFixed(0)} ms (goal < ${GOAL_MS} ms); baseline input read ${baselinePrismaMs.toFixed(0)} ms Prisma / ${baselineRawMs.toFixed(0)} ms raw`);
  console.log(
    JSON.stringify({
      contracts: contracts.length,
      recoveries: allRecoveries.length,
      accrueMs: Math.round(accrueMs),
      statementsMs: Math.round(statementsMs),
      totalMs: Math.round(totalMs),
      baselinePrismaReadMs: Math.round(baselinePrismaMs),
      baselineRawReadMs: Math.round(baselineRawMs),
      prepMs: Math.round(prepMs),
      statements: statementRows.length,
      mismatches: mismatches.count,
      ok: totalMs < GOAL_MS && mismatches.count === 0,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
