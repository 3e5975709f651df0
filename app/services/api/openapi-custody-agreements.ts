import { z } from "zod";
import { toYuanString, type Fen } from "~/domain/money";
import { agreementPaymentRequestSchema, recordAgreementRequestSchema, waiverDecisionRequestSchema } from "~/services/custody/agreement-schemas";
import type { agreementView, recordAgreement } from "~/services/custody/agreements.server";
import type { decideWaiver, PendingWaiver } from "~/services/custody/waivers.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * The repayment-agreement operations of /api/v1 (issue 7, items 4 and 6; R5): a loan's agreements
 * (custodian during the term; the department read-only), recording one (the schedule in yuan; a
 * shortfall is a waiver request), recording a debtor's payment, the department's queue of waivers
 * and its decision. Same services, permissions and refusals as the pages. Money is yuan strings
 * with two decimals; days YYYY-MM-DD (China calendar); instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const instant = z.iso.datetime();
const dayText = z.string().meta({ description: "YYYY-MM-DD (China calendar day)" });
const amounts = z.object({ principal: yuan, interest: yuan });

const money = (fen: Fen) => toYuanString(fen);
const pair = (p: { principal: Fen; interest: Fen }) => ({ principal: money(p.principal), interest: money(p.interest) });

// ---- responses ----------------------------------------------------------------------------------------

export const waiverSchema = z
  .object({
    id: z.string(),
    status: z.string().meta({ description: "PENDING (not in effect), APPROVED (in effect from decided_at) or REJECTED." }),
    principal: yuan,
    interest: yuan,
    reason: z.string(),
    requested_at: instant,
    decided_at: instant.nullable(),
    decision_note: z.string().nullable(),
  })
  .meta({ id: "Waiver" });

export const agreementSchema = z
  .object({
    id: z.string(),
    status: z.string().meta({ description: "ACTIVE, PENDING_WAIVER (the waiver awaits approval; the debtor owes the full amount), WAIVER_REJECTED (does not stand) or SUPERSEDED." }),
    signed_on: dayText,
    last_due_on: dayText,
    outstanding: amounts.meta({ description: "What the loan owed when the agreement was recorded." }),
    scheduled: amounts.meta({ description: "What the schedule collects." }),
    reason: z.string().nullable(),
    settings_version: z.number().int(),
    recorded_at: instant,
    instalments: z.array(z.object({ position: z.number().int(), due_on: dayText, principal: yuan, interest: yuan, missed_short: yuan.nullable().meta({ description: "Missed (due before today, not covered by the payments, oldest first): what is short." }) })),
    payments: z.array(z.object({ id: z.string(), paid_on: dayText, amount: yuan, recorded_at: instant })),
    paid_to_date: yuan,
    missed: z.array(z.object({ position: z.number().int(), due_on: dayText, short: yuan })),
    waiver: waiverSchema.nullable(),
  })
  .meta({ id: "RepaymentAgreement" });

export const agreementViewSchema = z
  .object({
    loan_number: z.string(),
    contract: z.object({ id: z.string(), number: z.string() }),
    today: dayText,
    book: amounts.meta({ description: "The loan's book figures (interest = on + off balance)." }),
    waived: amounts.meta({ description: "Approved waivers in effect now." }),
    outstanding: amounts.meta({ description: "What the loan owes now: book less approved waivers. A schedule may not collect more (no new lending)." }),
    max_months: z.number().int().meta({ description: "The longest agreement (setting maxAgreementMonths in force)." }),
    latest_due_on: dayText.meta({ description: "The latest due day of an agreement signed today." }),
    settings_version: z.number().int(),
    missed_count: z.number().int(),
    pending_decision: z.boolean().meta({ description: "An agreement awaits its waiver decision: no new agreement until then." }),
    agreements: z.array(agreementSchema),
  })
  .meta({ id: "AgreementView" });

export const recordAgreementResultSchema = z
  .object({
    agreement_id: z.string(),
    status: z.string().meta({ description: "ACTIVE, or PENDING_WAIVER when the schedule collects less than owed." }),
    signed_on: dayText,
    last_due_on: dayText,
    max_months: z.number().int(),
    outstanding: amounts,
    scheduled: amounts,
    waiver: waiverSchema.nullable(),
    superseded_agreement_id: z.string().nullable().meta({ description: "The ACTIVE agreement this one replaced at once (none while its waiver is pending)." }),
  })
  .meta({ id: "RecordAgreementResult" });

export const agreementPaymentSchema = z
  .object({ id: z.string(), agreement_id: z.string(), paid_on: dayText, amount: yuan, recorded_at: instant })
  .meta({ id: "AgreementPayment" });

export const pendingWaiverSchema = z
  .object({
    id: z.string(),
    loan_number: z.string(),
    contract_id: z.string(),
    contract_number: z.string(),
    agreement_id: z.string(),
    signed_on: dayText,
    outstanding: amounts,
    scheduled: amounts,
    waiver: amounts,
    reason: z.string(),
    requested_by: z.string(),
    requested_at: instant,
    can_decide: z.boolean().meta({ description: "false for your own request (four eyes)." }),
  })
  .meta({ id: "PendingWaiver" });

export const pendingWaiverListSchema = z.object({ items: z.array(pendingWaiverSchema) }).meta({ id: "PendingWaiverList" });

export const waiverDecisionResultSchema = z
  .object({
    id: z.string(),
    status: z.string().meta({ description: "APPROVED or REJECTED." }),
    agreement_id: z.string(),
    agreement_status: z.string().meta({ description: "ACTIVE (approved) or WAIVER_REJECTED." }),
    superseded_agreement_ids: z.array(z.string()),
    loan_number: z.string(),
    decided_at: instant,
  })
  .meta({ id: "WaiverDecisionResult" });

// ---- mapping -------------------------------------------------------------------------------------------

type View = Awaited<ReturnType<typeof agreementView>>;
type Recorded = Awaited<ReturnType<typeof recordAgreement>>;
type Decided = Awaited<ReturnType<typeof decideWaiver>>;

function apiWaiver(w: { id: string; status: string; principal: Fen; interest: Fen; reason: string; requestedAt: Date; decidedAt: Date | null; decisionNote: string | null }) {
  return {
    id: w.id, status: w.status, principal: money(w.principal), interest: money(w.interest), reason: w.reason,
    requested_at: w.requestedAt.toISOString(), decided_at: w.decidedAt?.toISOString() ?? null, decision_note: w.decisionNote,
  };
}

export function apiAgreementView(view: View) {
  return {
    loan_number: view.loan.loanNumber,
    contract: { id: view.contract.id, number: view.contract.number },
    today: view.today,
    book: pair(view.book),
    waived: pair(view.waived),
    outstanding: pair(view.outstanding),
    max_months: view.maxMonths,
    latest_due_on: view.latestDueOn,
    settings_version: view.settingsVersion,
    missed_count: view.missedCount,
    pending_decision: view.pendingDecision,
    agreements: view.agreements.map((a) => ({
      id: a.id, status: a.status, signed_on: a.signedOn, last_due_on: a.lastDueOn,
      outstanding: pair(a.outstanding), scheduled: pair(a.scheduled), reason: a.reason, settings_version: a.settingsVersion,
      recorded_at: a.recordedAt.toISOString(),
      instalments: a.instalments.map((i) => ({ position: i.position, due_on: i.dueOn, principal: money(i.principal), interest: money(i.interest), missed_short: i.missedShort === null ? null : money(i.missedShort) })),
      payments: a.payments.map((p) => ({ id: p.id, paid_on: p.paidOn, amount: money(p.amount), recorded_at: p.recordedAt.toISOString() })),
      paid_to_date: money(a.paidToDate),
      missed: a.missed.map((m) => ({ position: m.position, due_on: m.dueOn, short: money(m.short) })),
      waiver: a.waiver ? apiWaiver(a.waiver) : null,
    })),
  };
}

export function apiRecordedAgreement(r: Recorded) {
  return {
    agreement_id: r.agreement.id,
    status: r.agreement.status,
    signed_on: r.agreement.signedOn,
    last_due_on: r.agreement.lastDueOn,
    max_months: r.maxMonths,
    outstanding: pair(r.outstanding),
    scheduled: { principal: money(r.agreement.scheduledPrincipal), interest: money(r.agreement.scheduledInterest) },
    waiver: r.waiver ? apiWaiver(r.waiver) : null,
    superseded_agreement_id: r.superseded,
  };
}

export function apiAgreementPayment(p: { id: string; agreementId: string; paidOn: string; amount: Fen; recordedAt: Date }) {
  return { id: p.id, agreement_id: p.agreementId, paid_on: p.paidOn, amount: money(p.amount), recorded_at: p.recordedAt.toISOString() };
}

export function apiPendingWaiver(w: PendingWaiver) {
  return {
    id: w.id, loan_number: w.loanNumber, contract_id: w.contractId, contract_number: w.contractNumber, agreement_id: w.agreementId,
    signed_on: w.signedOn, outstanding: pair(w.outstanding), scheduled: pair(w.scheduled), waiver: pair(w.waiver), reason: w.reason,
    requested_by: w.requestedBy, requested_at: w.requestedAt.toISOString(), can_decide: w.canDecide,
  };
}

export function apiWaiverDecision(d: Decided) {
  return {
    id: d.id, status: d.status, agreement_id: d.agreementId, agreement_status: d.agreementStatus, superseded_agreement_ids: d.superseded,
    loan_number: d.loanNumber, decided_at: d.decidedAt.toISOString(),
  };
}

// ---- the area ------------------------------------------------------------------------------------------

export const custodyAgreementsApi: OpenApiArea = {
  schemas: {
    Waiver: waiverSchema,
    RepaymentAgreement: agreementSchema,
    AgreementView: agreementViewSchema,
    RecordAgreementRequest: recordAgreementRequestSchema,
    RecordAgreementResult: recordAgreementResultSchema,
    AgreementPaymentRequest: agreementPaymentRequestSchema,
    AgreementPayment: agreementPaymentSchema,
    PendingWaiver: pendingWaiverSchema,
    PendingWaiverList: pendingWaiverListSchema,
    WaiverDecisionRequest: waiverDecisionRequestSchema,
    WaiverDecisionResult: waiverDecisionResultSchema,
  },
  paths: ({ ref, json, errors }) => ({
    "/custody/loans/{loan_number}/agreements": {
      get: {
        operationId: "getLoanAgreements",
        summary: "A loan's repayment agreements, with instalments, payments, waivers and missed instalments (custodian during the term; department read-only)",
        description:
          "Also what is owed now (book less approved waivers), the longest agreement allowed and the latest due day for one signed today. " +
          "Anyone else — another agency, the custodian after the term — gets 404 `custody.loanNotFound`, as for a loan that does not exist.",
        parameters: [{ name: "loan_number", in: "path", required: true, schema: { type: "string" }, description: "The loan number." }],
        responses: { "200": json(ref("AgreementView"), "The loan's agreements"), ...errors(401, 403, 404, 429) },
      },
      post: {
        operationId: "recordAgreement",
        summary: "Record a repayment agreement (custody:work, the loan's custodian during the term)",
        description:
          "R5: the last instalment at most `max_months` (setting in force on the signing day) after signing (400 `custodyAgreements.problem.tooLong` naming the latest day); " +
          "never more than owed, principal and interest each (400 `custodyAgreements.problem.newLendingPrincipal|Interest`: no new lending); due days after signing and in order. " +
          "Every problem of the schedule is listed in `fields.instalments`. A schedule collecting less than owed needs a `reason` and creates a PENDING waiver: the agreement is " +
          "PENDING_WAIVER and nothing is reduced until the department approves. Without a waiver the agreement is ACTIVE and supersedes the loan's ACTIVE one. " +
          "While an agreement awaits its waiver decision, another is refused (409 `custodyAgreements.pendingDecision`). Audit-logged (`agreement.record`, `waiver.request`).",
        parameters: [{ name: "loan_number", in: "path", required: true, schema: { type: "string" }, description: "The loan number." }],
        requestBody: { required: true, content: { "application/json": { schema: ref("RecordAgreementRequest") } } },
        responses: { "201": json(ref("RecordAgreementResult"), "Recorded"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/custody/agreements/{id}/payments": {
      post: {
        operationId: "recordAgreementPayment",
        summary: "Record a payment the debtor made under an agreement (custody:work, the custodian during the term)",
        description:
          "On an ACTIVE or PENDING_WAIVER agreement (409 otherwise); not in the future nor before signing. Payments settle the oldest instalments first for the missed-instalment flags. " +
          "This is the custodian's record; recoveries reach the books through the branch's registration. Audit-logged (`agreement.payment`).",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" }, description: "The agreement's id." }],
        requestBody: { required: true, content: { "application/json": { schema: ref("AgreementPaymentRequest") } } },
        responses: { "201": json(ref("AgreementPayment"), "Recorded"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/custody/waivers": {
      get: {
        operationId: "listPendingWaivers",
        summary: "Waivers awaiting the department's decision, oldest first (custody:manage)",
        responses: { "200": json(ref("PendingWaiverList"), "The pending waivers"), ...errors(401, 403, 429) },
      },
    },
    "/custody/waivers/{id}/decision": {
      post: {
        operationId: "decideWaiver",
        summary: "Approve or reject a pending waiver (custody:manage, not the requester)",
        description:
          "approve: the waiver is APPROVED and in effect from now, its agreement ACTIVE (superseding the loan's previous ACTIVE one). reject (a `note` is required): " +
          "the agreement is WAIVER_REJECTED and nothing is reduced. Decisions are final (409 `custodyAgreements.waiver.alreadyDecided`); your own request is 403 " +
          "`custodyAgreements.waiver.fourEyes`. The custodian is told in the app and by email. Audit-logged (`waiver.approve` / `waiver.reject`).",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" }, description: "The waiver's id." }],
        requestBody: { required: true, content: { "application/json": { schema: ref("WaiverDecisionRequest") } } },
        responses: { "200": json(ref("WaiverDecisionResult"), "Decided"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
  }),
};
