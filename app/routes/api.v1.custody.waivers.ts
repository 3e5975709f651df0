import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/infra/api.server";
import { apiPendingWaiver, pendingWaiverListSchema } from "~/services/api/openapi-custody-agreements";
import { pendingWaivers } from "~/services/custody/waivers.server";

/** GET /api/v1/custody/waivers (custody:manage): the waivers awaiting a decision, oldest first. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  const rows = await pendingWaivers(user);
  return apiJson(pendingWaiverListSchema.parse({ items: rows.map(apiPendingWaiver) }));
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale, "GET");
});
