import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiForcedDeduction, forcedDeductionSchema } from "~/services/api/openapi-settlement-contracts";
import { forceDeductionSchema } from "~/services/settlement/contract-schemas";
import { forceDeduction } from "~/services/settlement/deductions.server";

/**
 * POST /api/v1/contracts/{id}/deductions (custody:manage): `{ "recovery_ids"?: string[], "reason": string }` — R7 forced
 * deduction from the performance deposit (the rest a claim). One balanced journal entry; audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:manage");
  const body = forceDeductionSchema.parse(await postedJson(request, user));
  const done = await forceDeduction(auditContextFor(request, user), user, { contractId: params.id ?? "", recoveryIds: body.recovery_ids, reason: body.reason });
  return apiJson(forcedDeductionSchema.parse(apiForcedDeduction(done)), { status: 201 });
});

/** Deductions are listed in GET /contracts/{id}/settlement. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
