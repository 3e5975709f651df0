import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { apiStatement, statementSchema } from "~/services/api/openapi-settlement-statements";
import { statementDetail } from "~/services/settlement/statement-views.server";

/** GET /api/v1/statements/{id} (settlement:view): one statement with its lines and steps; 404 for one the user may not see. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  return apiJson(statementSchema.parse(apiStatement(await statementDetail(user, params.id ?? ""))));
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
