import type { LoaderFunctionArgs } from "@remix-run/node";
import { toYuanString } from "~/domain/money";
import { apiHandler, apiJson, requireApiUser } from "~/infra/api.server";
import { settingsResponseSchema } from "~/services/api/openapi";
import { settingsAt } from "~/services/settings/settings.server";

/** Stored money is fen in digit strings under `…Fen` keys; the API speaks yuan with two decimals. */
function moneyAsYuan(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) =>
      key.endsWith("Fen") && typeof value === "string" && /^-?\d+$/.test(value)
        ? [key.slice(0, -"Fen".length), toYuanString(BigInt(value))]
        : [key, value],
    ),
  );
}

/** GET /api/v1/settings: the settings version in force now (any signed-in token). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  await requireApiUser(request);
  const inForce = await settingsAt(new Date());
  return apiJson(
    settingsResponseSchema.parse({
      version: inForce.version,
      effective_from: inForce.effectiveFrom.toISOString(),
      settings: moneyAsYuan(inForce.values),
    }),
  );
});
