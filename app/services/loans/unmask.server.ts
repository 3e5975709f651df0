import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { audited, type AuditContext } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import { decryptPii } from "~/infra/pii.server";

/**
 * Issue 4, item 4: personal data is masked everywhere by default. Seeing one loan's borrower in
 * full is a permission — the department (loans:unmask) for any loan, a branch (loans:unmask-branch)
 * for the loans of its own branch — and every unmasking is one audit entry, written in the same
 * transaction that reads the data. Agencies never unmask here.
 */

export type UnmaskViewer = Pick<AuthUser, "id" | "roles" | "branchId" | "organizationKind">;

export function canUnmask(user: UnmaskViewer, loan: { branchId: string }): boolean {
  if (user.organizationKind === "AGENCY") return false;
  if (can(user.roles, "loans:unmask")) return true;
  return can(user.roles, "loans:unmask-branch") && user.branchId !== null && user.branchId === loan.branchId;
}

/** The fields an unmasking reveals (and its audit entry names). */
export const unmaskedFields = ["borrowerName", "borrowerIdNumber", "phone", "guarantorName"] as const;

export interface UnmaskedLoan {
  loanNumber: string;
  borrowerName: string;
  borrowerIdNumber: string;
  phone: string | null;
  guarantorName: string | null;
}

/** The borrower in full, for one loan; refused with 403 without the permission, 404 for an unknown loan. */
export async function unmaskLoan(context: AuditContext, user: UnmaskViewer, loanNumber: string): Promise<UnmaskedLoan> {
  return audited(context, async (tx, audit) => {
    const loan = await tx.loan.findUnique({
      where: { loanNumber },
      select: { id: true, loanNumber: true, branchId: true, borrowerName: true, borrowerIdCipher: true, phoneCipher: true, guarantorName: true },
    });
    if (!loan) throw new UserError("loans.notFound", { status: 404, params: { loanNumber } });
    if (!canUnmask(user, loan)) throw new UserError("loans.unmask.forbidden", { status: 403 });
    const revealed: UnmaskedLoan = {
      loanNumber: loan.loanNumber,
      borrowerName: loan.borrowerName,
      borrowerIdNumber: decryptPii(loan.borrowerIdCipher),
      phone: loan.phoneCipher ? decryptPii(loan.phoneCipher) : null,
      guarantorName: loan.guarantorName,
    };
    await audit({ action: "loan.unmask", entityType: "Loan", entityId: loan.id, after: { loanNumber: loan.loanNumber, fields: [...unmaskedFields] } });
    return revealed;
  });
}
