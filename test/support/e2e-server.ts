// Vitest globalSetup (e2e): one production server for the whole e2e run, on a fresh seeded database.
// Needs build/ (scripts/test.mjs runs `remix build` first).
//
// Tests get the server with `inject("baseUrl")` / `inject("databaseUrl")` from "vitest"
// (also process.env.E2E_BASE_URL / process.env.E2E_DATABASE_URL), or `baseUrl()` from ./browser.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startStripeFake, type StripeFake } from "./stripe-fake";

declare module "vitest" {
  export interface ProvidedContext {
    /** e.g. http://127.0.0.1:41234 (no trailing slash). */
    baseUrl: string;
    /** file:<tmp>/e2e.db — the server's database, seeded. */
    databaseUrl: string;
    /** The local Stripe fake the server talks to (its customer side: POST /__customer/payment_intents/{id}/pay). */
    stripeFakeUrl: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const binPath = (name: string) =>
  path.join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);

function runOrThrow(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8", shell: process.platform === "win32" });
  if (result.status !== 0) {
    throw new Error(
      `e2e setup: ${name} failed (exit ${result.status ?? result.signal}):\n` +
        `${result.error?.message ?? ""}${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function healthz(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/healthz`, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverBuild = path.join(root, "build", "index.js");
  if (!fs.existsSync(serverBuild) || !fs.existsSync(path.join(root, "public", "build"))) {
    throw new Error("e2e: build/index.js or public/build is missing: run `npx remix build` first (npm test does it).");
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "npl-e2e-"));
  const dbFile = path.join(dir, "e2e.db");
  const databaseUrl = `file:${dbFile}`;
  const dataDir = path.join(dir, "data");
  fs.mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    CHECKPOINT_DISABLE: "1",
    // Jobs of this run only: a queue prefix of its own on a shared Redis.
    QUEUE_PREFIX: `npl-e2e-${process.pid}`,
  };

  let child: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let stripe: StripeFake | undefined;
  const cleanup = async () => {
    if (worker) await stop(worker);
    if (child) await stop(child);
    await stripe?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    runOrThrow("prisma migrate deploy", binPath("prisma"), ["migrate", "deploy"], env);
    runOrThrow("seed (tsx prisma/seed.ts)", binPath("tsx"), ["prisma/seed.ts"], env);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // Stripe, as the server sees it: the API on loopback, and webhooks signed and sent to the server.
    stripe = await startStripeFake({ webhookUrl: `${baseUrl}/webhooks/stripe` });
    env.STRIPE_API_BASE = stripe.url;
    env.STRIPE_SECRET_KEY = stripe.apiKey;
    env.STRIPE_WEBHOOK_SECRET = stripe.webhookSecret;
    let output = "";
    child = spawn(binPath("remix-serve"), [serverBuild], {
      cwd: root,
      env: {
        ...env,
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ENV: "production",
        SESSION_SECRET: process.env.SESSION_SECRET || "e2e-session-secret",
      },
      stdio: ["ignore", "pipe", "pipe"],
      shell: process.platform === "win32",
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    if (process.env.E2E_SERVER_LOG) {
      child.stdout?.pipe(process.stdout);
      child.stderr?.pipe(process.stderr);
    }

    const deadline = Date.now() + 60_000;
    let lastStatus: number | undefined;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`e2e: the server exited (code ${child.exitCode ?? child.signalCode}) before answering /healthz:\n${output}`);
      }
      lastStatus = await healthz(baseUrl);
      if (lastStatus === 200) break;
      if (Date.now() > deadline) {
        throw new Error(`e2e: GET ${baseUrl}/healthz did not answer 200 within 60 s (last: ${lastStatus ?? "no answer"}):\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }

    // With Redis the web process only enqueues; as in production, a worker process runs the jobs.
    if (env.REDIS_URL) {
      worker = spawn(binPath("tsx"), ["jobs/worker.ts"], { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
      worker.stdout?.on("data", collect);
      worker.stderr?.on("data", collect);
      if (process.env.E2E_SERVER_LOG) {
        worker.stdout?.pipe(process.stdout);
        worker.stderr?.pipe(process.stderr);
      }
    }

    project.provide("baseUrl", baseUrl);
    project.provide("databaseUrl", databaseUrl);
    project.provide("stripeFakeUrl", stripe.url);
    process.env.E2E_BASE_URL = baseUrl;
    process.env.E2E_DATABASE_URL = databaseUrl;
  } catch (error) {
    await cleanup();
    throw error;
  }

  return cleanup;
}
