import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useT } from "~/components/i18n";
import { Card, PageTitle } from "~/components/page";
import { UserForm } from "~/components/user-form";
import { runForm } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { redirectWithToast } from "~/infra/session.server";
import { createUserSchema } from "~/services/identity/schemas";
import { createUser, userFormChoices } from "~/services/identity/users.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "users:manage");
  return { choices: await userFormChoices() };
}

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "users:manage");
  return runForm(await request.formData(), createUserSchema, async (input) => {
    const user = await createUser(auditContextFor(request, actor), input);
    return redirectWithToast(`/admin/users/${user.id}`, { kind: "success", key: "users.created" });
  });
}

export default function NewUser() {
  const t = useT();
  const { choices } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <PageTitle>{t("users.new")}</PageTitle>
      <Card>
        <UserForm schema={createUserSchema} state={actionData} choices={choices} withPassword submitLabel={t("users.create")} />
      </Card>
    </>
  );
}
