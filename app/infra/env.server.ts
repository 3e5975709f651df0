import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { defaultDatabaseUrl } from "./db/database-url";

/**
 * Every environment variable the product reads, in one place (documented in the README).
 * Read lazily so tests can set them before first use.
 */
export function getEnv() {
  const dataDir = path.resolve(process.env.DATA_DIR ?? "data");
  return {
    nodeEnv: process.env.NODE_ENV ?? "development",
    databaseUrl: process.env.DATABASE_URL ?? defaultDatabaseUrl,
    dataDir,
    redisUrl: process.env.REDIS_URL || undefined,
    cookieSecure: process.env.COOKIE_SECURE === "true",
    sessionSecret: process.env.SESSION_SECRET || localSecret(dataDir),
  };
}

/** Stripe (bid and performance deposits by card, Alipay or WeChat Pay); unset = offline methods only. */
export function stripeEnv() {
  return {
    secretKey: process.env.STRIPE_SECRET_KEY || undefined,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || undefined,
    /** An origin such as http://127.0.0.1:12111 (a local server speaking Stripe's API); unset = Stripe itself. */
    apiBase: process.env.STRIPE_API_BASE || undefined,
    /** Publishable key (pk_…) for Stripe's Payment Element in the browser; unset = the tender page shows no card form. */
    publishableKey: process.env.STRIPE_PUBLISHABLE_KEY || undefined,
  };
}

/**
 * The embedded default keeps a random secret in data/session-secret, created on first use, so a
 * laptop install needs no configuration and restarts keep everyone signed in.
 */
function localSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString("hex");
    try {
      fs.writeFileSync(file, secret, { flag: "wx", mode: 0o600 });
    } catch {
      // another process won the race; use what it wrote
    }
    return fs.readFileSync(file, "utf8").trim();
  }
}
