import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiStatement, apiStatementSummary, generateStatementRequestSchema, statementListSchema, statementSchema } from "~/services/api/openapi-settlement-statements";
import { contractStatements, statementDetail } from "~/services/settlement/statement-views.server";
import { generateStatement } from "~/services/settlement/statements.server";

/** GET /api/v1/contracts/{id}/statements (settlement:view): the contract's statements (a custodian only its own contracts). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const items = await contractStatements(user, params.id ?? "");
  return apiJson(statementListSchema.parse({ items: items.map(apiStatementSummary) }));
});

/** POST /api/v1/contracts/{id}/statements `{ "year", "quarter" }`: generate on demand (the department or a branch clerk). */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const body = generateStatementRequestSchema.parse(await postedJson(request, user, "GET, POST"));
  const written = await generateStatement(auditContextFor(request, user), user, { contractId: params.id ?? "", year: body.year, quarter: body.quarter });
  return apiJson(statementSchema.parse(apiStatement(await statementDetail(user, written.id))), { status: 201 });
});
