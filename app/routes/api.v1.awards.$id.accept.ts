import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { toYuanString } from "~/domain/money";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { acceptedAwardSchema } from "~/services/api/openapi-tenders";
import { acceptAwardSchema } from "~/services/tenders/award-schemas";
import { acceptAward } from "~/services/tenders/awards.server";
import { enqueueTenderRefunds } from "../../jobs/tender-award-jobs";

/**
 * POST /api/v1/awards/{id}/accept (tenders:bid, the award's bidder, before the deadline): award and
 * lot ACCEPTED; when every lot of the tender is decided the deposits' refund is queued. Audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "tenders:bid");
  if (request.method !== "POST") {
    return methodNotAllowed(user.locale);
  }
  const { award_id } = acceptAwardSchema.parse({ award_id: params.id ?? "" });
  const accepted = await acceptAward(auditContextFor(request, user), user, award_id);
  if (accepted.tenderDecided) {
    try {
      await enqueueTenderRefunds(accepted.tenderId);
    } catch (error) {
      // The award stands; the sweeper (tenders.expireAwards) or finance (POST /tenders/{id}/refunds) runs the refunds.
      console.error("api: queueing the tender's refunds failed", { tenderId: accepted.tenderId, error });
    }
  }
  return apiJson(
    acceptedAwardSchema.parse({
      award_id: accepted.awardId, lot_id: accepted.lotId, tender_id: accepted.tenderId, status: "ACCEPTED",
      price: toYuanString(accepted.price), bidder_key: accepted.bidderKey, tender_decided: accepted.tenderDecided,
    }),
  );
});

/** Accepting is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
