import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiUser } from "~/infra/api.server";
import { apiNotification, notificationListSchema, notificationsQuerySchema } from "~/services/api/openapi-tenders";
import { listNotifications } from "~/services/tenders/notifications.server";

/** GET /api/v1/notifications?unread_only=&take=: the token user's notifications, newest first, in their language. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  const query = notificationsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const list = await listNotifications(user, { unreadOnly: query.unread_only === "true", take: query.take });
  return apiJson(notificationListSchema.parse({ items: list.items.map(apiNotification), unread: list.unread }));
});
