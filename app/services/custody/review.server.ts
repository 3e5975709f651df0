import { UserError } from "~/domain/errors";
import type { AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { isDepartment } from "./access.server";
import { custodianNames } from "./contract-views.server";

/**
 * The department's custody queue (/custody/review): contracts the custodian has signed and the
 * department must countersign, and contracts still waiting for the custodian's signature or deposit
 * (to chase; custody cannot start without them). Waivers, liability events, full-time applications and the custodians'
 * limitation evidence come from their own services.
 */

export interface CountersignRow {
  id: string;
  number: string;
  custodian: string;
  custodianKind: string;
  winningPrice: bigint;
  performanceDeposit: bigint;
  signedAt: Date | null;
  loanCount: number;
}

export interface WaitingRow {
  id: string;
  number: string;
  custodian: string;
  /** AWAITING_SIGNATURE (the custodian's signature) or AWAITING_DEPOSIT (the top-up) */
  status: string;
  /** since when it waits: generated, or countersigned */
  since: Date;
}

export async function reviewQueue(user: Pick<AuthUser, "roles">): Promise<{ countersign: CountersignRow[]; waiting: WaitingRow[] }> {
  if (!isDepartment(user)) throw new UserError("custody.forbidden", { status: 403 });
  const [contracts, waiting] = await Promise.all([
    prisma.custodyContract.findMany({
      where: { status: "AWAITING_COUNTERSIGNATURE" },
      orderBy: { signedAt: "asc" },
      include: { _count: { select: { loans: true } } },
      take: 200,
    }),
    prisma.custodyContract.findMany({ where: { status: { in: ["AWAITING_SIGNATURE", "AWAITING_DEPOSIT"] } }, orderBy: { createdAt: "asc" }, take: 200 }),
  ]);
  const names = await custodianNames([...new Set([...contracts, ...waiting].map((c) => c.custodianKey))]);
  return {
    countersign: contracts.map((c) => ({
      id: c.id, number: c.number, custodian: names[c.custodianKey] ?? c.custodianKey, custodianKind: c.custodianKind,
      winningPrice: c.winningPrice, performanceDeposit: c.performanceDeposit, signedAt: c.signedAt, loanCount: c._count.loans,
    })),
    waiting: waiting.map((c) => ({
      id: c.id, number: c.number, custodian: names[c.custodianKey] ?? c.custodianKey, status: c.status,
      since: c.status === "AWAITING_DEPOSIT" ? (c.countersignedAt ?? c.createdAt) : c.createdAt,
    })),
  };
}
