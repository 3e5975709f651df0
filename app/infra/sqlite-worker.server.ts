import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { databaseFileFromUrl } from "./db/database-url";
import { getEnv } from "./env.server";

/**
 * A direct better-sqlite3 connection that lives in a worker thread, for bulk writes: the caller
 * prepares rows on the main thread while the worker runs the statements on the other core (the
 * loan-tape import: encrypting and masking 100,000 loans overlaps with inserting them). One
 * transaction at a time, driven by begin / query / run / runPacked / commit / rollback.
 *
 * Rows for runPacked travel as one UTF-8 buffer per batch (PackedRows: values separated by U+0000,
 * NULL as U+0002), transferred rather than copied — far cheaper than passing arrays or strings
 * between threads; numbers and bigints go as their decimal text and SQLite's column affinity stores
 * them as integers (INTEGER/NUMERIC columns). The caller guarantees its text holds neither
 * character (the tape refuses control characters). runPacked does not wait for the worker: at most
 * `maxInFlight` batches are queued, and the first error fails the next call.
 *
 * The worker's script is plain CommonJS evaluated as a string, so it runs the same under the dev
 * server, the tests and the production build; better-sqlite3 is required by its resolved path.
 */

/** Between the values (and the rows) of a packed batch. */
export const SEPARATOR = "\u0000";
/** A NULL in a packed batch. */
export const NULL_MARK = "\u0002";
const maxInFlight = 8;

/** Batch buffers, reused: handed to the worker with a batch and handed back with its ack. */
const bufferSize = 1 << 20;
const freeBuffers: ArrayBuffer[] = [];
const takeBuffer = (): Buffer => {
  const free = freeBuffers.pop();
  return free ? Buffer.from(free) : Buffer.alloc(bufferSize);
};
const giveBack = (buffer: ArrayBuffer) => {
  if (buffer.byteLength === bufferSize && freeBuffers.length < 2 * maxInFlight) freeBuffers.push(buffer);
};

/**
 * Rows for runPacked, written straight into a UTF-8 buffer (no intermediate strings): values
 * separated by SEPARATOR, NULL as NULL_MARK, numbers and bigints as decimals, booleans as 1/0.
 * Text must not contain SEPARATOR or NULL_MARK (the tape refuses control characters); text other
 * than ASCII only in the declared utf8Columns.
 */
export class PackedRows {
  private buffer = takeBuffer();
  private length = 0;
  private values = 0;

  /** `utf8Columns`: the columns whose text may be other than ASCII (names, free text, JSON with them). */
  constructor(
    readonly width: number,
    readonly utf8Columns: readonly number[] = [],
  ) {}

  get rowCount(): number {
    return this.values / this.width;
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const bigger = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }

  add(value: string | number | bigint | boolean | null | undefined): this {
    this.room(typeof value === "string" ? value.length * 3 + 1 : 32);
    if (this.values > 0) this.buffer[this.length++] = 0x00;
    this.values += 1;
    if (value === null || value === undefined) this.buffer[this.length++] = 0x02;
    else if (typeof value === "string") this.length += this.buffer.write(value, this.length, "utf8");
    else if (typeof value === "boolean") this.buffer[this.length++] = value ? 0x31 : 0x30;
    else this.length += this.buffer.write(String(value), this.length, "latin1");
    return this;
  }

  /** The bytes so far (handed over, not copied), and a fresh start. */
  take(): Uint8Array<ArrayBuffer> {
    const bytes = new Uint8Array(this.buffer.buffer as ArrayBuffer, this.buffer.byteOffset, this.length);
    this.buffer = takeBuffer();
    this.length = 0;
    this.values = 0;
    return bytes;
  }
}

const workerSource = String.raw`
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file, { timeout: 5000 });
db.pragma("journal_mode = WAL");
db.pragma("foreign_keys = ON");
db.pragma("busy_timeout = 5000");
db.pragma("synchronous = NORMAL");
if (workerData.cacheKb) db.pragma("cache_size = -" + workerData.cacheKb);
const statements = new Map();
const prepared = (sql) => {
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.prepare(sql)));
  return statement;
};
let failed = null;
parentPort.on("message", (m) => {
  if (m.type === "runMany") {
    if (failed) return;
    try {
      const statement = prepared(m.sql);
      // Read as latin1 (one byte, one character: fast, and one-byte strings bind fast); only the
      // columns that may hold other than ASCII are decoded as UTF-8, value by value.
      const values = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength).toString("latin1").split("\u0000");
      const width = m.width;
      const utf8 = m.utf8Columns;
      if (values.length % width !== 0) throw new Error("a packed batch of " + values.length + " values is not rows of " + width);
      const row = new Array(width);
      for (let at = 0; at < values.length; at += width) {
        for (let k = 0; k < width; k++) {
          const v = values[at + k];
          row[k] = v === "\u0002" ? null : v;
        }
        for (let u = 0; u < utf8.length; u++) {
          const v = row[utf8[u]];
          if (v !== null && /[\u0080-\u00ff]/.test(v)) row[utf8[u]] = Buffer.from(v, "latin1").toString("utf8");
        }
        statement.run(row);
      }
      // The bytes go back for the next batch (no new buffers, nothing for the collector).
      parentPort.postMessage({ type: "ack", bytes: m.bytes }, [m.bytes.buffer]);
    } catch (error) {
      failed = String((error && error.message) || error);
      parentPort.postMessage({ type: "ack", error: failed });
    }
    return;
  }
  try {
    let result = null;
    if (m.type === "begin") {
      failed = null;
      db.exec("BEGIN IMMEDIATE");
    } else if (m.type === "query") {
      const statement = db.prepare(m.sql);
      if (m.safeIntegers) statement.safeIntegers(true);
      result = statement.all(...(m.params || []));
    } else if (m.type === "run") {
      if (failed) throw new Error(failed);
      result = prepared(m.sql).run(...(m.params || [])).changes;
    } else if (m.type === "commit") {
      if (failed) throw new Error(failed);
      db.exec("COMMIT");
    } else if (m.type === "rollback") {
      if (db.inTransaction) db.exec("ROLLBACK");
    } else if (m.type === "close") {
      if (db.inTransaction) db.exec("ROLLBACK");
      db.close();
    }
    parentPort.postMessage({ type: "reply", id: m.id, result });
  } catch (error) {
    try {
      if (m.type === "commit" && db.inTransaction) db.exec("ROLLBACK");
    } catch {}
    parentPort.postMessage({ type: "reply", id: m.id, error: String((error && error.message) || error) });
  }
});
`;

type Reply = { type: "reply"; id: number; result?: unknown; error?: string } | { type: "ack"; error?: string; bytes?: Uint8Array<ArrayBuffer> };


export type Value = string | number | bigint | boolean | null;

let resolvedDriver: string | undefined;
const driverPath = () => (resolvedDriver ??= createRequire(import.meta.url).resolve("better-sqlite3"));

export class SqliteWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private failure: string | null = null;
  private exited = false;

  /** Opens the product's database (DATABASE_URL) in a new worker thread. */
  constructor(options: { cacheKb?: number } = {}) {
    this.worker = new Worker(workerSource, {
      eval: true,
      workerData: { file: databaseFileFromUrl(getEnv().databaseUrl), betterSqlite3: driverPath(), cacheKb: options.cacheKb ?? 0 },
    });
    this.worker.on("message", (message: Reply) => {
      if (message.type === "ack") {
        this.inFlight -= 1;
        if (message.bytes) giveBack(message.bytes.buffer);
        if (message.error && !this.failure) this.failure = message.error;
        if (this.inFlight < maxInFlight / 2) {
          const resume = this.drained;
          this.drained = null;
          resume?.();
        }
        return;
      }
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    const fail = (error: Error) => {
      this.failure ??= error.message;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
      const resume = this.drained;
      this.drained = null;
      resume?.();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", () => {
      this.exited = true;
      fail(new Error("the database worker stopped"));
    });
  }

  private call<T>(message: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new Error("the database worker stopped"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  begin(): Promise<void> {
    return this.call({ type: "begin" });
  }

  query<T>(sql: string, params: Value[] = [], options: { safeIntegers?: boolean } = {}): Promise<T[]> {
    return this.call({ type: "query", sql, params, safeIntegers: options.safeIntegers ?? false });
  }

  /** One statement, waiting for it (after every runPacked batch before it); resolves to the number of rows changed. */
  async run(sql: string, params: Value[] = []): Promise<number> {
    this.throwIfFailed();
    return this.call({ type: "run", sql, params });
  }

  /**
   * Runs one statement per packed row without waiting for the worker, beyond `maxInFlight` queued
   * batches. The rows' bytes are transferred to the worker (not copied) and the PackedRows reset.
   */
  async runPacked(sql: string, rows: PackedRows): Promise<void> {
    this.throwIfFailed();
    if (rows.rowCount === 0) return;
    if (!Number.isInteger(rows.rowCount)) throw new Error(`a packed batch for ${sql.slice(0, 40)}… has a partial row`);
    const width = rows.width;
    const bytes = rows.take();
    // The batch buffers have their own ArrayBuffer (Buffer.alloc, not the shared pool): safe to transfer.
    this.worker.postMessage({ type: "runMany", sql, width, utf8Columns: rows.utf8Columns, bytes }, [bytes.buffer]);
    this.inFlight += 1;
    if (this.inFlight >= maxInFlight) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
      this.throwIfFailed();
    }
  }

  /** Commits (after every batch ran); rejects — and rolls back — if any statement failed. */
  commit(): Promise<void> {
    return this.call({ type: "commit" });
  }

  rollback(): Promise<void> {
    return this.call({ type: "rollback" });
  }

  /** Rolls back an open transaction, closes the connection and ends the thread. */
  async close(): Promise<void> {
    if (!this.exited) {
      try {
        await this.call({ type: "close" });
      } catch {
        // the thread is ending anyway
      }
    }
    await this.worker.terminate();
  }

  private throwIfFailed(): void {
    if (this.failure) throw new Error(this.failure);
  }
}
