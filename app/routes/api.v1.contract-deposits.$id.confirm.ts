import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiTopUp, topUpSchema } from "~/services/api/openapi-custody-contracts";
import { confirmTopUpSchema } from "~/services/custody/contract-schemas";
import { confirmOfflineTopUp } from "~/services/custody/deposit-topup.server";

/**
 * POST /api/v1/contract-deposits/{id}/confirm `{ "voucher_number": "…" }` (settlement:finance): a
 * declared offline top-up CONFIRMED with its receipt entry; custody starts when countersigned and fully paid.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:finance");
  const body = confirmTopUpSchema.parse(await postedJson(request, user));
  const payment = await confirmOfflineTopUp(auditContextFor(request, user), user, params.id ?? "", body);
  return apiJson(topUpSchema.parse(apiTopUp(payment)));
});

/** Confirming is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
