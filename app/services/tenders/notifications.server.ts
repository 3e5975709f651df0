import type { Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { can } from "~/domain/access";
import { prisma } from "~/infra/db.server";
import { isMessageKey, translator, type Locale, type MessageKey, type Params } from "~/infra/i18n";

/**
 * In-app notifications (the bell): a message key and its parameters, rendered in the reader's
 * language when read. Written inside the caller's transaction, so a notification exists only when
 * the change it tells of committed.
 */

export interface NotificationView {
  id: string;
  messageKey: string;
  params: Params;
  /** The message in the reader's language. */
  text: string;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

/** One notification per user (duplicates in `userIds` count once). */
export async function notify(tx: Tx, userIds: readonly string[], messageKey: MessageKey, params: Params = {}, link: string | null = null): Promise<number> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return 0;
  const result = await tx.notification.createMany({
    data: unique.map((userId) => ({ userId, messageKey, params: JSON.stringify(params), link })),
  });
  return result.count;
}

/**
 * The users who act for a bidder key: `user:<id>` → that user; `org:<id>` → every enabled user of
 * the agency who may bid. With their email and language, for emails.
 */
export async function usersOfBidder(db: Tx, bidderKey: string): Promise<{ id: string; email: string; locale: string }[]> {
  const [kind, id] = splitBidderKey(bidderKey);
  const users = await db.user.findMany({
    where: kind === "user" ? { id, disabledAt: null } : { organizationId: id, disabledAt: null },
    select: { id: true, email: true, locale: true, roles: { select: { role: true } } },
    orderBy: { email: "asc" },
  });
  return users
    .filter((u) => kind === "user" || can(u.roles.map((r) => r.role), "tenders:bid"))
    .map(({ id: userId, email, locale }) => ({ id: userId, email, locale }));
}

/** `user:<id>` | `org:<id>` → its parts. */
export function splitBidderKey(bidderKey: string): ["user" | "org", string] {
  const separator = bidderKey.indexOf(":");
  const kind = bidderKey.slice(0, separator);
  if (separator < 1 || (kind !== "user" && kind !== "org")) throw new RangeError(`not a bidder key: ${bidderKey}`);
  return [kind, bidderKey.slice(separator + 1)];
}

function parseParams(text: string): Params {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Params) : {};
  } catch {
    return {};
  }
}

export function renderNotification(locale: Locale, row: { messageKey: string; params: string }): string {
  const t = translator(locale);
  return isMessageKey(row.messageKey) ? t(row.messageKey, parseParams(row.params)) : row.messageKey;
}

/** The reader's notifications, newest first, rendered in their language. */
export async function listNotifications(
  user: Pick<AuthUser, "id" | "locale">,
  options: { unreadOnly?: boolean; take?: number } = {},
): Promise<{ items: NotificationView[]; unread: number }> {
  const take = Math.min(Math.max(options.take ?? 50, 1), 200);
  const [rows, unread] = await Promise.all([
    prisma.notification.findMany({
      where: { userId: user.id, ...(options.unreadOnly ? { readAt: null } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
    }),
    prisma.notification.count({ where: { userId: user.id, readAt: null } }),
  ]);
  return {
    unread,
    items: rows.map((r) => ({
      id: r.id, messageKey: r.messageKey, params: parseParams(r.params), text: renderNotification(user.locale, r),
      link: r.link, createdAt: r.createdAt, readAt: r.readAt,
    })),
  };
}

/** Marks the reader's own notifications read (others' ids are ignored): some, or all. Returns how many changed. */
export async function markRead(user: Pick<AuthUser, "id">, input: { ids?: readonly string[]; all?: boolean }, now = new Date()): Promise<number> {
  if (!input.all && (!input.ids || input.ids.length === 0)) return 0;
  const result = await prisma.notification.updateMany({
    where: { userId: user.id, readAt: null, ...(input.all ? {} : { id: { in: [...(input.ids ?? [])] } }) },
    data: { readAt: now },
  });
  return result.count;
}
