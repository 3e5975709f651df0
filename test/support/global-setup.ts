// Vitest globalSetup (unit + integration): migrates a template SQLite database ONCE per run.
// Each worker copies it (test/support/worker-db.ts), so no test ever runs `migrate deploy` itself.
//
// Tests/setup files get the template path with `inject("templateDb")` (also in
// process.env.NPL_TEST_TEMPLATE_DB, which the worker processes inherit) and the run's temp directory
// with `inject("testTmpDir")` (process.env.NPL_TEST_TMP_DIR).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute path of the migrated, empty template database of this run. */
    templateDb: string;
    /** The run's temp directory (worker databases and data dirs live under it). */
    testTmpDir: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export default function setup(project: TestProject): () => void {
  const dir = path.join(os.tmpdir(), `npl-test-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const templateDb = path.join(dir, "template.db");

  const prisma = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "prisma.cmd" : "prisma");
  const result = spawnSync(prisma, ["migrate", "deploy"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: `file:${templateDb}`, CHECKPOINT_DISABLE: "1" },
    shell: process.platform === "win32",
  });
  if (result.status !== 0 || !fs.existsSync(templateDb)) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `prisma migrate deploy of the test template database failed (exit ${result.status ?? result.signal}):\n` +
        `${result.error?.message ?? ""}${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  }

  project.provide("templateDb", templateDb);
  project.provide("testTmpDir", dir);
  process.env.NPL_TEST_TEMPLATE_DB = templateDb;
  process.env.NPL_TEST_TMP_DIR = dir;

  return () => {
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
