import { Form } from "@remix-run/react";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";

const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";

export interface DecisionState {
  fieldErrors?: Record<string, string[]>;
  formError?: string;
  formErrorParams?: Record<string, string | number>;
}

/**
 * The department's decision on one row of a review queue: a note (required by the service to refuse)
 * and one button per decision, each posting its own `intent` with the row's id as `idName`. The
 * refusal for this row (`state`) shows under it.
 */
export function DecisionForm(props: {
  idName: string;
  id: string;
  noteLabel: string;
  noteTestId: string;
  noteMaxLength: number;
  buttons: { intent: string; label: string; className: string; testId: string }[];
  state: DecisionState | undefined;
  busy: boolean;
  errorTestId: string;
}) {
  const { state } = props;
  const noteId = `${props.noteTestId}-${props.id}`;
  return (
    <Form method="post" className="flex flex-col gap-1">
      <input type="hidden" name={props.idName} value={props.id} />
      <label className="sr-only" htmlFor={noteId}>{props.noteLabel}</label>
      <input
        id={noteId} name="note" maxLength={props.noteMaxLength} className={input} placeholder={props.noteLabel}
        data-testid={props.noteTestId} aria-invalid={state?.fieldErrors?.note ? true : undefined}
      />
      <FieldErrors field="note" messages={state?.fieldErrors?.note} params={state?.formErrorParams} />
      <div className="flex gap-2">
        {props.buttons.map((b) => (
          <button key={b.intent} type="submit" name="intent" value={b.intent} className={b.className} disabled={props.busy} data-testid={b.testId}>
            {b.label}
          </button>
        ))}
      </div>
      <Refusal message={state?.formError} params={state?.formErrorParams} testId={props.errorTestId} />
    </Form>
  );
}
