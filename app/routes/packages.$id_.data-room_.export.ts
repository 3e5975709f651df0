import type { LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { requireUser } from "~/infra/auth.server";
import { isMessageKey, translator } from "~/infra/i18n";
import { exportDataRoomXlsx } from "~/services/packages/data-room.server";

/** RFC 6266 / RFC 5987: an ASCII fallback name and the exact UTF-8 name. */
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7E]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The data room as an XLSX workbook: loans (always masked) and aggregates. The same access as the
 * data room itself (the service decides); every export is audit-logged.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const file = await exportDataRoomXlsx(auditContextFor(request, user), user, params.id ?? "");
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Length": String(file.bytes.length),
        "Content-Disposition": contentDisposition(file.fileName),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    if (error instanceof UserError) {
      const t = translator(user.locale);
      const text = isMessageKey(error.key) ? t(error.key, error.options.params) : error.key;
      return new Response(text, { status: error.status, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });
    }
    throw error;
  }
}
