import type { z } from "zod";

type JsonSchema = Record<string, unknown>;

/** What an area's OpenAPI module gives the document builder (app/services/api/openapi.ts). */
export interface OpenApiArea {
  /** Named zod schemas: each becomes components/schemas/NAME and can be referenced with ref(NAME). */
  schemas: Record<string, z.ZodType>;
  /** Path items, built with the document's helpers. */
  paths: (helpers: OpenApiHelpers) => Record<string, unknown>;
}

export interface OpenApiHelpers {
  /** `{ $ref: "#/components/schemas/NAME" }` */
  ref: (name: string) => JsonSchema;
  /** A JSON response with a schema and description. */
  json: (schema: JsonSchema, description: string) => unknown;
  /** References to the shared error responses, e.g. errors(400, 401, 403, 404, 429). */
  errors: (...statuses: number[]) => Record<string, unknown>;
  /** Query parameters from a zod object schema. */
  queryParameters: (schema: z.ZodObject) => unknown[];
}
