import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { apiStatementSummary, statementListQuerySchema, statementListSchema } from "~/services/api/openapi-settlement-statements";
import { listStatements } from "~/services/settlement/statement-views.server";

/** GET /api/v1/statements (settlement:view): the bank's side every statement, a custodian its own. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const query = statementListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const items = await listStatements(user, { state: query.state, contractId: query.contract_id, year: query.year, quarter: query.quarter });
  return apiJson(statementListSchema.parse({ items: items.map(apiStatementSummary) }));
});

/** Statements are generated per contract: POST /contracts/{id}/statements. */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
