import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiHandler, apiJson, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { translator } from "~/infra/i18n";
import { apiTenderDetail, apiTenderPage, tenderDetailSchema, tenderPageSchema } from "~/services/api/openapi-tenders";
import { lotStates } from "~/services/tenders/bidding.server";
import { createTenderSchema, tenderListQuerySchema } from "~/services/tenders/tender-schemas";
import { createTender, getTender, listTenders } from "~/services/tenders/tenders.server";

/** GET /api/v1/tenders?status=&page=: tenders, newest first (staff: all; bidders: published ones whose audience admits them). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  const query = tenderListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  try {
    return apiJson(tenderPageSchema.parse(apiTenderPage(await listTenders(user, query))));
  } catch (error) {
    // The service's plain 403 (neither staff nor a bidder) as the API's error body.
    if (error instanceof Response && error.status === 403) throw apiError(403, "forbidden", translator(user.locale)("api.forbidden"));
    throw error;
  }
});

/** POST /api/v1/tenders: a draft tender from approved packages → 201 the tender (tenders:manage; audit-logged). */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "tenders:manage");
  const body = await postedJson(request, user, "GET, POST");
  const tender = await createTender(auditContextFor(request, user), user, createTenderSchema.parse(body));
  const view = await getTender(user, tender.id);
  const states = await lotStates(user, tender.id);
  return apiJson(tenderDetailSchema.parse(apiTenderDetail(view, states.lots)), { status: 201 });
});
