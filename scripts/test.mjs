// The whole check, as CI runs it: npm ci (when needed) → prisma generate → tsc → eslint →
// vitest (unit + integration) → remix build → vitest e2e (Chromium).
// Ends with a line `N passed, N failed` (vitest tests over both runs) and a non-zero exit on any failure.
//
// CI=true: Redis (REDIS_URL or redis://127.0.0.1:6379) and Chromium are REQUIRED.
// Otherwise: no Chromium → e2e skipped with a warning; Redis passed to tests only when it answers.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { baseEnv, bin, ensureInstalled, generatePrismaClient, run } from "./bootstrap.mjs";

const ci = /^(1|true|yes)$/i.test(process.env.CI ?? "");
const defaultRedisUrl = "redis://127.0.0.1:6379";

/** Connects to Redis, sends PING (after AUTH when the URL has credentials), expects +PONG. */
function pingRedis(url, timeoutMs = 3000) {
  return new Promise((resolve) => {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      resolve({ ok: false, reason: `invalid URL ${url}` });
      return;
    }
    const secure = parsed.protocol === "rediss:";
    const host = parsed.hostname || "127.0.0.1";
    const port = Number(parsed.port || 6379);
    const socket = secure ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    let buffer = "";
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on(secure ? "secureConnect" : "connect", () => {
      let commands = "";
      const user = decodeURIComponent(parsed.username);
      const password = decodeURIComponent(parsed.password);
      if (password) commands += user ? `AUTH ${user} ${password}\r\n` : `AUTH ${password}\r\n`;
      socket.write(commands + "PING\r\n");
    });
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      if (buffer.includes("+PONG")) finish({ ok: true });
      else if (/^-/m.test(buffer)) finish({ ok: false, reason: buffer.trim().split("\r\n").find((l) => l.startsWith("-")) });
    });
    socket.on("error", (error) => finish({ ok: false, reason: error.message }));
    socket.on("close", () => finish({ ok: false, reason: "connection closed" }));
  });
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH, /usr/bin/chromium, then `which chromium` / `which chromium-browser`. */
function findChromium() {
  if (process.env.CHROMIUM_PATH) {
    return isExecutable(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  }
  if (isExecutable("/usr/bin/chromium")) return "/usr/bin/chromium";
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const found = execFileSync("which", [name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      if (found && isExecutable(found)) return found;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

// ---- prerequisites -------------------------------------------------------------------------------
const redisUrl = process.env.REDIS_URL || defaultRedisUrl;
const redis = await pingRedis(redisUrl);
const chromium = findChromium();

if (ci) {
  const problems = [];
  if (!redis.ok) {
    problems.push(
      `Redis is required under CI=true but ${redisUrl} did not answer PING (${redis.reason}). ` +
        "Start redis-server or set REDIS_URL.",
    );
  }
  if (!chromium) {
    problems.push(
      process.env.CHROMIUM_PATH
        ? `Chromium is required under CI=true but CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file.`
        : "Chromium is required under CI=true but was not found (CHROMIUM_PATH, /usr/bin/chromium, `which chromium`). " +
            "Install it (apt-get install -y chromium) or set CHROMIUM_PATH.",
    );
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(`✖ ${problem}`);
    process.exit(1);
  }
}

const testEnv = baseEnv({ NODE_ENV: "test" });
if (redis.ok) {
  testEnv.REDIS_URL = redisUrl;
  testEnv.TEST_REDIS_URL = redisUrl;
  console.log(`Redis: ${redisUrl} answers PING (REDIS_URL and TEST_REDIS_URL set for tests).`);
} else {
  delete testEnv.REDIS_URL;
  delete testEnv.TEST_REDIS_URL;
  console.warn(`⚠ Redis: ${redisUrl} did not answer (${redis.reason}); tests run without Redis.`);
}
if (chromium) {
  testEnv.CHROMIUM_PATH = chromium;
  console.log(`Chromium: ${chromium}`);
} else {
  console.warn(
    "⚠ Chromium was not found (CHROMIUM_PATH, /usr/bin/chromium, `which chromium`): the end-to-end tests will be SKIPPED.\n" +
      "  Install it (e.g. apt-get install -y chromium) or set CHROMIUM_PATH to run them.",
  );
}

// ---- steps ---------------------------------------------------------------------------------------
ensureInstalled();
generatePrismaClient(baseEnv());

const failedSteps = [];
const step = (name, cmd, args, env = baseEnv()) => {
  const code = run(cmd, args, { env, name, allowFailure: true });
  if (code !== 0) failedSteps.push(name);
  return code === 0;
};

step("typecheck (tsc --noEmit)", bin("tsc"), ["--noEmit"]);
step("lint (eslint --max-warnings 0 .)", bin("eslint"), ["--max-warnings", "0", "."]);

const totals = { passed: 0, failed: 0 };
const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "npl-test-report-"));

function vitest(name, extraArgs) {
  const outputFile = path.join(reportDir, `${name.replace(/\W+/g, "-")}.json`);
  const ok = step(
    name,
    bin("vitest"),
    ["run", ...extraArgs, "--reporter=default", "--reporter=json", `--outputFile=${outputFile}`],
    testEnv,
  );
  try {
    const report = JSON.parse(fs.readFileSync(outputFile, "utf8"));
    totals.passed += Number(report.numPassedTests ?? 0);
    totals.failed += Number(report.numFailedTests ?? 0);
    const brokenFiles = Array.isArray(report.testResults)
      ? report.testResults.filter((file) => file?.status === "failed").length
      : 0;
    if (brokenFiles > 0) console.error(`  ${brokenFiles} test file(s) failed in ${name}.`);
  } catch {
    console.error(`  ${name}: no JSON report at ${outputFile} (vitest did not get to run the tests).`);
    if (ok) failedSteps.push(`${name} (no report)`);
  }
}

vitest("unit + integration tests (vitest)", []);
const built = step("build (remix build)", bin("remix"), ["build"], baseEnv({ NODE_ENV: "production" }));
let e2eSkipped = false;
if (!chromium) {
  e2eSkipped = true;
} else if (!built) {
  e2eSkipped = true;
  console.error("✖ end-to-end tests not run: the build failed.");
} else {
  vitest("end-to-end tests (vitest e2e)", ["--config", "vitest.e2e.config.ts"]);
}

fs.rmSync(reportDir, { recursive: true, force: true });

console.log("");
if (e2eSkipped && !chromium) console.warn("⚠ end-to-end tests SKIPPED: Chromium not found.");
if (failedSteps.length > 0) console.error(`✖ failed: ${failedSteps.join("; ")}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(failedSteps.length > 0 || totals.failed > 0 ? 1 : 0);
