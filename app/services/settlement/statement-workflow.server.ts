import { z } from "zod";
import { can, type Role } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { maxInvoiceNumberLength, statementActions, transition, type StatementAction, type StatementRefusalCode, type StatementStep, type StatementWorkflow } from "~/domain/settlement-statement";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import type { AuthUser } from "~/infra/auth.server";
import type { MessageKey, Params } from "~/infra/i18n";
import { parseOrRefuse } from "~/infra/forms";
import { departmentUsers } from "~/services/custody/access.server";
import { notify } from "~/services/tenders/notifications.server";
import { contractorKind, loadViewableStatement } from "./statement-views.server";

/**
 * R9 four-eyes workflow of a settlement statement: draft → submitted (branch clerk) → verified (the
 * department, after verifying every line one by one) → reviewed (finance) → invoice recorded
 * (finance; agency only: its tax invoice number) → paid (finance; statement-payment.server.ts).
 * The rules are the domain's transition(): each step by its role and by a different person than the
 * previous step; a paid statement is immutable (here, and the database trigger). Every step and
 * every line verification is audited in its transaction; the next role gets a bell.
 */

export type WorkflowActor = Pick<AuthUser, "id" | "email" | "roles" | "organizationId" | "organizationKind">;

type StatementRow = Awaited<ReturnType<typeof loadViewableStatement>>;

/** The workflow as the domain sees it, from the statement's columns. */
export function workflowOf(s: StatementRow): StatementWorkflow {
  const history: StatementStep[] = [];
  const add = (step: StatementStep["step"], by: string | null, role: Role, invoiceNumber?: string | null) => {
    if (by) history.push({ step, by, role, ...(invoiceNumber ? { invoiceNumber } : {}) });
  };
  add("submitted", s.submittedById, "branch_clerk");
  add("verified", s.verifiedById, "preservation_officer");
  add("reviewed", s.reviewedById, "finance");
  add("invoice_recorded", s.invoiceRecordedById, "finance", s.invoiceNumber);
  add("paid", s.paidById, "finance");
  return { state: s.state as StatementWorkflow["state"], history, kind: contractorKind(s.custodianKind) };
}

/** The role the actor takes the action in: the action's role when the actor holds it (else any role: the domain refuses). */
export function roleFor(actor: Pick<AuthUser, "roles">, action: StatementAction): Role {
  const needed = statementActions[action].role;
  return actor.roles.includes(needed) ? needed : ((actor.roles[0] as Role | undefined) ?? "agency_member");
}

const refusalStatus: Record<StatementRefusalCode, number> = {
  immutable: 409, wrong_state: 409, wrong_role: 403, same_person: 403, lines_not_verified: 422, invoice_required: 400,
};

export function refusalError(code: StatementRefusalCode, params: Params = {}): UserError {
  const key = `settlement.statements.refused.${code}`;
  return new UserError(key, { status: refusalStatus[code], params, ...(code === "invoice_required" ? { field: "invoice_number" } : {}) });
}

/** Checks a step with the domain's rules; throws the refusal. */
export function checkStep(s: StatementRow, actor: WorkflowActor, action: StatementAction, extra: { invoiceNumber?: string; linesVerified?: number; lineCount?: number } = {}) {
  const result = transition(workflowOf(s), { action, by: actor.id, role: roleFor(actor, action), ...extra });
  if (!result.ok) throw refusalError(result.code, { state: s.state, verified: extra.linesVerified ?? 0, count: extra.lineCount ?? 0 });
  return result;
}

/** Who is told that a statement waits for them, after each step. */
async function nextRoleUsers(tx: Tx, role: Role): Promise<string[]> {
  if (role === "preservation_officer") return (await departmentUsers(tx)).map((u) => u.id);
  const users = await tx.user.findMany({ where: { disabledAt: null, roles: { some: { role } } }, select: { id: true } });
  return users.map((u) => u.id);
}

export async function tellNextRole(tx: Tx, role: Role, key: MessageKey, params: Params, statementId: string, except?: string) {
  const users = (await nextRoleUsers(tx, role)).filter((id) => id !== except);
  await notify(tx, users, key, params, `/settlement/statements/${statementId}`);
}

// ---- line verification ----------------------------------------------------------------------------

/**
 * The department verifies one line (R9 "line by line"): only while the statement is submitted, by
 * the department (custody:manage), not by the person who submitted it, once per line. There is no
 * "verify all": each line is its own audited step.
 */
export async function verifyLine(ctx: AuditContext, actor: WorkflowActor, statementId: string, position: number | string, now: Date = new Date()) {
  const pos = typeof position === "number" ? position : Number(position);
  if (!Number.isInteger(pos) || pos < 1) throw new UserError("settlement.statements.lineNotFound", { status: 404, params: { position: String(position) } });
  return audited(ctx, async (tx, audit) => {
    const s = await loadViewableStatement(actor, statementId, tx);
    if (s.state === "paid") throw refusalError("immutable");
    if (!can(actor.roles, "custody:manage")) throw refusalError("wrong_role");
    if (s.state !== "submitted") throw refusalError("wrong_state", { state: s.state });
    if (s.submittedById === actor.id) throw refusalError("same_person");
    const line = await tx.settlementStatementLine.findUnique({ where: { statementId_position: { statementId: s.id, position: pos } } });
    if (!line) throw new UserError("settlement.statements.lineNotFound", { status: 404, params: { position: pos } });
    if (line.verifiedAt) throw new UserError("settlement.statements.lineAlreadyVerified", { status: 409, params: { position: pos } });
    const updated = await tx.settlementStatementLine.updateMany({ where: { id: line.id, verifiedAt: null }, data: { verifiedById: actor.id, verifiedAt: now } });
    if (updated.count !== 1) throw new UserError("settlement.statements.concurrentChange", { status: 409 });
    await audit({
      action: "statement.line.verify", entityType: "SettlementStatement", entityId: s.id,
      after: { number: s.number, position: pos, kind: line.kind, amount: line.amount.toString(), recoveryId: line.recoveryId },
    });
    return { statementId: s.id, position: pos };
  });
}

// ---- steps ----------------------------------------------------------------------------------------

export const invoiceSchema = z.object({
  invoice_number: z.string({ error: "settlement.statements.refused.invoice_required" }).trim().min(1, { error: "settlement.statements.refused.invoice_required" }).max(maxInvoiceNumberLength, { error: "settlement.statements.refused.invoice_required" }),
});

type StepAction = Exclude<StatementAction, "pay">;

const stepColumns: Record<StepAction, { by: string; at: string }> = {
  submit: { by: "submittedById", at: "submittedAt" },
  verify: { by: "verifiedById", at: "verifiedAt" },
  review: { by: "reviewedById", at: "reviewedAt" },
  record_invoice: { by: "invoiceRecordedById", at: "invoiceRecordedAt" },
};

/** Who is told after each step (the role of the next one). */
function nextRoleAfter(action: StepAction): Role {
  return action === "submit" ? "preservation_officer" : "finance";
}

/**
 * One step of the workflow (all but pay): submit, verify (every line verified first), review,
 * record_invoice (agency; `invoiceNumber` 1–64 characters). Refusals: see refusalError.
 */
export async function takeStatementStep(ctx: AuditContext, actor: WorkflowActor, statementId: string, action: StepAction, input: { invoiceNumber?: string } = {}, now: Date = new Date()) {
  if (!(action in stepColumns)) throw new UserError("settlement.statements.unknownAction", { status: 404 });
  const invoiceNumber = action === "record_invoice" ? parseOrRefuse(invoiceSchema, { invoice_number: input.invoiceNumber ?? "" }).invoice_number : undefined;
  return audited(ctx, async (tx, audit) => {
    const s = await loadViewableStatement(actor, statementId, tx);
    let counts: { linesVerified?: number; lineCount?: number } = {};
    if (action === "verify") {
      const [lineCount, linesVerified] = await Promise.all([
        tx.settlementStatementLine.count({ where: { statementId: s.id } }),
        tx.settlementStatementLine.count({ where: { statementId: s.id, verifiedAt: { not: null } } }),
      ]);
      counts = { lineCount, linesVerified };
    }
    const result = checkStep(s, actor, action, { ...(invoiceNumber !== undefined ? { invoiceNumber } : {}), ...counts });
    const columns = stepColumns[action];
    const updated = await tx.settlementStatement.updateMany({
      where: { id: s.id, state: s.state },
      data: { state: result.state, [columns.by]: actor.id, [columns.at]: now, ...(invoiceNumber !== undefined ? { invoiceNumber } : {}) },
    });
    if (updated.count !== 1) throw new UserError("settlement.statements.concurrentChange", { status: 409 });
    await audit({
      action: `statement.${action}`, entityType: "SettlementStatement", entityId: s.id,
      before: { state: s.state }, after: { number: s.number, state: result.state, ...(invoiceNumber !== undefined ? { invoiceNumber } : {}), ...counts },
    });
    const contract = await tx.custodyContract.findUniqueOrThrow({ where: { id: s.contractId }, select: { number: true } });
    await tellNextRole(tx, nextRoleAfter(action), `settlement.statements.notice.${result.state}` as MessageKey, { number: s.number, contract: contract.number }, s.id, actor.id);
    return { id: s.id, number: s.number, state: result.state };
  });
}
