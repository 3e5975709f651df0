import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiContractDetail, contractDetailSchema } from "~/services/api/openapi-custody-contracts";
import { contractRecord } from "~/services/custody/contract-views.server";
import { signContract } from "~/services/custody/contracts.server";

/**
 * POST /api/v1/contracts/{id}/sign (custody:work, the contract's custodian): AWAITING_SIGNATURE →
 * AWAITING_COUNTERSIGNATURE with who, when, the client's IP and user agent; the bid deposit is
 * credited to the first contract signed in the tender (R4). No body.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  if (request.method !== "POST") return methodNotAllowed(user.locale);
  const ctx = auditContextFor(request, user);
  const contract = await signContract(ctx, user, params.id ?? "", { ip: ctx.ip, userAgent: ctx.userAgent });
  return apiJson(contractDetailSchema.parse(apiContractDetail(await contractRecord(user, contract.id))));
});

/** Signing is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
