import type { z } from "zod";

export type FieldErrors = Record<string, string[]>;
export type FormValues = Record<string, string | string[]>;

/** FormData → plain object; a name given several times (checkboxes) becomes an array. */
export function formValues(formData: FormData): FormValues {
  const values: FormValues = {};
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key).filter((v): v is string => typeof v === "string");
    values[key] = all.length > 1 ? all : (all[0] ?? "");
  }
  return values;
}

export type FormResult<T> =
  | { ok: true; data: T; values: FormValues }
  | { ok: false; fieldErrors: FieldErrors; values: FormValues };

/**
 * One parse for the browser and the server: the same zod schema, messages as i18n keys.
 * Secrets are never echoed back in `values`.
 */
export function parseForm<S extends z.ZodType>(schema: S, formData: FormData): FormResult<z.infer<S>> {
  const values = formValues(formData);
  const result = schema.safeParse(values);
  const safeValues = Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));
  if (result.success) return { ok: true, data: result.data, values: safeValues };
  const fieldErrors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : "_form";
    (fieldErrors[field] ??= []).push(issue.message);
  }
  return { ok: false, fieldErrors, values: safeValues };
}

/** What an action returns to its form when the input is refused: nothing was changed. */
export interface ActionFormState {
  fieldErrors?: FieldErrors;
  values?: FormValues;
  formError?: string;
  formErrorParams?: Record<string, string | number>;
}
