import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requireUser } from "~/infra/auth.server";
import { downloadFile } from "~/services/loans/limitation.server";

/** RFC 6266: an ASCII fallback name and the exact UTF-8 name. */
function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7E]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * A stored file (interruption evidence), for those who may see it; each download is audited.
 * Unknown and invisible files are both a 404. The type is the sniffed one, with nosniff.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const file = await downloadFile(auditContextFor(request, user), user, params.fileId ?? "");
  if (!file) throw notFound();
  const viewable = ["application/pdf", "image/png", "image/jpeg"].includes(file.row.mimeType);
  return new Response(file.bytes, {
    headers: {
      "Content-Type": file.row.mimeType,
      "Content-Length": String(file.row.size),
      "Content-Disposition": contentDisposition(viewable ? "inline" : "attachment", file.row.originalName),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
