// `npm run cli -- token create --user EMAIL [--name NAME]`: operator commands.
// `token create` prints what it did, then the new token alone on the last line (for scripts: `| tail -n 1`).
import { parseArgs } from "node:util";
import { systemContext } from "../app/infra/audit.server";
import { prisma } from "../app/infra/db.server";
import { createApiToken } from "../app/services/identity/api-tokens.server";

const usage = "usage: npm run cli -- token create --user EMAIL [--name NAME]";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function tokenCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { user: { type: "string" }, name: { type: "string" } }, strict: true });
  const email = values.user?.trim().toLowerCase();
  if (!email) fail(`--user EMAIL is required\n${usage}`);
  const user = await prisma.user.findUnique({ where: { email } });
  if (!user) fail(`No user with email ${email}.`);
  if (user.disabledAt) fail(`User ${email} is disabled; enable the account before giving it a token.`);
  const name = values.name?.trim() || `cli ${new Date().toISOString().slice(0, 10)}`;
  const { token, record } = await createApiToken(systemContext("cli token create"), user.id, name);
  console.log(`Created API token "${record.name}" (id ${record.id}, prefix ${record.prefix}) for ${user.email}.`);
  console.log("It is shown only now; store it safely. The token:");
  console.log(token);
}

async function main(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  if (group === "token" && command === "create") return tokenCreate(rest);
  fail(usage);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  await prisma.$disconnect();
}
