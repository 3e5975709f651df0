// Vitest setupFile (unit + integration): runs in every worker before the test files import app code.
// Gives each worker process its own copy of the template database and its own DATA_DIR:
//   process.env.DATABASE_URL = "file:<tmp>/worker-<pool id>-<pid>.db"
//   process.env.DATA_DIR     = "<tmp>/data-<pool id>-<pid>"
//   process.env.SESSION_SECRET = "test-secret"
// The copy is made once per worker process; test files sharing a worker share the database, so tests
// that need a clean slate call `resetDatabase()` from test/support/reset-db.ts.
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";

const MARKER = "NPL_WORKER_DB_PID";

function prepareWorkerDatabase(): void {
  const templateDb = inject("templateDb") ?? process.env.NPL_TEST_TEMPLATE_DB;
  const tmpDir = inject("testTmpDir") ?? process.env.NPL_TEST_TMP_DIR;
  if (!templateDb || !tmpDir || !fs.existsSync(templateDb)) {
    throw new Error("test/support/worker-db.ts: no template database (is test/support/global-setup.ts the globalSetup?)");
  }
  const id = `${process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? "0"}-${process.pid}`;
  const dbFile = path.join(tmpDir, `worker-${id}.db`);
  const dataDir = path.join(tmpDir, `data-${id}`);

  const alreadyPrepared = process.env[MARKER] === String(process.pid) && fs.existsSync(dbFile);
  if (!alreadyPrepared) {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(dbFile + suffix, { force: true });
    fs.copyFileSync(templateDb, dbFile);
    fs.mkdirSync(dataDir, { recursive: true });
    process.env[MARKER] = String(process.pid);
  }

  process.env.DATABASE_URL = `file:${dbFile}`;
  process.env.DATA_DIR = dataDir;
  process.env.SESSION_SECRET = "test-secret";
  process.env.CHECKPOINT_DISABLE = "1";
}

prepareWorkerDatabase();
