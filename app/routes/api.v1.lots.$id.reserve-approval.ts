import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { toYuanString } from "~/domain/money";
import { apiHandler, apiJson, methodNotAllowed, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { lotReserveSchema } from "~/services/api/openapi-tenders";
import { approveLowerReserve } from "~/services/tenders/retender.server";

/**
 * POST /api/v1/lots/{id}/reserve-approval (packages:approve; not the person who asked: 403
 * auction.retender.fourEyes): a re-tender lot's lower reserve becomes its reserve. Audit-logged.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "packages:approve");
  if (request.method !== "POST") {
    return methodNotAllowed(user.locale);
  }
  const lot = await approveLowerReserve(auditContextFor(request, user), user, params.id ?? "");
  return apiJson(lotReserveSchema.parse({ id: lot.id, tender_id: lot.tenderId, lot_number: lot.lotNumber, package_id: lot.packageId, reserve: toYuanString(lot.reserve), status: lot.status }));
});

/** Approving is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
