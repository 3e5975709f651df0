import { z } from "zod";
import { balanceSheets, borrowerTypes, collaterals, difficulties, difficultyReasons, fiveTiers, litigations, loanStatuses, termClasses } from "~/domain/loan";
import { toYuanString } from "~/domain/money";
import type { MaskedLoan } from "~/services/loans/loan-book.server";
import { difficultyStatuses, loanBookQuerySchema } from "~/services/loans/loan-book-schemas";
import type { UnmaskedLoan } from "~/services/loans/unmask.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * The loan book's /api/v1 operations: the list (the loan book's filters, 50 a page), one loan, and
 * unmasking one loan's personal data (a permission; audit-logged). Personal data is masked in every
 * other response. Money is yuan strings with two decimals; days are `YYYY-MM-DD`.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).meta({ description: "Calendar day YYYY-MM-DD." });

export const loanSchema = z
  .object({
    loan_number: z.string(),
    borrower_name: z.string().meta({ description: "Masked for individuals (王*明); corporates in full." }),
    borrower_type: z.enum(borrowerTypes),
    borrower_id_number: z.string().meta({ description: "Masked: 110105********1234." }),
    phone: z.string().nullable().meta({ description: "Masked: 138****5678." }),
    branch: z.object({ code: z.string(), name: z.string() }),
    region: z.string(),
    principal: yuan,
    interest_on_balance: yuan,
    interest_off_balance: yuan,
    claim: yuan.meta({ description: "Claim by the claim-basis setting in force (R1)." }),
    disbursed_on: day,
    matures_on: day,
    extended_maturity: day.nullable(),
    last_payment_on: day.nullable(),
    last_interruption_on: day.nullable(),
    five_tier: z.enum(fiveTiers),
    term_class: z.enum(termClasses).nullable(),
    balance_sheet: z.enum(balanceSheets),
    written_off: z.boolean(),
    collateral: z.enum(collaterals),
    guarantor_name: z.string().nullable().meta({ description: "Masked." }),
    litigation: z.enum(litigations),
    difficulty: z.enum(difficulties),
    difficulty_reason: z.enum(difficultyReasons).nullable(),
    suggested_difficulty: z.enum(difficulties),
    difficulty_status: z.enum(difficultyStatuses),
    status: z.enum(loanStatuses),
    limitation_expires_on: day,
    limitation_days_left: z.number().int().meta({ description: "Days from today (China) to the expiry; negative once lapsed." }),
    price: yuan.nullable().meta({ description: "The price in force (latest pricing run or its override), or null." }),
  })
  .meta({ id: "Loan" });

export const loanPageSchema = z
  .object({
    items: z.array(loanSchema),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    pages: z.number().int(),
  })
  .meta({ id: "LoanPage", description: "Loans by loan number, 50 a page." });

export const unmaskedLoanSchema = z
  .object({
    loan_number: z.string(),
    borrower_name: z.string(),
    borrower_id_number: z.string(),
    phone: z.string().nullable(),
    guarantor_name: z.string().nullable(),
  })
  .meta({ id: "UnmaskedLoan", description: "One loan's personal data in full. Each call is an audit entry." });

/** A masked loan of the book as the API shows it. */
export function apiLoan(loan: MaskedLoan): z.infer<typeof loanSchema> {
  return loanSchema.parse({
    loan_number: loan.loanNumber,
    borrower_name: loan.borrowerName,
    borrower_type: loan.borrowerType,
    borrower_id_number: loan.borrowerIdMasked,
    phone: loan.phoneMasked,
    branch: { code: loan.branch.code, name: loan.branch.name },
    region: loan.region,
    principal: toYuanString(loan.principal),
    interest_on_balance: toYuanString(loan.interestOnBalance),
    interest_off_balance: toYuanString(loan.interestOffBalance),
    claim: toYuanString(loan.claim),
    disbursed_on: loan.disbursedOn,
    matures_on: loan.maturesOn,
    extended_maturity: loan.extendedMaturity,
    last_payment_on: loan.lastPaymentOn,
    last_interruption_on: loan.lastInterruptionOn,
    five_tier: loan.fiveTier,
    term_class: loan.termClass,
    balance_sheet: loan.balanceSheet,
    written_off: loan.writtenOff,
    collateral: loan.collateral,
    guarantor_name: loan.guarantorName,
    litigation: loan.litigation,
    difficulty: loan.difficulty,
    difficulty_reason: loan.difficultyReason,
    suggested_difficulty: loan.suggestedDifficulty,
    difficulty_status: loan.difficultyStatus,
    status: loan.status,
    limitation_expires_on: loan.limitationExpiresOn,
    limitation_days_left: loan.daysLeft,
    price: loan.price === null ? null : toYuanString(loan.price),
  });
}

export function apiUnmaskedLoan(loan: UnmaskedLoan): z.infer<typeof unmaskedLoanSchema> {
  return unmaskedLoanSchema.parse({
    loan_number: loan.loanNumber,
    borrower_name: loan.borrowerName,
    borrower_id_number: loan.borrowerIdNumber,
    phone: loan.phone,
    guarantor_name: loan.guarantorName,
  });
}

const loanNumberParameter = { name: "loan_number", in: "path", required: true, schema: { type: "string" }, description: "The loan number (贷款编号)." };

/** The /api/v1 operations of this area: named schemas (components) and paths, merged into openapi.json. */
export const loansApi: OpenApiArea = {
  schemas: { Loan: loanSchema, LoanPage: loanPageSchema, UnmaskedLoan: unmaskedLoanSchema },
  paths: ({ ref, json, errors, queryParameters }) => ({
    "/loans": {
      get: {
        operationId: "listLoans",
        summary: "The loan book, filtered and paginated (personal data masked); needs loans:view",
        parameters: queryParameters(loanBookQuerySchema),
        responses: { "200": json(ref("LoanPage"), "One page of loans"), ...errors(400, 401, 403, 429) },
      },
    },
    "/loans/{loan_number}": {
      get: {
        operationId: "getLoan",
        summary: "One loan (personal data masked); needs loans:view",
        parameters: [loanNumberParameter],
        responses: { "200": json(ref("Loan"), "The loan"), ...errors(401, 403, 404, 429) },
      },
    },
    "/loans/{loan_number}/unmask": {
      post: {
        operationId: "unmaskLoan",
        summary: "One loan's personal data in full: loans:unmask (any loan) or loans:unmask-branch (own branch's loans); each call is audit-logged",
        parameters: [loanNumberParameter],
        responses: { "200": json(ref("UnmaskedLoan"), "The personal data in full"), ...errors(401, 403, 404, 429) },
      },
    },
  }),
};
