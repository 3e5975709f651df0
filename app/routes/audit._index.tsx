import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { requirePermission } from "~/infra/auth.server";
import { formatDateTime } from "~/infra/i18n";
import { auditFilterSchema, searchAuditLog } from "~/services/audit/audit-log.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "audit:view");
  const filter = auditFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { filter, ...(await searchAuditLog(filter)) };
}

function Change({ before, after }: { before: string | null; after: string | null }) {
  if (!before && !after) return <span className="text-slate-400">—</span>;
  return (
    <details>
      <summary className="cursor-pointer text-blue-700">{(after ?? before ?? "").slice(0, 40)}…</summary>
      {before ? <pre className="mt-1 whitespace-pre-wrap break-all rounded bg-red-50 p-1 text-xs">{before}</pre> : null}
      {after ? <pre className="mt-1 whitespace-pre-wrap break-all rounded bg-green-50 p-1 text-xs">{after}</pre> : null}
    </details>
  );
}

export default function AuditLog() {
  const t = useT();
  const locale = useLocale();
  const { filter, entries, total, pages, actions, entityTypes } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const exportParams = new URLSearchParams(params);
  exportParams.delete("page");
  const input = "rounded border border-slate-300 px-2 py-1 text-sm";
  return (
    <>
      <PageTitle
        actions={
          <a href={`/audit/export?${exportParams.toString()}`} className="rounded border border-slate-300 bg-white px-4 py-2 text-sm" data-testid="audit-export" download>
            {t("audit.export")}
          </a>
        }
      >
        {t("audit.title")}
      </PageTitle>
      <Card>
        <Form method="get" className="mb-4 grid gap-2 md:grid-cols-7" data-testid="audit-filters">
          <input name="actor" defaultValue={filter.actor ?? ""} placeholder={t("audit.actor")} aria-label={t("audit.actor")} className={input} />
          <select name="action" defaultValue={filter.action ?? ""} aria-label={t("audit.action")} className={input}>
            <option value="">{t("audit.action")}: {t("common.all")}</option>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
          <select name="entityType" defaultValue={filter.entityType ?? ""} aria-label={t("audit.entity")} className={input}>
            <option value="">{t("audit.entity")}: {t("common.all")}</option>
            {entityTypes.map((e) => <option key={e} value={e}>{e}</option>)}
          </select>
          <input name="entityId" defaultValue={filter.entityId ?? ""} placeholder={t("audit.entityId")} aria-label={t("audit.entityId")} className={input} />
          <input type="date" name="from" defaultValue={filter.from ?? ""} aria-label={t("audit.from")} className={input} />
          <input type="date" name="to" defaultValue={filter.to ?? ""} aria-label={t("audit.to")} className={input} />
          <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-sm text-white">{t("common.search")}</button>
        </Form>
        <Table testId="audit-table" head={["#", t("audit.time"), t("audit.actor"), t("audit.action"), t("audit.entity"), t("audit.change"), t("audit.origin")]}>
          {entries.map((e) => (
            <tr key={e.id} data-testid={`audit-row-${e.id}`}>
              <td className={cell}>{e.id}</td>
              <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, e.at)}</td>
              <td className={cell}>{e.actorLabel ?? t(`audit.actorType.${e.actorType}` as "audit.actorType.SYSTEM")}</td>
              <td className={cell}><code>{e.action}</code></td>
              <td className={cell}>{e.entityType} <span className="text-xs text-slate-400">{e.entityId}</span></td>
              <td className={`${cell} max-w-xs`}><Change before={e.before} after={e.after} /></td>
              <td className={`${cell} text-xs text-slate-500`}>{e.ip ?? "—"}</td>
            </tr>
          ))}
        </Table>
        {entries.length === 0 ? <p className="py-4 text-sm text-slate-500">{t("audit.none")}</p> : null}
        <Pager page={filter.page} pages={pages} total={total} />
      </Card>
    </>
  );
}
