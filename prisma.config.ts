import path from "node:path";
import { defineConfig } from "prisma/config";
import { defaultDatabaseUrl } from "./app/infra/db/database-url";
import { createSqliteAdapter } from "./app/infra/db/sqlite-adapter";

// Prisma skips .env loading when a config file exists: the product reads real environment variables only.
process.env.DATABASE_URL ??= defaultDatabaseUrl;
process.env.CHECKPOINT_DISABLE ??= "1";

// JS engines only (no native engine download, works air-gapped): see ../shared/stack/prisma-offline.md.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  async adapter() {
    return createSqliteAdapter(process.env.DATABASE_URL!);
  },
});
