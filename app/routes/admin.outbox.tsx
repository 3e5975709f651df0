import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { requirePermission } from "~/infra/auth.server";
import { formatDateTime } from "~/infra/i18n";
import { listOutbox } from "~/services/email/outbox.server";

const pageSize = 50;

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "users:manage");
  const page = Math.max(1, Number(new URL(request.url).searchParams.get("page") ?? "1") || 1);
  const [total, messages] = await listOutbox(page, pageSize);
  return { page, total, pages: Math.max(1, Math.ceil(total / pageSize)), messages, smtpConfigured: Boolean(process.env.SMTP_URL) };
}

const tone = { SENT: "green", STORED: "blue", PENDING: "amber", FAILED: "red" } as const;

export default function Outbox() {
  const t = useT();
  const locale = useLocale();
  const { messages, page, pages, total, smtpConfigured } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle>{t("outbox.title")}</PageTitle>
      <p className="mb-4 text-sm text-slate-600">{smtpConfigured ? t("outbox.smtp") : t("outbox.noSmtp")}</p>
      <Card>
        <Table testId="outbox-table" head={[t("outbox.createdAt"), t("outbox.to"), t("outbox.subject"), t("outbox.status")]}>
          {messages.map((m) => (
            <tr key={m.id}>
              <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, m.createdAt)}</td>
              <td className={cell}>{m.to} <span className="text-xs text-slate-400">{m.locale}</span></td>
              <td className={cell}>
                <details>
                  <summary className="cursor-pointer">{m.subject}</summary>
                  <pre className="mt-2 whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs">{m.text}</pre>
                </details>
              </td>
              <td className={cell}>
                <Badge tone={tone[m.status as keyof typeof tone] ?? "slate"}>{t(`outbox.status.${m.status}` as "outbox.status.SENT")}</Badge>
                {m.error ? <p className="mt-1 text-xs text-red-700">{m.error}</p> : null}
              </td>
            </tr>
          ))}
        </Table>
        {messages.length === 0 ? <p className="py-4 text-sm text-slate-500">{t("outbox.none")}</p> : null}
        <Pager page={page} pages={pages} total={total} />
      </Card>
    </>
  );
}
