import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { FormError, type ActionFormState } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle } from "~/components/page";
import { requireUser } from "~/infra/auth.server";
import { formatDateTime } from "~/infra/i18n";
import { markReadFormSchema, safeNotificationLink } from "~/services/tenders/notification-bell.server";
import { listNotifications, markRead } from "~/services/tenders/notifications.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const unreadOnly = new URL(request.url).searchParams.get("unread") === "1";
  const { items, unread } = await listNotifications(user, { unreadOnly, take: 100 });
  return {
    unread,
    unreadOnly,
    items: items.map((n) => ({ id: n.id, text: n.text, link: safeNotificationLink(n.link), createdAt: n.createdAt, read: n.readAt !== null })),
  };
}

type Answer = ActionFormState & { changed?: number };

/** Marks the reader's own notifications read: one (`intent=read`, `id`) or all (`intent=all`). */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = markReadFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const formError = issue?.path[0] === "intent" || !issue ? "form.invalidChoice" : issue.message;
    return data<Answer>({ formError }, { status: 400 });
  }
  const changed = parsed.data.intent === "all" ? await markRead(user, { all: true }) : await markRead(user, { ids: [parsed.data.id] });
  return data<Answer>({ changed });
}

export default function NotificationsPage() {
  const { items, unread, unreadOnly } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const [params] = useSearchParams();
  const tab = (only: boolean) =>
    `rounded px-3 py-1 text-sm ${only === unreadOnly ? "bg-blue-900 text-white" : "text-blue-700 hover:bg-blue-50"}`;
  const allHref = (() => {
    const p = new URLSearchParams(params);
    p.delete("unread");
    const q = p.toString();
    return q ? `?${q}` : "/notifications";
  })();
  return (
    <div>
      <PageTitle
        actions={
          unread > 0 ? (
            <Form method="post">
              <input type="hidden" name="intent" value="all" />
              <button type="submit" className="rounded border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50" data-testid="mark-all-read">
                {t("liveLot.notifications.markAll")}
              </button>
            </Form>
          ) : null
        }
      >
        {t("liveLot.notifications.title")}
      </PageTitle>
      <FormError state={answer} />
      <div className="mb-4 flex items-center gap-2">
        <Link to={allHref} className={tab(false)} data-testid="notifications-all">{t("liveLot.notifications.filterAll")}</Link>
        <Link to="?unread=1" className={tab(true)} data-testid="notifications-unread">
          {t("liveLot.notifications.filterUnread", { count: unread })}
        </Link>
      </div>
      <Card>
        {items.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="notifications-empty">
            {t(unreadOnly ? "liveLot.notifications.emptyUnread" : "liveLot.notifications.empty")}
          </p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {items.map((n) => (
              <li key={n.id} data-testid="notification-row" data-read={n.read ? "true" : "false"} className={`flex items-start gap-4 py-3 ${n.read ? "" : "font-medium"}`}>
                <span className={`mt-1.5 inline-block h-2 w-2 flex-none rounded-full ${n.read ? "bg-transparent" : "bg-blue-600"}`} aria-hidden />
                <div className="flex-1">
                  <p className="text-sm" data-testid="notification-text">{n.text}</p>
                  <p className="mt-1 text-xs font-normal text-slate-500">
                    {formatDateTime(locale, n.createdAt)}
                    {n.read ? null : <span className="ml-2"><Badge tone="blue">{t("liveLot.notifications.unread")}</Badge></span>}
                  </p>
                </div>
                <div className="flex flex-none items-center gap-3 text-sm font-normal">
                  {n.link ? (
                    <Link to={n.link} className="text-blue-700 underline" data-testid="notification-link">{t("liveLot.notifications.open")}</Link>
                  ) : null}
                  {n.read ? null : (
                    <Form method="post">
                      <input type="hidden" name="intent" value="read" />
                      <input type="hidden" name="id" value={n.id} />
                      <button type="submit" className="text-slate-600 underline hover:text-slate-900" data-testid="mark-read">
                        {t("liveLot.notifications.markRead")}
                      </button>
                    </Form>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
