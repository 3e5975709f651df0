import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiUser } from "~/infra/api.server";
import { markReadResultSchema } from "~/services/api/openapi-tenders";
import { markRead } from "~/services/tenders/notifications.server";
import { markReadSchema } from "~/services/tenders/tender-schemas";

/** POST /api/v1/notifications/read `{ "ids"?: [...], "all"?: true }`: marks the token user's own notifications read. */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiUser(request);
  const body = await postedJson(request, user);
  const updated = await markRead(user, markReadSchema.parse(body));
  return apiJson(markReadResultSchema.parse({ updated }));
});

/** Marking is a POST. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
