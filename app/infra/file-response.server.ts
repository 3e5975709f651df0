import { UserError } from "~/domain/errors";
import { isMessageKey, translator, type Locale } from "~/infra/i18n";

const viewableInline = ["application/pdf", "image/png", "image/jpeg"];

/** RFC 6266 / RFC 5987: an ASCII fallback name and the exact UTF-8 name (Chinese file names survive). */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7E]/g, "_").replace(/["\\]/g, "_");
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * A file download: PDFs and images open in the browser, anything else is saved. The type is the one
 * the store sniffed, with nosniff, and nothing is cached (the files are confidential).
 */
export function fileResponse(bytes: Uint8Array, file: { fileName: string; mimeType: string }): Response {
  const kind = viewableInline.includes(file.mimeType) ? "inline" : "attachment";
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": file.mimeType,
      "Content-Length": String(bytes.length),
      "Content-Disposition": contentDisposition(kind, file.fileName),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}

/** A download the service refused: its message as plain text, with the refusal's status. */
export function refusalResponse(error: UserError, locale: Locale): Response {
  const text = isMessageKey(error.key) ? translator(locale)(error.key, error.options.params) : error.key;
  return new Response(text, { status: error.status, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });
}

/** Runs a download; a UserError from the service becomes its plain-text refusal. */
export async function download(locale: Locale, produce: () => Promise<Response>): Promise<Response> {
  try {
    return await produce();
  } catch (error) {
    if (error instanceof UserError) return refusalResponse(error, locale);
    throw error;
  }
}
