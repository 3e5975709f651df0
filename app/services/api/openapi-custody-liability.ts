import { z } from "zod";
import { toYuanString, type Fen } from "~/domain/money";
import type { FullTimeApplicationView } from "~/services/custody/full-time.server";
import { assetLossSchema, decideFullTimeSchema, decideLiabilitySchema, fullTimeApplySchema, fullTimeStatuses, liabilityStatuses } from "~/services/custody/liability-schemas";
import type { LiabilityEventView } from "~/services/custody/liability.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * The liability and full-time operations of /api/v1 (issue 7 items 2, 5 and 6; R8): liability
 * events (the custodian its own, the bank's departments all), the department recording the loss
 * of a foreclosed asset and confirming or dismissing an event (confirmation books one balanced
 * journal entry), and full-time applications (a staff contractor applies; the department decides).
 * Same services, permissions and refusals as the pages. Money is yuan strings with two decimals;
 * days YYYY-MM-DD (China calendar); instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const instant = z.iso.datetime();
const money = (fen: Fen | null) => (fen === null ? null : toYuanString(fen));

// ---- requests -------------------------------------------------------------------------------------------

/** GET /custody/liability-events. */
export const liabilityListQuerySchema = z.object({
  status: z.enum(liabilityStatuses).optional().catch(undefined).meta({ description: "Only events in this status (DETECTED, CONFIRMED, DISMISSED)." }),
});

/** GET /custody/full-time-applications. */
export const fullTimeListQuerySchema = z.object({
  status: z.enum(fullTimeStatuses).optional().catch(undefined).meta({ description: "Only applications in this status (PENDING, APPROVED, REJECTED)." }),
});

// ---- responses ------------------------------------------------------------------------------------------

export const liabilityEventSchema = z
  .object({
    id: z.string(),
    contract_id: z.string(),
    contract_number: z.string(),
    custodian_key: z.string().meta({ description: "user:<id> (staff contractor) or org:<id> (agency)." }),
    custodian_kind: z.string().meta({ description: "STAFF or AGENCY." }),
    custodian_name: z.string(),
    loan_id: z.string(),
    loan_number: z.string(),
    kind: z.string().meta({ description: "LIMITATION_LAPSE (detected by the product) or ASSET_LOSS (recorded by the department)." }),
    occurred_on: z.string().meta({ description: "The expiry that lapsed, or the day of the loss (YYYY-MM-DD)." }),
    detected_at: instant,
    note: z.string().nullable(),
    status: z.string().meta({ description: "DETECTED (awaiting the department), CONFIRMED or DISMISSED." }),
    decided_at: instant.nullable(),
    decision_note: z.string().nullable(),
    forfeit: yuan.nullable().meta({ description: "Confirmed: the performance deposit forfeited to bank income (staff: all of it)." }),
    compensation: yuan.nullable().meta({ description: "Confirmed: the compensation owed (staff: the priced value; agency: principal plus interest)." }),
    from_deposit: yuan.nullable().meta({ description: "Confirmed: the part of the compensation taken from the deposit (agency)." }),
    claim: yuan.nullable().meta({ description: "Confirmed: the rest, a claim on the custodian (for an agency, jointly on its legal representative)." }),
    entry_id: z.string().nullable().meta({ description: "The journal entry booked on confirmation." }),
  })
  .meta({ id: "LiabilityEvent" });

export const liabilityEventListSchema = z.object({ items: z.array(liabilityEventSchema) }).meta({ id: "LiabilityEventList" });

export const fullTimeApplicationSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    applicant: z.string(),
    contract_count: z.number().int().meta({ description: "Contracts held when applying." }),
    contracts_now: z.number().int(),
    reason: z.string(),
    status: z.string().meta({ description: "PENDING, APPROVED or REJECTED." }),
    applied_at: instant,
    decided_at: instant.nullable(),
    decision_note: z.string().nullable(),
  })
  .meta({ id: "FullTimeApplication" });

export const fullTimeApplicationListSchema = z.object({ items: z.array(fullTimeApplicationSchema) }).meta({ id: "FullTimeApplicationList" });

export function apiLiabilityEvent(e: LiabilityEventView): z.input<typeof liabilityEventSchema> {
  return {
    id: e.id, contract_id: e.contractId, contract_number: e.contractNumber, custodian_key: e.custodianKey, custodian_kind: e.custodianKind, custodian_name: e.custodianName,
    loan_id: e.loanId, loan_number: e.loanNumber, kind: e.kind, occurred_on: e.occurredOn, detected_at: e.detectedAt.toISOString(), note: e.note, status: e.status,
    decided_at: e.decidedAt?.toISOString() ?? null, decision_note: e.decisionNote,
    forfeit: money(e.forfeit), compensation: money(e.compensation), from_deposit: money(e.fromDeposit), claim: money(e.claim), entry_id: e.entryId,
  };
}

export function apiFullTimeApplication(a: FullTimeApplicationView): z.input<typeof fullTimeApplicationSchema> {
  return {
    id: a.id, user_id: a.userId, applicant: a.applicant, contract_count: a.contractCount, contracts_now: a.contractsNow, reason: a.reason, status: a.status,
    applied_at: a.appliedAt.toISOString(), decided_at: a.decidedAt?.toISOString() ?? null, decision_note: a.decisionNote,
  };
}

const idParam = (what: string) => ({ name: "id", in: "path", required: true, schema: { type: "string" }, description: what });

export const custodyLiabilityApi: OpenApiArea = {
  schemas: {
    LiabilityEvent: liabilityEventSchema,
    LiabilityEventList: liabilityEventListSchema,
    AssetLossRequest: assetLossSchema,
    LiabilityDecisionRequest: decideLiabilitySchema,
    FullTimeApplication: fullTimeApplicationSchema,
    FullTimeApplicationList: fullTimeApplicationListSchema,
    FullTimeApplyRequest: fullTimeApplySchema,
    FullTimeDecisionRequest: decideFullTimeSchema,
  },
  paths: ({ ref, json, errors, queryParameters }) => ({
    "/custody/liability-events": {
      get: {
        operationId: "listLiabilityEvents",
        summary: "R8 liability events (custody:view): a custodian its own contracts' events, the bank's departments all",
        description: "Newest first (at most 500). Another agency's events are never listed.",
        parameters: queryParameters(liabilityListQuerySchema),
        responses: { "200": json(ref("LiabilityEventList"), "The events"), ...errors(401, 403, 429) },
      },
      post: {
        operationId: "recordAssetLoss",
        summary: "Record the loss of a foreclosed asset (抵债资产) during custody (custody:manage)",
        description:
          "The loan must belong to the contract (404 `custody.liability.loanNotInContract`); the day within the loan's custody term (422 `custody.liability.outsideTerm`) " +
          "and not in the future (422 `custody.liability.inFuture`); once per loan and day (409 `custody.liability.duplicate`). The event is DETECTED, for confirmation; " +
          "the custodian is told (in the app and by email). Audit-logged (`liability.record`).",
        requestBody: { required: true, content: { "application/json": { schema: ref("AssetLossRequest") } } },
        responses: { "201": json(ref("LiabilityEvent"), "Recorded"), ...errors(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    "/custody/liability-events/{id}/decision": {
      post: {
        operationId: "decideLiabilityEvent",
        summary: "Confirm or dismiss a DETECTED liability event (custody:manage), once",
        description:
          "confirm: with the deposit held now, a staff contractor forfeits the whole performance deposit and owes the loan's priced value as a claim; an agency owes " +
          "principal plus interest, taken from its deposit first (never below zero) and the rest a claim owed by the agency jointly with its legal representative (R7). " +
          "One balanced journal entry (source `liability-event`); the amounts are stored on the event. dismiss: a `note` is required (400 `custody.liability.noteRequired`); " +
          "nothing is booked. A decided event: 409 `custody.liability.alreadyDecided`. The custodian is told with the amounts (in the app and by email). " +
          "Audit-logged (`liability.confirm`, `liability.dismiss`).",
        parameters: [idParam("The liability event's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("LiabilityDecisionRequest") } } },
        responses: { "200": json(ref("LiabilityEvent"), "The decided event"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/custody/full-time-applications": {
      get: {
        operationId: "listFullTimeApplications",
        summary: "Full-time applications (custody:view): the department all, anyone else their own",
        parameters: queryParameters(fullTimeListQuerySchema),
        responses: { "200": json(ref("FullTimeApplicationList"), "The applications"), ...errors(401, 403, 429) },
      },
      post: {
        operationId: "applyFullTime",
        summary: "Apply to collect full time (a staff contractor: internal bidder of the bank)",
        description:
          "Needs at least `fullTimeMinPackages` (setting, 3) contracts held that are countersigned or active (409 `custody.fullTime.tooFew` with `count` and `threshold`); " +
          "one PENDING application at a time (409 `custody.fullTime.pending`). Agencies: 403 `custody.fullTime.staffOnly`. The department is told. Audit-logged (`fulltime.apply`).",
        requestBody: { required: true, content: { "application/json": { schema: ref("FullTimeApplyRequest") } } },
        responses: { "201": json(ref("FullTimeApplication"), "Applied"), ...errors(400, 401, 403, 409, 429) },
      },
    },
    "/custody/full-time-applications/{id}/decision": {
      post: {
        operationId: "decideFullTimeApplication",
        summary: "Approve or reject a PENDING full-time application (custody:manage, not the applicant), once",
        description:
          "A rejection needs a `note` (400 `custody.fullTime.noteRequired`); the applicant may not decide their own (403 `custody.fullTime.ownApplication`); decided: 409. " +
          "The applicant is told (in the app and by email). Audit-logged (`fulltime.approve`, `fulltime.reject`).",
        parameters: [idParam("The application's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("FullTimeDecisionRequest") } } },
        responses: { "200": json(ref("FullTimeApplication"), "The decided application"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
  }),
};
