import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import type { AuthUser } from "~/infra/auth.server";
import type { Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { bidderKeyOf } from "~/services/tenders/bidding.server";
import { usersOfBidder } from "~/services/tenders/notifications.server";

/**
 * Who may see and work a loan in custody (README "Conduct and privacy", R5): the custodian's users
 * — the staff contractor, or every user of the agency — only for loans of their own ACTIVE contract,
 * and only during its term: from custodyStartsAt (inclusive) to custodyEndsAt (exclusive). The
 * department (custody:manage) and the bank's other departments (custody:view) see every contract but
 * unmask personal data only through the loan book's own audited unmasking.
 */

export type CustodyViewer = Pick<AuthUser, "id" | "roles" | "organizationId" | "organizationKind">;

/** The key a user acts under as a custodian: "user:<id>" for staff, "org:<id>" for an agency (as in the award). */
export function custodianKeyOf(user: Pick<AuthUser, "id" | "organizationId" | "organizationKind">): string {
  return bidderKeyOf(user);
}

/** Whether the contract's custodian is this user (staff) or this user's agency. */
export function isCustodianOf(user: CustodyViewer, contract: { custodianKey: string }): boolean {
  return can(user.roles, "custody:work") && contract.custodianKey === custodianKeyOf(user);
}

/** Whether the contract is in its custody term at `now`: ACTIVE, started, not yet ended (the end instant is outside). */
export function inCustodyTerm(contract: { status: string; custodyStartsAt: Date | null; custodyEndsAt: Date | null }, now: Date): boolean {
  if (contract.status !== "ACTIVE" || !contract.custodyStartsAt || !contract.custodyEndsAt) return false;
  return contract.custodyStartsAt.getTime() <= now.getTime() && now.getTime() < contract.custodyEndsAt.getTime();
}

/** The department: everything of every contract. */
export function isDepartment(user: Pick<AuthUser, "roles">): boolean {
  return can(user.roles, "custody:manage");
}

/** May this user open the contract's page at all (not its loans' personal data)? Custodian or the bank's departments. */
export function mayViewContract(user: CustodyViewer, contract: { custodianKey: string }): boolean {
  if (isCustodianOf(user, contract)) return true;
  return can(user.roles, "custody:view") && !can(user.roles, "custody:work");
}

/** The contract under which `loanId` is in custody at `now` (ACTIVE and in its term), or null. */
export async function contractHoldingLoan(loanId: string, now: Date, db: Tx = prisma) {
  const held = await db.custodyLoan.findMany({
    where: { loanId, status: "IN_CUSTODY", contract: { status: "ACTIVE" } },
    include: { contract: true },
  });
  return held.map((h) => h.contract).find((c) => inCustodyTerm(c, now)) ?? null;
}

/**
 * The custodian's gate for one loan: the loan exists, is in custody under one of the user's contracts
 * and the term runs at `now`. Anyone else — another agency, a custodian after the end — gets the same
 * 404 as for a loan that does not exist, so the answer reveals nothing.
 */
export async function requireCustodianOfLoan(user: CustodyViewer, loanNumber: string, now: Date, db: Tx = prisma) {
  if (!can(user.roles, "custody:work")) throw new UserError("custody.forbidden", { status: 403 });
  const loan = await db.loan.findUnique({ where: { loanNumber } });
  if (!loan) throw new UserError("custody.loanNotFound", { status: 404 });
  const contract = await contractHoldingLoan(loan.id, now, db);
  if (!contract || !isCustodianOf(user, contract)) throw new UserError("custody.loanNotFound", { status: 404 });
  return { loan, contract };
}

/** Every user who acts for the contract's custodian (for notices): the staff member, or the agency's users. */
export function custodianUsers(db: Tx, contract: { custodianKey: string }) {
  return usersOfBidder(db, contract.custodianKey);
}

/** The department's people (custody:manage) who are active, for alerts and notices. */
export async function departmentUsers(db: Tx = prisma): Promise<{ id: string; email: string; locale: string }[]> {
  const users = await db.user.findMany({
    where: { disabledAt: null, roles: { some: {} } },
    select: { id: true, email: true, locale: true, roles: { select: { role: true } } },
  });
  return users.filter((u) => can(u.roles.map((r) => r.role), "custody:manage")).map(({ id, email, locale }) => ({ id, email, locale }));
}
