import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiContractDetail, contractDetailSchema } from "~/services/api/openapi-custody-contracts";
import { contractRecord } from "~/services/custody/contract-views.server";
import { countersignContract } from "~/services/custody/contracts.server";

/**
 * POST /api/v1/contracts/{id}/countersign (custody:manage, not the custodian): only after the
 * custodian signed → AWAITING_DEPOSIT, or ACTIVE at once when the deposit is fully held. Records who,
 * when, the client's IP and user agent. No body.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:manage");
  if (request.method !== "POST") return methodNotAllowed(user.locale);
  const ctx = auditContextFor(request, user);
  const contract = await countersignContract(ctx, user, params.id ?? "", { ip: ctx.ip, userAgent: ctx.userAgent });
  return apiJson(contractDetailSchema.parse(apiContractDetail(await contractRecord(user, contract.id))));
});

/** Countersigning is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
