import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { isLocked } from "~/domain/loan";
import { audited, type AuditContext } from "~/infra/audit.server";
import { forbidden, type AuthUser } from "~/infra/auth.server";
import { difficultyDecisionSchema, type DifficultyDecision } from "./loan-book-schemas";

/**
 * Issue 4, item 5 (domain README step 2): the product suggests 收回难度大 from the reasons; the
 * department confirms the suggested (or tape) class, or overrides it with another class and a note.
 * Each decision is a history entry of the loan and an audit entry, in one transaction.
 */

export async function decideDifficulty(
  context: AuditContext,
  user: Pick<AuthUser, "id" | "roles" | "organizationKind">,
  loanNumber: string,
  input: DifficultyDecision,
  now = new Date(),
) {
  if (!can(user.roles, "loans:manage") || user.organizationKind === "AGENCY") throw forbidden();
  const parsed = difficultyDecisionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(issue.message, { field: issue.path.length ? String(issue.path[0]) : undefined });
  }
  const { decision, difficulty, reason, note } = parsed.data;

  return audited(context, async (tx, audit) => {
    const loan = await tx.loan.findUnique({
      where: { loanNumber },
      select: { id: true, loanNumber: true, status: true, version: true, difficulty: true, suggestedDifficulty: true, difficultyReason: true, difficultyStatus: true, difficultyNote: true },
    });
    if (!loan) throw new UserError("loans.notFound", { status: 404, params: { loanNumber } });
    if (isLocked(loan.status)) throw new UserError("loans.difficulty.locked", { status: 409 });

    let next: string;
    if (decision === "confirm") {
      // Confirming keeps the class in force: the product's suggestion, or the tape's class.
      if (loan.difficultyStatus !== "SUGGESTED" && loan.difficultyStatus !== "TAPE") throw new UserError("loans.difficulty.alreadyDecided", { status: 409 });
      if (difficulty && difficulty !== loan.difficulty) throw new UserError("loans.difficulty.confirmKeepsClass", { field: "difficulty" });
      next = loan.difficulty;
    } else {
      next = difficulty!;
      if (next === loan.difficulty) throw new UserError("loans.difficulty.sameClass", { field: "difficulty" });
    }
    const before = { difficulty: loan.difficulty, difficultyStatus: loan.difficultyStatus, difficultyReason: loan.difficultyReason, difficultyNote: loan.difficultyNote };
    const after = {
      difficulty: next,
      difficultyStatus: decision === "confirm" ? "CONFIRMED" : "OVERRIDDEN",
      difficultyReason: reason ?? loan.difficultyReason,
      difficultyNote: note || null,
    };
    const updated = await tx.loan.updateMany({
      where: { id: loan.id, version: loan.version },
      data: { ...after, difficultyDecidedById: user.id, difficultyDecidedAt: now, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw new UserError("loans.changedMeanwhile", { status: 409 });
    const changes: Record<string, [unknown, unknown]> = {};
    for (const key of Object.keys(after) as (keyof typeof after)[]) {
      if (before[key] !== after[key]) changes[key] = [before[key], after[key]];
    }
    const kind = decision === "confirm" ? "difficulty.confirm" : "difficulty.override";
    await tx.loanChange.create({ data: { loanId: loan.id, at: now, actorId: user.id, kind, changes: JSON.stringify(changes) } });
    await audit({ action: `loan.${kind}`, entityType: "Loan", entityId: loan.id, before, after: { loanNumber: loan.loanNumber, suggestedDifficulty: loan.suggestedDifficulty, ...after } });
    return { loanNumber: loan.loanNumber, ...after };
  });
}
