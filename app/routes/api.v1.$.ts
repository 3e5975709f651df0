import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError } from "~/infra/api.server";
import { defaultLocale, translator } from "~/infra/i18n";

/** Anything else under /api/v1: a JSON 404, never the HTML error page. */
const notFound = async (_args: LoaderFunctionArgs | ActionFunctionArgs) => apiError(404, "not_found", translator(defaultLocale)("api.notFound"));

export const loader = notFound;
export const action = notFound;
