import { z } from "zod";
import { maxInvoiceNumberLength } from "~/domain/settlement-statement";
import { toYuanString, type Fen } from "~/domain/money";
import { paymentMethods } from "~/services/settlement/statement-payment.server";
import type { StatementDetail, StatementListItem } from "~/services/settlement/statement-views.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * R9 settlement statements (清收手续费清单) under /api/v1: list and read (the bank's side all, a
 * custodian its own; any other statement is a 404), generate on demand, verify lines one by one and
 * take each workflow step (four-eyes: each step by its role and by another person than the previous
 * step; a paid statement is immutable). Same services and refusals as the pages. Money is yuan
 * strings with two decimals; days YYYY-MM-DD (China calendar); instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const instant = z.iso.datetime();
const money = (fen: Fen) => toYuanString(fen);
const states = ["draft", "submitted", "verified", "reviewed", "invoice_recorded", "paid"] as const;

// ---- requests -------------------------------------------------------------------------------------------

export const statementListQuerySchema = z.object({
  state: z.enum(states).optional().catch(undefined).meta({ description: "Only statements in this state." }),
  contract_id: z.string().optional().meta({ description: "Only this contract's statements." }),
  year: z.coerce.number().int().min(2000).max(2199).optional().catch(undefined).meta({ description: "Only this year." }),
  quarter: z.coerce.number().int().min(1).max(4).optional().catch(undefined).meta({ description: "Only this quarter (1–4)." }),
});

export const generateStatementRequestSchema = z
  .object({
    year: z.number().int().meta({ description: "The calendar year of the quarter." }),
    quarter: z.number().int().min(1).max(4).meta({ description: "1 (Jan–Mar) … 4 (Oct–Dec)." }),
  })
  .meta({ id: "GenerateStatementRequest" });

export const invoiceRequestSchema = z
  .object({ invoice_number: z.string().min(1).max(maxInvoiceNumberLength).meta({ description: "The agency's tax invoice number (1–64 characters)." }) })
  .meta({ id: "StatementInvoiceRequest" });

export const payRequestSchema = z
  .object({
    method: z.enum(paymentMethods).meta({
      description:
        "to_custodian: STRIPE_TRANSFER (agency with a Stripe account; the reference is Stripe's tr_…), BANK_TRANSFER (voucher), PAYROLL (staff, voucher); " +
        "to_bank: BANK_TRANSFER (the custodian paid in, voucher) or DEPOSIT_NETTING (from the performance deposit, the rest a claim); nil: NONE.",
    }),
    reference: z.string().max(64).optional().meta({ description: "The voucher number (凭证号): required for BANK_TRANSFER and PAYROLL." }),
  })
  .meta({ id: "PayStatementRequest" });

// ---- responses ------------------------------------------------------------------------------------------

export const statementLineSchema = z
  .object({
    position: z.number().int(),
    kind: z.string().meta({ description: "recovery | commission | fee | preservation_reward | late_interest | deduction | penalty | bonus" }),
    recovery_id: z.string().nullable(),
    loan_number: z.string().nullable(),
    collected_on: z.string().nullable().meta({ description: "recovery: the collection day; deduction: the day it was taken." }),
    principal: yuan.nullable(),
    interest: yuan.nullable(),
    loans: z.number().int().nullable().meta({ description: "preservation_reward: how many loans." }),
    amount: yuan,
    basis: z.string().nullable().meta({ description: "What the amount was computed from (R, T, c, rates)." }),
    verified_at: instant.nullable(),
    verified_by: z.string().nullable(),
  })
  .meta({ id: "SettlementStatementLine" });

const statementFields = {
  id: z.string(),
  number: z.string().meta({ description: "STM-YYYY-NNNNNN" }),
  contract_id: z.string(),
  contract_number: z.string(),
  kind: z.string().meta({ description: "QUARTERLY, or FINAL (the period holding the term's last day, after the contract ended)." }),
  year: z.number().int(),
  quarter: z.number().int(),
  period_starts_on: z.string(),
  period_ends_on: z.string(),
  custodian_kind: z.string().meta({ description: "STAFF or AGENCY." }),
  custodian_name: z.string(),
  state: z.enum(states),
  recovered_principal: yuan,
  recovered_interest: yuan,
  payable_to_custodian: yuan.meta({ description: "commission/fee + rewards + bonus." }),
  owed_by_custodian: yuan.meta({ description: "late interest + penalties." }),
  deductions_taken: yuan.meta({ description: "Forced deductions already taken (information, not in the net)." }),
  net_payable: yuan.meta({ description: "payable − owed: positive, the bank pays the custodian; negative, the custodian owes the bank." }),
  generated_at: instant,
};

export const statementSummarySchema = z.object(statementFields).meta({ id: "SettlementStatementSummary" });

export const statementSchema = z
  .object({
    ...statementFields,
    earned_to_date: yuan.meta({ description: "Internal: the bonus earned to date; agency: the fee earned to date." }),
    generated_by: z.string(),
    invoice_number: z.string().nullable(),
    payment_method: z.string().nullable(),
    payment_reference: z.string().nullable(),
    entry_id: z.string().nullable().meta({ description: "The journal entry posted on payment." }),
    steps: z.array(z.object({ step: z.string(), by: z.string(), at: instant })).meta({ description: "The steps taken, oldest first." }),
    lines: z.array(statementLineSchema),
  })
  .meta({ id: "SettlementStatement" });

export const statementListSchema = z.object({ items: z.array(statementSummarySchema) }).meta({ id: "SettlementStatementList" });

export function apiStatementSummary(s: StatementListItem): z.input<typeof statementSummarySchema> {
  return {
    id: s.id, number: s.number, contract_id: s.contractId, contract_number: s.contractNumber, kind: s.kind, year: s.year, quarter: s.quarter,
    period_starts_on: s.periodStartsOn, period_ends_on: s.periodEndsOn, custodian_kind: s.custodianKind, custodian_name: s.custodianName, state: s.state,
    recovered_principal: money(s.recoveredPrincipal), recovered_interest: money(s.recoveredInterest), payable_to_custodian: money(s.payableToCustodian),
    owed_by_custodian: money(s.owedByCustodian), deductions_taken: money(s.deductionsTaken), net_payable: money(s.netPayable), generated_at: s.generatedAt.toISOString(),
  };
}

export function apiStatement(d: StatementDetail): z.input<typeof statementSchema> {
  const s = d.statement;
  return {
    id: s.id, number: s.number, contract_id: s.contractId, contract_number: d.contract.number, kind: s.kind, year: s.year, quarter: s.quarter,
    period_starts_on: s.periodStartsOn, period_ends_on: s.periodEndsOn, custodian_kind: s.custodianKind, custodian_name: d.custodianName, state: s.state,
    recovered_principal: money(s.recoveredPrincipal), recovered_interest: money(s.recoveredInterest), payable_to_custodian: money(s.payableToCustodian),
    owed_by_custodian: money(s.owedByCustodian), deductions_taken: money(s.deductionsTaken), net_payable: money(s.netPayable), generated_at: s.generatedAt.toISOString(),
    earned_to_date: money(s.earnedToDate), generated_by: s.generatedBy, invoice_number: s.invoiceNumber, payment_method: s.paymentMethod, payment_reference: s.paymentReference,
    entry_id: s.entryId, steps: d.steps.map((x) => ({ step: x.step, by: x.by, at: x.at.toISOString() })),
    lines: d.lines.map((l) => ({
      position: l.position, kind: l.kind, recovery_id: l.recoveryId, loan_number: l.loanNumber, collected_on: l.collectedOn,
      principal: l.principal === null ? null : money(l.principal), interest: l.interest === null ? null : money(l.interest), loans: l.loans,
      amount: money(l.amount), basis: l.basis, verified_at: l.verifiedAt?.toISOString() ?? null, verified_by: l.verifiedBy,
    })),
  };
}

const pathParam = (name: string, what: string, type = "string") => ({ name, in: "path", required: true, schema: { type }, description: what });

const stepPath = (operationId: string, summary: string, description: string, body?: string) => ({
  post: {
    operationId,
    summary,
    description,
    parameters: [pathParam("id", "The statement's id.")],
    ...(body ? { requestBody: { required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${body}` } } } } } : {}),
  },
});

const fourEyes =
  "Refusals: a paid statement 409 `settlement.statements.refused.immutable`; the wrong state 409 `…refused.wrong_state`; the wrong role 403 `…refused.wrong_role`; " +
  "the same person as the previous step 403 `…refused.same_person`. Audit-logged; the next role is told (bell).";

export const settlementStatementsApi: OpenApiArea = {
  schemas: {
    SettlementStatement: statementSchema,
    SettlementStatementSummary: statementSummarySchema,
    SettlementStatementLine: statementLineSchema,
    SettlementStatementList: statementListSchema,
    GenerateStatementRequest: generateStatementRequestSchema,
    StatementInvoiceRequest: invoiceRequestSchema,
    PayStatementRequest: payRequestSchema,
  },
  paths: ({ ref, json, errors, queryParameters }) => {
    const withErrors = (p: ReturnType<typeof stepPath>) => ({
      post: { ...p.post, responses: { "200": json(ref("SettlementStatement"), "The statement after the step"), ...errors(400, 401, 403, 404, 409, 422, 429) } },
    });
    return {
      "/statements": {
        get: {
          operationId: "listStatements",
          summary: "R9 settlement statements (settlement:view): the bank's side all, a custodian its own",
          description: "Newest period first (at most 500). Another custodian's statements are never listed.",
          parameters: queryParameters(statementListQuerySchema),
          responses: { "200": json(ref("SettlementStatementList"), "The statements"), ...errors(401, 403, 429) },
        },
      },
      "/statements/{id}": {
        get: {
          operationId: "getStatement",
          summary: "One statement with its lines and the steps taken",
          parameters: [pathParam("id", "The statement's id.")],
          responses: { "200": json(ref("SettlementStatement"), "The statement"), ...errors(401, 403, 404, 429) },
        },
      },
      "/contracts/{id}/statements": {
        get: {
          operationId: "listContractStatements",
          summary: "The contract's statements (settlement:view; a custodian only its own contracts)",
          parameters: [pathParam("id", "The contract's id.")],
          responses: { "200": json(ref("SettlementStatementList"), "The statements"), ...errors(401, 403, 404, 429) },
        },
        post: {
          operationId: "generateStatement",
          summary: "Generate the statement of a quarter on demand (the department or a branch clerk)",
          description:
            "Any quarter of the term that has started, the current one too (its lines as of now). The last period of an ENDED contract is the FINAL statement " +
            "(agency: the end-of-term bonus or penalty). Lines (R9): verified recoveries not on a statement yet with collectedOn ≤ the period's end; commission (internal: " +
            "payoutDue(bonus to date, paid)) or fee (agency: 12% × R to date − paid); preservation rewards; late interest booked and not yet charged; deductions (information). " +
            "Refusals: 403 `settlement.statements.forbiddenGenerate`, 404 `settlement.statements.contractNotFound`, 422 `settlement.statements.outsideTerm` / " +
            "`settlement.statements.notStarted`, 409 `settlement.statements.duplicate`. Audit-logged (`statement.generate`); branch clerks are told.",
          parameters: [pathParam("id", "The contract's id.")],
          requestBody: { required: true, content: { "application/json": { schema: ref("GenerateStatementRequest") } } },
          responses: { "201": json(ref("SettlementStatement"), "Generated"), ...errors(400, 401, 403, 404, 409, 422, 429) },
        },
      },
      "/statements/{id}/lines/{position}/verify": {
        post: {
          operationId: "verifyStatementLine",
          summary: "The department verifies one line (R9: line by line; there is no verify-all)",
          description:
            "Only while the statement is submitted, by the department (custody:manage), not by the person who submitted it; once per line " +
            "(409 `settlement.statements.lineAlreadyVerified`). Audit-logged (`statement.line.verify`).",
          parameters: [pathParam("id", "The statement's id."), pathParam("position", "The line's position (1, 2, …).", "integer")],
          responses: { "200": json(ref("SettlementStatement"), "The statement"), ...errors(401, 403, 404, 409, 429) },
        },
      },
      "/statements/{id}/submit": withErrors(stepPath("submitStatement", "Submit a draft (branch clerk)", fourEyes)),
      "/statements/{id}/verify": withErrors(stepPath("verifyStatement", "Verify a submitted statement (the department) once every line is verified", `Every line must be verified first (422 \`settlement.statements.refused.lines_not_verified\`). ${fourEyes}`)),
      "/statements/{id}/review": withErrors(stepPath("reviewStatement", "Review a verified statement (finance)", fourEyes)),
      "/statements/{id}/invoice": withErrors(stepPath("recordStatementInvoice", "Record the agency's tax invoice number (finance; agencies only)", `An internal contractor has no invoice step (409 wrong_state); a missing or too long number: 400 \`settlement.statements.refused.invoice_required\`. ${fourEyes}`, "StatementInvoiceRequest")),
      "/statements/{id}/pay": withErrors(stepPath(
        "payStatement",
        "Record the payment (finance): the last step; posts one balanced journal entry",
        "DEBIT COMMISSION_EXPENSE payable; CREDIT LATE_INTEREST_RECEIVABLE late interest; CREDIT BANK_INCOME penalties; the net through the method's clearing account " +
          "(CLEARING_STRIPE: a Stripe transfer to the agency's connected account, reference tr_…; CLEARING_BANK_TRANSFER; CLEARING_PAYROLL), or for money the custodian owes: " +
          "CLEARING_BANK_TRANSFER (paid in) or DEPOSIT_NETTING (the performance deposit, the rest a claim). A method that does not fit the direction: 422 " +
          "`settlement.statements.pay.methodNotAllowed`; a missing voucher: 400 `settlement.statements.pay.referenceRequired`; Stripe refused: 502 " +
          `\`settlement.statements.pay.transferFailed\` (nothing recorded). ${fourEyes}`,
        "PayStatementRequest",
      )),
    };
  },
};
