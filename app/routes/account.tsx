import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SelectField, SubmitButton, TextField, useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { runForm, userErrorState } from "~/infra/action.server";
import { parseForm, type ActionFormState } from "~/infra/forms";
import { auditContextFor } from "~/infra/audit.server";
import { requireUser } from "~/infra/auth.server";
import { formatDateTime, locales } from "~/infra/i18n";
import { endSessionCookie, redirectWithToast, serializeLocaleCookie } from "~/infra/session.server";
import { changePassword, listActiveSessions, logoutEverywhere, setLocale } from "~/services/identity/account.server";
import { createApiToken, listApiTokens, revokeApiToken } from "~/services/identity/api-tokens.server";
import { apiTokenNameSchema, changePasswordSchema, localeSchema } from "~/services/identity/schemas";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const [sessions, apiTokens] = await Promise.all([listActiveSessions(user.id), listApiTokens(user.id)]);
  return { user: { email: user.email, displayName: user.displayName, locale: user.locale }, sessions, currentSessionId: user.sessionId, apiTokens };
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
  if (intent === "api-token-create") {
    // The token comes back in the action's answer only: shown once, never stored in clear.
    const parsed = parseForm(apiTokenNameSchema, formData);
    if (!parsed.ok) return data<ActionFormState>({ fieldErrors: parsed.fieldErrors, values: parsed.values }, { status: 400 });
    const { token, record } = await createApiToken(auditContextFor(request, user), user.id, parsed.data.name);
    return data({ newApiToken: { token, name: record.name } });
  }
  if (intent === "api-token-revoke") {
    try {
      await revokeApiToken(auditContextFor(request, user), user.id, String(formData.get("tokenId") ?? ""));
    } catch (error) {
      if (error instanceof UserError) return data(userErrorState(error), { status: error.status });
      throw error;
    }
    return redirectWithToast("/account", { kind: "success", key: "apiToken.revoked" });
  }
  return data({ formError: "form.invalidChoice" }, { status: 400 });
}

export default function Account() {
  const t = useT();
  const locale = useLocale();
  const { user, sessions, currentSessionId, apiTokens } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const formState = actionData && !("newApiToken" in actionData) ? actionData : undefined;
  const newApiToken = actionData && "newApiToken" in actionData ? actionData.newApiToken : undefined;
  const passwordForm = useSchemaForm(changePasswordSchema, formState);
  const tokenForm = useSchemaForm(apiTokenNameSchema, formState);
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
          <FormError state={formState} />
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
      <Card title={t("apiToken.title")} testId="api-tokens">
        <p className="mb-3 text-sm text-slate-600">{t("apiToken.intro")}</p>
        {newApiToken ? (
          <div className="mb-4 rounded border border-amber-300 bg-amber-50 p-3" data-testid="new-api-token">
            <p className="text-sm">{t("apiToken.createdNote")}</p>
            <p className="mt-1 text-sm font-medium">{newApiToken.name}</p>
            <code className="mt-1 block select-all break-all rounded bg-white p-2 font-mono text-sm">{newApiToken.token}</code>
          </div>
        ) : null}
        {apiTokens.length === 0 ? (
          <p className="text-sm text-slate-500">{t("apiToken.none")}</p>
        ) : (
          <Table head={[t("apiToken.name"), t("apiToken.prefix"), t("apiToken.created"), t("apiToken.lastUsed"), ""]}>
            {apiTokens.map((token) => (
              <tr key={token.id}>
                <td className={cell}>{token.name}</td>
                <td className={`${cell} font-mono`}>{token.prefix}…</td>
                <td className={cell}>{formatDateTime(locale, token.createdAt)}</td>
                <td className={cell}>{formatDateTime(locale, token.lastUsedAt)}</td>
                <td className={cell}>
                  <Form method="post">
                    <input type="hidden" name="intent" value="api-token-revoke" />
                    <input type="hidden" name="tokenId" value={token.id} />
                    <SubmitButton variant="danger">{t("apiToken.revoke")}</SubmitButton>
                  </Form>
                </td>
              </tr>
            ))}
          </Table>
        )}
        <Form method="post" noValidate onSubmit={tokenForm.onSubmit} className="mt-4">
          <input type="hidden" name="intent" value="api-token-create" />
          <TextField name="name" label={t("apiToken.name")} errors={tokenForm.errors.name} required />
          <SubmitButton>{t("apiToken.create")}</SubmitButton>
        </Form>
      </Card>
    </>
  );
}
