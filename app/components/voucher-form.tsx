import { Form } from "@remix-run/react";
import { FieldErrors, Refusal } from "~/components/tender-form-errors";
import type { ActionFormState } from "~/infra/forms";

const input = "rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid]:border-red-500";

/**
 * Finance's one-line form that confirms money with a voucher number (凭证号): a declared offline
 * deposit or top-up, or an offline refund. Posts `intent`, `target` and `[targetField]` = the row's
 * id with `voucher_number`; the refusal (`state`, the page's answer for this row) shows under it.
 */
export function VoucherForm(props: {
  intent: string;
  targetField: string;
  targetId: string;
  state: ActionFormState | undefined;
  busy: boolean;
  label: string;
  placeholder: string;
  button: string;
  buttonClass: string;
  testIds: { form: string; input: string; submit: string };
}) {
  const { state, testIds } = props;
  return (
    <Form method="post" className="mt-1 flex flex-wrap items-center gap-2" data-testid={testIds.form}>
      <input type="hidden" name="intent" value={props.intent} />
      <input type="hidden" name="target" value={props.targetId} />
      <input type="hidden" name={props.targetField} value={props.targetId} />
      <input
        name="voucher_number" placeholder={props.placeholder} aria-label={props.label}
        defaultValue={typeof state?.values?.voucher_number === "string" ? state.values.voucher_number : undefined}
        aria-invalid={state?.fieldErrors?.voucher_number ? true : undefined} className={input} data-testid={testIds.input}
      />
      <button type="submit" disabled={props.busy} className={props.buttonClass} data-testid={testIds.submit}>{props.button}</button>
      <div className="w-full">
        <FieldErrors field="voucher_number" messages={state?.fieldErrors?.voucher_number} params={state?.formErrorParams} />
        <Refusal message={state?.formError} params={state?.formErrorParams} />
      </div>
    </Form>
  );
}
