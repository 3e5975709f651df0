import { z } from "zod";
import { difficulties, fiveTiers, loanStatuses } from "~/domain/loan";
import type { Prisma } from "~/infra/db.server";

/**
 * The loan book's filters: one schema for the page's query string, the API's query and a pricing
 * run's (or, later, a bundle's) selection. Malformed values are refused with a field error.
 */
export const loanFilterSchema = z.object({
  q: z.string().trim().max(100).optional().meta({ description: "Loan number (prefix) or borrower name (contains)." }),
  loan_number: z.string().trim().max(64).optional(),
  branch: z.string().trim().max(64).optional().meta({ description: "Branch id or code." }),
  region: z.string().trim().max(100).optional(),
  five_tier: z.enum(fiveTiers, { error: "loans.filter.invalidChoice" }).optional(),
  difficulty: z.enum(difficulties, { error: "loans.filter.invalidChoice" }).optional(),
  status: z.enum(loanStatuses, { error: "loans.filter.invalidChoice" }).optional(),
  expiring_within_days: z.coerce.number({ error: "loans.filter.invalidDays" }).int({ error: "loans.filter.invalidDays" }).min(0, { error: "loans.filter.invalidDays" }).max(3650, { error: "loans.filter.invalidDays" }).optional(),
});
export type LoanFilter = z.infer<typeof loanFilterSchema>;

/** Query-string values: empty strings mean "no filter". */
export function parseLoanFilter(params: URLSearchParams | Record<string, unknown>) {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  return loanFilterSchema.safeParse(cleaned);
}

/** `expiring_within_days` needs today (China's calendar day) to become a bound on the stored expiry day. */
export function loanWhere(filter: LoanFilter, today: string): Prisma.LoanWhereInput {
  const and: Prisma.LoanWhereInput[] = [];
  if (filter.q) and.push({ OR: [{ loanNumber: { startsWith: filter.q } }, { borrowerName: { contains: filter.q } }] });
  if (filter.loan_number) and.push({ loanNumber: filter.loan_number });
  if (filter.branch) and.push({ OR: [{ branchId: filter.branch }, { branch: { code: filter.branch } }] });
  if (filter.region) and.push({ region: filter.region });
  if (filter.five_tier) and.push({ fiveTier: filter.five_tier });
  if (filter.difficulty) and.push({ difficulty: filter.difficulty });
  if (filter.status) and.push({ status: filter.status });
  if (filter.expiring_within_days !== undefined) {
    const until = new Date(Date.parse(`${today}T00:00:00Z`) + filter.expiring_within_days * 86_400_000).toISOString().slice(0, 10);
    and.push({ limitationExpiresOn: { gte: today, lte: until } });
  }
  return and.length ? { AND: and } : {};
}
