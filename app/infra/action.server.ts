import { data } from "@remix-run/node";
import { ZodError, type z } from "zod";
import { UserError } from "~/domain/errors";
import { parseForm, type ActionFormState, type FormValues } from "./forms";
import { redirectWithToast, type Toast } from "./session.server";

/**
 * A refusal as the form shows it: next to its field, or at the top of the form. `formFields`: the
 * fields the form has inputs for; a refusal naming another field shows at the top, where it is seen.
 */
export function userErrorState(error: UserError, values: FormValues = {}, formFields?: readonly string[], field = error.options.field): ActionFormState {
  return field && (!formFields || formFields.includes(field))
    ? { fieldErrors: { [field]: [error.key] }, values, formErrorParams: error.options.params }
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

/** A page's form post with an `intent`: what it asked for, and the two ways to answer it. */
export interface IntentPost<I extends string> {
  intent: I;
  formData: FormData;
  /** The text fields as posted (shown back in the form on a refusal). */
  values: FormValues;
  /** Which row's form it was (`target`), so a refusal shows in that row. */
  target: string | undefined;
  refused: (state: ActionFormState, status: number) => ReturnType<typeof data<IntentRefusal<I>>>;
  toast: (key: Toast["key"], params?: Toast["params"], to?: string) => Promise<Response>;
}

export type IntentRefusal<I extends string> = ActionFormState & { intent: I | null; target?: string };

/**
 * The action of a page with several forms told apart by `intent`: parses the post, runs `handle`,
 * and turns a refusal into the form's state — next to its field when the page has an input for it
 * (`formFields`, after `renameField`), at the top of the form otherwise. Success answers with a
 * toast and a redirect to `here`.
 */
export async function intentAction<I extends string>(
  request: Request,
  options: { intents: readonly I[]; here: string; formFields: readonly string[]; renameField?: (field: string | undefined) => string | undefined },
  handle: (post: IntentPost<I>) => Promise<Response | ReturnType<typeof data<IntentRefusal<I>>>>,
) {
  const formData = await request.formData();
  const raw = formData.get("intent");
  const intent = options.intents.find((i) => i === raw) ?? null;
  const values: FormValues = Object.fromEntries([...formData].filter((e): e is [string, string] => typeof e[1] === "string"));
  const target = typeof values.target === "string" ? values.target : undefined;
  const refused = (state: ActionFormState, status: number) => data<IntentRefusal<I>>({ ...state, intent, target, values }, { status });
  const toast = (key: Toast["key"], params?: Toast["params"], to = options.here) => redirectWithToast(to, { kind: "success", key, params });
  try {
    if (!intent) return refused({ formError: "form.invalidChoice" }, 400);
    return await handle({ intent, formData, values, target, refused, toast });
  } catch (error) {
    if (error instanceof UserError) {
      const field = options.renameField ? options.renameField(error.options.field) : error.options.field;
      return refused(userErrorState(error, {}, options.formFields, field), error.status);
    }
    if (error instanceof ZodError) return refused({ formError: error.issues[0]?.message ?? "form.invalidChoice" }, 400);
    throw error;
  }
}
