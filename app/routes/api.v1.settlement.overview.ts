import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { todayInChina } from "~/domain/calendar";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { apiSettlementOverview, settlementOverviewSchema } from "~/services/api/openapi-settlement-contracts";
import { settlementOverview } from "~/services/settlement/settlement-views.server";

/** GET /api/v1/settlement/overview (settlement:view): every contract the user may see, and the per-custodian scorecard. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  return apiJson(settlementOverviewSchema.parse(apiSettlementOverview(await settlementOverview(user, todayInChina(new Date())))));
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
