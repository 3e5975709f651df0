import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { SubmitButton } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle } from "~/components/page";
import { UserForm } from "~/components/user-form";
import { UserError } from "~/domain/errors";
import { runForm, userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requirePermission } from "~/infra/auth.server";
import { formatDateTime } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { updateUserSchema } from "~/services/identity/schemas";
import { getUserForAdmin, setUserDisabled, unlockUser, updateUser, userFormChoices } from "~/services/identity/users.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, "users:manage");
  const user = await getUserForAdmin(params.userId ?? "");
  if (!user) throw notFound();
  const { passwordHash: _hidden, ...visible } = user;
  return { user: visible, choices: await userFormChoices(), now: new Date() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "users:manage");
  const userId = params.userId ?? "";
  if (!(await getUserForAdmin(userId))) throw notFound();
  const formData = await request.formData();
  const intent = formData.get("intent");
  const here = `/admin/users/${userId}`;
  try {
    if (intent === "save") {
      return await runForm(formData, updateUserSchema, async (input) => {
        await updateUser(auditContextFor(request, actor), actor, userId, input);
        return redirectWithToast(here, { kind: "success", key: "users.saved" });
      });
    }
    if (intent === "disable" || intent === "enable") {
      await setUserDisabled(auditContextFor(request, actor), actor, userId, intent === "disable");
      return redirectWithToast(here, { kind: "success", key: intent === "disable" ? "users.disabledDone" : "users.enabledDone" });
    }
    if (intent === "unlock") {
      await unlockUser(auditContextFor(request, actor), userId);
      return redirectWithToast(here, { kind: "success", key: "users.unlocked" });
    }
  } catch (error) {
    if (error instanceof UserError) return data(userErrorState(error), { status: error.status });
    throw error;
  }
  return data({ formError: "form.invalidChoice" }, { status: 400 });
}

export default function EditUser() {
  const t = useT();
  const locale = useLocale();
  const { user, choices, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const locked = user.lockedUntil && new Date(user.lockedUntil) > new Date(now);
  return (
    <>
      <PageTitle>
        {user.displayName}{" "}
        {user.disabledAt ? <Badge tone="red">{t("users.disabled")}</Badge> : <Badge tone="green">{t("users.active")}</Badge>}
      </PageTitle>
      <Card>
        <UserForm
          schema={updateUserSchema}
          state={actionData}
          choices={choices}
          withPassword={false}
          submitLabel={t("users.save")}
          defaults={{ ...user, roles: user.roles.map((r) => r.role) }}
        />
      </Card>
      <Card testId="user-status">
        <div className="flex flex-wrap items-center gap-3">
          <Form method="post">
            <input type="hidden" name="intent" value={user.disabledAt ? "enable" : "disable"} />
            <SubmitButton variant={user.disabledAt ? "secondary" : "danger"}>
              {user.disabledAt ? t("users.enable") : t("users.disable")}
            </SubmitButton>
          </Form>
          {locked ? (
            <Form method="post" className="flex items-center gap-2">
              <input type="hidden" name="intent" value="unlock" />
              <Badge tone="amber">{t("users.locked", { time: formatDateTime(locale, user.lockedUntil) })}</Badge>
              <SubmitButton variant="secondary">{t("users.unlock")}</SubmitButton>
            </Form>
          ) : null}
        </div>
      </Card>
    </>
  );
}
