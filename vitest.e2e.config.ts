import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

// End-to-end tests: one production server (build/ must exist) for all files, started by
// test/support/e2e-server.ts on a fresh, seeded database; files run one after another.
export default defineConfig({
  resolve: {
    alias: { "~": path.join(root, "app") },
  },
  test: {
    environment: "node",
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/support/e2e-server.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A page answers in well under a second, but a loaded CI machine (Chromium, server, worker on 2 cores) can take several.
    expect: { poll: { timeout: 15_000 } },
  },
});
