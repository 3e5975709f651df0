import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { useT } from "~/components/i18n";
import { OrganizationForm } from "~/components/organization-form";
import { Card, PageTitle } from "~/components/page";
import { runForm } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { redirectWithToast } from "~/infra/session.server";
import { createAgency } from "~/services/identity/organizations.server";
import { organizationSchema } from "~/services/identity/schemas";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "orgs:manage");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "orgs:manage");
  return runForm(await request.formData(), organizationSchema, async (input) => {
    const org = await createAgency(auditContextFor(request, actor), input);
    return redirectWithToast(`/orgs/${org.id}`, { kind: "success", key: "orgs.created" });
  });
}

export default function NewOrganization() {
  const t = useT();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <PageTitle>{t("orgs.new")}</PageTitle>
      <Card>
        <OrganizationForm state={actionData} submitLabel={t("orgs.create")} />
      </Card>
    </>
  );
}
