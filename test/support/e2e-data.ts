// Arranging data for the e2e journeys on the server's own database and through its API: a bearer token
// for a seeded user, JSON calls, an approved package of untouched demo loans, China-time form values.
import crypto from "node:crypto";
import Database from "better-sqlite3";
import { expect } from "vitest";
import { baseUrl, databaseFile } from "./browser";

const sqliteDateTime = (date: Date) => date.toISOString().replace(/Z$/, "+00:00");

export function withDb<T>(work: (db: Database.Database) => T): T {
  const db = new Database(databaseFile());
  db.pragma("busy_timeout = 5000");
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** A bearer token for a seeded user (the row the account page would make). */
export function apiToken(email: string): string {
  const token = `npl_${crypto.randomBytes(32).toString("base64url")}`;
  withDb((db) => {
    const user = db.prepare('SELECT id FROM "User" WHERE email = ?').get(email) as { id: string };
    db.prepare('INSERT INTO "ApiToken" ("id", "userId", "name", "prefix", "tokenHash", "createdAt") VALUES (?, ?, ?, ?, ?, ?)').run(
      `e2e-token-${crypto.randomUUID()}`, user.id, "e2e", token.slice(0, 8), crypto.createHash("sha256").update(token, "utf8").digest("hex"), sqliteDateTime(new Date()),
    );
  });
  return token;
}

export async function api(token: string, path: string, body?: unknown): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(`${baseUrl()}/api/v1${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const json = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Three priced demo loans that are in the book and in no package, bundled, submitted and approved through the API. */
export async function approvedPackage(): Promise<{ id: string; number: string; total: bigint }> {
  const loans = withDb((db) =>
    db.prepare(
      `SELECT "loanNumber", "price" FROM "Loan" WHERE "status" = 'IN_BOOK' AND "price" IS NOT NULL AND "litigation" = 'none' AND "writtenOff" = 0
         AND "id" NOT IN (SELECT "loanId" FROM "PackageLoan") ORDER BY "loanNumber" DESC LIMIT 3`,
    ).all() as { loanNumber: string; price: bigint | number }[],
  );
  expect(loans).toHaveLength(3);
  const total = loans.reduce((sum, l) => sum + BigInt(l.price), 0n);
  const target = `${total / 100n}.${String(total % 100n).padStart(2, "0")}`;
  const numbers = loans.map((l) => l.loanNumber);
  const officer = apiToken("officer@bank.example");
  const saved = await api(officer, "/packages", { loan_numbers: numbers, target_amount: target, mode: "mixed", packages: [{ loan_numbers: numbers }] });
  const id = saved.packages[0].id as string;
  await api(officer, `/packages/${id}/submit`);
  const approved = await api(apiToken("approver@bank.example"), `/packages/${id}/approve`, { comment: "同意" });
  return { id, number: approved.number as string, total };
}

/** A datetime-local value in China time, to the minute. */
export function chinaLocal(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3_600_000);
  return shifted.toISOString().slice(0, 16);
}

export const yuan = (fen: bigint) => `${fen / 100n}.${String(fen % 100n).padStart(2, "0")}`;


