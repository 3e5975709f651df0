// `npm run bench -- auction [--bidders 200] [--seconds 60] [--max-requests 250000] [--think-ms 5000]`:
// live bidding end to end (issue [AUCTION]). The built server (`remix-serve build/index.js`, built here
// when build/ is missing or older than the sources) runs on a random loopback port on a scratch SQLite
// database (migrated, seeded, plus 200 staff bidders registered with CONFIRMED bank-transfer deposits —
// through the registration services, so the receipts are real ledger entries — and an API token each)
// in the embedded mode: no REDIS_URL, the in-process job runner moves and runs the lot's close job.
// One published tender, one lot: reserve ¥100,000, increment ¥1,000, anti-sniping window 1 minute,
// close set to 65 s after the bidding starts. Every bidder first opens the lot (its connection, one
// read of the state: the warm-up, reported as state GETs, not as bids); then it loops: it reads the
// state (GET /api/v1/tenders/{id}) when it does not know the minimum, POSTs a bid at the next minimum with a
// fresh Idempotency-Key, and after an acceptance bids again at the answer's next_minimum; refused
// below_minimum, it bids at the minimum the refusal names (error.details.minimum). A leading bidder does not bid: it waits for someone else's
// acceptance (what the live events would tell it), or 1 s, then re-reads. About 2 % of the bids are
// sent twice at once with the same key, and about 10 % of the accepted ones are sent again afterwards
// (a replay must answer 200 "replayed" with the same bid, never a second bid). The loop stops by
// itself at --seconds or --max-requests. Between an answer and its next bid a bidder pauses for
// --think-ms (a person reading the answer and clicking; each pause drawn from 0.5–1.5 × it). Every bid in the last minute before the close extends it to
// now + 1 min, so the lot closes about a minute after the last accepted bid (the tender is written as
// rows, not published through the service, so the server's close job is the one each extending bid
// moves — created by the first; the 60 s sweeper is the safety net): the bench waits for that
// close and measures deadline-to-winner-recorded (when the closed lot is first visible in the
// database, polled every 10 ms, minus the lot's final closesAt). Then, straight from the database:
// accepted amounts strictly increasing (placedAt order and commit order), no (bidderKey,
// idempotencyKey) twice, the award = the highest accepted bid, every journal entry balanced, the audit
// chain intact. Baseline in the same run: GET /healthz (and the state GET) at the same concurrency.
// Goal: p99 of the bid POSTs under 100 ms, zero violations, close-to-winner under 2 s. The last line
// is one JSON object with "ok".
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a non-negative number`);
  return value;
}
const BIDDERS = Math.max(2, Math.floor(option("bidders", 200)));
const SECONDS = option("seconds", 60);
const MAX_REQUESTS = Math.floor(option("max-requests", 250_000));
// A person's pause between seeing the answer and bidding again (each drawn from [0.5, 1.5] × this).
// 0 = robots that bid again the instant they have the answer (see bench/README.md for what that measures).
const THINK_MS = option("think-ms", 5000);
/** The lot's close, counted from the start of the bidding (anti-sniping moves it). */
const CLOSE_AFTER_S = SECONDS + 5;
/** Explicit on the tender: a bid with less than this left moves the close to now + this. */
const ANTI_SNIPING_MINUTES = 1;
const PAIR_RATE = 0.02;
const REPLAY_ACCEPTED_RATE = 0.1;
const BASELINE_SECONDS = 5;
const STATE_BASELINE_SECONDS = 3;
const RESERVE_FEN = 10_000_000n; // ¥100,000 → increment max(¥1,000, 0.5 %) = ¥1,000
const DEPOSIT_FEN = 500_000n;

const work = fs.mkdtempSync(path.join(os.tmpdir(), "npl-bench-auction-"));
const dbFile = path.join(work, "auction.db");
const dataDir = path.join(work, "data");
fs.mkdirSync(dataDir, { recursive: true });

// One mode only: the embedded one (no Redis; the web process runs the close job itself).
const redisIgnored = Boolean(process.env.REDIS_URL);
delete process.env.REDIS_URL;
// The app reads these lazily: set them before any app module is imported.
process.env.DATABASE_URL = `file:${dbFile}`;
process.env.DATA_DIR = dataDir;
process.env.SESSION_SECRET ||= "bench-auction";
process.env.CHECKPOINT_DISABLE = "1";
// This process only prepares data: its jobs (deposit emails) are recorded, never run, and it starts
// no in-process runner of its own (whose lot sweeper would race the server's).
(globalThis as { __jobQueue?: unknown }).__jobQueue = {
  enqueue: async () => ({ id: "bench" }),
  reschedule: async () => ({ id: "bench" }),
  schedule: async () => undefined,
  cancel: async () => undefined,
};

const binPath = (name: string) => path.join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const yuan = (fen: bigint) => `${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;
const fenOf = (yuanText: string) => {
  const [whole, frac = ""] = yuanText.split(".");
  return BigInt(whole!) * 100n + BigInt(frac.padEnd(2, "0").slice(0, 2));
};
/** As Prisma stores a DateTime in SQLite (see app/infra/sqlite-datetime.server.ts). */
const sqliteDate = (d: Date) => d.toISOString().replace(/Z$/, "+00:00");

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: round(percentile(s, 50)), p90: round(percentile(s, 90)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? 0) };
};

// ---- build, database, server ---------------------------------------------------------------------

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    // The generated Prisma client is rewritten by every `npm run bench` (prisma generate); the schema stands for it.
    if (entry.name === "generated" || entry.name === "node_modules") continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** `remix build` in place when build/ or public/build is missing or older than what goes into it. */
function ensureBuild(): void {
  const serverBuild = path.join(root, "build", "index.js");
  const sources = ["app", "jobs", "remix.config.js", "tailwind.config.ts", "tsconfig.json", "package-lock.json", path.join("prisma", "schema.prisma")];
  const newestSource = Math.max(...sources.map((s) => newestMtime(path.join(root, s))));
  const builtAt = fs.existsSync(serverBuild) && fs.existsSync(path.join(root, "public", "build")) ? fs.statSync(serverBuild).mtimeMs : 0;
  if (builtAt > 0 && builtAt >= newestSource) {
    console.log("build/ is up to date");
    return;
  }
  console.log(builtAt === 0 ? "build/ is missing: remix build…" : "build/ is older than the sources: remix build…");
  const result = spawnSync(binPath("remix"), ["build"], {
    cwd: root, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" }, shell: process.platform === "win32",
  });
  if (result.status !== 0) throw new Error(`remix build failed:\n${result.stdout}${result.stderr}`);
}

function migrate(): void {
  const result = spawnSync(binPath("prisma"), ["migrate", "deploy"], { cwd: root, encoding: "utf8", env: process.env, shell: process.platform === "win32" });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed:\n${result.stdout}${result.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

let server: ChildProcess | undefined;
let serverOutput = "";
const serverTimes = { bid: [] as number[], state: [] as number[] };

function stopServer(): Promise<void> {
  const child = server;
  agent.destroy(); // no idle keep-alive sockets: the server's close() can finish and the process exit by itself
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

let cleanedUp = false;
async function cleanup(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  await stopServer();
  fs.rmSync(work, { recursive: true, force: true });
}
// Last resort: never leave the server behind, whatever ends this process.
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  if (!cleanedUp) fs.rmSync(work, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- HTTP ----------------------------------------------------------------------------------------

const agent = new http.Agent({ keepAlive: true, maxSockets: BIDDERS * 2 + 16 });
let port = 0;

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  ms: number;
}

let resentOnReset = 0;

/**
 * One request. A keep-alive socket the server closed just as it was reused fails with ECONNRESET /
 * EPIPE before anything was processed (Node's documented pattern): sent again, at most twice — safe
 * for GETs, and for bids too, which carry their Idempotency-Key. The latency counts from the first send.
 */
async function call(method: "GET" | "POST", urlPath: string, options: { token?: string; body?: unknown; idempotencyKey?: string } = {}): Promise<Answer> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await send(method, urlPath, options);
      return { ...answer, ms: performance.now() - started };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 3 || !(error as { reusedSocket?: boolean }).reusedSocket || (code !== "ECONNRESET" && code !== "EPIPE")) throw error;
      resentOnReset += 1;
    }
  }
}

function send(method: "GET" | "POST", urlPath: string, options: { token?: string; body?: unknown; idempotencyKey?: string }): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  if (payload !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(payload));
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers, agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          // not JSON (a /healthz body, or an HTML error page): kept as text
        }
        resolve({ status: res.statusCode ?? 0, body, ms });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: no answer within 30 s`)));
    req.on("error", (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

async function startServer(): Promise<void> {
  port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ENV: "production",
    // 200 bidders at full speed are far above the default 120 requests a minute per token.
    API_RATE_LIMIT_PER_MINUTE: "100000000",
  };
  delete env.REDIS_URL;
  const serverBuild = path.join(root, "build", "index.js");
  // BENCH_CPU_PROF=<dir>: remix-serve's own script under `node --cpu-prof`; the V8 CPU profile is
  // written there when the server stops (to see what dominates the bid path).
  const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : null;
  server = profileDir
    ? spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, path.join(root, "node_modules", "@remix-run", "serve", "dist", "cli.js"), serverBuild], {
        cwd: root, env, stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn(binPath("remix-serve"), [serverBuild], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
  let partial = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    serverOutput += text;
    if (serverOutput.length > 400_000) serverOutput = serverOutput.slice(-200_000);
    // remix-serve logs every request (morgan "tiny": `POST /path 409 - - 33.040 ms`): the server's own
    // time from request to response, to tell waiting inside the server from waiting before it.
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^(GET|POST) (\S+) (\d{3}) .* ([\d.]+) ms$/.exec(line);
      if (m && m[2]!.startsWith("/api/v1/")) (m[1] === "POST" ? serverTimes.bid : serverTimes.state).push(Number(m[4]));
    }
  };
  server.stdout?.on("data", collect);
  server.stderr?.on("data", collect);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`the server exited (${server.exitCode ?? server.signalCode}) before answering /healthz:\n${serverOutput}`);
    const status = await call("GET", "/healthz").then((a) => a.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`GET /healthz did not answer 200 within 60 s (last ${status}):\n${serverOutput}`);
    await sleep(250);
  }
}

// ---- data ----------------------------------------------------------------------------------------

interface Setup {
  tenderId: string;
  lotId: string;
  tokens: string[];
  bidderKeys: string[];
}

async function prepareData(): Promise<Setup> {
  const t0 = performance.now();
  migrate();
  console.log(`data: migrate ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { seed } = await import("../prisma/seed");
  await seed();
  const { prisma } = await import("../app/infra/db.server");
  const { systemContext } = await import("../app/infra/audit.server");
  const { identityOf } = await import("../app/infra/auth.server");
  const { createApiToken } = await import("../app/services/identity/api-tokens.server");
  const { registerForTender, declareOfflineDeposit, confirmOfflineDeposit } = await import("../app/services/tenders/registration.server");
  const ctx = systemContext("bench-auction");
  const now = new Date();
  const withRoles = { roles: true, organization: true } as const;
  const officer = await prisma.user.findUniqueOrThrow({ where: { email: "officer@bank.example" } });
  const financeRow = await prisma.user.findUniqueOrThrow({ where: { email: "finance@bank.example" }, include: withRoles });
  const finance = { ...identityOf(financeRow), sessionId: "bench" };
  const bank = await prisma.organization.findFirstOrThrow({ where: { kind: "BANK" }, include: { branches: true } });

  // 200 bank staff, internal bidders on the payroll in an ordinary position: eligible under R3.
  const users = [];
  for (let i = 1; i <= BIDDERS; i++) {
    users.push(
      await prisma.user.create({
        data: {
          email: `bench-bidder-${i}@bank.example`, displayName: `压测竞买人${i}`, staffNumber: `BENCH${String(i).padStart(4, "0")}`,
          position: "客户经理", employmentStatus: "ON_PAYROLL", organizationId: bank.id, branchId: bank.branches[i % bank.branches.length]?.id ?? null,
          passwordHash: officer.passwordHash, roles: { create: [{ role: "internal_bidder" }] },
        },
        include: withRoles,
      }),
    );
  }

  // One published tender with one lot (rows, as test/fixtures/tenders.ts tenderWithLots): open now, the
  // close far away until the bidding starts (then set to start + CLOSE_AFTER_S).
  const later = new Date(now.getTime() + 3_600_000);
  const bundle = await prisma.bundle.create({
    data: { targetAmount: RESERVE_FEN, mode: "mixed", seed: 1, selection: "{}", settingsVersion: 1, quality: "{}", createdById: officer.id },
  });
  const tender = await prisma.tender.create({
    data: {
      number: `TND-${now.getUTCFullYear()}-901`, title: "压测竞标（bench/auction）", status: "PUBLISHED", audience: "BOTH",
      registrationOpensAt: new Date(now.getTime() - 86_400_000), registrationClosesAt: later, auctionStartsAt: new Date(now.getTime() - 60_000), auctionEndsAt: later,
      bidDeposit: DEPOSIT_FEN, incrementMinimum: 100_000n, incrementRate: "0.005", incrementRoundUpTo: 10_000n, antiSnipingMinutes: ANTI_SNIPING_MINUTES,
      contractTermMonths: 24, settingsVersion: 1, createdById: officer.id, publishedById: officer.id, publishedAt: new Date(now.getTime() - 60_000),
    },
  });
  const pkg = await prisma.package.create({
    data: {
      bundleId: bundle.id, draftIndex: 1, number: `PKG-${now.getUTCFullYear()}-9001`, status: "IN_TENDER", targetAmount: RESERVE_FEN, total: RESERVE_FEN,
      hardTotal: 0n, loanCount: 0, quality: "{}", createdById: officer.id,
    },
  });
  const lot = await prisma.tenderLot.create({
    data: { tenderId: tender.id, packageId: pkg.id, lotNumber: 1, reserve: RESERVE_FEN, startsAt: tender.auctionStartsAt, closesAt: later },
  });

  // Registration, a declared bank transfer and finance's confirmation (the receipt journal entry), and a token.
  const tokens: string[] = [];
  const bidderKeys: string[] = [];
  console.log(`data: seed + ${BIDDERS} users + tender rows ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const [i, row] of users.entries()) {
    const user = { ...identityOf(row), sessionId: "bench" };
    const { registration } = await registerForTender(ctx, user, tender.id, now);
    const deposit = await declareOfflineDeposit(ctx, user, tender.id, { method: "BANK_TRANSFER" }, now);
    await confirmOfflineDeposit(ctx, finance, deposit.id, { voucher_number: `BENCH-V-${i + 1}` }, now);
    tokens.push((await createApiToken(ctx, row.id, "bench-auction")).token);
    bidderKeys.push(registration.bidderKey);
  }
  await prisma.$disconnect();
  return { tenderId: tender.id, lotId: lot.id, tokens, bidderKeys };
}

// ---- load ----------------------------------------------------------------------------------------

/** Closed-loop GETs from `concurrency` workers for `seconds`: the machine's noise at this concurrency. */
async function baseline(concurrency: number, seconds: number, urlPath: (i: number) => string, token?: (i: number) => string | undefined) {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      while (performance.now() < end) {
        const a = await call("GET", urlPath(i), { token: token?.(i) }).catch(() => null);
        if (a?.status === 200) latencies.push(a.ms);
        else failures += 1;
      }
    }),
  );
  return { ...stats(latencies), perSecond: round(latencies.length / seconds), failures };
}

interface Accepted {
  bidder: number;
  key: string;
  bidId: string;
  amount: bigint;
}

async function bid(setup: Setup) {
  const bidPath = `/api/v1/tenders/${setup.tenderId}/lots/${setup.lotId}/bids`;
  const statePath = `/api/v1/tenders/${setup.tenderId}`;
  const bidLatencies: number[] = [];
  /** [seconds since the bidding started, latency ms] of every bid POST, to see when the slow ones were. */
  const bidTimeline: [number, number][] = [];
  const stateLatencies: number[] = [];
  const accepted: Accepted[] = [];
  const refusals = new Map<string, number>();
  const errors = new Map<string, number>();
  const violations: string[] = [];
  let requests = 0;
  let replays = 0;
  let pairs = 0;
  let leaderWaits = 0;
  let leader = -1;
  const events = new EventEmitter();
  events.setMaxListeners(BIDDERS + 10);
  let started = performance.now();
  let biddingStarted = started;
  let known: (string | null)[] = [];
  let stopped = false;
  const stop = () => stopped || (stopped = performance.now() - started >= SECONDS * 1000 || requests >= MAX_REQUESTS);
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  const post = async (i: number, amount: string, key: string): Promise<Answer> => {
    requests += 1;
    const started = performance.now();
    try {
      const a = await call("POST", bidPath, { token: setup.tokens[i], body: { amount }, idempotencyKey: key });
      bidLatencies.push(a.ms);
      bidTimeline.push([(started - biddingStarted) / 1000, a.ms]);
      return a;
    } catch (error) {
      // No answer (30 s) or a broken connection: a failure, with its time as the latency; the bidder goes on.
      const ms = performance.now() - started;
      bidLatencies.push(ms);
      return { status: 0, body: { error: { code: `client ${(error as { code?: string }).code ?? "no answer within 30 s"}` } }, ms };
    }
  };
  const readState = async (i: number) => {
    const started = performance.now();
    const a = await call("GET", statePath, { token: setup.tokens[i] }).catch((error: unknown): Answer => ({
      status: 0, body: { error: { code: `client ${(error as { code?: string }).code ?? "no answer within 30 s"}` } }, ms: performance.now() - started,
    }));
    stateLatencies.push(a.ms);
    if (a.status !== 200) {
      count(errors, `state ${a.status} ${a.body?.error?.code ?? ""}`.trim());
      return null;
    }
    const lot = a.body.lots?.[0];
    return lot?.state ? { nextMinimum: lot.state.next_minimum as string, leading: lot.state.my_status === "leading", open: lot.state.open as boolean } : null;
  };
  /** Someone else's acceptance (the live event a real bidder would get), the stop, or 1 s. */
  const waitForOutbid = (i: number) =>
    new Promise<void>((resolve) => {
      leaderWaits += 1;
      const done = () => {
        clearTimeout(timer);
        events.off("accepted", onAccepted);
        resolve();
      };
      const onAccepted = (by: number) => by !== i && done();
      const timer = setTimeout(done, Math.max(1, Math.min(1000, SECONDS * 1000 - (performance.now() - started))));
      events.on("accepted", onAccepted);
    });
  const checkReplay = (first: Answer, again: Answer, what: string) => {
    replays += 1;
    if (first.status === 201) {
      if (again.status !== 200 || again.body?.status !== "replayed" || again.body?.bid?.id !== first.body.bid.id) {
        violations.push(`${what}: an accepted bid's key sent again answered ${again.status} ${again.body?.status ?? again.body?.error?.code ?? ""} (expected 200 replayed, bid ${first.body.bid.id})`);
      }
    } else if (first.status >= 400 && first.status < 500 && again.status === 201) {
      violations.push(`${what}: the same key was refused (${first.status}) and accepted (201)`);
    }
  };
  const onAnswer = (i: number, a: Answer, key: string): "accepted" | "below_minimum" | "own_high_bid" | "closed" | "other" => {
    if (a.status === 201) {
      accepted.push({ bidder: i, key, bidId: a.body.bid.id, amount: fenOf(a.body.bid.amount) });
      leader = i;
      events.emit("accepted", i);
      return "accepted";
    }
    const code: string = a.body?.error?.code ?? `http ${a.status}`;
    if (a.status >= 500 || a.status === 0 || a.status === 429 || a.status === 401) count(errors, `bid ${a.status} ${code}`);
    else count(refusals, code.replace(/^auction\.(refused|bid)\./, ""));
    if (code === "auction.refused.below_minimum") return "below_minimum";
    if (code === "auction.refused.own_high_bid") return "own_high_bid";
    if (code === "auction.refused.closed") return "closed";
    return "other";
  };

  const bidder = async (i: number) => {
    let minimum: string | null = known[i] ?? null;
    // With a think time the bidders start spread over one think time, not all in the same instant.
    if (THINK_MS > 0) await sleep(Math.random() * Math.min(THINK_MS, SECONDS * 1000));
    while (!stop()) {
      if (leader === i) {
        await waitForOutbid(i);
        if (leader === i) minimum = null; // nobody else got in: look again
        continue;
      }
      if (minimum === null) {
        const state = await readState(i);
        if (!state) {
          await sleep(50);
          continue;
        }
        if (!state.open) break;
        if (state.leading) {
          leader = i;
          continue;
        }
        minimum = state.nextMinimum;
        if (stop()) break;
      }
      const key = crypto.randomUUID();
      let a: Answer;
      if (Math.random() < PAIR_RATE) {
        // The same request twice at once (a client retrying on a timeout): at most one bid.
        pairs += 1;
        const [x, y] = await Promise.all([post(i, minimum, key), post(i, minimum, key)]);
        const [first, second] = x.status === 201 ? [x, y] : [y, x];
        if (first.status === 201 && second.status === 201) violations.push(`pair: one key accepted twice (${first.body.bid.id}, ${second.body.bid.id})`);
        checkReplay(first, second, "pair");
        a = first;
      } else {
        a = await post(i, minimum, key);
      }
      const outcome = onAnswer(i, a, key);
      if (outcome === "accepted") {
        if (Math.random() < REPLAY_ACCEPTED_RATE) checkReplay(a, await post(i, minimum, key), "replay");
        minimum = a.body.next_minimum as string;
      } else if (outcome === "closed") {
        break;
      } else if (outcome === "own_high_bid") {
        leader = i;
        minimum = null;
      } else if (outcome === "below_minimum" && typeof a.body?.error?.details?.minimum === "string") {
        minimum = a.body.error.details.minimum as string; // the refusal says the new minimum
      } else {
        minimum = null; // busy, anything else: re-read the state
      }
      // People do not click in step: each pause is drawn from [0.5, 1.5] × the think time.
      if (THINK_MS > 0) await sleep(THINK_MS * (0.5 + Math.random()));
    }
  };
  // Warm-up, not measured as bids: every bidder has the lot open before it bids (its connection made,
  // the state read once, as the lot page does), so the window measures bidding, not 200 arrivals at once.
  known = await Promise.all(Array.from({ length: BIDDERS }, async (_, i) => (await readState(i))?.nextMinimum ?? null));
  started = performance.now();
  biddingStarted = started;
  await Promise.all(Array.from({ length: BIDDERS }, (_, i) => bidder(i)));
  const seconds = (performance.now() - started) / 1000;
  const slow = bidTimeline.filter(([, ms]) => ms > 100);
  if (slow.length) {
    const bySecond = new Map<number, number>();
    for (const [t] of slow) bySecond.set(Math.floor(t), (bySecond.get(Math.floor(t)) ?? 0) + 1);
    console.log(`  bid POSTs over 100 ms: ${slow.length}, by second of the bidding: ${[...bySecond].map(([sec, n]) => `${sec}s×${n}`).join(" ")}`);
  }
  return { seconds, requests, bidLatencies, stateLatencies, accepted, refusals, errors, violations, replays, pairs, leaderWaits };
}

// ---- run -----------------------------------------------------------------------------------------

async function main() {
  console.log(`auction bench: ${BIDDERS} bidders, ${SECONDS} s or ${MAX_REQUESTS.toLocaleString("en-US")} bid requests, work dir ${work}`);
  console.log(`mode: embedded (no REDIS_URL; the server's in-process job runner closes the lot)${redisIgnored ? " — REDIS_URL is set in this environment and was ignored" : ""}`);
  ensureBuild();
  const t = performance.now();
  const setup = await prepareData();
  console.log(`data: ${BIDDERS} staff bidders registered, deposits confirmed (ledger receipts), API tokens — ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await startServer();
  console.log(`server: remix-serve build/index.js on http://127.0.0.1:${port} (NODE_ENV=production, API_RATE_LIMIT_PER_MINUTE raised)`);

  const health = await baseline(BIDDERS, BASELINE_SECONDS, () => "/healthz");
  console.log(`baseline GET /healthz × ${BIDDERS} concurrent, ${BASELINE_SECONDS} s: ${health.perSecond}/s, p50 ${health.p50} ms, p99 ${health.p99} ms (failures ${health.failures})`);
  const stateBase = await baseline(BIDDERS, STATE_BASELINE_SECONDS, () => `/api/v1/tenders/${setup.tenderId}`, (i) => setup.tokens[i]);
  console.log(`baseline GET /api/v1/tenders/{id} (no bids yet) × ${BIDDERS}, ${STATE_BASELINE_SECONDS} s: ${stateBase.perSecond}/s, p50 ${stateBase.p50} ms, p99 ${stateBase.p99} ms (failures ${stateBase.failures})`);

  // The close: CLOSE_AFTER_S from now (the server has been running; bids extend it from here on).
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 5000");
  const closeAt = new Date(Date.now() + CLOSE_AFTER_S * 1000);
  db.prepare('UPDATE "TenderLot" SET "closesAt" = ? WHERE "id" = ?').run(sqliteDate(closeAt), setup.lotId);
  db.prepare('UPDATE "Tender" SET "auctionEndsAt" = ? WHERE "id" = ?').run(sqliteDate(closeAt), setup.tenderId);
  console.log(`bidding: lot closes at ${closeAt.toISOString()} (+${CLOSE_AFTER_S} s), anti-sniping window ${ANTI_SNIPING_MINUTES} min`);

  const run = await bid(setup);
  const bids = stats(run.bidLatencies);
  const states = stats(run.stateLatencies);
  // own_high_bid is a rule (the leader may not raise itself), not a lost race: counted on its own.
  const ownHighBid = run.refusals.get("own_high_bid") ?? 0;
  const rejected = [...run.refusals.values()].reduce((a, b) => a + b, 0) - ownHighBid;
  console.log(
    `bidding: ${run.seconds.toFixed(1)} s, ${run.requests} bid POSTs (${round(run.requests / run.seconds)}/s), ${run.accepted.length} accepted (${round(run.accepted.length / run.seconds, 2)}/s), ` +
      `${rejected} refused (${round(rejected / run.seconds)}/s) + ${ownHighBid} own_high_bid, ${run.stateLatencies.length} state GETs, ${run.replays} replay checks (${run.pairs} simultaneous pairs), ${run.leaderWaits} leader waits`,
  );
  console.log(`  refusals: ${JSON.stringify(Object.fromEntries(run.refusals))}${run.errors.size ? `; errors: ${JSON.stringify(Object.fromEntries(run.errors))}` : ""}`);
  if (resentOnReset) console.log(`  ${resentOnReset} request(s) sent again after a keep-alive socket was reset`);
  console.log(`  bid POST latency: p50 ${bids.p50} ms, p90 ${bids.p90} ms, p99 ${bids.p99} ms, max ${bids.max} ms`);
  console.log(`  state GET latency: p50 ${states.p50} ms, p90 ${states.p90} ms, p99 ${states.p99} ms, max ${states.max} ms`);

  // ---- the close --------------------------------------------------------------------------------
  const lotRow = () =>
    db.prepare('SELECT "status", "closesAt", "closedAt", "highBid", "highBidId", "highBidderKey", "bidCount" FROM "TenderLot" WHERE "id" = ?').get(setup.lotId) as {
      status: string; closesAt: string; closedAt: string | null; highBid: number | bigint | null; highBidId: string | null; highBidderKey: string | null; bidCount: number;
    };
  let lot = lotRow();
  const finalCloseMs = Date.parse(lot.closesAt);
  console.log(`close: final closesAt ${new Date(finalCloseMs).toISOString()} (${((finalCloseMs - Date.now()) / 1000).toFixed(1)} s from now); waiting for the winner…`);
  // Bounded: the close job should fire at closesAt; the sweeper (every 60 s) is the safety net.
  const waitUntil = Math.max(finalCloseMs, Date.now()) + 75_000;
  let observedMs: number | null = null;
  while (Date.now() < waitUntil) {
    lot = lotRow();
    if (lot.status !== "OPEN") {
      observedMs = Date.now();
      break;
    }
    await sleep(Date.now() < finalCloseMs - 500 ? 200 : 10);
  }
  const violations = [...run.violations];
  let closeToWinnerMs: number | null = null;
  let recordedMs: number | null = null;
  if (observedMs === null) {
    violations.push(`the lot did not close within 75 s of its closesAt (${lot.closesAt})`);
  } else {
    closeToWinnerMs = observedMs - finalCloseMs;
    recordedMs = lot.closedAt ? Date.parse(lot.closedAt) - finalCloseMs : null;
    if (Date.parse(lot.closesAt) !== finalCloseMs) violations.push(`the lot's closesAt moved after the bidding stopped (${new Date(finalCloseMs).toISOString()} → ${lot.closesAt})`);
    console.log(`close: ${lot.status}, closedAt − closesAt ${recordedMs} ms (the close's own clock), visible in the database ${closeToWinnerMs} ms after closesAt`);
  }
  db.close();
  await stopServer();
  const serverBid = stats(serverTimes.bid);
  const serverState = stats(serverTimes.state);
  console.log(
    `server's own time (its request log, request in → response out): bid POST p50 ${serverBid.p50} ms, p99 ${serverBid.p99} ms, max ${serverBid.max} ms (${serverBid.n}); ` +
      `GETs p50 ${serverState.p50} ms, p99 ${serverState.p99} ms, max ${serverState.max} ms (${serverState.n}, baselines included)`,
  );
  const serverErrors = serverOutput.split("\n").filter((l) => /\[api\].*failed|error/i.test(l) && !/"level":"(info|warn)"/.test(l));

  // ---- invariants, straight from the database ---------------------------------------------------
  const check = new Database(dbFile, { readonly: true });
  check.defaultSafeIntegers(true);
  type BidRow = { rowid: bigint; id: string; bidderKey: string; idempotencyKey: string; amount: bigint; placedAt: string };
  const byTime = check.prepare('SELECT rowid, "id", "bidderKey", "idempotencyKey", "amount", "placedAt" FROM "Bid" WHERE "lotId" = ? ORDER BY "placedAt", rowid').all(setup.lotId) as BidRow[];
  const byCommit = [...byTime].sort((a, b) => (a.rowid < b.rowid ? -1 : 1));
  const increasing = (rows: BidRow[], order: string) => {
    let bad = 0;
    let example = "";
    for (let k = 1; k < rows.length; k++) {
      if (rows[k]!.amount <= rows[k - 1]!.amount) {
        bad += 1;
        example ||= `${yuan(rows[k - 1]!.amount)} at ${rows[k - 1]!.placedAt} then ${yuan(rows[k]!.amount)} at ${rows[k]!.placedAt}`;
      }
    }
    if (bad) violations.push(`accepted amounts not strictly increasing in ${order} order: ${bad} time(s), e.g. ${example}`);
  };
  increasing(byTime, "placedAt");
  increasing(byCommit, "commit (rowid)");
  const dupKeys = check.prepare('SELECT "bidderKey", "idempotencyKey", COUNT(*) AS n FROM "Bid" GROUP BY 1, 2 HAVING n > 1').all() as unknown[];
  if (dupKeys.length) violations.push(`${dupKeys.length} (bidderKey, idempotencyKey) pair(s) stored more than once`);
  const clientKeys = new Map<string, number>();
  for (const a of run.accepted) clientKeys.set(a.key, (clientKeys.get(a.key) ?? 0) + 1);
  const twice = [...clientKeys.values()].filter((n) => n > 1).length;
  if (twice) violations.push(`${twice} idempotency key(s) answered 201 more than once`);
  if (byTime.length !== run.accepted.length) violations.push(`${byTime.length} Bid rows but ${run.accepted.length} answers 201`);
  const storedIds = new Set(byTime.map((b) => b.id));
  const missing = run.accepted.filter((a) => !storedIds.has(a.bidId)).length;
  if (missing) violations.push(`${missing} accepted bid(s) (201) not in the database`);

  const best = byTime.reduce<BidRow | null>((m, b) => (!m || b.amount > m.amount ? b : m), null);
  const award = check.prepare('SELECT "bidderKey", "price", "status" FROM "LotAward" WHERE "lotId" = ? AND "round" = 1').get(setup.lotId) as
    | { bidderKey: string; price: bigint; status: string }
    | undefined;
  const finalLot = check.prepare('SELECT "status", "highBid", "highBidId", "bidCount" FROM "TenderLot" WHERE "id" = ?').get(setup.lotId) as { status: string; highBid: bigint | null; highBidId: string | null; bidCount: bigint };
  if (!best) violations.push("no accepted bid at all");
  else {
    if (!award) violations.push(`no award for the lot (status ${finalLot.status})`);
    else if (award.bidderKey !== best.bidderKey || award.price !== best.amount) {
      violations.push(`winner ${award.bidderKey} at ${yuan(award.price)} ≠ highest accepted bid ${best.bidderKey} at ${yuan(best.amount)}`);
    }
    if (finalLot.highBidId !== best.id || finalLot.highBid !== best.amount) violations.push(`the lot's high bid ${finalLot.highBidId} ≠ the highest accepted bid ${best.id}`);
    const clientBest = run.accepted.reduce((m, a) => (a.amount > m ? a.amount : m), 0n);
    if (clientBest !== best.amount) violations.push(`highest 201 answer ${yuan(clientBest)} ≠ highest stored bid ${yuan(best.amount)}`);
  }
  if (Number(finalLot.bidCount) !== byTime.length) violations.push(`lot.bidCount ${finalLot.bidCount} ≠ ${byTime.length} Bid rows`);

  // Ledger (R10): every entry balanced, positive lines, and the 200 deposit receipts held.
  const unbalanced = check
    .prepare(
      `SELECT e."id", SUM(CASE WHEN l."side" = 'DEBIT' THEN l."amount" ELSE 0 END) AS debit, SUM(CASE WHEN l."side" = 'CREDIT' THEN l."amount" ELSE 0 END) AS credit, COUNT(l."id") AS lines
       FROM "JournalEntry" e LEFT JOIN "JournalLine" l ON l."entryId" = e."id" GROUP BY e."id" HAVING debit <> credit OR lines < 2`,
    )
    .all() as unknown[];
  if (unbalanced.length) violations.push(`${unbalanced.length} journal entr(y/ies) unbalanced or with fewer than 2 lines`);
  const totals = check.prepare(`SELECT COALESCE(SUM(CASE WHEN "side" = 'DEBIT' THEN "amount" END), 0) AS debit, COALESCE(SUM(CASE WHEN "side" = 'CREDIT' THEN "amount" END), 0) AS credit, SUM("amount" <= 0) AS nonPositive, COUNT(*) AS n FROM "JournalLine"`).get() as { debit: bigint; credit: bigint; nonPositive: bigint | null; n: bigint };
  if (totals.debit !== totals.credit) violations.push(`ledger: total debits ${yuan(totals.debit)} ≠ total credits ${yuan(totals.credit)}`);
  if (Number(totals.nonPositive ?? 0n) > 0) violations.push(`ledger: ${totals.nonPositive} line(s) with an amount ≤ 0`);
  const held = check
    .prepare(`SELECT COALESCE(SUM(CASE WHEN l."side" = 'CREDIT' THEN l."amount" ELSE -l."amount" END), 0) AS held FROM "JournalLine" l JOIN "LedgerAccount" a ON a."id" = l."accountId" WHERE a."type" = 'DEPOSIT_HELD'`)
    .get() as { held: bigint };
  const confirmed = check.prepare(`SELECT COUNT(*) AS n, SUM("receiptEntryId" IS NOT NULL) AS withEntry FROM "BidDeposit" WHERE "status" = 'CONFIRMED'`).get() as { n: bigint; withEntry: bigint };
  if (Number(confirmed.n) !== BIDDERS || Number(confirmed.withEntry) !== BIDDERS) violations.push(`${confirmed.n} confirmed deposits (${confirmed.withEntry} with a receipt entry), expected ${BIDDERS}`);
  if (held.held !== DEPOSIT_FEN * BigInt(BIDDERS)) violations.push(`deposit accounts hold ${yuan(held.held)}, expected ${yuan(DEPOSIT_FEN * BigInt(BIDDERS))}`);
  const auditRows = Number((check.prepare('SELECT COUNT(*) AS n FROM "AuditEntry"').get() as { n: bigint }).n);
  check.close();
  const { verifyAuditChain } = await import("../app/infra/audit.server");
  const chain = await verifyAuditChain();
  if (chain.broken) violations.push(`audit chain broken at ${chain.broken.id}: ${chain.broken.reason}`);
  const { prisma } = await import("../app/infra/db.server");
  await prisma.$disconnect();
  // Answers the server got wrong (5xx, 401, 429) are violations; requests that got no answer at all
  // (30 s, a broken connection) are counted on their own — their time is in the latencies already.
  let failedRequests = 0;
  const serverFailures: Record<string, number> = {};
  for (const [what, n] of run.errors) {
    if (/^(bid|state) 0 /.test(what)) failedRequests += n;
    else serverFailures[what] = n;
  }
  if (Object.keys(serverFailures).length) violations.push(`failed answers: ${JSON.stringify(serverFailures)}`);

  console.log(
    `invariants: ${byTime.length} bids from ${new Set(byTime.map((b) => b.bidderKey)).size} bidders (the close tells each of them), highest ${best ? yuan(best.amount) : "-"} by ${best?.bidderKey ?? "-"}, award ${award ? `${award.bidderKey} ${yuan(award.price)} ${award.status}` : "none"}; ` +
      `ledger ${totals.n} lines, debits = credits ${yuan(totals.debit)}, deposits held ${yuan(held.held)}; audit chain ${chain.checked} of ${auditRows} entries ${chain.broken ? "BROKEN" : "intact"}`,
  );
  if (serverErrors.length) console.log(`server log: ${serverErrors.length} error line(s), first: ${serverErrors[0]!.slice(0, 300)}`);
  console.log(violations.length ? `VIOLATIONS:\n  ${violations.join("\n  ")}` : "violations: none");
  await cleanup();

  const p99Ms = bids.p99;
  console.log(
    JSON.stringify({
      bidders: BIDDERS,
      seconds: round(run.seconds),
      requests: run.requests,
      accepted: run.accepted.length,
      rejected,
      acceptedPerSecond: round(run.accepted.length / run.seconds, 2),
      rejectedPerSecond: round(rejected / run.seconds, 1),
      p50Ms: bids.p50,
      p99Ms,
      baselineP50Ms: health.p50,
      baselineP99Ms: health.p99,
      stateP50Ms: states.p50,
      stateP99Ms: states.p99,
      ownHighBid,
      stateReads: run.stateLatencies.length,
      replays: run.replays,
      failedRequests,
      closeToWinnerMs,
      violations,
      mode: "embedded",
      ok: p99Ms < 100 && violations.length === 0 && closeToWinnerMs !== null && closeToWinnerMs < 2000,
    }),
  );
}

main().catch(async (error: unknown) => {
  console.error(error);
  if (serverOutput) console.error(`server output (last 3000 chars):\n${serverOutput.slice(-3000)}`);
  await cleanup();
  process.exit(1);
});
