// `npm run audit:verify`: walks the audit hash chain and names the first entry that does not check out.
import { prisma } from "../app/infra/db.server";
import { verifyAuditChain } from "../app/infra/audit.server";

const result = await verifyAuditChain();
await prisma.$disconnect();
if (result.broken) {
  console.error(`Audit chain BROKEN at entry #${result.broken.id} (${result.broken.reason}); ${result.checked} entries before it verified.`);
  process.exit(1);
}
console.log(`Audit chain intact: ${result.checked} entries verified.`);
