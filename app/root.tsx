import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Form, Link, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration,
  isRouteErrorResponse, useLocation, useRouteError, useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, useState, type ReactNode } from "react";
import tailwindHref from "~/tailwind.css";
import { navFor } from "~/components/nav";
import { getUser } from "~/infra/auth.server";
import { defaultLocale, locales, translator, type Locale } from "~/infra/i18n";
import { popToast, readLocaleCookie, type Toast } from "~/infra/session.server";
import { unreadNotificationCount } from "~/services/tenders/notification-bell.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: tailwindHref },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "不良贷款清收交易平台 · NPL Collection Marketplace" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const locale: Locale = user?.locale ?? (await readLocaleCookie(request)) ?? defaultLocale;
  const { toast, setCookie } = await popToast(request);
  return data(
    {
      locale,
      toast,
      user: user && {
        id: user.id,
        displayName: user.displayName,
        email: user.email,
        roles: user.roles,
        organizationId: user.organizationId,
        organizationName: user.organizationName,
      },
      nav: user ? navFor(user) : [],
      unreadNotifications: user ? await unreadNotificationCount(user.id) : 0,
    },
    setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined,
  );
}

type RootData = Awaited<ReturnType<typeof loader>>["data"];

function Document({ locale, children }: { locale: Locale; children: ReactNode }) {
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900">
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

function LanguageSwitch({ locale }: { locale: Locale }) {
  const location = useLocation();
  const t = translator(locale);
  return (
    <Form method="post" action="/set-locale" className="flex items-center gap-1" data-testid="language-switch">
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      {locales.map((l) => (
        <button
          key={l}
          type="submit"
          name="locale"
          value={l}
          aria-pressed={l === locale}
          data-testid={`lang-${l}`}
          className={`rounded px-2 py-1 text-xs ${l === locale ? "bg-white/20 font-semibold" : "hover:bg-white/10"}`}
        >
          {t(`lang.${l}`)}
        </button>
      ))}
    </Form>
  );
}

function ToastMessage({ toast, locale }: { toast: Toast | null; locale: Locale }) {
  const [visible, setVisible] = useState<Toast | null>(toast);
  useEffect(() => {
    setVisible(toast);
    if (!toast) return;
    const timer = setTimeout(() => setVisible(null), 6000);
    return () => clearTimeout(timer);
  }, [toast]);
  if (!visible) return null;
  const t = translator(locale);
  const colour = { success: "bg-green-700", error: "bg-red-700", info: "bg-slate-800" }[visible.kind];
  return (
    <div role="status" data-testid="toast" className={`fixed right-4 top-16 z-50 rounded px-4 py-3 text-sm text-white shadow-lg ${colour}`}>
      {t(visible.key, visible.params)}
      <button type="button" onClick={() => setVisible(null)} className="ml-3 opacity-80 hover:opacity-100" aria-label={t("common.close")}>
        ×
      </button>
    </div>
  );
}

/** The bell: a link to /notifications with the number of unread ones. */
function NotificationBell({ unread, locale }: { unread: number; locale: Locale }) {
  const t = translator(locale);
  const label = unread > 0 ? t("liveLot.bell.unread", { count: unread }) : t("liveLot.bell.label");
  return (
    <Link to="/notifications" className="relative rounded p-1 hover:bg-white/10" data-testid="notification-bell" aria-label={label} title={label}>
      <svg viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={2} aria-hidden>
        <path strokeLinecap="round" strokeLinejoin="round" d="M15 17h5l-1.4-1.4A2 2 0 0 1 18 14.2V11a6 6 0 0 0-4-5.7V5a2 2 0 1 0-4 0v.3A6 6 0 0 0 6 11v3.2c0 .5-.2 1-.6 1.4L4 17h5m6 0v1a3 3 0 1 1-6 0v-1m6 0H9" />
      </svg>
      {unread > 0 ? (
        <span className="absolute -right-1 -top-1 min-w-[1.1rem] rounded-full bg-red-600 px-1 text-center text-[10px] font-semibold leading-4" data-testid="notification-count">
          {unread > 99 ? "99+" : unread}
        </span>
      ) : null}
    </Link>
  );
}

function Shell({ root, children }: { root: RootData; children: ReactNode }) {
  const t = translator(root.locale);
  return (
    <div className="flex min-h-screen flex-col">
      <header className="bg-blue-900 text-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-4 px-4 py-3">
          <Link to="/" className="font-semibold tracking-wide">
            {t("app.name")}
          </Link>
          <div className="flex items-center gap-4 text-sm">
            <LanguageSwitch locale={root.locale} />
            {root.user ? (
              <>
                <NotificationBell unread={root.unreadNotifications} locale={root.locale} />
                <span data-testid="current-user">
                  {root.user.displayName} · {root.user.organizationName}
                </span>
                <Form method="post" action="/logout">
                  <button type="submit" className="rounded border border-white/40 px-2 py-1 text-xs hover:bg-white/10" data-testid="logout">
                    {t("nav.logout")}
                  </button>
                </Form>
              </>
            ) : null}
          </div>
        </div>
        {root.user ? (
          <nav className="bg-blue-800" aria-label="main" data-testid="main-nav">
            <ul className="mx-auto flex max-w-7xl flex-wrap gap-1 px-4">
              {root.nav.map((item) => (
                <li key={item.testId}>
                  <NavLink
                    to={item.to}
                    end={item.to === "/"}
                    data-testid={item.testId}
                    className={({ isActive }) =>
                      `block px-3 py-2 text-sm ${isActive ? "bg-blue-950 font-semibold" : "hover:bg-blue-700"}`
                    }
                  >
                    {t(item.label)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      <ToastMessage toast={root.toast} locale={root.locale} />
      <main className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">{children}</main>
    </div>
  );
}

export default function App() {
  const root = useRouteLoaderData<typeof loader>("root")!;
  return (
    <Document locale={root.locale}>
      <Shell root={root}>
        <Outlet />
      </Shell>
    </Document>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const root = useRouteLoaderData<typeof loader>("root");
  const locale = root?.locale ?? defaultLocale;
  const t = translator(locale);
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const [errorId] = useState(() => Math.random().toString(36).slice(2, 10));
  const kind = status === 403 ? "403" : status === 404 ? "404" : "500";
  if (kind === "500" && typeof window === "undefined") console.error(errorId, error);
  const body = (
    <div className="mx-auto max-w-xl rounded border border-slate-200 bg-white p-8 text-center" data-testid={`error-${kind}`}>
      <p className="text-5xl font-bold text-slate-300">{status}</p>
      <h1 className="mt-4 text-xl font-semibold">{t(`error.${kind}.title`)}</h1>
      <p className="mt-2 text-slate-600">{t(`error.${kind}.body`, { id: errorId })}</p>
      <Link to="/" className="mt-6 inline-block text-blue-700 underline">
        {t("error.back")}
      </Link>
    </div>
  );
  return (
    <Document locale={locale}>
      {root ? <Shell root={root}>{body}</Shell> : <main className="p-8">{body}</main>}
    </Document>
  );
}
