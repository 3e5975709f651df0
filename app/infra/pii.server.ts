import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Personal data at rest (identity and phone numbers): AES-256-GCM with a random 96-bit nonce, and
 * an HMAC-SHA-256 of the normalized value so an exact number can be looked up without decrypting.
 * The key is PII_KEY (64 hex characters) or, for the embedded default, DATA_DIR/pii-key created on
 * first use (`npm start` creates it); the encryption and lookup keys are derived from it (HKDF).
 * Ciphertext format: "v1:" + base64(nonce ‖ ciphertext ‖ tag).
 */

interface Keys {
  encryption: Buffer;
  lookup: Buffer;
}

// Not getEnv(): that also reads the session secret, and this runs once per encrypted value.
const keyFile = () => path.join(path.resolve(process.env.DATA_DIR ?? "data"), "pii-key");

let cached: { source: string; keys: Keys } | undefined;

function masterKey(): { source: string; key: Buffer } {
  const configured = process.env.PII_KEY;
  if (configured) {
    if (!/^[0-9a-fA-F]{64}$/.test(configured)) throw new Error("PII_KEY must be 64 hexadecimal characters (32 bytes)");
    return { source: `env:${configured}`, key: Buffer.from(configured, "hex") };
  }
  const file = keyFile();
  const read = () => Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
  try {
    return { source: `file:${file}`, key: read() };
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { flag: "wx", mode: 0o600 });
    } catch {
      // another process created it first: use theirs
    }
    return { source: `file:${file}`, key: read() };
  }
}

/** Where the key comes from, without reading it: the cache key (tests switch DATA_DIR per worker). */
function keySource(): string {
  return process.env.PII_KEY ? `env:${process.env.PII_KEY}` : `file:${keyFile()}`;
}

function keys(): Keys {
  if (cached?.source === keySource()) return cached.keys;
  const { source, key } = masterKey();
  if (key.length !== 32) throw new Error("the personal-data key must be 32 bytes");
  const derive = (info: string) => Buffer.from(crypto.hkdfSync("sha256", key, Buffer.alloc(0), info, 32));
  cached = { source, keys: { encryption: derive("npl pii encryption v1"), lookup: derive("npl pii lookup v1") } };
  return cached.keys;
}

/** Creates the local key file when there is no PII_KEY (called by the start script's seed). */
export function ensurePiiKey(): void {
  keys();
}

export function encryptPii(plain: string): string {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keys().encryption, nonce);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return `v1:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64")}`;
}

export function decryptPii(stored: string): string {
  if (!stored.startsWith("v1:")) throw new Error("unknown personal-data cipher format");
  const raw = Buffer.from(stored.slice(3), "base64");
  const decipher = crypto.createDecipheriv("aes-256-gcm", keys().encryption, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
}

/** Lookup digest of a normalized value (the caller normalizes: upper case, no spaces). */
export function piiHmac(plain: string): string {
  return crypto.createHmac("sha256", keys().lookup).update(plain, "utf8").digest("hex");
}
