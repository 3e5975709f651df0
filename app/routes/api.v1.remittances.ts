import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiRemittance, remittanceCreatedSchema, remittanceListQuerySchema, remittanceListSchema, remittanceRequestSchema } from "~/services/api/openapi-settlement-recoveries";
import { yuanInput } from "~/services/settlement/recoveries.server";
import { declareRemittance, getRemittance, listRemittances } from "~/services/settlement/remittances.server";

/** GET /api/v1/remittances (settlement:view): a custodian its own remittances, the bank every one. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const query = remittanceListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const items = await listRemittances(user, { status: query.status, contractId: query.contract_id });
  return apiJson(remittanceListSchema.parse({ items: items.map(apiRemittance) }));
});

/** POST /api/v1/remittances (custody:work): declare a bank transfer, or start a Stripe payment (client_secret in the answer). */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const body = remittanceRequestSchema.parse(await postedJson(request, user, "GET, POST"));
  const { remittance, clientSecret } = await declareRemittance(auditContextFor(request, user), user, {
    contractId: body.contract_id, amount: yuanInput(body.amount, "amount"), method: body.method, recoveryIds: body.recovery_ids ?? [],
    payerReference: body.payer_reference ?? null, stripeMethods: body.stripe_methods,
  });
  const view = await getRemittance(user, remittance.id);
  return apiJson(remittanceCreatedSchema.parse({ ...apiRemittance(view), client_secret: clientSecret }), { status: 201 });
});
