import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SubmitButton, TextField, useSchemaForm } from "~/components/forms";
import { useT } from "~/components/i18n";
import { OrganizationForm } from "~/components/organization-form";
import { BranchTable } from "~/components/organization-view";
import { Card, PageTitle } from "~/components/page";
import { runForm } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { redirectWithToast } from "~/infra/session.server";
import { addBranch, getOrganizationFor, updateOrganization } from "~/services/identity/organizations.server";
import { branchSchema, organizationSchema } from "~/services/identity/schemas";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requirePermission(request, "orgs:manage");
  return { organization: await getOrganizationFor(viewer, params.orgId ?? "") };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requirePermission(request, "orgs:manage");
  const org = await getOrganizationFor(viewer, params.orgId ?? "");
  const formData = await request.formData();
  const intent = formData.get("intent");
  const here = `/admin/orgs/${org.id}`;
  if (intent === "save") {
    return runForm(formData, organizationSchema, async (input) => {
      await updateOrganization(auditContextFor(request, viewer), org.id, input);
      return redirectWithToast(here, { kind: "success", key: "orgs.saved" });
    });
  }
  if (intent === "branch" && org.kind === "BANK") {
    return runForm(formData, branchSchema, async (input) => {
      await addBranch(auditContextFor(request, viewer), org.id, input);
      return redirectWithToast(here, { kind: "success", key: "orgs.branchAdded" });
    });
  }
  return data({ formError: "form.invalidChoice" }, { status: 400 });
}

export default function EditOrganization() {
  const t = useT();
  const { organization: org } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const intent = actionData && "values" in actionData ? actionData.values?.intent : undefined;
  const branchForm = useSchemaForm(branchSchema, intent === "branch" ? actionData : undefined);
  return (
    <>
      <PageTitle>{org.name}</PageTitle>
      <Card>
        <OrganizationForm state={intent === "save" ? actionData : undefined} defaults={org} submitLabel={t("orgs.save")} />
      </Card>
      {org.kind === "BANK" ? (
        <Card title={t("orgs.branches")} testId="branches">
          <BranchTable branches={org.branches} />
          <h3 className="mb-2 mt-6 font-medium">{t("orgs.addBranch")}</h3>
          <FormError state={intent === "branch" ? actionData : undefined} />
          <Form method="post" noValidate onSubmit={branchForm.onSubmit} className="grid gap-x-4 md:grid-cols-4">
            <input type="hidden" name="intent" value="branch" />
            <TextField name="code" label={t("orgs.branchCode")} defaultValue={branchForm.value("code")} errors={branchForm.errors.code} required />
            <TextField name="name" label={t("orgs.branchName")} defaultValue={branchForm.value("name")} errors={branchForm.errors.name} required />
            <TextField name="region" label={t("orgs.region")} defaultValue={branchForm.value("region")} errors={branchForm.errors.region} required />
            <div className="pt-6"><SubmitButton>{t("orgs.addBranch")}</SubmitButton></div>
          </Form>
        </Card>
      ) : null}
    </>
  );
}
