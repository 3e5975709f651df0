import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiCloseOut, closeOutResultSchema } from "~/services/api/openapi-settlement-contracts";
import { closeOutContract } from "~/services/settlement/close-out.server";
import { closeOutSchema } from "~/services/settlement/contract-schemas";

/** POST /api/v1/contracts/{id}/close-out (settlement:finance): `{ "voucher_number": string }` — nets what the custodian owes from the deposit of an ENDED contract and refunds the rest. */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:finance");
  const body = closeOutSchema.parse(await postedJson(request, user));
  const done = await closeOutContract(auditContextFor(request, user), user, { contractId: params.id ?? "", voucherNumber: body.voucher_number });
  return apiJson(closeOutResultSchema.parse(apiCloseOut(done)), { status: 201 });
});

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
