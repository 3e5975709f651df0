import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiDeposit, depositSchema } from "~/services/api/openapi-tenders";
import { confirmOfflineDeposit } from "~/services/tenders/registration.server";
import { confirmOfflineDepositSchema } from "~/services/tenders/tender-schemas";

/**
 * POST /api/v1/deposits/{id}/confirm `{ "voucher_number": "…" }` (settlement:finance): a declared
 * offline deposit CONFIRMED with its receipt journal entry; the bidder is told. Audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:finance");
  const body = await postedJson(request, user);
  const deposit = await confirmOfflineDeposit(auditContextFor(request, user), user, params.id ?? "", confirmOfflineDepositSchema.parse(body));
  return apiJson(depositSchema.parse(apiDeposit(deposit)));
});

/** Confirming is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
