import { z } from "zod";
import { bundleModes, leftOutReasons, overdueBuckets, ruleCodes, violationCauses, type PackageQuality } from "~/domain/bundling";
import { toYuanString } from "~/domain/money";
import { bundleInputSchema, decisionSchema, moveLoanSchema, packageListQuerySchema, packageStatuses, rejectSchema, saveDraftsSchema } from "~/services/packages/package-schemas";
import type { PackageDetail, PackageSummary } from "~/services/packages/package-queries.server";
import { packageQualityToApi } from "~/services/packages/quality-json";
import type { OpenApiArea } from "./openapi-area";

/**
 * The packages operations of /api/v1 (issue 5, R2): bundle a pool of priced loans (a preview,
 * nothing written), save the packages as drafts, read them, submit, approve or reject (four eyes),
 * and move a loan between drafts. Money is yuan strings with two decimals; shares are numbers
 * (0.31 = 31 %), deviations signed (total / T − 1).
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Yuan, two decimals, e.g. \"1234.56\"." });
const share = z.number().meta({ description: "A share, 0.31 = 31 % (four decimals)." });
const yuanMix = z.record(z.string(), yuan);

const violationSchema = z
  .object({
    package: z.number().int().nullable().optional().meta({ description: "Index in `packages` (0-based); null for a pool-wide violation." }),
    rule: z.enum(ruleCodes).meta({ description: "The R2 rule not met: tolerance, hard_share, concentration, region." }),
    cause: z.enum(violationCauses).meta({ description: "Why it could not be met." }),
    params: z.record(z.string(), z.string()).meta({ description: "Numbers for the message: percentages with one decimal, amounts in yuan." }),
  })
  .meta({ id: "BundleViolation" });

export const packageQualitySchema = z
  .object({
    total: yuan,
    loan_count: z.number().int(),
    deviation: z.number().meta({ description: "total / target − 1." }),
    hard_share: share,
    hard_share_deviation: z.number().meta({ description: "hard_share − the pool's hard share." }),
    regions: z.array(z.object({ region: z.string(), total: yuan })),
    collateral_mix: yuanMix,
    overdue_mix: yuanMix,
    difficulty_mix: yuanMix,
    largest_loan: z.object({ loan_number: z.string(), price: yuan, share }).nullable(),
    violations: z.array(violationSchema),
  })
  .meta({ id: "PackageQuality" });

export const bundleResultSchema = z
  .object({
    packages: z.array(
      z.object({
        loan_numbers: z.array(z.string()).meta({ description: "Price descending, then loan number." }),
        total: yuan,
        hard_share: share,
        region: z.string().nullable().meta({ description: "The one region of a package formed inside a region; null when mixed." }),
        remainder: z.boolean().meta({ description: "The one remainder package R2 exempts from the tolerance (always last)." }),
        loan_count: z.number().int(),
        deviation: z.number().nullable(),
        hard_share_deviation: z.number().nullable(),
        violations: z.array(violationSchema),
      }),
    ),
    quality: z.object({
      target: yuan,
      pool_total: yuan.meta({ description: "Value of the eligible pool (every loan not left out)." }),
      pool_hard_share: share,
      package_count: z.number().int(),
      max_deviation: z.number().meta({ description: "Max |deviation| over the packages other than the remainder." }),
      max_hard_share_deviation: z.number().meta({ description: "Max |hard-share deviation| over the packages other than the remainder." }),
      region_purity: share.meta({ description: "Share of the non-remainder packages' value in single-region packages." }),
      left_out_count: z.number().int(),
      left_out_by_reason: z.record(z.string(), z.number().int()),
      violations: z.array(violationSchema),
    }),
    left_out: z.array(
      z.object({
        loan_number: z.string(),
        reason: z.enum(leftOutReasons),
        detail: z.record(z.string(), z.string()).meta({ description: "status (not_available), package (in_package), share (over_concentration_cap)." }),
      }),
    ),
  })
  .meta({ id: "BundleResult" });

export const packageSummarySchema = z
  .object({
    id: z.string(),
    number: z.string().nullable().meta({ description: "PKG-YYYY-NNNN once approved (never reused); null before." }),
    label: z.string().meta({ description: "The number, or 草稿 n / Draft n." }),
    draft_index: z.number().int(),
    bundle_id: z.string(),
    status: z.enum(packageStatuses),
    is_remainder: z.boolean(),
    region: z.string().nullable(),
    target_amount: yuan,
    total: yuan,
    hard_total: yuan,
    loan_count: z.number().int(),
    quality: packageQualitySchema,
    created_at: z.iso.datetime(),
    submitted_at: z.iso.datetime().nullable(),
    submitted_by: z.string().nullable(),
    decided_at: z.iso.datetime().nullable(),
    decided_by: z.string().nullable(),
    decision: z.enum(["APPROVED", "REJECTED"]).nullable(),
    decision_comment: z.string().nullable(),
    version: z.number().int(),
  })
  .meta({ id: "PackageSummary" });

export const packagePageSchema = z
  .object({ items: z.array(packageSummarySchema), page: z.number().int(), total: z.number().int(), pages: z.number().int() })
  .meta({ id: "PackagePage", description: "Newest bundle first, then draft order; 50 a page." });

export const packagesCreatedSchema = z
  .object({ bundle_id: z.string(), packages: z.array(packageSummarySchema) })
  .meta({ id: "PackagesCreated" });

export const packageDetailSchema = packageSummarySchema
  .extend({
    loans: z.array(
      z.object({
        loan_number: z.string(),
        borrower_name: z.string().meta({ description: "Masked for individuals (王*明)." }),
        borrower_id_masked: z.string().meta({ description: "Masked: 110105********1234." }),
        branch: z.string(),
        region: z.string(),
        principal: yuan,
        claim: yuan,
        price: yuan.meta({ description: "The price the loan carries in the package." }),
        difficulty: z.string(),
        collateral: z.string(),
        overdue_bucket: z.enum(overdueBuckets),
        five_tier: z.string(),
        litigation: z.string(),
        limitation_expires_on: z.string(),
      }),
    ),
    events: z.array(z.object({ kind: z.string(), detail: z.record(z.string(), z.unknown()), by: z.string(), at: z.iso.datetime() })),
    documents: z.array(
      z.object({ id: z.string(), title: z.string(), file_name: z.string(), mime_type: z.string(), size: z.number().int(), sha256: z.string(), uploaded_at: z.iso.datetime() }),
    ),
    bundle: z.object({ id: z.string(), mode: z.enum(bundleModes), seed: z.number().int(), pool_hard_share: share, target: yuan }),
  })
  .meta({ id: "PackageDetail", description: "One package with its masked loans (price descending), history (newest first) and documents." });

export const moveResultSchema = z.object({ from: packageSummarySchema, to: packageSummarySchema }).meta({ id: "MoveLoanResult" });

// ---- shaping ---------------------------------------------------------------------------------------

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function apiPackageSummary(s: PackageSummary) {
  return {
    id: s.id, number: s.number, label: s.label, draft_index: s.draftIndex, bundle_id: s.bundleId, status: s.status, is_remainder: s.isRemainder,
    region: s.region, target_amount: toYuanString(s.targetAmount), total: toYuanString(s.total), hard_total: toYuanString(s.hardTotal),
    loan_count: s.loanCount, quality: packageQualityToApi(s.quality as PackageQuality), created_at: s.createdAt.toISOString(),
    submitted_at: iso(s.submittedAt), submitted_by: s.submittedBy, decided_at: iso(s.decidedAt), decided_by: s.decidedBy,
    decision: s.decision, decision_comment: s.decisionComment, version: s.version,
  };
}

export function apiPackageDetail(d: PackageDetail) {
  return {
    ...apiPackageSummary(d.summary),
    loans: d.loans.map((l) => ({
      loan_number: l.loanNumber, borrower_name: l.borrowerName, borrower_id_masked: l.borrowerIdMasked, branch: l.branchName, region: l.region,
      principal: toYuanString(l.principal), claim: toYuanString(l.claim), price: toYuanString(l.price), difficulty: l.difficulty, collateral: l.collateral,
      overdue_bucket: l.overdueBucket, five_tier: l.fiveTier, litigation: l.litigation, limitation_expires_on: l.limitationExpiresOn,
    })),
    events: d.events.map((e) => ({ kind: e.kind, detail: e.detail, by: e.by, at: e.at.toISOString() })),
    documents: d.documents.map((doc) => ({
      id: doc.id, title: doc.title, file_name: doc.fileName, mime_type: doc.mimeType, size: doc.size, sha256: doc.sha256, uploaded_at: doc.uploadedAt.toISOString(),
    })),
    bundle: { id: d.bundle.id, mode: d.bundle.mode, seed: d.bundle.seed, pool_hard_share: Math.round(d.bundle.poolHardShare * 10_000) / 10_000, target: toYuanString(d.bundle.target) },
  };
}

// ---- the document ----------------------------------------------------------------------------------

const packageIdParameter = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The package's id." };

export const packagesApi: OpenApiArea = {
  schemas: {
    BundleRequest: bundleInputSchema,
    BundleViolation: violationSchema,
    BundleResult: bundleResultSchema,
    PackageQuality: packageQualitySchema,
    SaveDraftsRequest: saveDraftsSchema,
    PackageSummary: packageSummarySchema,
    PackagePage: packagePageSchema,
    PackagesCreated: packagesCreatedSchema,
    PackageDetail: packageDetailSchema,
    ApproveRequest: decisionSchema,
    RejectRequest: rejectSchema,
    MoveLoanRequest: moveLoanSchema,
    MoveLoanResult: moveResultSchema,
  },
  paths: ({ ref, json, errors, queryParameters }) => ({
    "/bundles": {
      post: {
        operationId: "bundleLoans",
        summary: "Bundle priced loans into balanced packages (R2), a preview (packages:manage)",
        description:
          "At most one of `loan_numbers` and `filter` (neither = the whole loan book); `include` adds loans in litigation or written off explicitly. " +
          "Loans that cannot be bundled are listed in `left_out` with the reason (unpriced, not_available, in_package, litigation, written_off, " +
          "over_concentration_cap, duplicate). Every R2 rule a package does not meet is reported with its cause. Same input and seed → same packages. Nothing is written.",
        requestBody: { required: true, content: { "application/json": { schema: ref("BundleRequest") } } },
        responses: { "200": json(ref("BundleResult"), "The packages, the quality report and the loans left out"), ...errors(400, 401, 403, 429) },
      },
    },
    "/packages": {
      get: {
        operationId: "listPackages",
        summary: "Packages, newest first (packages:view)",
        parameters: queryParameters(packageListQuerySchema),
        responses: { "200": json(ref("PackagePage"), "One page of packages"), ...errors(401, 403, 429) },
      },
      post: {
        operationId: "savePackages",
        summary: "Save the packages of a bundle as drafts (packages:manage)",
        description:
          "The selection of the bundle again (`loan_numbers` / `filter`, `include`, `target_amount`, `mode`, `seed`) and the packages to save. " +
          "Every loan is checked again (in the selection or included, once, IN_BOOK or RETURNED, priced, in no other package); any failure refuses the whole save. " +
          "The quality is re-assessed against a fresh bundle's pool hard share. Audit-logged (`package.create`).",
        requestBody: { required: true, content: { "application/json": { schema: ref("SaveDraftsRequest") } } },
        responses: { "201": json(ref("PackagesCreated"), "The bundle and its draft packages"), ...errors(400, 401, 403, 409, 429) },
      },
    },
    "/packages/{id}": {
      get: {
        operationId: "getPackage",
        summary: "One package with its masked loans, history and documents (packages:view)",
        parameters: [packageIdParameter],
        responses: { "200": json(ref("PackageDetail"), "The package"), ...errors(401, 403, 404, 429) },
      },
    },
    "/packages/{id}/submit": {
      post: {
        operationId: "submitPackage",
        summary: "Submit a draft for approval (packages:manage)",
        description: "Each loan must still be IN_BOOK or RETURNED and priced; its price in the package becomes its price in force, and the package is re-assessed. Audit-logged (`package.submit`).",
        parameters: [packageIdParameter],
        responses: { "200": json(ref("PackageSummary"), "The submitted package"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/packages/{id}/approve": {
      post: {
        operationId: "approvePackage",
        summary: "Approve a submitted package (packages:approve; not the submitter)",
        description:
          "Four eyes: the submitter cannot approve (403 `packages.fourEyes`). Refused (409) when a loan's status or price changed since submission. " +
          "The package gets the next number PKG-YYYY-NNNN of the approval year (never reused) and its loans become PACKAGED. Audit-logged (`package.approve`).",
        parameters: [packageIdParameter],
        requestBody: { required: false, content: { "application/json": { schema: ref("ApproveRequest") } } },
        responses: { "200": json(ref("PackageSummary"), "The approved package"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/packages/{id}/reject": {
      post: {
        operationId: "rejectPackage",
        summary: "Reject a submitted package with a comment (packages:approve; not the submitter)",
        description: "The package returns to DRAFT without a number. Audit-logged (`package.reject`).",
        parameters: [packageIdParameter],
        requestBody: { required: true, content: { "application/json": { schema: ref("RejectRequest") } } },
        responses: { "200": json(ref("PackageSummary"), "The package, back to draft"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    "/packages/{id}/move": {
      post: {
        operationId: "moveLoan",
        summary: "Move one loan of this draft into another draft (packages:manage)",
        description: "Both packages must be drafts; both are re-assessed (a rule the move breaks is reported with cause manual_change). Audit-logged (`package.move_loan`).",
        parameters: [packageIdParameter],
        requestBody: { required: true, content: { "application/json": { schema: ref("MoveLoanRequest") } } },
        responses: { "200": json(ref("MoveLoanResult"), "Both packages after the move"), ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
  }),
};
