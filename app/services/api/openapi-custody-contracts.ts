import { z } from "zod";
import { toYuanString } from "~/domain/money";
import { confirmTopUpSchema, topUpRequestSchema } from "~/services/custody/contract-schemas";
import type { ContractRecord } from "~/services/custody/contract-views.server";
import type { ContractRow } from "~/services/custody/contracts.server";
import type { TopUpRow } from "~/services/custody/deposit-topup.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * The custody contract operations of /api/v1 (issue 7, items 1 and 6): contracts (list, read with
 * terms, signatures, deposit figures and loans), signing by the custodian, countersigning by the
 * asset-preservation department, the performance deposit top-up (Stripe or offline) and finance's
 * confirmation — the same services, permissions and refusals as the contract page. Money is yuan
 * strings with two decimals; instants ISO 8601.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const instant = z.iso.datetime();
const contractStatus = z.string().meta({ description: "AWAITING_SIGNATURE, AWAITING_COUNTERSIGNATURE, AWAITING_DEPOSIT, ACTIVE or ENDED." });

// ---- responses ------------------------------------------------------------------------------------------

export const contractSummarySchema = z
  .object({
    id: z.string(),
    number: z.string().meta({ description: "CTR-YYYY-NNN." }),
    status: contractStatus,
    custodian_key: z.string().meta({ description: "user:<id> (staff contractor) or org:<id> (agency)." }),
    custodian_kind: z.string().meta({ description: "STAFF or AGENCY." }),
    tender_id: z.string(),
    lot_id: z.string(),
    package_id: z.string(),
    winning_price: yuan,
    task: yuan.meta({ description: "承包任务." }),
    performance_deposit: yuan.meta({ description: "履约保证金 owed in all." }),
    bid_deposit_credit: yuan.meta({ description: "The bid deposit moved into this contract's deposit on signing (0.00: none)." }),
    term_months: z.number().int(),
    settings_version: z.number().int(),
    loan_count: z.number().int(),
    custody_starts_at: instant.nullable(),
    custody_ends_at: instant.nullable().meta({ description: "Exclusive: access ends at this instant." }),
    created_at: instant,
  })
  .meta({ id: "CustodyContractSummary" });

export const contractListSchema = z.object({ items: z.array(contractSummarySchema) }).meta({ id: "CustodyContractList", description: "Newest first. Custodians see their own; the bank's departments all." });

const signatureSchema = z
  .object({ by_id: z.string(), by_name: z.string().nullable(), at: instant, ip: z.string().nullable(), user_agent: z.string().nullable() })
  .meta({ id: "ContractSignature" });

export const topUpSchema = z
  .object({
    id: z.string(),
    contract_id: z.string(),
    method: z.string().meta({ description: "STRIPE, BANK_TRANSFER or PAYROLL." }),
    amount: yuan,
    currency: z.string(),
    status: z.string().meta({ description: "AWAITING_PAYMENT, DECLARED, CONFIRMED or FAILED." }),
    client_secret: z.string().nullable().meta({ description: "Stripe, while awaiting payment, to the custodian only: the PaymentIntent's client secret for Stripe.js." }),
    voucher_number: z.string().nullable(),
    declared_at: instant.nullable(),
    confirmed_at: instant.nullable(),
    created_at: instant,
  })
  .meta({ id: "PerformanceDepositPayment" });

export const topUpListSchema = z.object({ items: z.array(topUpSchema) }).meta({ id: "PerformanceDepositPaymentList" });

export const contractDetailSchema = contractSummarySchema
  .extend({
    terms: z.record(z.string(), z.unknown()).meta({ description: "The terms as generated from the settings version (ContractTerms: fen as digit strings, rates as decimals)." }),
    signed: signatureSchema.nullable(),
    countersigned: signatureSchema.nullable(),
    deposit_held: yuan.meta({ description: "What the contract's performance deposit account holds now." }),
    top_up_owed: yuan.meta({ description: "Still to pay before custody starts (0.00 once covered)." }),
    ended_at: instant.nullable(),
    loans: z.array(
      z.object({
        loan_id: z.string(),
        loan_number: z.string(),
        priced_value: yuan,
        principal: yuan,
        interest: yuan,
        status: z.string().meta({ description: "PENDING, IN_CUSTODY, RETURNED or RECOVERED." }),
        returned_at: instant.nullable(),
      }),
    ),
    top_ups: z.array(topUpSchema),
  })
  .meta({ id: "CustodyContract" });

// ---- shaping ------------------------------------------------------------------------------------------

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function apiContractSummary(c: ContractRow & { _count?: { loans: number } }, loanCount?: number) {
  return {
    id: c.id, number: c.number, status: c.status, custodian_key: c.custodianKey, custodian_kind: c.custodianKind, tender_id: c.tenderId, lot_id: c.lotId,
    package_id: c.packageId, winning_price: toYuanString(c.winningPrice), task: toYuanString(c.task), performance_deposit: toYuanString(c.performanceDeposit),
    bid_deposit_credit: toYuanString(c.bidDepositCredit), term_months: c.termMonths, settings_version: c.settingsVersion,
    loan_count: loanCount ?? c._count?.loans ?? 0, custody_starts_at: iso(c.custodyStartsAt), custody_ends_at: iso(c.custodyEndsAt), created_at: c.createdAt.toISOString(),
  };
}

/** A top-up; the client secret only to the custodian while the payment is awaited. */
export function apiTopUp(p: TopUpRow, options: { withSecret?: boolean } = {}) {
  return {
    id: p.id, contract_id: p.contractId, method: p.method, amount: toYuanString(p.amount), currency: p.currency, status: p.status,
    client_secret: options.withSecret && p.status === "AWAITING_PAYMENT" ? p.clientSecret : null,
    voucher_number: p.voucherNumber, declared_at: iso(p.declaredAt), confirmed_at: iso(p.confirmedAt), created_at: p.createdAt.toISOString(),
  };
}

export function apiContractDetail(view: ContractRecord) {
  const c = view.contract;
  return {
    ...apiContractSummary(c, view.loans.length),
    terms: view.terms as unknown as Record<string, unknown>,
    signed: c.signedById && c.signedAt ? { by_id: c.signedById, by_name: view.signedBy, at: c.signedAt.toISOString(), ip: c.signedIp, user_agent: c.signedUserAgent } : null,
    countersigned:
      c.countersignedById && c.countersignedAt
        ? { by_id: c.countersignedById, by_name: view.countersignedBy, at: c.countersignedAt.toISOString(), ip: c.countersignedIp, user_agent: c.countersignedUserAgent }
        : null,
    deposit_held: toYuanString(view.held),
    top_up_owed: toYuanString(view.owed),
    ended_at: iso(c.endedAt),
    loans: view.loans.map((l) => ({
      loan_id: l.loanId, loan_number: l.loanNumber, priced_value: toYuanString(l.pricedValue), principal: toYuanString(l.principal), interest: toYuanString(l.interest),
      status: l.status, returned_at: iso(l.returnedAt),
    })),
    top_ups: view.payments.map((p) => apiTopUp(p, { withSecret: view.viewer.custodian })),
  };
}

// ---- the document -----------------------------------------------------------------------------------

const pathId = (description: string) => ({ name: "id", in: "path", required: true, schema: { type: "string" }, description });
const contractId = pathId("The contract's id.");

export const custodyContractsApi: OpenApiArea = {
  schemas: {
    CustodyContractSummary: contractSummarySchema,
    CustodyContractList: contractListSchema,
    CustodyContract: contractDetailSchema,
    ContractSignature: signatureSchema,
    PerformanceDepositPayment: topUpSchema,
    PerformanceDepositPaymentList: topUpListSchema,
    ContractDepositRequest: topUpRequestSchema,
    ConfirmContractDepositRequest: confirmTopUpSchema,
  },
  paths: ({ ref, json, errors }) => ({
    "/contracts": {
      get: {
        operationId: "listContracts",
        summary: "Custody contracts, newest first (custody:view; a custodian sees only their own)",
        description: "A staff contractor sees their contracts, an agency's users the agency's; the bank's departments (custody:view) see every contract.",
        responses: { "200": json(ref("CustodyContractList"), "The contracts"), ...errors(401, 403, 429) },
      },
    },
    "/contracts/{id}": {
      get: {
        operationId: "getContract",
        summary: "A custody contract: terms (with their settings version), status, signatures, deposit held and owed, loans, top-ups",
        description: "The custodian or the bank's departments only; anyone else gets a 404. The Stripe client secret of an awaited top-up is shown to the custodian only.",
        parameters: [contractId],
        responses: { "200": json(ref("CustodyContract"), "The contract"), ...errors(401, 403, 404, 429) },
      },
    },
    "/contracts/{id}/sign": {
      post: {
        operationId: "signContract",
        summary: "Sign the contract as its custodian (custody:work)",
        description:
          "Only while AWAITING_SIGNATURE (409 `custody.contract.wrongState` otherwise) → AWAITING_COUNTERSIGNATURE. Records who, when, the client's IP and user agent " +
          "(audit `contract.sign`). R4: the bidder's bid deposit of the tender is credited to the first contract signed (whole amount into this contract's performance " +
          "deposit account, audit `deposit.credit`); a later contract of the same tender gets no credit. No body.",
        parameters: [contractId],
        responses: { "200": json(ref("CustodyContract"), "Signed"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/contracts/{id}/countersign": {
      post: {
        operationId: "countersignContract",
        summary: "Countersign the contract for the asset-preservation department (custody:manage)",
        description:
          "Only after the custodian signed (409 `custody.contract.notSignedYet` before), never by the custodian (403). → AWAITING_DEPOSIT; custody starts at once " +
          "(ACTIVE, loans in custody, term from now) when the performance deposit is already fully held. Audit `contract.countersign`. No body.",
        parameters: [contractId],
        responses: { "200": json(ref("CustodyContract"), "Countersigned"), ...errors(401, 403, 404, 409, 429) },
      },
    },
    "/contracts/{id}/deposit": {
      get: {
        operationId: "listContractDeposits",
        summary: "The performance deposit top-ups of a contract (custody:view, who may see the contract)",
        parameters: [contractId],
        responses: { "200": json(ref("PerformanceDepositPaymentList"), "Oldest first"), ...errors(401, 403, 404, 429) },
      },
      post: {
        operationId: "payContractDeposit",
        summary: "Pay the performance deposit top-up: start a Stripe payment or declare an offline one (custody:work, the custodian)",
        description:
          "After signing and before custody starts (409 `custody.topup.wrongState`), for what is owed (409 `custody.topup.nothingOwed` when nothing). " +
          "`stripe`: a PaymentIntent; the answer carries `client_secret` and only the verified webhook confirms the money. `bank_transfer` / `payroll` (staff only, 422): " +
          "DECLARED, finance confirms with a voucher. Asking again while one is pending returns it; another method meanwhile is a 409.",
        parameters: [contractId],
        requestBody: { required: true, content: { "application/json": { schema: ref("ContractDepositRequest") } } },
        responses: {
          "200": json(ref("PerformanceDepositPayment"), "The top-up"),
          "422": json(ref("Error"), "Payroll deduction for an agency, or an amount above the online payment limit"),
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
    },
    "/contract-deposits/{id}/confirm": {
      post: {
        operationId: "confirmContractDeposit",
        summary: "Confirm a declared offline top-up with the voucher number (settlement:finance)",
        description:
          "CONFIRMED with the receipt journal entry (clearing → the contract's performance deposit account); custody starts when the contract is countersigned and now " +
          "fully paid. Stripe top-ups are confirmed by the webhook only (409). Audit `topup.confirm`.",
        parameters: [pathId("The top-up's id.")],
        requestBody: { required: true, content: { "application/json": { schema: ref("ConfirmContractDepositRequest") } } },
        responses: { "200": json(ref("PerformanceDepositPayment"), "The confirmed top-up"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
  }),
};
