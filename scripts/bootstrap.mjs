// Shared helpers for scripts/start.mjs and scripts/test.mjs.
// Node built-ins ONLY: this module runs before node_modules exists.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const isWindows = process.platform === "win32";
export const defaultDatabaseUrl = "file:./data/npl.db";

/** Absolute path of a binary installed in node_modules/.bin. */
export function bin(name) {
  return path.join(root, "node_modules", ".bin", isWindows ? `${name}.cmd` : name);
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function formatMs(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The environment every step runs with (CHECKPOINT_DISABLE so the Prisma CLI never phones home). */
export function baseEnv(extra = {}) {
  return {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    DATABASE_URL: process.env.DATABASE_URL || defaultDatabaseUrl,
    ...extra,
  };
}

/**
 * Runs a command synchronously with inherited stdio. Prints the step name and its elapsed time.
 * On failure (non-zero exit, signal or spawn error) exits this process with the child's code.
 * Options: { env, name, allowFailure } — with allowFailure the status is returned instead of exiting.
 */
export function run(cmd, args = [], { env, name, allowFailure = false } = {}) {
  const label = name ?? [path.basename(cmd), ...args].join(" ");
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: env ?? baseEnv(),
    shell: isWindows,
  });
  const elapsed = formatMs(Date.now() - started);
  if (result.error) {
    console.error(`✖ ${label}: could not start (${result.error.message}) after ${elapsed}`);
    if (allowFailure) return 1;
    process.exit(1);
  }
  const code = result.status ?? (result.signal ? 1 : 0);
  if (code !== 0) {
    console.error(`✖ ${label} failed (${result.signal ? `signal ${result.signal}` : `exit code ${code}`}) after ${elapsed}`);
    if (allowFailure) return code;
    process.exit(code);
  }
  console.log(`✔ ${label} (${elapsed})`);
  return 0;
}

/** Installs dependencies when node_modules is missing or older than package.json / package-lock.json. */
export function ensureInstalled() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  const pkg = path.join(root, "package.json");
  const installedAt = mtime(marker);
  const newest = Math.max(mtime(lock) ?? 0, mtime(pkg) ?? 0);
  if (installedAt !== undefined && installedAt >= newest) return;
  const npm = isWindows ? "npm.cmd" : "npm";
  const reason = installedAt === undefined ? "node_modules is missing" : "package.json/package-lock.json changed";
  console.log(`Installing dependencies (${reason})…`);
  if (fs.existsSync(lock)) run(npm, ["ci"], { name: "npm ci" });
  else run(npm, ["install"], { name: "npm install" });
}

/** `prisma generate`: the client lives in app/infra/db/generated (gitignored). */
export function generatePrismaClient(env = baseEnv()) {
  run(bin("prisma"), ["generate"], { env, name: "prisma generate" });
}

/** Creates the directory of a file: DATABASE_URL and the DATA_DIR. */
export function ensureDataDirs(env = baseEnv()) {
  const url = env.DATABASE_URL || defaultDatabaseUrl;
  const withoutScheme = url.startsWith("file:") ? url.slice("file:".length) : url;
  const dbFile = path.resolve(root, withoutScheme.split("?")[0]);
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  fs.mkdirSync(path.resolve(root, env.DATA_DIR || "data"), { recursive: true });
  return dbFile;
}

/** prisma generate → data dir → prisma migrate deploy → seed (idempotent). */
export function prepareDatabase(env = baseEnv()) {
  generatePrismaClient(env);
  ensureDataDirs(env);
  run(bin("prisma"), ["migrate", "deploy"], { env, name: "prisma migrate deploy" });
  run(bin("tsx"), ["prisma/seed.ts"], { env, name: "seed (tsx prisma/seed.ts)" });
}
