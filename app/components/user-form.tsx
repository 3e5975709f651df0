import { Form } from "@remix-run/react";
import { roles } from "~/domain/access";
import { locales } from "~/infra/i18n";
import { employmentStatuses } from "~/services/identity/schemas";
import { FieldError, FormError, SelectField, SubmitButton, TextField, type ActionFormState, useSchemaForm } from "./forms";
import { useT } from "./i18n";
import type { z } from "zod";

interface Choice {
  id: string;
  name: string;
  kind: string;
  branches: { id: string; name: string }[];
}

export interface UserDefaults {
  email?: string;
  displayName?: string;
  organizationId?: string;
  branchId?: string | null;
  staffNumber?: string | null;
  position?: string | null;
  employmentStatus?: string | null;
  locale?: string;
  roles?: string[];
}

export function UserForm({
  schema, state, choices, defaults = {}, withPassword, submitLabel,
}: {
  schema: z.ZodType;
  state?: ActionFormState;
  choices: Choice[];
  defaults?: UserDefaults;
  withPassword: boolean;
  submitLabel: string;
}) {
  const t = useT();
  const form = useSchemaForm(schema, state);
  const selectedRoles = form.values("roles", defaults.roles ?? []);
  return (
    <Form method="post" noValidate onSubmit={form.onSubmit} data-testid="user-form">
      <input type="hidden" name="intent" value="save" />
      <FormError state={state} />
      <div className="grid gap-x-6 md:grid-cols-2">
        <TextField name="email" type="email" label={t("users.email")} defaultValue={form.value("email", defaults.email)} errors={form.errors.email} required />
        <TextField name="displayName" label={t("users.displayName")} defaultValue={form.value("displayName", defaults.displayName)} errors={form.errors.displayName} required />
        {withPassword ? (
          <TextField name="password" type="password" autoComplete="new-password" label={t("users.password")} errors={form.errors.password} required />
        ) : null}
        <SelectField
          name="organizationId"
          label={t("users.organization")}
          defaultValue={form.value("organizationId", defaults.organizationId)}
          errors={form.errors.organizationId}
          options={choices.map((c) => ({ value: c.id, label: `${c.name}（${t(`orgKind.${c.kind}` as "orgKind.BANK")}）` }))}
          required
        />
        <SelectField
          name="branchId"
          label={t("users.branch")}
          defaultValue={form.value("branchId", defaults.branchId)}
          errors={form.errors.branchId}
          options={[{ value: "", label: t("users.noBranch") }, ...choices.flatMap((c) => c.branches.map((b) => ({ value: b.id, label: `${c.name} · ${b.name}` })))]}
        />
        <TextField name="staffNumber" label={t("users.staffNumber")} defaultValue={form.value("staffNumber", defaults.staffNumber)} errors={form.errors.staffNumber} />
        <TextField name="position" label={t("users.position")} defaultValue={form.value("position", defaults.position)} errors={form.errors.position} />
        <SelectField
          name="employmentStatus"
          label={t("users.employmentStatus")}
          defaultValue={form.value("employmentStatus", defaults.employmentStatus)}
          errors={form.errors.employmentStatus}
          options={[{ value: "", label: "—" }, ...employmentStatuses.map((s) => ({ value: s, label: t(`employment.${s}`) }))]}
        />
        <SelectField
          name="locale"
          label={t("users.locale")}
          defaultValue={form.value("locale", defaults.locale ?? "zh-CN")}
          errors={form.errors.locale}
          options={locales.map((l) => ({ value: l, label: t(`lang.${l}`) }))}
        />
      </div>
      <fieldset className="mb-4">
        <legend className="mb-1 text-sm font-medium text-slate-700">{t("users.roles")} <span className="text-red-600">*</span></legend>
        <div className="grid gap-1 md:grid-cols-3">
          {roles.map((role) => (
            <label key={role} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="roles" value={role} defaultChecked={selectedRoles.includes(role)} />
              {t(`role.${role}`)}
            </label>
          ))}
        </div>
        <FieldError messages={form.errors.roles} />
      </fieldset>
      <SubmitButton>{submitLabel}</SubmitButton>
    </Form>
  );
}
