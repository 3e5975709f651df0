import { z } from "zod";
import { bundleModes } from "~/domain/bundling";
import { parsePositiveYuan } from "~/domain/money";
import { loanFilterSchema } from "~/services/loans/loan-filter";

/**
 * The inputs of bundling and packages (issue 5), one zod schema per input shared by the API, the
 * forms (browser and server) and the services. Messages are i18n keys (packages.*). No server imports.
 */

const loanNumber = z.string().trim().min(1).max(64);

/** A target amount as people type it: more than zero, at most two decimals; null otherwise. */
export const parseTargetAmount = parsePositiveYuan;

const targetAmount = z
  .string({ error: "packages.invalidTarget" })
  .trim()
  .refine((value) => parseTargetAmount(value) !== null, { error: "packages.invalidTarget" })
  .meta({ description: "The target package amount T (sum of prices): yuan, e.g. \"400000.00\"; more than zero." });

/**
 * POST /api/v1/bundles and the builder's form. At most one of `loan_numbers` and `filter` (the
 * service refuses both with packages.selectOne); neither = the whole loan book.
 */
export const bundleInputSchema = z.object({
  loan_numbers: z.array(loanNumber).max(200_000).optional().meta({ description: "The pool, by loan number." }),
  filter: loanFilterSchema.optional().meta({ description: "Or: every loan matching the loan book's filters. Neither = the whole book." }),
  include: z
    .array(loanNumber)
    .max(10_000)
    .optional()
    .meta({ description: "Loans included explicitly despite litigation or write-off (R2); they join the pool." }),
  target_amount: targetAmount,
  mode: z.enum(bundleModes, { error: "form.invalidChoice" }).default("by-region").meta({ description: "by-region (default): packages inside one region whenever it holds T; mixed: ignore region." }),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).optional().meta({ description: "Breaks ties; the same input and seed give the same packages (default 1)." }),
});
export type BundleInput = z.infer<typeof bundleInputSchema>;

/** POST /api/v1/packages: the bundle's selection again, and the packages to save as drafts. */
export const saveDraftsSchema = bundleInputSchema.extend({
  packages: z
    .array(
      z.object({
        loan_numbers: z.array(z.string().trim().min(1).max(64)).min(1, { error: "packages.emptyPackage" }),
        remainder: z.boolean().default(false),
      }),
    )
    .min(1, { error: "packages.noPackages" })
    .max(2000),
});
export type SaveDraftsInput = z.infer<typeof saveDraftsSchema>;

/** POST /api/v1/packages/{id}/move: one loan of this draft into another draft. */
export const moveLoanSchema = z.object({
  loan_number: z.string().trim().min(1),
  to_package_id: z.string().min(1),
});
export type MoveLoanInput = z.infer<typeof moveLoanSchema>;

/** Approve: an optional comment. */
export const decisionSchema = z.object({
  comment: z.string().trim().max(2000, { error: "packages.commentTooLong" }).default(""),
});
export type DecisionInput = z.infer<typeof decisionSchema>;

/** Reject: a comment is required. */
export const rejectSchema = z.object({
  comment: z.string({ error: "packages.commentRequired" }).trim().min(1, { error: "packages.commentRequired" }).max(2000, { error: "packages.commentTooLong" }),
});
export type RejectInput = z.infer<typeof rejectSchema>;

export const documentTitleSchema = z.object({
  title: z.string({ error: "packages.titleRequired" }).trim().min(1, { error: "packages.titleRequired" }).max(200),
});

/** GET /api/v1/packages and the list page. */
export const packageStatuses = ["DRAFT", "SUBMITTED", "APPROVED", "IN_TENDER", "DISCARDED"] as const;
export type PackageStatus = (typeof packageStatuses)[number];
export const packageListQuerySchema = z.object({
  status: z.enum(packageStatuses).optional().catch(undefined),
  bundle: z.string().trim().max(64).optional(),
  page: z.coerce.number().int().min(1).catch(1).default(1),
});
