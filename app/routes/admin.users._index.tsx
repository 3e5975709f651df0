import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { requirePermission } from "~/infra/auth.server";
import { formatDateTime } from "~/infra/i18n";
import { listUsers } from "~/services/identity/users.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "users:manage");
  const url = new URL(request.url);
  const q = url.searchParams.get("q") ?? "";
  const page = Number(url.searchParams.get("page") ?? "1") || 1;
  return { q, now: new Date(), ...(await listUsers({ q, page })) };
}

export default function Users() {
  const t = useT();
  const locale = useLocale();
  const { users, q, page, pages, total, now } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle actions={<Link to="/admin/users/new" className="rounded bg-blue-700 px-4 py-2 text-sm text-white" data-testid="new-user">{t("users.new")}</Link>}>
        {t("users.title")}
      </PageTitle>
      <Card>
        <Form method="get" className="mb-4 flex gap-2">
          <input name="q" defaultValue={q} placeholder={t("users.search")} aria-label={t("users.search")} className="flex-1 rounded border border-slate-300 px-3 py-2 text-sm" />
          <button type="submit" className="rounded border border-slate-300 px-4 py-2 text-sm">{t("common.search")}</button>
        </Form>
        <Table testId="users-table" head={[t("users.displayName"), t("users.email"), t("users.organization"), t("users.roles"), t("users.status"), ""]}>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-row-${u.email}`}>
              <td className={cell}>{u.displayName}{u.staffNumber ? <span className="text-slate-400"> · {u.staffNumber}</span> : null}</td>
              <td className={cell}>{u.email}</td>
              <td className={cell}>{u.organization.name}{u.branch ? ` · ${u.branch.name}` : ""}</td>
              <td className={cell}>{u.roles.map((r) => t(`role.${r.role}` as "role.admin")).join("、")}</td>
              <td className={cell}>
                {u.disabledAt ? <Badge tone="red">{t("users.disabled")}</Badge> : <Badge tone="green">{t("users.active")}</Badge>}{" "}
                {u.lockedUntil && new Date(u.lockedUntil) > new Date(now) ? <Badge tone="amber">{t("users.locked", { time: formatDateTime(locale, u.lockedUntil) })}</Badge> : null}
              </td>
              <td className={cell}><Link to={`/admin/users/${u.id}`} className="text-blue-700 hover:underline">{t("users.edit")}</Link></td>
            </tr>
          ))}
        </Table>
        {users.length === 0 ? <p className="py-4 text-sm text-slate-500">{t("users.none")}</p> : null}
        <Pager page={page} pages={pages} total={total} />
      </Card>
    </>
  );
}
