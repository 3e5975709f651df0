// One command from a fresh checkout to a running app:
// npm ci (when needed) → prisma generate → migrate deploy → seed → remix build → serve.
// Ctrl-C (SIGINT) or SIGTERM stops the server and exits with code 0.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { baseEnv, bin, ensureInstalled, prepareDatabase, root, run } from "./bootstrap.mjs";

const port = Number(process.env.PORT || 3000);
const env = baseEnv({ PORT: String(port), DATA_DIR: process.env.DATA_DIR || "./data" });

ensureInstalled();
prepareDatabase(env);
run(bin("remix"), ["build"], { env: { ...env, NODE_ENV: "production" }, name: "remix build" });

console.log(`\n▶ starting the server on port ${port}`);
const child = spawn(process.execPath, [path.join(root, "scripts", "serve.mjs")], {
  cwd: root,
  stdio: "inherit",
  env: { ...env, NODE_ENV: process.env.NODE_ENV || "production" },
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on("error", (error) => {
  console.error(`Could not start scripts/serve.mjs: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code) => {
  if (stopping) {
    console.log("\nServer stopped.");
    process.exit(0);
  }
  console.error(`\nThe server exited unexpectedly (code ${code ?? "signal"}).`);
  process.exit(code || 1);
});

/** GET /healthz without keep-alive (so a later shutdown is not held by an idle socket). */
function healthz() {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/healthz", agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

function demoAccounts() {
  const file = path.join(root, "prisma", "demo-accounts.json");
  if (!fs.existsSync(file)) return undefined;
  try {
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    // Either an array of { roleZh, roleEn, email } or { password, users: [...] }.
    const users = Array.isArray(data) ? data : Array.isArray(data?.users) ? data.users : [];
    const password = (!Array.isArray(data) && typeof data?.password === "string" && data.password) || "Demo@12345";
    return { password, users: users.filter((u) => u && typeof u.email === "string") };
  } catch (error) {
    console.warn(`(could not read prisma/demo-accounts.json: ${error.message})`);
    return undefined;
  }
}

/** Display width: CJK and full-width characters take two columns in a terminal. */
function width(text) {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}
const pad = (text, w) => text + " ".repeat(Math.max(0, w - width(text)));

function printBanner() {
  console.log(`\n  NPL marketplace is running: http://localhost:${port}\n`);
  const accounts = demoAccounts();
  if (!accounts || accounts.users.length === 0) return;
  const rows = accounts.users.map((u) => [String(u.roleZh ?? ""), String(u.roleEn ?? ""), u.email]);
  const header = ["角色", "Role", "Email"];
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells) => ("  " + cells.map((c, i) => pad(c, widths[i])).join("  ")).trimEnd();
  console.log(`  Demo accounts (password for all: ${accounts.password})`);
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log("\n  Press Ctrl-C to stop.\n");
}

const deadline = Date.now() + 60_000;
while (!stopping && child.exitCode === null) {
  if (await healthz()) {
    printBanner();
    break;
  }
  if (Date.now() > deadline) {
    console.warn(`\nThe server has not answered GET /healthz on port ${port} within 60 s; still waiting on it.`);
    break;
  }
  await new Promise((r) => setTimeout(r, 300));
}
