import { z } from "zod";
import { auditFilterSchema, auditPageSize } from "~/services/audit/audit-log.server";
import type { OpenApiArea } from "./openapi-area";
import { loanTapesApi } from "./openapi-loan-tapes";
import { loansApi } from "./openapi-loans";
import { pricingApi } from "./openapi-pricing";
import { packagesApi } from "./openapi-packages";
import { tendersApi } from "./openapi-tenders";
import { custodyContractsApi } from "./openapi-custody-contracts";
import { custodyWorkApi } from "./openapi-custody-work";
import { custodyAgreementsApi } from "./openapi-custody-agreements";
import { custodyLiabilityApi } from "./openapi-custody-liability";
import { settlementRecoveriesApi } from "./openapi-settlement-recoveries";
import { settlementContractsApi } from "./openapi-settlement-contracts";
import { settlementStatementsApi } from "./openapi-settlement-statements";

const areas: OpenApiArea[] = [loanTapesApi, loansApi, pricingApi, packagesApi, tendersApi, custodyContractsApi, custodyWorkApi, custodyAgreementsApi, custodyLiabilityApi, settlementRecoveriesApi, settlementContractsApi, settlementStatementsApi];

/**
 * The shapes of /api/v1, as zod schemas: the routes shape their output with them and the OpenAPI
 * 3.1 document at /api/v1/openapi.json is generated from the very same schemas.
 */

const yuan = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Money: yuan as a string with two decimals, e.g. \"1234.56\"." });
export { yuan as yuanSchema };

export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Stable machine code, e.g. unauthorized, forbidden, not_found, rate_limited, invalid_input, internal, or a domain error key." }),
      message: z.string().meta({ description: "Human-readable message in the token user's language." }),
      fields: z.record(z.string(), z.array(z.string())).optional().meta({ description: "Messages per input field." }),
      details: z
        .record(z.string(), z.union([z.string(), z.number()]))
        .optional()
        .meta({ description: "The values in the message, for programs, e.g. `minimum` (yuan) when a bid is below the minimum." }),
    }),
  })
  .meta({ id: "Error" });

export const meSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    display_name: z.string(),
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
    locale: z.string(),
    organization: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
    branch_id: z.string().nullable(),
  })
  .meta({ id: "Me" });

export const settingsResponseSchema = z
  .object({
    version: z.number().int(),
    effective_from: z.iso.datetime(),
    settings: z
      .record(z.string(), z.unknown())
      .meta({ description: "The settings in force. Money values are yuan strings with two decimals (keys without the internal `Fen` suffix); rates are exact decimal strings." }),
  })
  .meta({ id: "Settings" });

/** The audit endpoint takes the audit page's own filter schema (malformed values are ignored). */
export const auditQuerySchema = auditFilterSchema;

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.iso.datetime(),
    actor_type: z.string(),
    actor_id: z.string().nullable(),
    actor_label: z.string().nullable(),
    organization_id: z.string().nullable(),
    action: z.string(),
    entity_type: z.string(),
    entity_id: z.string(),
    before: z.unknown().meta({ description: "State before (JSON), or null." }),
    after: z.unknown().meta({ description: "State after (JSON), or null." }),
    request_id: z.string().nullable(),
    ip: z.string().nullable(),
    hash: z.string(),
  })
  .meta({ id: "AuditEntry" });

export const auditPageSchema = z
  .object({
    items: z.array(auditEntrySchema),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    pages: z.number().int(),
  })
  .meta({ id: "AuditPage", description: `Newest first, ${auditPageSize} entries a page.` });

type JsonSchema = Record<string, unknown>;

/** One zod schema → JSON Schema (2020-12, the dialect of OpenAPI 3.1), named ones as $refs to components. */
function schemasOf(named: Record<string, z.ZodType>): { components: Record<string, JsonSchema>; ref: (name: string) => JsonSchema } {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" });
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _drop, $id: _id, ...rest } = schema as JsonSchema;
    components[id] = rest;
  }
  return { components, ref: (name) => ({ $ref: `#/components/schemas/${name}` }) };
}

function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    // A parameter with a default (or a fallback) may be left out, whatever the output type says.
    const required = (json.required ?? []).includes(name) && !("default" in rest);
    return { name, in: "query", required, schema: rest, ...(description ? { description } : {}) };
  });
}

export function openApiDocument(serverUrl = "/api/v1") {
  const { components, ref } = schemasOf({
    Error: apiErrorSchema, Me: meSchema, Settings: settingsResponseSchema, AuditEntry: auditEntrySchema, AuditPage: auditPageSchema,
    ...Object.assign({}, ...areas.map((a) => a.schemas)),
  });
  const json = (schema: JsonSchema, description: string) => ({ description, content: { "application/json": { schema } } });
  const errors = (...statuses: number[]) =>
    Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]));
  const errorResponse = (description: string) => json(ref("Error"), description);
  return {
    openapi: "3.1.0",
    info: {
      title: "NPL marketplace API",
      version: "1.0.0",
      description:
        "Bearer tokens are created in the profile page (or `npm run cli -- token create --user EMAIL`) and act with their user's permissions. " +
        "Errors are always `{ \"error\": { \"code\", \"message\", \"fields\"?, \"details\"? } }`. Money is a string of yuan with two decimals.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths: {
      "/me": {
        get: { operationId: "getMe", summary: "The token's user", responses: { "200": json(ref("Me"), "The user"), ...errors(401, 429) } },
      },
      "/settings": {
        get: {
          operationId: "getSettings",
          summary: "The settings in force now",
          responses: { "200": json(ref("Settings"), "The settings version in force"), ...errors(401, 429) },
        },
      },
      "/audit": {
        get: {
          operationId: "searchAuditLog",
          summary: "The audit log (auditors and admins), paginated",
          parameters: queryParameters(auditQuerySchema),
          responses: { "200": json(ref("AuditPage"), "One page of entries"), ...errors(400, 401, 403, 429) },
        },
      },
      ...Object.assign({}, ...areas.map((a) => a.paths({ ref, json, errors, queryParameters }))),
    },
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A personal API token (npl_…)." } },
      responses: {
        Error400: errorResponse("Invalid input (see `fields`)"),
        Error401: errorResponse("Missing, unknown or revoked token"),
        Error403: errorResponse("The token's user lacks the permission"),
        Error404: errorResponse("No such resource (or not visible to the token's user)"),
        Error409: errorResponse("The resource is in a state that refuses the operation"),
        Error413: errorResponse("The upload is too large"),
        Error429: { ...errorResponse("Rate limit exceeded; see Retry-After"), headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } } },
      },
    },
  };
}
