import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SelectField, SubmitButton, TextField, useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { runForm } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requireUser } from "~/infra/auth.server";
import { formatDateTime, locales } from "~/infra/i18n";
import { endSessionCookie, redirectWithToast, serializeLocaleCookie } from "~/infra/session.server";
import { changePassword, listActiveSessions, logoutEverywhere, setLocale } from "~/services/identity/account.server";
import { changePasswordSchema, localeSchema } from "~/services/identity/schemas";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const sessions = await listActiveSessions(user.id);
  return { user: { email: user.email, displayName: user.displayName, locale: user.locale }, sessions, currentSessionId: user.sessionId };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "locale") {
    return runForm(formData, localeSchema, async (input) => {
      await setLocale(user.id, input.locale);
      return redirectWithToast("/account", { kind: "success", key: "account.localeSaved" }, {
        "Set-Cookie": await serializeLocaleCookie(input.locale),
      });
    });
  }
  if (intent === "password") {
    const result = await runForm(formData, changePasswordSchema, async (input) => {
      await changePassword(auditContextFor(request, user), user, input);
      return redirectWithToast("/account", { kind: "success", key: "account.passwordChanged" });
    });
    return result;
  }
  if (intent === "logout-everywhere") {
    await logoutEverywhere(auditContextFor(request, user), user.id);
    return redirectWithToast("/login", { kind: "info", key: "account.loggedOutEverywhere" }, {
      "Set-Cookie": await endSessionCookie(),
    });
  }
  return data({ formError: "form.invalidChoice" }, { status: 400 });
}

export default function Account() {
  const t = useT();
  const locale = useLocale();
  const { user, sessions, currentSessionId } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const passwordForm = useSchemaForm(changePasswordSchema, actionData);
  return (
    <>
      <PageTitle>{t("account.title")}</PageTitle>
      <div className="grid gap-6 md:grid-cols-2">
        <Card title={t("account.profile")}>
          <p className="text-sm">{user.displayName}</p>
          <p className="text-sm text-slate-500">{user.email}</p>
          <Form method="post" className="mt-4">
            <input type="hidden" name="intent" value="locale" />
            <SelectField
              name="locale"
              label={t("account.locale")}
              defaultValue={user.locale}
              options={locales.map((l) => ({ value: l, label: t(`lang.${l}`) }))}
            />
            <SubmitButton variant="secondary">{t("account.saveLocale")}</SubmitButton>
          </Form>
        </Card>
        <Card title={t("account.password")} testId="change-password">
          <FormError state={actionData} />
          <Form method="post" noValidate onSubmit={passwordForm.onSubmit}>
            <input type="hidden" name="intent" value="password" />
            <TextField name="currentPassword" type="password" autoComplete="current-password" label={t("account.currentPassword")} errors={passwordForm.errors.currentPassword} required />
            <TextField name="newPassword" type="password" autoComplete="new-password" label={t("account.newPassword")} errors={passwordForm.errors.newPassword} required />
            <TextField name="confirmPassword" type="password" autoComplete="new-password" label={t("account.confirmPassword")} errors={passwordForm.errors.confirmPassword} required />
            <SubmitButton>{t("account.changePassword")}</SubmitButton>
          </Form>
        </Card>
      </div>
      <Card title={t("account.sessions")} testId="sessions">
        <Table head={[t("account.sessionCreated"), t("account.sessionLastSeen"), t("account.sessionIp"), ""]}>
          {sessions.map((s) => (
            <tr key={s.id}>
              <td className={cell}>{formatDateTime(locale, s.createdAt)}</td>
              <td className={cell}>{formatDateTime(locale, s.lastSeenAt)}</td>
              <td className={cell}>{s.ip ?? "—"}</td>
              <td className={cell}>{s.id === currentSessionId ? t("account.thisSession") : s.userAgent?.slice(0, 60)}</td>
            </tr>
          ))}
        </Table>
        <Form method="post" className="mt-4">
          <input type="hidden" name="intent" value="logout-everywhere" />
          <SubmitButton variant="danger">{t("account.logoutEverywhere")}</SubmitButton>
        </Form>
      </Card>
    </>
  );
}
