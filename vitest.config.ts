import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

// Unit + integration tests. Each worker process gets its own SQLite file, copied from a template that
// test/support/global-setup.ts migrates once per run (see test/support/worker-db.ts).
export default defineConfig({
  resolve: {
    alias: { "~": path.join(root, "app") },
  },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts", "app/**/*.test.ts"],
    exclude: ["test/e2e/**", "**/node_modules/**", "build/**", "public/build/**"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/worker-db.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
