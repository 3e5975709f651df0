import fs from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import ExcelJS from "exceljs";

/**
 * Reads a stored loan tape as rows, streaming, so a 100,000-row file never sits in memory whole:
 * CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Excel on Chinese Windows writes; detected
 * when the bytes are not valid UTF-8), or the first sheet of an XLSX. Rows are numbered as the user
 * sees them in the spreadsheet (header = row 1). Cells are raw: text for CSV; text, numbers, Dates
 * (Excel date cells), booleans for XLSX (rich text and formula results as their text/result).
 */

export type TapeFormat = "csv" | "xlsx";

export interface TapeRow {
  /** The spreadsheet row number (header = 1). */
  row: number;
  /** Cell values, dense, from column A. */
  cells: unknown[];
}

export interface TapeReader extends AsyncIterable<TapeRow> {
  /** Share of the file's bytes read so far (0..1), for progress. */
  fraction(): number;
}

/** A file the reader cannot understand (broken ZIP, not a workbook, a CSV with a broken quote). */
export class TapeReadError extends Error {
  constructor(readonly code: "tape.file.unreadable" | "tape.file.noSheet", readonly detail: string) {
    super(`${code}: ${detail}`);
    this.name = "TapeReadError";
  }
}

/**
 * The CSV reader runs in a worker thread (the product's second core): it detects the encoding (UTF-8
 * when every byte sequence is valid UTF-8, else GB18030, a superset of GBK), guesses the delimiter
 * from the first line, and parses with csv-parse, while the main thread validates the rows it has
 * already received. Records travel in batches of 1,000 as one string (fields joined by U+0000,
 * records by U+0001, unless a field contains either) — far cheaper to pass between threads than
 * arrays of strings — with at most 8 batches in flight (the worker pauses until the main thread
 * catches up). Plain CommonJS evaluated as the worker's script, so it runs the same under the dev
 * server, the tests and the production build.
 */
const csvWorkerSource = String.raw`
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { Readable } = require("node:stream");
const { isUtf8 } = require("node:buffer");
const { parse } = require(workerData.csvParse);

async function isUtf8File(file) {
  let carry = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    // A multi-byte sequence cut by the chunk boundary is checked with the next chunk.
    let cut = bytes.length;
    let i = bytes.length - 1;
    while (i >= 0 && bytes.length - i <= 3 && (bytes[i] & 0xc0) === 0x80) i--;
    if (i >= 0 && bytes[i] >= 0xc0) {
      const need = bytes[i] >= 0xf0 ? 4 : bytes[i] >= 0xe0 ? 3 : 2;
      if (bytes.length - i < need) cut = i;
    }
    if (!isUtf8(bytes.subarray(0, cut))) return false;
    carry = Buffer.from(bytes.subarray(cut));
  }
  return carry.length === 0;
}

// Delimiters are ASCII bytes in UTF-8 and GB18030 alike (no GB18030 multi-byte sequence contains them).
function guessDelimiter(file) {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(64 * 1024);
    const length = fs.readSync(fd, head, 0, head.length, 0);
    let commas = 0, tabs = 0, semicolons = 0;
    for (let i = 0; i < length; i++) {
      const b = head[i];
      if (b === 0x0a || b === 0x0d) break;
      if (b === 0x2c) commas++;
      else if (b === 0x09) tabs++;
      else if (b === 0x3b) semicolons++;
    }
    if (tabs > commas && tabs >= semicolons) return "\t";
    if (semicolons > commas && semicolons > tabs) return ";";
    return ",";
  } finally {
    fs.closeSync(fd);
  }
}

async function* decoded(input, encoding) {
  // TextDecoder drops a leading BOM (GB18030 84 31 95 33) by default.
  const decoder = new TextDecoder(encoding);
  for await (const chunk of input) yield decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function main() {
  const file = workerData.file;
  const encoding = (await isUtf8File(file)) ? "utf-8" : "gb18030";
  const delimiter = guessDelimiter(file);
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  // Empty lines are kept (as one empty cell) so records keep the spreadsheet's row numbers.
  const options = { delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, readableHighWaterMark: 4096 };
  // UTF-8 bytes go to the parser as they are (it decodes them and drops a BOM); GB18030 is decoded first.
  const parser = (encoding === "utf-8" ? input : Readable.from(decoded(input, encoding))).pipe(parse(options));
  input.on("error", (error) => parser.destroy(error));
  let batch = [];
  let inFlight = 0;
  let paused = false;
  const flush = () => {
    if (batch.length === 0) return;
    let packable = true;
    for (const record of batch) {
      for (const field of record) {
        if (field.indexOf("\u0000") >= 0 || field.indexOf("\u0001") >= 0) packable = false;
      }
    }
    const bytes = input.bytesRead;
    if (packable) parentPort.postMessage({ packed: batch.map((record) => record.join("\u0000")).join("\u0001"), bytes });
    else parentPort.postMessage({ records: batch, bytes });
    batch = [];
    inFlight += 1;
    if (inFlight >= 8 && !paused) {
      paused = true;
      parser.pause();
    }
  };
  parentPort.on("message", (message) => {
    if (message !== "ack") return;
    inFlight -= 1;
    if (paused && inFlight < 4) {
      paused = false;
      parser.resume();
    }
  });
  parser.on("data", (record) => {
    batch.push(record);
    if (batch.length >= 1000) flush();
  });
  try {
    await new Promise((resolve, reject) => {
      parser.on("end", resolve);
      parser.on("error", reject);
    });
  } finally {
    // The records read before a broken line still count (their problems are reported with it).
    flush();
  }
  parentPort.postMessage({ done: true });
}

main().catch((error) => parentPort.postMessage({ error: String((error && error.message) || error).slice(0, 300) }));
`;

type CsvWorkerMessage = { packed: string; bytes: number } | { records: string[][]; bytes: number } | { done: true } | { error: string };

function readCsv(file: string): TapeReader {
  const size = Math.max(1, fs.statSync(file).size);
  let bytesRead = 0;
  return {
    fraction: () => Math.min(1, bytesRead / size),
    async *[Symbol.asyncIterator]() {
      const worker = new Worker(csvWorkerSource, { eval: true, workerData: { file, csvParse: csvParsePath() } });
      const inbox: CsvWorkerMessage[] = [];
      let wake: (() => void) | null = null;
      let exited = false;
      const notify = () => {
        const resume = wake;
        wake = null;
        resume?.();
      };
      worker.on("message", (message: CsvWorkerMessage) => {
        inbox.push(message);
        notify();
      });
      worker.on("error", (error) => {
        inbox.push({ error: error.message.slice(0, 300) });
        notify();
      });
      worker.on("exit", () => {
        exited = true;
        notify();
      });
      let row = 0;
      try {
        for (;;) {
          const message = inbox.shift();
          if (!message) {
            if (exited) throw new TapeReadError("tape.file.unreadable", "the CSV reader stopped");
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            continue;
          }
          if ("error" in message) throw new TapeReadError("tape.file.unreadable", message.error);
          if ("done" in message) return;
          bytesRead = message.bytes;
          const records = "packed" in message ? message.packed.split("\u0001").map((record) => record.split("\u0000")) : message.records;
          worker.postMessage("ack");
          for (const cells of records) {
            row += 1;
            yield { row, cells };
          }
        }
      } finally {
        void worker.terminate();
      }
    },
  };
}

let resolvedCsvParse: string | undefined;
/** csv-parse's CommonJS entry, for the worker's require(). */
function csvParsePath(): string {
  return (resolvedCsvParse ??= createRequire(import.meta.url).resolve("csv-parse"));
}

/** An exceljs cell value as a plain value: text, number, Date, boolean or null. */
export function plainCellValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value instanceof Date) return value;
  if (typeof value === "object") {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string; formula?: string; sharedFormula?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join("");
    if ("result" in v || v.formula !== undefined || v.sharedFormula !== undefined) return plainCellValue(v.result);
    if (v.text !== undefined) return plainCellValue(v.text);
    if (v.error) return null;
  }
  return String(value);
}

function readXlsx(file: string): TapeReader {
  const size = Math.max(1, fs.statSync(file).size);
  let bytesRead = 0;
  return {
    fraction: () => Math.min(1, bytesRead / size),
    async *[Symbol.asyncIterator]() {
      const input = fs.createReadStream(file);
      input.on("data", (chunk) => {
        bytesRead += chunk.length;
      });
      // Styles are needed: a date cell is a number whose format is a date format.
      const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: "emit", sharedStrings: "cache", styles: "cache", hyperlinks: "ignore", entries: "emit" });
      let sheets = 0;
      try {
        for await (const worksheet of workbook) {
          sheets += 1;
          for await (const row of worksheet) {
            const values = row.values as unknown[];
            const cells: unknown[] = [];
            // row.values is 1-based and sparse: cell A is values[1].
            for (let i = 1; i < values.length; i++) cells.push(plainCellValue(values[i]));
            yield { row: row.number, cells };
          }
          break; // the first sheet only
        }
      } catch (error) {
        if (error instanceof TapeReadError) throw error;
        throw new TapeReadError("tape.file.unreadable", error instanceof Error ? error.message.slice(0, 300) : String(error));
      } finally {
        input.destroy();
      }
      if (sheets === 0) throw new TapeReadError("tape.file.noSheet", "no worksheet");
    },
  };
}

export function readTape(file: string, format: TapeFormat): TapeReader {
  return format === "xlsx" ? readXlsx(file) : readCsv(file);
}
