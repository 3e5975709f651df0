import { checkEntry, isDepositAccount, normalSide, reversalLines, type Account, type AccountType, type Line } from "~/domain/ledger";
import { toYuanString, type Fen } from "~/domain/money";
import { UserError } from "~/domain/errors";
import { appendAudit, type AuditContext, type Tx } from "./audit.server";
import { prisma } from "./db.server";

/**
 * The ledger's storage: accounts, immutable entries and lines (triggers refuse edits), balances
 * derived from the lines. Every posting is checked by the domain rules and audited in the same
 * transaction; callers compose postings into their own transaction with the `…In(tx)` forms.
 */

export interface AccountOwner {
  type: AccountType;
  ownerOrganizationId?: string | null;
  ownerUserId?: string | null;
  /** An account per thing rather than per owner, e.g. "contract:<id>" for a contract's performance deposit. */
  scope?: string;
}

/** The unique key of an owner's account of a type (look an account up without creating it). */
export const accountKey = (o: AccountOwner) =>
  `${o.type}:${o.scope ?? (o.ownerUserId ? `user:${o.ownerUserId}` : o.ownerOrganizationId ? `org:${o.ownerOrganizationId}` : "bank")}`;

export async function ensureAccount(tx: Tx, owner: AccountOwner) {
  const key = accountKey(owner);
  return tx.ledgerAccount.upsert({
    where: { key },
    create: { key, type: owner.type, ownerOrganizationId: owner.ownerOrganizationId ?? null, ownerUserId: owner.ownerUserId ?? null },
    update: {},
  });
}

/** Balance in the account's normal direction, from its lines. */
export async function balanceIn(tx: Tx, accountId: string): Promise<Fen> {
  const account = await tx.ledgerAccount.findUniqueOrThrow({ where: { id: accountId } });
  const sums = await tx.journalLine.groupBy({ by: ["side"], where: { accountId }, _sum: { amount: true } });
  const debit = sums.find((s) => s.side === "DEBIT")?._sum.amount ?? 0n;
  const credit = sums.find((s) => s.side === "CREDIT")?._sum.amount ?? 0n;
  return normalSide[account.type as AccountType] === "DEBIT" ? debit - credit : credit - debit;
}

export function balance(accountId: string): Promise<Fen> {
  return prisma.$transaction((tx) => balanceIn(tx, accountId));
}

export interface PostingInput {
  description: string;
  sourceType: string;
  sourceId: string;
  lines: Line[];
}

export async function postEntryIn(tx: Tx, context: AuditContext, input: PostingInput, reversesId?: string) {
  const ids = [...new Set(input.lines.map((l) => l.accountId))];
  const rows = await tx.ledgerAccount.findMany({ where: { id: { in: ids } } });
  const accounts = new Map<string, Account>(rows.map((r) => [r.id, { id: r.id, type: r.type as AccountType }]));
  const balances = new Map<string, Fen>();
  // Only a deposit's balance can refuse an entry (R10), so only those are read: postings to receivables
  // and income do not pay for a scan of their history.
  for (const id of ids) if (accounts.has(id) && isDepositAccount(accounts.get(id)!.type)) balances.set(id, await balanceIn(tx, id));
  const problem = checkEntry(input.lines, accounts, balances);
  if (problem) {
    const params = Object.fromEntries(
      Object.entries(problem).filter(([k]) => k !== "code").map(([k, v]) => [k, typeof v === "bigint" ? toYuanString(v) : String(v)]),
    );
    throw new UserError(problem.code, { params, status: 422 });
  }
  const entry = await tx.journalEntry.create({
    data: {
      description: input.description,
      sourceType: input.sourceType,
      sourceId: input.sourceId,
      reversesId: reversesId ?? null,
      lines: { create: input.lines.map((l) => ({ accountId: l.accountId, side: l.side, amount: l.amount })) },
    },
  });
  await appendAudit(tx, context, {
    action: reversesId ? "ledger.reverse" : "ledger.post",
    entityType: "JournalEntry",
    entityId: entry.id,
    after: {
      description: input.description, source: `${input.sourceType}:${input.sourceId}`, reverses: reversesId ?? null,
      lines: input.lines.map((l) => ({ account: l.accountId, side: l.side, amount: toYuanString(l.amount) })),
    },
  });
  return entry;
}

export function postEntry(context: AuditContext, input: PostingInput) {
  return prisma.$transaction((tx) => postEntryIn(tx, context, input));
}

/** A correction: a new entry with every line's side swapped, pointing at the original (once). */
export async function reverseEntryIn(tx: Tx, context: AuditContext, entryId: string, reason: string) {
  const original = await tx.journalEntry.findUnique({ where: { id: entryId }, include: { lines: true, reversedBy: true } });
  if (!original) throw new UserError("ledger.unknownEntry", { status: 404 });
  if (original.reversedBy) throw new UserError("ledger.alreadyReversed", { status: 409 });
  const lines = reversalLines(original.lines.map((l) => ({ accountId: l.accountId, side: l.side as Line["side"], amount: l.amount })));
  return postEntryIn(tx, context, { description: reason, sourceType: original.sourceType, sourceId: original.sourceId, lines }, entryId);
}

export function reverseEntry(context: AuditContext, entryId: string, reason: string) {
  return prisma.$transaction((tx) => reverseEntryIn(tx, context, entryId, reason));
}
