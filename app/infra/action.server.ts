import { data } from "@remix-run/node";
import type { z } from "zod";
import { UserError } from "~/domain/errors";
import { parseForm, type ActionFormState, type FormValues } from "./forms";

export function userErrorState(error: UserError, values: FormValues = {}): ActionFormState {
  return error.options.field
    ? { fieldErrors: { [error.options.field]: [error.key] }, values, formErrorParams: error.options.params }
    : { formError: error.key, formErrorParams: error.options.params, values };
}

/**
 * Parse a form with its schema and run the use case; refused input and user errors come back to
 * the form (status 4xx) with what was typed, so nothing is lost and nothing was changed.
 */
export async function runForm<S extends z.ZodType>(
  formData: FormData,
  schema: S,
  handle: (input: z.infer<S>) => Promise<Response>,
) {
  const parsed = parseForm(schema, formData);
  if (!parsed.ok) {
    return data<ActionFormState>({ fieldErrors: parsed.fieldErrors, values: parsed.values }, { status: 400 });
  }
  try {
    return await handle(parsed.data);
  } catch (error) {
    if (error instanceof UserError) return data<ActionFormState>(userErrorState(error, parsed.values), { status: error.status });
    throw error;
  }
}
