import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiLiabilityEvent, liabilityEventListSchema, liabilityEventSchema, liabilityListQuerySchema } from "~/services/api/openapi-custody-liability";
import { assetLossSchema } from "~/services/custody/liability-schemas";
import { liabilityEventFor, listLiabilityEvents, recordAssetLoss } from "~/services/custody/liability.server";

/** GET /api/v1/custody/liability-events (custody:view): the custodian its own, the bank's departments all. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:view");
  const query = liabilityListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const events = await listLiabilityEvents(user, { status: query.status });
  return apiJson(liabilityEventListSchema.parse({ items: events.map(apiLiabilityEvent) }));
});

/** POST /api/v1/custody/liability-events (custody:manage): the loss of a foreclosed asset, during the term. */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:manage");
  const body = assetLossSchema.parse(await postedJson(request, user, "GET, POST"));
  const event = await recordAssetLoss(auditContextFor(request, user), user, { contractId: body.contract_id, loanId: body.loan_id, occurredOn: body.occurred_on, note: body.note });
  return apiJson(liabilityEventSchema.parse(apiLiabilityEvent(await liabilityEventFor(user, event.id))), { status: 201 });
});
