import { useT } from "~/components/i18n";
import { isMessageKey, type Translate } from "~/infra/i18n";

/** A message key (or text) with its {params} filled in. */
export function messageText(t: Translate, message: string, params?: Record<string, string | number>): string {
  const text = isMessageKey(message) ? t(message, params) : message;
  return params ? text.replace(/\{(\w+)\}/g, (whole, k: string) => String(params[k] ?? whole)) : text;
}

/** The errors of one field, next to it: data-testid `error-<field>`. */
export function FieldErrors({ field, messages, params }: { field: string; messages?: string[]; params?: Record<string, string | number> }) {
  const t = useT();
  if (!messages?.length) return null;
  return (
    <p id={`f-${field}-error`} className="mt-1 text-sm text-red-700" role="alert" data-testid={`error-${field}`}>
      {messages.map((m) => messageText(t, m, params)).join(" ")}
    </p>
  );
}

/** A refusal of a whole form (or of an action button), with its params: data-testid given, `form-error` by default. */
export function Refusal({ message, params, testId = "form-error" }: { message?: string | null; params?: Record<string, string | number>; testId?: string }) {
  const t = useT();
  if (!message) return null;
  return (
    <div className="mb-4 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid={testId}>
      {messageText(t, message, params)}
    </div>
  );
}
