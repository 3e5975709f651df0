import { UserError } from "~/domain/errors";
import { apiError } from "~/infra/api.server";
import { isMessageKey, translator, type Locale } from "~/infra/i18n";

/**
 * The loan book's refusals in the API's words: an unknown loan is `not_found` (404), a refused
 * unmasking `forbidden` (403), with the message in the token user's language. Other errors pass on
 * to apiHandler unchanged.
 */
export function loanApiError(error: unknown, locale: Locale): unknown {
  if (!(error instanceof UserError) || (error.status !== 403 && error.status !== 404)) return error;
  const t = translator(locale);
  const message = isMessageKey(error.key) ? t(error.key, error.options.params) : error.key;
  return apiError(error.status, error.status === 404 ? "not_found" : "forbidden", message);
}
