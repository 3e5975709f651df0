import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseFileFromUrl } from "./database-url";

type AdapterFactory = InstanceType<typeof PrismaBetterSQLite3>;
type Adapter = Awaited<ReturnType<AdapterFactory["connect"]>>;

/** Set on every connection: concurrent readers during writes, enforced relations, and waiting (not failing) on a busy writer. */
const connectionPragmas = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";

/**
 * Interactive transactions start with BEGIN IMMEDIATE instead of the adapter's deferred BEGIN. With a
 * second process writing the same file (the BullMQ worker beside the web server), a deferred
 * transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT ("database is
 * locked") whenever the other process committed in between; busy_timeout cannot help it. Taking the
 * write lock at the start makes the second writer wait (busy_timeout) instead. Within one process the
 * adapter already runs one transaction at a time, so nothing is lost.
 */
function beginImmediate(adapter: Adapter): void {
  const client = (adapter as unknown as { client?: { prepare: (sql: string) => unknown } }).client;
  if (!client || typeof client.prepare !== "function") throw new Error("sqlite adapter: no better-sqlite3 client to start immediate transactions on");
  const prepare = client.prepare.bind(client);
  client.prepare = (sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql);
}

/**
 * The better-sqlite3 driver adapter for a `file:` URL, used by the runtime client and by the
 * Prisma CLI (prisma.config.ts) alike so both see the same file with the same settings.
 */
export function createSqliteAdapter(databaseUrl: string): AdapterFactory {
  const file = databaseFileFromUrl(databaseUrl);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const factory = new PrismaBetterSQLite3({ url: file, timeout: 5000 });

  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    await adapter.executeScript(connectionPragmas);
    beginImmediate(adapter);
    return adapter;
  };

  // The schema engine replays migrations onto the shadow database with `executeRaw`, which
  // better-sqlite3 refuses for multi-statement scripts (P3006 "External error" in `migrate dev`) and for
  // comment-only ones (an empty migration). Send argument-less SQL to `executeScript` there instead;
  // the shadow database is thrown away, so the affected-row count does not matter.
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => {
    const shadow: Adapter = await connectToShadowDb();
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (query) => {
      if (query.args.length === 0) {
        await shadow.executeScript(query.sql);
        return 0;
      }
      return executeRaw(query);
    };
    return shadow;
  };
  return factory;
}
