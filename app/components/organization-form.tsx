import { Form } from "@remix-run/react";
import { organizationSchema } from "~/services/identity/schemas";
import { FormError, SubmitButton, TextField, type ActionFormState, useSchemaForm } from "./forms";
import { useT } from "./i18n";

export interface OrganizationDefaults {
  name?: string;
  kind?: string;
  licenceNumber?: string | null;
  licenceValidUntil?: Date | string | null;
  legalRepresentative?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  contactEmail?: string | null;
  address?: string | null;
  bannedUntil?: Date | string | null;
  banReason?: string | null;
  stripeAccountId?: string | null;
}

const isoDay = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 10) : "");

export function OrganizationForm({ state, defaults = {}, submitLabel }: { state?: ActionFormState; defaults?: OrganizationDefaults; submitLabel: string }) {
  const t = useT();
  const form = useSchemaForm(organizationSchema, state);
  const agency = (defaults.kind ?? "AGENCY") === "AGENCY";
  const text = (name: keyof OrganizationDefaults & string, label: string, extra: { type?: string; required?: boolean } = {}) => (
    <TextField
      name={name}
      label={label}
      type={extra.type}
      required={extra.required}
      defaultValue={form.value(name, extra.type === "date" ? isoDay(defaults[name] as string | null) : (defaults[name] as string | null))}
      errors={form.errors[name]}
    />
  );
  return (
    <Form method="post" noValidate onSubmit={form.onSubmit} data-testid="organization-form">
      <input type="hidden" name="intent" value="save" />
      <FormError state={state} />
      <div className="grid gap-x-6 md:grid-cols-2">
        {text("name", t("orgs.name"), { required: true })}
        {agency ? text("licenceNumber", t("orgs.licenceNumber")) : null}
        {agency ? text("licenceValidUntil", t("orgs.licenceValidUntil"), { type: "date" }) : null}
        {agency ? text("legalRepresentative", t("orgs.legalRepresentative")) : null}
        {text("contactName", t("orgs.contactName"))}
        {text("contactPhone", t("orgs.contactPhone"))}
        {text("contactEmail", t("orgs.contactEmail"), { type: "email" })}
        {text("address", t("orgs.address"))}
        {agency ? text("bannedUntil", t("orgs.bannedUntil"), { type: "date" }) : null}
        {agency ? text("banReason", t("orgs.banReason")) : null}
        {agency ? text("stripeAccountId", t("settlement.statements.org.stripeAccountId")) : null}
      </div>
      <SubmitButton>{submitLabel}</SubmitButton>
    </Form>
  );
}
