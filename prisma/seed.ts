import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prisma } from "../app/infra/db.server";
import { systemContext } from "../app/infra/audit.server";
import { hashPassword } from "../app/infra/password.server";
import { ensurePiiKey } from "../app/infra/pii.server";
import { processLoanTape, submitLoanTape } from "../app/services/loans/import.server";
import { runPricing } from "../app/services/pricing/pricing.server";
import { ensureDefaultSettings } from "../app/services/settings/settings.server";
import { demoLoanRows } from "./demo-loans";

/**
 * Demo data for a fresh install: the bank with branches in three regions, one user per role,
 * bidders in every eligibility situation and three agencies (one with an expired licence).
 * Seeding twice changes nothing: it stops if the bank is already there.
 */
interface DemoData {
  password: string;
  bank: { name: string; contactName: string; contactPhone: string; address: string; branches: { code: string; name: string; region: string }[] };
  agencies: { key: string; name: string; licenceNumber: string; licenceValidUntil: string; legalRepresentative: string; contactName: string; contactPhone: string; contactEmail: string }[];
  users: { email: string; displayName: string; roles: string[]; org: string; branch?: string; staffNumber?: string; position?: string; employmentStatus?: string }[];
}

export function readDemoData(): DemoData {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "demo-accounts.json");
  return JSON.parse(fs.readFileSync(file, "utf8")) as DemoData;
}

/** `demoLoans`: also import the demo loan book (the command line does; tests bring their own loans). */
export async function seed(options: { demoLoans?: boolean } = {}): Promise<"seeded" | "already-seeded"> {
  const demo = readDemoData();
  // The embedded default keeps the personal-data key in DATA_DIR/pii-key (PII_KEY overrides it).
  ensurePiiKey();
  await ensureDefaultSettings(systemContext("seed"));
  if (await prisma.organization.findFirst({ where: { kind: "BANK" } })) return "already-seeded";
  const passwordHash = await hashPassword(demo.password);
  await prisma.$transaction(async (tx) => {
    const bank = await tx.organization.create({
      data: {
        kind: "BANK",
        name: demo.bank.name,
        contactName: demo.bank.contactName,
        contactPhone: demo.bank.contactPhone,
        address: demo.bank.address,
        branches: { create: demo.bank.branches },
      },
      include: { branches: true },
    });
    const orgIds = new Map<string, string>([["bank", bank.id]]);
    for (const { key, licenceValidUntil, ...agency } of demo.agencies) {
      const org = await tx.organization.create({
        data: { kind: "AGENCY", ...agency, licenceValidUntil: new Date(`${licenceValidUntil}T00:00:00Z`) },
      });
      orgIds.set(key, org.id);
    }
    for (const u of demo.users) {
      const branchId = u.branch ? bank.branches.find((b) => b.code === u.branch)?.id : undefined;
      await tx.user.create({
        data: {
          email: u.email,
          displayName: u.displayName,
          staffNumber: u.staffNumber ?? null,
          position: u.position ?? null,
          employmentStatus: u.employmentStatus ?? null,
          organizationId: orgIds.get(u.org)!,
          branchId: branchId ?? null,
          passwordHash,
          roles: { create: u.roles.map((role) => ({ role })) },
        },
      });
    }
  });
  if (options.demoLoans) await seedDemoLoans();
  return "seeded";
}

/** The demo loan book, imported as the department would (one JSON tape through the ordinary import) and priced. */
async function seedDemoLoans(): Promise<void> {
  const officer = await prisma.user.findUniqueOrThrow({ where: { email: "officer@bank.example" }, include: { roles: true } });
  const importer = { id: officer.id, roles: officer.roles.map((r) => r.role), locale: "zh-CN" as const };
  const { id } = await submitLoanTape(systemContext("seed"), importer, { kind: "rows", rows: demoLoanRows(), fileName: "demo-loans.json" }, { queue: false });
  const result = await processLoanTape(id);
  if (result.status !== "imported") throw new Error(`the demo loan tape did not import: ${JSON.stringify(result)}`);
  // Priced as the department would, so the demo book can be bundled into packages straight away.
  await runPricing(systemContext("seed"), importer, { filter: {} });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  seed({ demoLoans: true })
    .then((result) => {
      console.log(result === "seeded" ? "Demo data seeded." : "Demo data already present; nothing changed.");
      return prisma.$disconnect();
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
