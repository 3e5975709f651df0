import { ZodError, type z, type ZodType } from "zod";
import { UserError } from "~/domain/errors";

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

/** Input checked by its schema; the first problem is a UserError on its field (bad input changes nothing). */
export function parseOrRefuse<S extends ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? String(issue.path[0]) : undefined;
  throw new UserError(issue?.message ?? "api.invalidInput", { status: 400, ...(field ? { field } : {}) });
}

/** A form field's text ("" when absent). */
export const formText = (formData: FormData, name: string) => {
  const v = formData.get(name);
  return typeof v === "string" ? v : "";
};

/**
 * Bad input of a section's form as a UserError on the form's own field names (the first problem),
 * so the page's action shows it next to the field; other errors pass through.
 */
export function asFormRefusal(error: unknown, rename: Record<string, string>): unknown {
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = String(issue?.path[0] ?? "");
    return new UserError(issue?.message ?? "form.invalidChoice", { status: 400, ...(field ? { field: rename[field] ?? field } : {}) });
  }
  if (error instanceof UserError && error.options.field && rename[error.options.field]) {
    return new UserError(error.key, { ...error.options, field: rename[error.options.field] });
  }
  return error;
}
