import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiStatement, statementSchema } from "~/services/api/openapi-settlement-statements";
import { statementDetail } from "~/services/settlement/statement-views.server";
import { verifyLine } from "~/services/settlement/statement-workflow.server";

/** POST /api/v1/statements/{id}/lines/{position}/verify: the department verifies one line (no body). */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  if (request.method !== "POST") return methodNotAllowed(user.locale);
  await verifyLine(auditContextFor(request, user), user, params.id ?? "", params.position ?? "");
  return apiJson(statementSchema.parse(apiStatement(await statementDetail(user, params.id ?? ""))));
});

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
