// `npm run bench -- loan-import [rows]`: the loan-tape import end to end on a 100,000-row CSV tape
// (submit: hash + store + record; process: stream, parse, validate every row, then encrypt, insert
// loans and their history and the audit entry in one transaction), against a baseline of raw
// better-sqlite3 inserts of the very same Loan rows (pre-built parameter arrays, one transaction)
// into a second fresh database. Goal (issue [LOANS]): under 30 s end to end, at least a quarter of
// the raw insert rate, peak RSS under 500 MB. The last line is one JSON object with "ok".
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { creditCodeCheckCharacter, residentIdCheckCharacter } from "../app/domain/identity-numbers";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rows = Number(process.argv[2] ?? 100_000);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "npl-bench-loan-import-"));
const importDb = path.join(work, "import.db");
const baselineDb = path.join(work, "baseline.db");

// The app reads these lazily: set them before any app module is imported.
process.env.DATABASE_URL = `file:${importDb}`;
process.env.DATA_DIR = path.join(work, "data");
process.env.SESSION_SECRET = "bench";
process.env.CHECKPOINT_DISABLE = "1";

const pad = (n: number, w: number) => String(n).padStart(w, "0");
const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

function migrate(file: string): void {
  const prisma = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "prisma.cmd" : "prisma");
  const result = spawnSync(prisma, ["migrate", "deploy"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: `file:${file}` },
    shell: process.platform === "win32",
  });
  if (result.status !== 0) throw new Error(`prisma migrate deploy failed:\n${result.stdout}${result.stderr}`);
}

// ---- a realistic tape -------------------------------------------------------------------------------

const surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
const given = ["建国", "秀英", "志强", "丽", "海涛", "敏", "小明", "桂兰", "伟", "春梅", "国华", "玉珍", "红", "军", "德胜"];
const companies = ["农机制造有限公司", "商贸有限公司", "建材有限公司", "食品加工厂", "纺织有限公司", "养殖专业合作社"];
const branches = [
  { code: "B001", name: "城关支行", region: "城关区" },
  { code: "B002", name: "东城支行", region: "城关区" },
  { code: "B003", name: "河西信用社", region: "河西县" },
  { code: "B004", name: "山南支行", region: "山南县" },
];
const fiveTiers = ["次级", "可疑", "损失", "关注"];
const termClasses = ["逾期", "呆滞", "呆账", ""];
const collaterals = ["信用", "保证", "抵押", "质押"];
const reasons = ["", "", "", "死亡", "破产", "担保人无力代偿", "", "终结执行", "", "触犯刑律"];
const header = ["贷款编号", "借款人", "借款人类型", "证件号码", "联系电话", "经办机构", "区域", "本金余额", "表内欠息", "表外欠息", "发放日期", "到期日期", "展期到期日", "最后还款日期", "最后时效中断日期", "五级分类", "四级分类", "表内外", "是否核销", "担保方式", "担保人", "诉讼状态", "清收难度", "难度原因", "信贷员"];

function residentId(i: number): string {
  const birth = `19${pad(50 + (i % 50), 2)}${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}`;
  const first17 = `${["110105", "620102", "620103", "622421"][i % 4]}${birth}${pad(i % 1000, 3)}`;
  return first17 + residentIdCheckCharacter(first17);
}

function creditCode(i: number): string {
  const first17 = `91620100MA${pad(i % 1_000_000, 6)}0`;
  return first17 + creditCodeCheckCharacter(first17);
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

function tapeRow(i: number): string[] {
  const corporate = i % 7 === 0;
  const branch = branches[i % branches.length]!;
  const year = 2008 + (i % 14);
  const month = 1 + (i % 12);
  const principal = 5_000 + ((i * 7_919) % 995_000);
  const collateral = collaterals[i % collaterals.length]!;
  const reason = reasons[i % reasons.length]!;
  const matures = `${year + 1 + (i % 3)}-${pad(month, 2)}-${pad(1 + (i % 28), 2)}`;
  return [
    `LN${pad(i, 9)}`,
    corporate ? `${branch.region}${companies[i % companies.length]}` : `${surnames[i % surnames.length]}${given[(i * 7) % given.length]}`,
    corporate ? "企业" : "个人",
    corporate ? creditCode(i) : residentId(i),
    i % 10 === 0 ? "" : `1${3 + (i % 7)}${pad((i * 104_729) % 1_000_000_000, 9)}`,
    i % 2 === 0 ? branch.code : branch.name,
    branch.region,
    i % 3 === 0 ? `¥${principal.toLocaleString("en-US")}.${pad(i % 100, 2)}` : `${principal}.${pad(i % 100, 2)}`,
    `${Math.floor(principal * 0.08)}.${pad((i * 3) % 100, 2)}`,
    i % 4 === 0 ? `${Math.floor(principal * 0.05)}` : "",
    `${year}-${pad(month, 2)}-${pad(1 + (i % 28), 2)}`,
    matures,
    i % 11 === 0 ? `${year + 5}/${month}/${1 + (i % 28)}` : "",
    i % 2 === 0 ? `${year + 2}年${month}月${1 + (i % 28)}日` : "",
    i % 5 === 0 ? "" : `${2022 + (i % 4)}-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 27), 2)}`,
    fiveTiers[i % fiveTiers.length]!,
    termClasses[i % termClasses.length]!,
    i % 9 === 0 ? "表外" : "表内",
    i % 9 === 0 ? "是" : "否",
    collateral,
    collateral === "保证" ? `${surnames[(i + 5) % surnames.length]}${given[(i + 3) % given.length]}` : "",
    reason === "终结执行" ? "终结执行" : i % 13 === 0 ? "诉讼中" : "无",
    i % 17 === 0 ? "收回难度大" : "",
    reason,
    `S${pad(1000 + (i % 300), 4)}`,
  ];
}

async function writeTape(file: string, count: number): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", resolve)));
  await write(`\uFEFF${header.join(",")}\r\n`);
  let chunk = "";
  for (let i = 1; i <= count; i++) {
    chunk += `${tapeRow(i).map(csvField).join(",")}\r\n`;
    if (i % 1000 === 0) {
      await write(chunk);
      chunk = "";
    }
  }
  if (chunk) await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

// ---- run ------------------------------------------------------------------------------------------

async function main() {
  console.log(`loan-import bench: ${rows.toLocaleString("en-US")} rows, work dir ${work}`);
  migrate(importDb);
  const { seed } = await import("../prisma/seed");
  const { prisma } = await import("../app/infra/db.server");
  await seed();
  const officer = await prisma.user.findUniqueOrThrow({ where: { email: "officer@bank.example" }, include: { roles: true } });

  const tapeFile = path.join(work, "tape.csv");
  let t = performance.now();
  await writeTape(tapeFile, rows);
  console.log(`generated ${mb(fs.statSync(tapeFile).size)} MB CSV in ${((performance.now() - t) / 1000).toFixed(2)} s`);

  // The job queue is not part of the measurement: submit records the job here and processLoanTape runs directly.
  const enqueued: unknown[] = [];
  (globalThis as { __jobQueue?: unknown }).__jobQueue = { enqueue: async (_def: unknown, payload: unknown) => (enqueued.push(payload), { id: "bench" }) };
  const { submitLoanTape, processLoanTape } = await import("../app/services/loans/import.server");
  const { systemContext, verifyAuditChain } = await import("../app/infra/audit.server");

  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const rssBefore = process.memoryUsage().rss;
  t = performance.now();
  const cpu0 = process.cpuUsage();
  let cpuValidated = cpu0;
  const user = { id: officer.id, roles: officer.roles.map((r) => r.role), locale: "zh-CN" as const };
  const { id } = await submitLoanTape(systemContext("bench"), user, { kind: "file", fileName: "bench-tape.csv", bytes: fs.readFileSync(tapeFile) });
  const submitted = performance.now();
  let validated = submitted;
  const result = await processLoanTape(id, {
    onPhase: (phase) => {
      if (phase === "validated") {
        validated = performance.now();
        cpuValidated = process.cpuUsage();
      }
    },
  });
  const cpuEnd = process.cpuUsage();
  const endToEnd = (performance.now() - t) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  if (result.status !== "imported" || result.created !== rows) {
    const tape = await prisma.loanTape.findUniqueOrThrow({ where: { id } });
    throw new Error(`the import did not succeed: ${JSON.stringify(result)} ${tape.errors.slice(0, 2000)}`);
  }
  const cpuSeconds = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => ((b.user - a.user + b.system - a.system) / 1e6).toFixed(2);
  console.log(
    `import: submit ${((submitted - t) / 1000).toFixed(2)} s, read+validate ${((validated - submitted) / 1000).toFixed(2)} s (cpu ${cpuSeconds(cpu0, cpuValidated)} s incl. submit), ` +
      `write ${(t / 1000 + endToEnd - validated / 1000).toFixed(2)} s (cpu ${cpuSeconds(cpuValidated, cpuEnd)} s), total ${endToEnd.toFixed(2)} s`,
  );
  const chain = await verifyAuditChain();
  if (chain.broken) throw new Error(`audit chain broken after the import: ${JSON.stringify(chain.broken)}`);
  await prisma.$disconnect();

  // Baseline: the same Loan rows, read back as parameter arrays, inserted raw into a second fresh database.
  migrate(baselineDb);
  const source = new Database(importDb, { readonly: true });
  const columns = (source.prepare('SELECT name FROM pragma_table_info(\'Loan\')').pluck().all() as string[]);
  const params = source.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM "Loan"`).raw(true).safeIntegers(true).all() as unknown[][];
  const orgAndBranches = {
    org: source.prepare('SELECT * FROM "Organization" WHERE "kind" = \'BANK\'').raw(true).all() as unknown[][],
    orgColumns: source.prepare('SELECT name FROM pragma_table_info(\'Organization\')').pluck().all() as string[],
    branches: source.prepare('SELECT * FROM "Branch"').raw(true).all() as unknown[][],
    branchColumns: source.prepare('SELECT name FROM pragma_table_info(\'Branch\')').pluck().all() as string[],
  };
  source.close();
  const target = new Database(baselineDb);
  target.pragma("journal_mode = WAL");
  target.pragma("synchronous = NORMAL");
  target.pragma("foreign_keys = ON");
  const insertAll = (table: string, cols: string[], values: unknown[][]) => {
    const statement = target.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`);
    for (const v of values) statement.run(v);
  };
  insertAll("Organization", orgAndBranches.orgColumns, orgAndBranches.org);
  insertAll("Branch", orgAndBranches.branchColumns, orgAndBranches.branches);
  const insertLoan = target.prepare(`INSERT INTO "Loan" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
  t = performance.now();
  const cpuBaseline = process.cpuUsage();
  target.exec("BEGIN IMMEDIATE");
  for (const p of params) insertLoan.run(p);
  target.exec("COMMIT");
  const baselineSeconds = (performance.now() - t) / 1000;
  const baselineCpu = cpuSeconds(cpuBaseline, process.cpuUsage());
  target.close();

  const rowsPerSecond = rows / endToEnd;
  const baselineRowsPerSecond = rows / baselineSeconds;
  const ratio = rowsPerSecond / baselineRowsPerSecond;
  const peakRssMb = mb(peakRss);
  console.log(`end to end: ${endToEnd.toFixed(2)} s, ${Math.round(rowsPerSecond).toLocaleString("en-US")} rows/s (RSS before ${mb(rssBefore)} MB, peak ${peakRssMb} MB)`);
  console.log(`baseline raw inserts: ${baselineSeconds.toFixed(2)} s (cpu ${baselineCpu} s), ${Math.round(baselineRowsPerSecond).toLocaleString("en-US")} rows/s`);
  console.log(`ratio: ${ratio.toFixed(3)} (goal ≥ 0.25)`);
  fs.rmSync(work, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      rows,
      endToEndSeconds: Math.round(endToEnd * 100) / 100,
      rowsPerSecond: Math.round(rowsPerSecond),
      baselineRowsPerSecond: Math.round(baselineRowsPerSecond),
      ratio: Math.round(ratio * 1000) / 1000,
      peakRssMb,
      ok: endToEnd < 30 && ratio >= 0.25 && peakRssMb < 500,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
