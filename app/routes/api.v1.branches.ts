import type { LoaderFunctionArgs } from "@remix-run/node";
import { can } from "~/domain/access";
import { apiError, apiHandler, apiJson, requireApiUser } from "~/infra/api.server";
import { translator } from "~/infra/i18n";
import { branchListSchema } from "~/services/api/openapi-loan-tapes";
import { listBranches } from "~/services/loans/branches.server";

/** GET /api/v1/branches: the bank's branches a tape may name (loans:view or loans:import). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  if (!can(user.roles, "loans:view") && !can(user.roles, "loans:import")) throw apiError(403, "forbidden", translator(user.locale)("api.forbidden"));
  return apiJson(branchListSchema.parse({ items: await listBranches(user) }));
});
