/**
 * What an uploaded file really is, decided from its first bytes ("magic numbers") and, for Office
 * documents, from the entries of the ZIP container — never from its name or the type the browser
 * declared. A file that is none of the known types (an executable, a script, an HTML page, random
 * bytes, junk named "x.pdf") is `null`, and the file store refuses it.
 */

export const fileTypes = ["pdf", "png", "jpeg", "xlsx", "docx", "text"] as const;
export type FileType = (typeof fileTypes)[number];

export const mimeTypes: Record<FileType, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpeg: "image/jpeg",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  text: "text/plain; charset=utf-8",
};

export const extensions: Record<FileType, string> = {
  pdf: ".pdf",
  png: ".png",
  jpeg: ".jpg",
  xlsx: ".xlsx",
  docx: ".docx",
  text: ".txt",
};

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const PDF = ascii("%PDF-");
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_CENTRAL = [0x50, 0x4b, 0x01, 0x02];
const ZIP_END = [0x50, 0x4b, 0x05, 0x06];
const EXE = ascii("MZ");
const ELF = [0x7f, 0x45, 0x4c, 0x46];

const u16 = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;
const latin1 = (b: Uint8Array, from: number, length: number) => String.fromCharCode(...b.subarray(from, from + length));

/** The entry names of a ZIP archive: from its central directory, else by walking the local headers. */
export function zipEntryNames(bytes: Uint8Array, limit = 10_000): string[] {
  const names: string[] = [];
  // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the very end.
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65_535); at--) {
    if (!startsWith(bytes, ZIP_END, at)) continue;
    const count = u16(bytes, at + 10);
    let entry = u32(bytes, at + 16);
    for (let i = 0; i < count && names.length < limit; i++) {
      if (!startsWith(bytes, ZIP_CENTRAL, entry)) break;
      const nameLength = u16(bytes, entry + 28);
      names.push(latin1(bytes, entry + 46, nameLength));
      entry += 46 + nameLength + u16(bytes, entry + 30) + u16(bytes, entry + 32);
    }
    if (names.length > 0) return names;
    break;
  }
  // No usable central directory (a truncated archive): the names in the local file headers.
  for (let at = 0; at + 30 <= bytes.length && names.length < limit; at++) {
    if (!startsWith(bytes, ZIP_LOCAL, at)) continue;
    const nameLength = u16(bytes, at + 26);
    if (at + 30 + nameLength > bytes.length) break;
    names.push(latin1(bytes, at + 30, nameLength));
    at += 29 + nameLength;
  }
  return names;
}

function officeType(bytes: Uint8Array): "xlsx" | "docx" | null {
  const names = zipEntryNames(bytes);
  if (!names.includes("[Content_Types].xml")) return null;
  if (names.some((n) => n.startsWith("xl/"))) return "xlsx";
  if (names.some((n) => n.startsWith("word/"))) return "docx";
  return null;
}

/** Markup (HTML, SVG, XML) and scripts are active content: never plain text here. */
function looksActive(text: string): boolean {
  const head = text.replace(/^\uFEFF/, "").trimStart().slice(0, 512).toLowerCase();
  return head.startsWith("<") || head.startsWith("#!") || /<\s*(script|html|iframe|object|embed|svg|body)\b/.test(text.slice(0, 4096).toLowerCase());
}

function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // Control characters other than tab, line feed, form feed and carriage return mark binary data.
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u0008\u000B\u000E-\u001F\u007F]/.test(text)) return false;
  return !looksActive(text);
}

/** The type of a file from its content, or null when it is none the product accepts. */
export function sniffFileType(bytes: Uint8Array): FileType | null {
  if (bytes.length === 0) return null;
  if (startsWith(bytes, EXE) || startsWith(bytes, ELF)) return null;
  if (startsWith(bytes, PDF)) return "pdf";
  if (startsWith(bytes, PNG)) return "png";
  if (startsWith(bytes, JPEG)) return "jpeg";
  if (startsWith(bytes, ZIP_LOCAL)) return officeType(bytes);
  return isPlainText(bytes) ? "text" : null;
}

/** A file's name reduced to something safe to store and to send back in a Content-Disposition. */
export function safeFileName(name: string, type: FileType): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001F\u007F"<>:|?*]/g, "").trim().slice(0, 200);
  const stem = cleaned.replace(/\.[^.]*$/, "") || "file";
  return `${stem}${extensions[type]}`;
}
