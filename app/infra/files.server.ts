import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "~/domain/errors";
import { mimeTypes, safeFileName, sniffFileType, type FileType } from "~/domain/file-types";
import type { Tx } from "./audit.server";
import { prisma } from "./db.server";
import { getEnv } from "./env.server";

/**
 * Uploaded files (evidence of interruptions, later data-room documents) kept under DATA_DIR/files,
 * content-addressed: files/<first two hex digits>/<sha256>. The same bytes are stored once; each
 * upload gets its own StoredFile row (name, uploader). The type is decided by sniffing the bytes
 * (domain/file-types.ts), never by the name or the declared type.
 */

export interface FilePolicy {
  /** Types accepted (sniffed). */
  allowed: readonly FileType[];
  /** Largest size in bytes (default 10 MB). */
  maxBytes?: number;
}

export const defaultMaxBytes = 10 * 1024 * 1024;

/** Evidence of a limitation interruption: a scan or a photo. */
export const evidencePolicy: FilePolicy = { allowed: ["pdf", "png", "jpeg"], maxBytes: defaultMaxBytes };

export interface FileUpload {
  bytes: Uint8Array;
  originalName: string;
  uploadedById: string | null;
}

const allowedLabel = (policy: FilePolicy) => policy.allowed.map((t) => t.toUpperCase()).join(", ");

/** The checks of a policy, without writing anything: the sniffed type, or a UserError. */
export function checkUpload(bytes: Uint8Array, policy: FilePolicy, field?: string): FileType {
  const maxBytes = policy.maxBytes ?? defaultMaxBytes;
  if (bytes.length === 0) throw new UserError("files.empty", { field });
  if (bytes.length > maxBytes) throw new UserError("files.tooLarge", { field, params: { max: `${Math.floor(maxBytes / (1024 * 1024))} MB` }, status: 413 });
  const type = sniffFileType(bytes);
  if (!type || !policy.allowed.includes(type)) throw new UserError("files.typeNotAllowed", { field, params: { allowed: allowedLabel(policy) }, status: 415 });
  return type;
}

export function filesRoot(): string {
  return path.join(getEnv().dataDir, "files");
}

const relativePathOf = (sha256: string) => path.posix.join("files", sha256.slice(0, 2), sha256);

/** Writes the bytes under their hash unless they are already there (write to a temporary file, then rename). */
function writeContent(sha256: string, bytes: Uint8Array): string {
  const relative = relativePathOf(sha256);
  const absolute = path.join(getEnv().dataDir, relative);
  if (fs.existsSync(absolute) && fs.statSync(absolute).size === bytes.length) return relative;
  fs.mkdirSync(path.dirname(absolute), { recursive: true });
  const temporary = `${absolute}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`;
  fs.writeFileSync(temporary, bytes, { mode: 0o600 });
  fs.renameSync(temporary, absolute);
  return relative;
}

/**
 * Checks an upload against the policy and stores it. Pass the transaction of the use case so the
 * row commits with it; the bytes are written (once per content) only after every check passed.
 * If the transaction rolls back the content stays on disk unreferenced, which is harmless.
 */
export async function storeFile(db: Tx, upload: FileUpload, policy: FilePolicy, field?: string) {
  const type = checkUpload(upload.bytes, policy, field);
  const sha256 = crypto.createHash("sha256").update(upload.bytes).digest("hex");
  const relative = writeContent(sha256, upload.bytes);
  return db.storedFile.create({
    data: {
      sha256,
      size: upload.bytes.length,
      mimeType: mimeTypes[type],
      originalName: safeFileName(upload.originalName, type),
      path: relative,
      uploadedById: upload.uploadedById,
    },
  });
}

/** A stored file's row and bytes (null when unknown, or when its content is missing or altered). */
export async function readStoredFile(id: string) {
  const row = await prisma.storedFile.findUnique({ where: { id } });
  if (!row) return null;
  const absolute = path.resolve(getEnv().dataDir, row.path);
  if (!absolute.startsWith(filesRoot() + path.sep)) return null;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(absolute);
  } catch {
    return null;
  }
  if (crypto.createHash("sha256").update(bytes).digest("hex") !== row.sha256) return null;
  return { row, bytes: new Uint8Array(bytes) };
}
