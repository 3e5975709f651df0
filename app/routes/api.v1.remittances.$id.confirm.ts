import type { ActionFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRemittance, confirmRemittanceRequestSchema, remittanceSchema } from "~/services/api/openapi-settlement-recoveries";
import { confirmRemittance, getRemittance } from "~/services/settlement/remittances.server";

/** POST /api/v1/remittances/{id}/confirm (recoveries:register): a DECLARED bank transfer received, with the voucher and the day. */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "recoveries:register");
  const body = confirmRemittanceRequestSchema.parse(await postedJson(request, user));
  const row = await confirmRemittance(auditContextFor(request, user), user, params.id ?? "", { voucherNumber: body.voucher_number, remittedOn: body.remitted_on });
  return apiJson(remittanceSchema.parse(apiRemittance(await getRemittance(user, row.id))));
});

export const loader = apiHandler(async ({ request }: ActionFunctionArgs) => methodNotAllowed((await requireApiUser(request)).locale));
