import { z } from "zod";
import { prisma } from "~/infra/db.server";

/** The bell in the header: how many of the user's notifications are unread (one count on the (userId, readAt) rows). */
export async function unreadNotificationCount(userId: string): Promise<number> {
  return prisma.notification.count({ where: { userId, readAt: null } });
}

/** The /notifications page's forms: mark one (`intent=read`, `id`) or all (`intent=all`) read. */
export const markReadFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("read"), id: z.string().trim().min(1, "liveLot.notifications.idMissing").max(100, "liveLot.notifications.idMissing") }),
  z.object({ intent: z.literal("all") }),
]);
export type MarkReadForm = z.infer<typeof markReadFormSchema>;

/** Only a link inside the app is followed (a stored link is a path such as /tenders/{id}). */
export function safeNotificationLink(link: string | null): string | null {
  return link && link.startsWith("/") && !link.startsWith("//") ? link : null;
}
