import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiLossOfFunds, lossOfFundsResultSchema } from "~/services/api/openapi-settlement-contracts";
import { lossOfFundsSchema } from "~/services/settlement/contract-schemas";
import { recordLossOfFunds } from "~/services/settlement/deductions.server";

/** POST /api/v1/recoveries/{id}/loss (custody:manage): `{ "note": string }` — R7 loss of funds, once; the recovery may then be deducted. */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:manage");
  const body = lossOfFundsSchema.parse(await postedJson(request, user));
  const done = await recordLossOfFunds(auditContextFor(request, user), user, params.id ?? "", body);
  return apiJson(lossOfFundsResultSchema.parse(apiLossOfFunds(done)));
});

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
