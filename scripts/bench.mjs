// `npm run bench -- NAME`: runs bench/NAME.ts (each benchmark prepares its own data, measures a
// baseline in the same run and prints one JSON line with its figures and "ok" last).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { bin, ensureInstalled, generatePrismaClient, root } from "./bootstrap.mjs";

const available = fs.existsSync(path.join(root, "bench"))
  ? fs.readdirSync(path.join(root, "bench")).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, "")).sort()
  : [];
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`${name ? `No benchmark named "${name}".` : "Name a benchmark: npm run bench -- NAME"} Available: ${available.length ? available.join(", ") : "none yet"}.`);
  process.exit(2);
}
ensureInstalled();
generatePrismaClient();
const result = spawnSync(bin("tsx"), [path.join("bench", `${name}.ts`), ...process.argv.slice(3)], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
