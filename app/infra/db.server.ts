import { PrismaClient } from "./db/generated/client";
import { getEnv } from "./env.server";
import { createSqliteAdapter } from "./db/sqlite-adapter";

export type { Prisma } from "./db/generated/client";

declare global {
  // Kept across module reloads in development so one process holds one connection.
  var __prisma: PrismaClient | undefined;
}

export const prisma: PrismaClient = (globalThis.__prisma ??= new PrismaClient({
  adapter: createSqliteAdapter(getEnv().databaseUrl),
}));

export type Db = typeof prisma;
