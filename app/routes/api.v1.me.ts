import type { LoaderFunctionArgs } from "@remix-run/node";
import { permissionsOf } from "~/domain/access";
import { apiHandler, apiJson, requireApiUser } from "~/infra/api.server";
import { meSchema } from "~/services/api/openapi";

/** GET /api/v1/me: the token's user. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return apiJson(
    meSchema.parse({
      id: user.id,
      email: user.email,
      display_name: user.displayName,
      roles: user.roles,
      permissions: permissionsOf(user.roles),
      locale: user.locale,
      organization: { id: user.organizationId, name: user.organizationName, kind: user.organizationKind },
      branch_id: user.branchId,
    }),
  );
});
