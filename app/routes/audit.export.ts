import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/infra/auth.server";
import { auditCsv, auditFilterSchema } from "~/services/audit/audit-log.server";

/** CSV export of the audit log with the page's filters (auditors and admins). */
export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "audit:view");
  const filter = auditFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const encoder = new TextEncoder();
  const rows = auditCsv(filter);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
