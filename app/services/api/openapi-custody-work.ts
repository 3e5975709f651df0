import { z } from "zod";
import { toYuanString } from "~/domain/money";
import type { ActivityView } from "~/services/custody/activities.server";
import { activityRequestSchema } from "~/services/custody/activity-schemas";
import type { CustodyLoanRow, CustodyLoanView } from "~/services/custody/workbench.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * The collection workbench operations of /api/v1 (issue 7, items 2, 3 and 6): the custodian's loans
 * in custody, one loan with the borrower in full (each read audit-logged, only during the custody
 * term: anyone else gets 404), and the activity log with the conduct rules (a refused contact is a
 * 422 whose code names the rule). Money is yuan strings with two decimals; instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const instant = z.iso.datetime();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const custodyLoanRowSchema = z
  .object({
    loan_number: z.string(),
    contract_id: z.string(),
    contract_number: z.string(),
    borrower: z.string().meta({ description: "Masked (王*明); the loan operation gives it in full." }),
    principal: yuan,
    interest: yuan,
    custody_ends_at: instant.meta({ description: "Exclusive: access ends at this instant." }),
    limitation_expires_on: day,
    days_left: z.number().int().meta({ description: "Days from today (China) to the limitation expiry; negative once lapsed." }),
    alert_bucket: z.number().int().nullable().meta({ description: "The tightest alert threshold (90/30/7) the loan is within, or null." }),
    last_activity: z.object({ kind: z.string(), at: instant }).nullable(),
    open_agreement: z.boolean(),
  })
  .meta({ id: "CustodyLoanRow" });

export const custodyLoanListSchema = z.object({ items: z.array(custodyLoanRowSchema) }).meta({ id: "CustodyLoanList" });

export const collectionActivitySchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    party: z.string().nullable(),
    at: instant,
    effective: z.boolean(),
    outcome: z.string(),
    note: z.string().nullable(),
    evidence_file_name: z.string().nullable(),
    interruption: z
      .object({ id: z.string(), kind: z.string(), status: z.string().meta({ description: "PENDING until the department verifies it; only VERIFIED moves the clock." }), occurred_on: day })
      .nullable(),
    recorded_by: z.string(),
    recorded_at: instant,
  })
  .meta({ id: "CollectionActivity" });

export const collectionActivityListSchema = z.object({ items: z.array(collectionActivitySchema) }).meta({ id: "CollectionActivityList" });

export const custodyLoanDetailSchema = z
  .object({
    loan_number: z.string(),
    borrower_name: z.string(),
    borrower_type: z.string(),
    borrower_id_number: z.string(),
    phone: z.string().nullable(),
    guarantor_name: z.string().nullable(),
    branch: z.string(),
    principal: yuan.meta({ description: "As it entered custody." }),
    interest: yuan.meta({ description: "As it entered custody." }),
    contract: z.object({ id: z.string(), number: z.string(), custody_starts_at: instant, custody_ends_at: instant }),
    limitation: z.object({
      expires_on: day,
      days_left: z.number().int(),
      lapsed: z.boolean(),
      anchor_day: day,
      anchor_source: z.string(),
      interruptions: z.array(z.object({ id: z.string(), kind: z.string(), occurred_on: day, status: z.string() })),
    }),
    conduct: z.object({
      quiet_hours_from: z.string(),
      quiet_hours_until: z.string(),
      max_contacts_per_day: z.number().int(),
      day: day.meta({ description: "Today, China time." }),
      effective_contacts_today: z.number().int(),
    }),
    open_agreement: z.boolean(),
    activities: z.array(collectionActivitySchema),
  })
  .meta({ id: "CustodyLoanDetail" });

export function apiCustodyLoanRow(r: CustodyLoanRow): z.input<typeof custodyLoanRowSchema> {
  return {
    loan_number: r.loanNumber, contract_id: r.contractId, contract_number: r.contractNumber, borrower: r.borrower,
    principal: toYuanString(r.principal), interest: toYuanString(r.interest), custody_ends_at: r.custodyEndsAt,
    limitation_expires_on: r.expiresOn, days_left: r.daysLeft, alert_bucket: r.bucket, last_activity: r.lastActivity, open_agreement: r.openAgreement,
  };
}

export function apiActivity(a: ActivityView): z.input<typeof collectionActivitySchema> {
  return {
    id: a.id, kind: a.kind, party: a.party, at: a.at, effective: a.effective, outcome: a.outcome, note: a.note,
    evidence_file_name: a.evidence?.name ?? null,
    interruption: a.interruption ? { id: a.interruption.id, kind: a.interruption.kind, status: a.interruption.status, occurred_on: a.interruption.occurredOn } : null,
    recorded_by: a.recordedBy, recorded_at: a.recordedAt,
  };
}

export function apiCustodyLoan(v: CustodyLoanView): z.input<typeof custodyLoanDetailSchema> {
  return {
    loan_number: v.loan.loanNumber, borrower_name: v.loan.borrowerName, borrower_type: v.loan.borrowerType, borrower_id_number: v.loan.borrowerIdNumber,
    phone: v.loan.phone, guarantor_name: v.loan.guarantorName, branch: v.loan.branchName,
    principal: toYuanString(v.custody.principal), interest: toYuanString(v.custody.interest),
    contract: { id: v.contract.id, number: v.contract.number, custody_starts_at: v.contract.custodyStartsAt, custody_ends_at: v.contract.custodyEndsAt },
    limitation: {
      expires_on: v.limitation.expiresOn, days_left: v.limitation.daysLeft, lapsed: v.limitation.lapsed, anchor_day: v.limitation.anchor.day, anchor_source: v.limitation.anchor.source,
      interruptions: v.limitation.interruptions.map((i) => ({ id: i.id, kind: i.kind, occurred_on: i.occurredOn, status: i.status })),
    },
    conduct: {
      quiet_hours_from: v.conduct.quietFrom, quiet_hours_until: v.conduct.quietUntil, max_contacts_per_day: v.conduct.maxContactsPerDay,
      day: v.conduct.day, effective_contacts_today: v.conduct.effectiveContactsToday,
    },
    open_agreement: v.openAgreement,
    activities: v.activities.map(apiActivity),
  };
}

const pathParam = (name: string, description: string) => ({ name, in: "path", required: true, schema: { type: "string" }, description });
const loanNumber = pathParam("loan_number", "The loan's number.");

export const custodyWorkApi: OpenApiArea = {
  schemas: {
    CustodyLoanRow: custodyLoanRowSchema,
    CustodyLoanList: custodyLoanListSchema,
    CustodyLoanDetail: custodyLoanDetailSchema,
    CollectionActivity: collectionActivitySchema,
    CollectionActivityList: collectionActivityListSchema,
    CollectionActivityRequest: activityRequestSchema,
  },
  paths: ({ ref, json, errors }) => ({
    "/custody/loans": {
      get: {
        operationId: "listMyCustodyLoans",
        summary: "My loans in custody (custody:work): every loan of my ACTIVE contracts during their term",
        description: "Borrowers masked; soonest limitation expiry first. Empty before custody starts and from the custody end on.",
        responses: { "200": json(ref("CustodyLoanList"), "The loans"), ...errors(401, 403, 429) },
      },
    },
    "/custody/loans/{loan_number}": {
      get: {
        operationId: "getCustodyLoan",
        summary: "One loan in custody with the borrower in full (custodian only, during the term; audit-logged)",
        description:
          "The borrower's name, ID number, phone and guarantor in full, the limitation clock, the conduct rules in force with today's effective contacts, " +
          "and the activity log. Each call is one audit entry `custody.loan.view`. Another agency or staff member, or the custodian before custodyStartsAt " +
          "or from custodyEndsAt on: 404 `custody.loanNotFound`, exactly as for an unknown loan. Do not cache the answer.",
        parameters: [loanNumber],
        responses: { "200": json(ref("CustodyLoanDetail"), "The loan in full"), ...errors(401, 403, 404, 429) },
      },
    },
    "/custody/loans/{loan_number}/activities": {
      get: {
        operationId: "listCollectionActivities",
        summary: "The activity log of a loan in custody (custodian only, during the term)",
        parameters: [loanNumber],
        responses: { "200": json(ref("CollectionActivityList"), "Newest first"), ...errors(401, 403, 404, 429) },
      },
      post: {
        operationId: "recordCollectionActivity",
        summary: "Record a collection activity; contacts pass the conduct rules first",
        description:
          "JSON body; evidence, if any, inline as base64 (`evidence.content_base64`, PDF/PNG/JPEG, at most 10 MB). Contacts (call, sms, visit, letter, " +
          "collection_notice) need `party` debtor or guarantor and are refused with **422** when the conduct rules forbid them: " +
          "`custody.conduct.notAParty` (a third party), `custody.conduct.quietHours` (from 22:00 to 08:00 China time; `details.from`, `details.until`), " +
          "`custody.conduct.dailyLimit` (the debtor's 4th effective contact of the China day, counted over every custodian; `details.limit`, `details.day`). " +
          "A refusal records nothing but the attempt (audit `custody.contact.refused`). A collection_notice with its signed receipt, or a lawsuit / payment_order " +
          "with its filing, also creates a PENDING limitation interruption dated the China day of `at`; the expiry moves only when the department verifies it. " +
          "Audit-logged (`custody.activity.record`).",
        parameters: [loanNumber],
        requestBody: { required: true, content: { "application/json": { schema: ref("CollectionActivityRequest") } } },
        responses: {
          "201": json(ref("CollectionActivity"), "The activity recorded"),
          "415": json(ref("Error"), "The evidence is not a PDF, PNG or JPEG"),
          "422": json(ref("Error"), "Refused by the conduct rules (code custody.conduct.*)"),
          ...errors(400, 401, 403, 404, 409, 413, 429),
        },
      },
    },
  }),
};
