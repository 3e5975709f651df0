import { Form, useNavigation } from "@remix-run/react";
import { useState, type FormEvent, type ReactNode } from "react";
import type { z } from "zod";
import { parseForm, type ActionFormState, type FieldErrors } from "~/infra/forms";
import { translateError } from "~/infra/i18n";
import { useT } from "./i18n";

export type { ActionFormState };

/**
 * Browser-side validation with the same schema the server uses: errors show before a round trip,
 * and the server's own errors (from the action) replace them after one.
 */
export function useSchemaForm(schema: z.ZodType, server: ActionFormState | undefined) {
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [lastServer, setLastServer] = useState(server);
  if (server !== lastServer) {
    setLastServer(server);
    setClientErrors(null);
  }
  const errors = clientErrors ?? server?.fieldErrors ?? {};
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const result = parseForm(schema, new FormData(event.currentTarget));
    if (!result.ok) {
      event.preventDefault();
      setClientErrors(result.fieldErrors);
    } else {
      setClientErrors(null);
    }
  };
  const value = (name: string, fallback?: string | null): string | undefined => {
    const v = server?.values?.[name];
    if (typeof v === "string") return v;
    return fallback ?? undefined;
  };
  const values = (name: string, fallback: string[] = []): string[] => {
    const v = server?.values?.[name];
    if (v === undefined) return fallback;
    return Array.isArray(v) ? v : v ? [v] : [];
  };
  return { errors, onSubmit, value, values };
}

export function FieldError({ messages, id }: { messages?: string[]; id?: string }) {
  const t = useT();
  if (!messages?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700" role="alert" data-testid="field-error">
      {messages.map((m) => translateError(t, m)).join(" ")}
    </p>
  );
}

export function FormError({ state }: { state?: ActionFormState }) {
  const t = useT();
  if (!state?.formError) return null;
  const message = translateError(t, state.formError);
  const withParams = state.formErrorParams
    ? message.replace(/\{(\w+)\}/g, (w, k: string) => String(state.formErrorParams?.[k] ?? w))
    : message;
  return (
    <div className="mb-4 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="form-error">
      {withParams}
    </div>
  );
}

interface TextFieldProps {
  name: string;
  label: string;
  errors?: string[];
  defaultValue?: string;
  type?: string;
  autoComplete?: string;
  required?: boolean;
  placeholder?: string;
}

function FieldLabel({ htmlFor, label, required }: { htmlFor: string; label: string; required?: boolean }) {
  return (
    <label htmlFor={htmlFor} className="mb-1 block text-sm font-medium text-slate-700">
      {label}
      {required ? <span className="text-red-600"> *</span> : null}
    </label>
  );
}

export function TextField({ name, label, errors, defaultValue, type = "text", autoComplete, required, placeholder }: TextFieldProps) {
  const id = `f-${name}`;
  return (
    <div className="mb-4">
      <FieldLabel htmlFor={id} label={label} required={required} />
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={defaultValue}
        autoComplete={autoComplete}
        placeholder={placeholder}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? `${id}-error` : undefined}
        className="w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-blue-600 focus:outline-none aria-[invalid]:border-red-500"
      />
      <FieldError messages={errors} id={`${id}-error`} />
    </div>
  );
}

export function SelectField({
  name, label, errors, defaultValue, options, required,
}: {
  name: string;
  label: string;
  errors?: string[];
  defaultValue?: string;
  options: { value: string; label: string }[];
  required?: boolean;
}) {
  const id = `f-${name}`;
  return (
    <div className="mb-4">
      <FieldLabel htmlFor={id} label={label} required={required} />
      <select
        id={id}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        className="w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm"
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError messages={errors} />
    </div>
  );
}

export function SubmitButton({ children, name, value, variant = "primary" }: { children: ReactNode; name?: string; value?: string; variant?: "primary" | "danger" | "secondary" }) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const styles = {
    primary: "bg-blue-700 text-white hover:bg-blue-800",
    danger: "bg-red-700 text-white hover:bg-red-800",
    secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50",
  }[variant];
  return (
    <button type="submit" name={name} value={value} disabled={busy} className={`rounded px-4 py-2 text-sm font-medium disabled:opacity-60 ${styles}`}>
      {children}
    </button>
  );
}

/** A page action's answer (intentAction) when it was for this intent and, for a row's form, this row. */
export function answerFor<A extends { intent: string | null; target?: string }>(answer: A | undefined, intent: string, target?: string): A | undefined {
  if (!answer || answer.intent !== intent) return undefined;
  if (target !== undefined && answer.target !== target) return undefined;
  return answer;
}

export { Form };
