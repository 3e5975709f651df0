import { z } from "zod";
import { tapeColumns, type TapeKey } from "~/domain/loan-tape";
import type { LoanTapeListItem, LoanTapeView } from "~/services/loans/import.server";
import type { OpenApiArea } from "./openapi-area";

/**
 * The loan-tape import's /api/v1 operations: submit a tape (multipart `file`, CSV or XLSX, or JSON
 * rows with the English keys) → 202 with its id; poll its status (progress, problems by row and
 * column in the token user's language, counts); list recent tapes; and the branches a tape may name.
 */

const tapeStatuses = ["processing", "rejected", "imported", "failed"] as const;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const rowShape: Partial<Record<TapeKey, z.ZodType>> = {};
for (const c of tapeColumns) rowShape[c.key] = (c.required ? cell : cell.optional()).meta({ description: `${c.zh} (${c.en})${c.required ? "" : ", optional"}` });

export const loanTapeRowSchema = z
  .object(rowShape as Record<TapeKey, z.ZodType>)
  .meta({
    id: "LoanTapeRow",
    description:
      "One loan as a tape row (../shared/domain/loan-tape.md): the English keys; enumerations in English or Chinese (e.g. five_tier \"substandard\" or \"次级\"); amounts as yuan strings (\"1,234.56\") or numbers with at most two decimals; days as YYYY-MM-DD.",
  });

export const loanTapeSubmitSchema = z
  .object({
    rows: z.array(loanTapeRowSchema).min(1).meta({ description: "The loans, at most 200,000; problems are reported by position (first row = 1)." }),
    file_name: z.string().optional().meta({ description: "A name for the record (default api-rows.json)." }),
  })
  .meta({ id: "LoanTapeSubmit" });

export const loanTapeCreatedSchema = z.object({ id: z.string() }).meta({ id: "LoanTapeCreated", description: "The tape is stored and queued; poll GET /loan-tapes/{id}." });

const tapeError = z
  .object({
    row: z.number().int().nullable().meta({ description: "Spreadsheet row as the user sees it (header = 1), or the JSON row's position (first = 1); null for the whole file." }),
    column: z.string().nullable().meta({ description: "The column's English key (e.g. borrower_id_number), or null." }),
    code: z.string().meta({ description: "Stable code (message key), e.g. tape.idNumber.checksum, tape.date.notACalendarDate, tape.loanLocked." }),
    message: z.string().meta({ description: "The reason in the token user's language." }),
  })
  .meta({ id: "LoanTapeError" });

export const loanTapeStatusSchema = z
  .object({
    id: z.string(),
    status: z.enum(tapeStatuses).meta({ description: "processing (validating or writing), rejected (problems found; nothing written), imported, failed (could not be processed; nothing written)." }),
    progress: z.number().min(0).max(1),
    file_name: z.string(),
    format: z.enum(["csv", "xlsx", "json"]),
    sha256: z.string(),
    size: z.number().int(),
    errors: z.array(tapeError).meta({ description: "The first 1,000 problems, by row and column; empty unless rejected." }),
    error_count: z.number().int().meta({ description: "All problems found (errors lists at most 1,000)." }),
    warnings: z.array(z.object({ code: z.string(), message: z.string() })).meta({ description: "E.g. unknown columns that were ignored." }),
    rows: z.number().int().meta({ description: "Data rows read (empty rows not counted)." }),
    created_count: z.number().int(),
    updated_count: z.number().int(),
    unchanged_count: z.number().int(),
    failure: z.string().nullable(),
    created: z.iso.datetime({ offset: true }).meta({ description: "When the tape was submitted." }),
    updated: z.iso.datetime({ offset: true }).meta({ description: "When the tape record last changed." }),
  })
  .meta({ id: "LoanTapeStatus" });

export const loanTapeListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        status: z.enum(tapeStatuses),
        progress: z.number().min(0).max(1),
        file_name: z.string(),
        format: z.enum(["csv", "xlsx", "json"]),
        rows: z.number().int(),
        created_count: z.number().int(),
        updated_count: z.number().int(),
        unchanged_count: z.number().int(),
        error_count: z.number().int(),
        created: z.iso.datetime({ offset: true }),
        updated: z.iso.datetime({ offset: true }),
      }),
    ),
  })
  .meta({ id: "LoanTapeList", description: "The 50 most recent tapes, newest first." });

export const branchListSchema = z
  .object({ items: z.array(z.object({ code: z.string(), name: z.string(), region: z.string() })) })
  .meta({ id: "BranchList", description: "The bank's branches; a tape's branch column names one by code or name." });

export function apiLoanTapeStatus(view: LoanTapeView): z.infer<typeof loanTapeStatusSchema> {
  return loanTapeStatusSchema.parse({
    id: view.id,
    status: view.status,
    progress: view.progress,
    file_name: view.fileName,
    format: view.format,
    sha256: view.sha256,
    size: view.size,
    errors: view.errors.map((e) => ({ row: e.row, column: e.column, code: e.code, message: e.message })),
    error_count: view.errorCount,
    warnings: view.warnings,
    rows: view.counts.rows,
    created_count: view.counts.created,
    updated_count: view.counts.updated,
    unchanged_count: view.counts.unchanged,
    failure: view.failure,
    created: view.created.toISOString(),
    updated: view.updated.toISOString(),
  });
}

export function apiLoanTapeList(items: LoanTapeListItem[]): z.infer<typeof loanTapeListSchema> {
  return loanTapeListSchema.parse({
    items: items.map((tape) => ({
      id: tape.id,
      status: tape.status,
      progress: tape.progress,
      file_name: tape.fileName,
      format: tape.format,
      rows: tape.counts.rows,
      created_count: tape.counts.created,
      updated_count: tape.counts.updated,
      unchanged_count: tape.counts.unchanged,
      error_count: tape.errorCount,
      created: tape.created.toISOString(),
      updated: tape.updated.toISOString(),
    })),
  });
}

/** The /api/v1 operations of this area: named schemas (components) and paths, merged into openapi.json. */
export const loanTapesApi: OpenApiArea = {
  schemas: {
    LoanTapeRow: loanTapeRowSchema,
    LoanTapeSubmit: loanTapeSubmitSchema,
    LoanTapeCreated: loanTapeCreatedSchema,
    LoanTapeError: tapeError,
    LoanTapeStatus: loanTapeStatusSchema,
    LoanTapeList: loanTapeListSchema,
    BranchList: branchListSchema,
  },
  paths: ({ ref, json, errors }) => ({
    "/loan-tapes": {
      post: {
        operationId: "submitLoanTape",
        summary: "Submit a loan tape (loans:import): validated whole by a job, then imported all or nothing",
        description:
          "Send a CSV (UTF-8 with or without BOM, or GB18030/GBK) or XLSX file (first sheet; header in row 1, Chinese or English column names) as multipart field `file`, " +
          "or JSON `{ \"rows\": [ {English keys} ] }`. At most 50 MB. Answers 202 with the tape's id at once; poll GET /loan-tapes/{id}. " +
          "Every submission and import is audit-logged with the file's SHA-256.",
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] } },
            "application/json": { schema: ref("LoanTapeSubmit") },
          },
        },
        responses: { "202": json(ref("LoanTapeCreated"), "Stored and queued"), ...errors(400, 401, 403, 413, 429), "415": json(ref("Error"), "Not a CSV or XLSX file") },
      },
      get: {
        operationId: "listLoanTapes",
        summary: "The most recent loan tapes (loans:import)",
        responses: { "200": json(ref("LoanTapeList"), "Newest first"), ...errors(401, 403, 429) },
      },
    },
    "/loan-tapes/{id}": {
      get: {
        operationId: "getLoanTape",
        summary: "A loan tape's status: progress, problems by row and column (in the token user's language), counts (loans:import)",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" }, description: "The id POST /loan-tapes returned." }],
        responses: { "200": json(ref("LoanTapeStatus"), "The tape"), ...errors(401, 403, 404, 429) },
      },
    },
    "/branches": {
      get: {
        operationId: "listBranches",
        summary: "The bank's branches (code, name, region) that a tape may name (loans:view or loans:import)",
        responses: { "200": json(ref("BranchList"), "All branches by code"), ...errors(401, 403, 429) },
      },
    },
  }),
};
