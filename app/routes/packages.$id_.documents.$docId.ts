import type { LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { requireUser } from "~/infra/auth.server";
import { isMessageKey, translator } from "~/infra/i18n";
import { downloadDocument } from "~/services/packages/data-room.server";

/** RFC 6266 / RFC 5987: an ASCII fallback name and the exact UTF-8 name (Chinese file names survive). */
function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7E]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * A data-room document, for those who may open the package's data room (the department; a bidder
 * only while the package is in a tender it is eligible for, after the undertaking). Each download is
 * audited by the service. The type is the sniffed one, with nosniff.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const file = await downloadDocument(auditContextFor(request, user), user, params.id ?? "", params.docId ?? "");
    const viewable = ["application/pdf", "image/png", "image/jpeg"].includes(file.mimeType);
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        "Content-Type": file.mimeType,
        "Content-Length": String(file.bytes.length),
        "Content-Disposition": contentDisposition(viewable ? "inline" : "attachment", file.fileName),
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
