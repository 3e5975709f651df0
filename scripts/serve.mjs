// Serves the production build (build/index.js) with remix-serve. PORT defaults to 3000.
// Forwards SIGINT/SIGTERM to the server and exits with its exit code.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const serverBuild = path.join(root, "build", "index.js");
const remixServe = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "remix-serve.cmd" : "remix-serve");

if (!fs.existsSync(serverBuild)) {
  console.error("build/index.js is missing: run `npm run build` (or `npm start`) first.");
  process.exit(1);
}

const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV || "production",
  PORT: process.env.PORT || "3000",
  CHECKPOINT_DISABLE: "1",
  DATABASE_URL: process.env.DATABASE_URL || "file:./data/npl.db",
};

const child = spawn(remixServe, [serverBuild], { cwd: root, stdio: "inherit", env, shell: process.platform === "win32" });

// remix-serve closes its HTTP server on SIGINT/SIGTERM but open handles (database, Redis) can keep it
// alive: after a grace period it is killed for good.
const GRACE_MS = 8000;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (!stopping) {
      stopping = true;
      child.kill(signal);
      setTimeout(() => child.kill("SIGKILL"), GRACE_MS).unref();
    } else {
      child.kill("SIGKILL"); // second Ctrl-C: do not wait
    }
  });
}

child.on("error", (error) => {
  console.error(`Could not start remix-serve: ${error.message}`);
  process.exit(1);
});

child.on("exit", (code) => {
  // A stop we asked for is a clean exit, whichever way the server ended.
  if (stopping) process.exit(code === null || code === 130 || code === 143 ? 0 : code);
  process.exit(code ?? 1);
});
