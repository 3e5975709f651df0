import type { LoaderFunctionArgs } from "@remix-run/node";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { apiError, apiHandler, apiJson, requireApiUser } from "~/infra/api.server";
import { translator } from "~/infra/i18n";
import { apiTenderDetail, tenderDetailSchema } from "~/services/api/openapi-tenders";
import { lotStates } from "~/services/tenders/bidding.server";
import { getTender } from "~/services/tenders/tenders.server";

/**
 * GET /api/v1/tenders/{id}: the tender with the state of every lot (reserve, high bid, 竞买人N
 * aliases, next minimum, close, my status); a bidder's eligibility, registration and deposits; for
 * staff every registration. A tender the user may not see is a 404.
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  const now = new Date();
  let view;
  try {
    view = await getTender(user, params.id ?? "", now);
  } catch (error) {
    // The service's plain 403 / 404 as the API's error body.
    if (error instanceof Response && error.status === 403) throw apiError(403, "forbidden", translator(user.locale)("api.forbidden"));
    if (error instanceof Response && error.status === 404) throw new UserError("auction.tender.notFound", { status: 404 });
    throw error;
  }
  const manager = can(user.roles, "tenders:manage");
  const live = manager || (can(user.roles, "tenders:bid") && (view.tender.status === "PUBLISHED" || view.tender.status === "CLOSED"));
  const states = live ? (await lotStates(user, view.tender.id, now)).lots : null;
  return apiJson(tenderDetailSchema.parse(apiTenderDetail(view, states)));
});
