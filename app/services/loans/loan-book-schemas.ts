import { z } from "zod";
import { difficulties, difficultyReasons } from "~/domain/loan";
import { loanFilterSchema, type LoanFilter } from "./loan-filter";

/**
 * The loan book's schemas, shared by the browser (filter bar, decision form) and the server
 * (page loaders, API, services). Messages are i18n keys.
 */

export const difficultyStatuses = ["TAPE", "SUGGESTED", "CONFIRMED", "OVERRIDDEN"] as const;
export type DifficultyStatus = (typeof difficultyStatuses)[number];

/**
 * The loan book's query: the shared loan filter, the difficulty status (the department looks for
 * unconfirmed suggestions with difficulty_status=SUGGESTED) and the page.
 */
export const loanBookQuerySchema = loanFilterSchema.extend({
  difficulty_status: z
    .enum(difficultyStatuses, { error: "loans.filter.invalidChoice" })
    .optional()
    .meta({ description: "TAPE (class given by the tape) | SUGGESTED (product's suggestion, not yet confirmed) | CONFIRMED | OVERRIDDEN" }),
  page: z.coerce
    .number({ error: "loans.filter.invalidPage" })
    .int({ error: "loans.filter.invalidPage" })
    .min(1, { error: "loans.filter.invalidPage" })
    .max(1_000_000, { error: "loans.filter.invalidPage" })
    .optional()
    .meta({ description: "Page number, from 1 (50 loans a page)." }),
});
export type LoanBookFilter = LoanFilter & { difficulty_status?: DifficultyStatus };

/** Query-string values → filter and page (empty values mean "no filter"); refused values come back as the zod error. */
export function parseLoanBookQuery(params: URLSearchParams | Record<string, unknown>) {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(params) : params;
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  const parsed = loanBookQuerySchema.safeParse(cleaned);
  if (!parsed.success) return { ok: false as const, error: parsed.error };
  const { page, ...filter } = parsed.data;
  return { ok: true as const, filter: filter as LoanBookFilter, page: page ?? 1 };
}

/** Field → message keys of a refused query (for the filter bar and the API's `fields`). */
export function queryFieldErrors(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) (fields[issue.path.length ? String(issue.path[0]) : "_"] ??= []).push(issue.message);
  return fields;
}

export const difficultyNoteMaxLength = 500;

const optionalChoice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), z.enum(values, { error: "loans.difficulty.invalidChoice" }).optional());

/**
 * The department's difficulty decision: confirm keeps the class in force (the suggestion or the
 * tape's class); override sets the other class and needs a note. The reason is optional.
 */
export const difficultyDecisionSchema = z
  .object({
    decision: z.enum(["confirm", "override"], { error: "loans.difficulty.invalidChoice" }),
    difficulty: optionalChoice(difficulties),
    reason: optionalChoice(difficultyReasons),
    note: z.string().trim().max(difficultyNoteMaxLength, { error: "loans.difficulty.noteTooLong" }).optional().default(""),
  })
  .superRefine((input, ctx) => {
    if (input.decision !== "override") return;
    if (!input.difficulty) ctx.addIssue({ code: "custom", path: ["difficulty"], message: "loans.difficulty.classRequired" });
    if (!input.note) ctx.addIssue({ code: "custom", path: ["note"], message: "loans.difficulty.noteRequired" });
  });

export interface DifficultyDecision {
  decision: "confirm" | "override";
  difficulty?: string;
  reason?: string;
  note?: string;
}
