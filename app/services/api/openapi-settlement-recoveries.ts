import { z } from "zod";
import { toYuanString } from "~/domain/money";
import type { RecoveryView } from "~/services/settlement/recoveries.server";
import type { RemittanceView } from "~/services/settlement/remittances.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * [SETTLE] recoveries (收回登记) and remittances (交账) under /api/v1: the custodian reports a recovery
 * with its evidence (base64 inline) and remits; the branch registers recoveries and confirms bank
 * transfers; audit verifies; an agency sees only its own (404 for another's). Money is yuan strings with
 * two decimals; days China calendar days YYYY-MM-DD; instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const yuanIn = z.string().min(1).max(32).meta({ description: "Yuan as typed: \"1234.56\", \"1,234.5\"; at most two decimals." });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const instant = z.iso.datetime();

export const recoveryRequestSchema = z
  .object({
    loan_number: z.string().min(1).max(64),
    collected_on: day.meta({ description: "The China day the custodian received the money: within the custody term, not after today." }),
    principal: yuanIn.meta({ description: "Principal recovered, yuan (≥ 0); at most what is still unrecovered on the loan." }),
    interest: yuanIn.meta({ description: "Interest recovered, yuan (≥ 0); principal + interest > 0." }),
    payer: z.string().min(1).max(100).meta({ description: "The debtor or guarantor named on the receipt." }),
    note: z.string().max(500).nullish(),
    evidence: z
      .object({ file_name: z.string().min(1).max(200), content_base64: z.string().min(1) })
      .meta({ description: "The receipt or bank slip (PDF, PNG or JPEG, at most 10 MB), base64." }),
  })
  .meta({ id: "RecoveryRequest" });

export const recoverySchema = z
  .object({
    id: z.string(),
    number: z.string().meta({ description: "RCV-YYYY-NNNNNN" }),
    contract_id: z.string(),
    contract_number: z.string(),
    loan_number: z.string(),
    collected_on: day,
    principal: yuan,
    interest: yuan,
    amount: yuan,
    remitted: yuan.meta({ description: "What of it reached the bank (confirmed remittances and deductions)." }),
    outstanding: yuan.meta({ description: "Still to remit (0 once rejected)." }),
    payer: z.string(),
    note: z.string().nullable(),
    evidence_file_name: z.string().nullable(),
    status: z.enum(["REPORTED", "REGISTERED", "VERIFIED", "REJECTED"]),
    reported_by: z.string(),
    reported_at: instant,
    register_reference: z.string().nullable(),
    registered_at: instant.nullable(),
    verified_at: instant.nullable(),
    rejected_at: instant.nullable(),
    rejection_reason: z.string().nullable(),
  })
  .meta({ id: "Recovery" });

export const recoveryListSchema = z.object({ items: z.array(recoverySchema) }).meta({ id: "RecoveryList" });
export const recoveryListQuerySchema = z.object({
  status: z.enum(["REPORTED", "REGISTERED", "VERIFIED", "REJECTED"]).optional().meta({ description: "Only recoveries in this status." }),
  contract_id: z.string().optional().meta({ description: "Only this contract's." }),
});

export const registerRecoveryRequestSchema = z.object({ register_reference: z.string().min(1).max(64) }).meta({ id: "RegisterRecoveryRequest" });
export const rejectRequestSchema = z.object({ reason: z.string().min(1).max(500) }).meta({ id: "SettlementRejectRequest" });

export const remittanceRequestSchema = z
  .object({
    contract_id: z.string().min(1),
    amount: yuanIn.meta({ description: "Yuan (> 0); at most what the contract still owes less pending remittances (and of the recoveries named)." }),
    method: z.enum(["bank_transfer", "stripe"]),
    recovery_ids: z.array(z.string()).max(500).optional().meta({ description: "Recoveries to settle, in order; none: first-in first-out." }),
    payer_reference: z.string().max(64).nullish().meta({ description: "Your transfer reference (required for a bank transfer)." }),
    stripe_methods: z.array(z.enum(["card", "alipay", "wechat_pay"])).optional().meta({ description: "Stripe only; default card." }),
  })
  .meta({ id: "RemittanceRequest" });

export const remittanceSchema = z
  .object({
    id: z.string(),
    number: z.string().meta({ description: "RMT-YYYY-NNNNNN" }),
    contract_id: z.string(),
    contract_number: z.string(),
    custodian: z.string(),
    method: z.enum(["BANK_TRANSFER", "STRIPE", "DEDUCTION"]),
    amount: yuan,
    status: z.enum(["DECLARED", "AWAITING_PAYMENT", "CONFIRMED", "REJECTED", "FAILED"]),
    named_recoveries: z.array(z.object({ id: z.string(), number: z.string() })),
    payer_reference: z.string().nullable(),
    declared_at: instant,
    remitted_on: day.nullable().meta({ description: "The China day the bank received it (R7 remitted_on); set on confirmation." }),
    voucher_number: z.string().nullable(),
    confirmed_at: instant.nullable(),
    rejection_reason: z.string().nullable(),
    allocations: z.array(z.object({ recovery_id: z.string(), recovery_number: z.string(), amount: yuan, remitted_on: day })),
  })
  .meta({ id: "Remittance" });

export const remittanceCreatedSchema = remittanceSchema
  .extend({ client_secret: z.string().nullable().meta({ description: "Stripe only: what Stripe.js needs to pay it (not stored; shown once)." }) })
  .meta({ id: "RemittanceCreated" });
export const remittanceListSchema = z.object({ items: z.array(remittanceSchema) }).meta({ id: "RemittanceList" });
export const remittanceListQuerySchema = z.object({
  status: z.enum(["DECLARED", "AWAITING_PAYMENT", "CONFIRMED", "REJECTED", "FAILED"]).optional(),
  contract_id: z.string().optional(),
});
export const confirmRemittanceRequestSchema = z
  .object({
    voucher_number: z.string().min(1).max(64),
    remitted_on: day.meta({ description: "The China day the bank received the money: not after today, not before the collection it settles." }),
  })
  .meta({ id: "ConfirmRemittanceRequest" });

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function apiRecovery(r: RecoveryView): z.input<typeof recoverySchema> {
  return {
    id: r.id, number: r.number, contract_id: r.contractId, contract_number: r.contractNumber, loan_number: r.loanNumber, collected_on: r.collectedOn,
    principal: toYuanString(r.principal), interest: toYuanString(r.interest), amount: toYuanString(r.amount), remitted: toYuanString(r.remitted),
    outstanding: toYuanString(r.outstanding), payer: r.payer, note: r.note, evidence_file_name: r.evidence?.name ?? null,
    status: r.status as z.input<typeof recoverySchema>["status"], reported_by: r.reportedBy, reported_at: iso(r.reportedAt)!,
    register_reference: r.registerReference, registered_at: iso(r.registeredAt), verified_at: iso(r.verifiedAt), rejected_at: iso(r.rejectedAt), rejection_reason: r.rejectionReason,
  };
}

export function apiRemittance(r: RemittanceView): z.input<typeof remittanceSchema> {
  return {
    id: r.id, number: r.number, contract_id: r.contractId, contract_number: r.contractNumber, custodian: r.custodian,
    method: r.method as z.input<typeof remittanceSchema>["method"], amount: toYuanString(r.amount), status: r.status as z.input<typeof remittanceSchema>["status"],
    named_recoveries: r.named, payer_reference: r.payerReference, declared_at: iso(r.declaredAt)!, remitted_on: r.remittedOn, voucher_number: r.voucherNumber,
    confirmed_at: iso(r.confirmedAt), rejection_reason: r.rejectionReason,
    allocations: r.allocations.map((a) => ({ recovery_id: a.recoveryId, recovery_number: a.recoveryNumber, amount: toYuanString(a.amount), remitted_on: a.remittedOn })),
  };
}

const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
const body = (ref: unknown) => ({ required: true, content: { "application/json": { schema: ref } } });

export const settlementRecoveriesApi: OpenApiArea = {
  schemas: {
    RecoveryRequest: recoveryRequestSchema,
    Recovery: recoverySchema,
    RecoveryList: recoveryListSchema,
    RegisterRecoveryRequest: registerRecoveryRequestSchema,
    SettlementRejectRequest: rejectRequestSchema,
    RemittanceRequest: remittanceRequestSchema,
    Remittance: remittanceSchema,
    RemittanceCreated: remittanceCreatedSchema,
    RemittanceList: remittanceListSchema,
    ConfirmRemittanceRequest: confirmRemittanceRequestSchema,
  },
  paths: ({ ref, json, errors, queryParameters }) => ({
    "/recoveries": {
      get: {
        operationId: "listRecoveries",
        summary: "Recoveries (settlement:view): a custodian its own, the bank every one",
        description: "Newest collection first, at most 500. An agency or staff custodian sees only its own contracts' recoveries.",
        parameters: queryParameters(recoveryListQuerySchema),
        responses: { "200": json(ref("RecoveryList"), "The recoveries"), ...errors(400, 401, 403, 429) },
      },
      post: {
        operationId: "reportRecovery",
        summary: "Report a recovery (custodian, custody:work): REPORTED, for the branch to register",
        description:
          "The loan must be in one of the caller's contracts (ACTIVE, or ENDED and not closed out; otherwise 404 `settlement.recoveries.loanNotFound`, " +
          "as for an unknown loan). `collected_on` within the custody term and not after today; principal and interest ≥ 0 with a positive sum and no more than " +
          "what is still unrecovered on the loan (`settlement.recoveries.overRecoveryPrincipal` / `…Interest`, `details.left`). Evidence required. " +
          "Audit-logged (`settlement.recovery.report`); the branch is notified. Nothing is booked until the branch registers it.",
        requestBody: body(ref("RecoveryRequest")),
        responses: { "201": json(ref("Recovery"), "The recovery reported"), "415": json(ref("Error"), "The evidence is not a PDF, PNG or JPEG"), ...errors(400, 401, 403, 404, 413, 429) },
      },
    },
    "/recoveries/{id}": {
      get: {
        operationId: "getRecovery",
        summary: "One recovery (its custodian, or the bank); another agency's is a 404",
        parameters: [id],
        responses: { "200": json(ref("Recovery"), "The recovery"), ...errors(401, 403, 404, 429) },
      },
    },
    "/recoveries/{id}/register": {
      post: {
        operationId: "registerRecovery",
        summary: "Register a REPORTED recovery (branch, recoveries:register) with its register reference",
        description:
          "REGISTERED, and one balanced journal entry (source `recovery`): DEBIT the contract's REMITTANCE_RECEIVABLE / CREDIT LOAN_RECOVERIES, the amount. " +
          "Four eyes: the registrar is not the reporter. Another status: 409 `settlement.recoveries.wrongState`. Audit is notified.",
        parameters: [id],
        requestBody: body(ref("RegisterRecoveryRequest")),
        responses: { "200": json(ref("Recovery"), "Registered"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/recoveries/{id}/verify": {
      post: {
        operationId: "verifyRecovery",
        summary: "Verify a REGISTERED recovery (audit, recoveries:verify)",
        description:
          "VERIFIED: it now counts toward commission. Four eyes: the verifier is neither the registrar nor the reporter (403 `settlement.recoveries.fourEyes`). " +
          "When the loan's verified recoveries reach its principal + interest, the loan becomes RECOVERED (audit `settlement.loan.recovered`). No body.",
        parameters: [id],
        responses: { "200": json(ref("Recovery"), "Verified"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/recoveries/{id}/reject": {
      post: {
        operationId: "rejectRecovery",
        summary: "Reject a recovery with a reason: REPORTED by the branch, REGISTERED by audit",
        description:
          "A REGISTERED one's registration entry is reversed. A recovery money was already remitted against is never rejected (409 " +
          "`settlement.recoveries.remittedCannotReject`). The custodian is told (bell + email).",
        parameters: [id],
        requestBody: body(ref("SettlementRejectRequest")),
        responses: { "200": json(ref("Recovery"), "Rejected"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/remittances": {
      get: {
        operationId: "listRemittances",
        summary: "Remittances (settlement:view): a custodian its own, the bank every one",
        parameters: queryParameters(remittanceListQuerySchema),
        responses: { "200": json(ref("RemittanceList"), "Newest first, at most 500"), ...errors(400, 401, 403, 429) },
      },
      post: {
        operationId: "declareRemittance",
        summary: "Remit money collected (custodian): a bank transfer for the branch to confirm, or a Stripe payment",
        description:
          "`bank_transfer`: DECLARED (payer_reference required). `stripe`: a PaymentIntent (metadata kind `remittance`, remittanceId), AWAITING_PAYMENT, " +
          "with `client_secret` for Stripe.js; only the verified webhook's payment.succeeded confirms it (remitted_on = the China day of the event). " +
          "The amount may not exceed what the contract still owes less other pending remittances (`settlement.recoveries.remittance.amountAboveOutstanding`, " +
          "`details.open`), nor the outstanding of the recoveries named. Named recoveries must be the contract's, REPORTED/REGISTERED/VERIFIED with money " +
          "outstanding. Another custodian's contract: 404.",
        requestBody: body(ref("RemittanceRequest")),
        responses: { "201": json(ref("RemittanceCreated"), "Declared (or awaiting the Stripe payment)"), "502": json(ref("Error"), "Stripe unavailable"), ...errors(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    "/remittances/{id}": {
      get: {
        operationId: "getRemittance",
        summary: "One remittance with its allocations; another agency's is a 404",
        parameters: [id],
        responses: { "200": json(ref("Remittance"), "The remittance"), ...errors(401, 403, 404, 429) },
      },
    },
    "/remittances/{id}/confirm": {
      post: {
        operationId: "confirmRemittance",
        summary: "Confirm a DECLARED bank transfer (branch, recoveries:register) with the voucher and the day received",
        description:
          "Allocates the amount to the contract's open recoveries collected on or before `remitted_on` (first-in first-out, or the named ones) and posts one " +
          "balanced entry (source `remittance`): DEBIT CLEARING_BANK_TRANSFER / CREDIT the contract's REMITTANCE_RECEIVABLE. Refused, changing nothing: " +
          "`remitted_on` after today or before the collection it settles (`…remittedBeforeCollected`), or money with nothing left to settle " +
          "(409 `settlement.recoveries.remittance.unapplied`, `details.unapplied`). Stripe remittances: 409 (webhook only). The custodian is told.",
        parameters: [id],
        requestBody: body(ref("ConfirmRemittanceRequest")),
        responses: { "200": json(ref("Remittance"), "Confirmed"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/remittances/{id}/reject": {
      post: {
        operationId: "rejectRemittance",
        summary: "Reject a DECLARED remittance (branch) with a reason: the money did not arrive",
        parameters: [id],
        requestBody: body(ref("SettlementRejectRequest")),
        responses: { "200": json(ref("Remittance"), "Rejected"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
  }),
};
