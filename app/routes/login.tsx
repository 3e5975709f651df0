import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { FormError, SubmitButton, TextField, useSchemaForm } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { landingPathFor } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { getUser } from "~/infra/auth.server";
import { parseForm, type ActionFormState } from "~/infra/forms";
import { formatDateTime } from "~/infra/i18n";
import { safeRedirect } from "~/infra/redirect";
import { login } from "~/services/identity/login.server";
import { loginSchema } from "~/services/identity/schemas";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  if (user) throw redirect(landingPathFor(user.roles, user.organizationId));
  const url = new URL(request.url);
  return { sessionEnded: url.searchParams.get("ended") === "1" };
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = parseForm(loginSchema, await request.formData());
  if (!parsed.ok) return data<ActionFormState>({ fieldErrors: parsed.fieldErrors, values: parsed.values }, { status: 400 });
  try {
    const session = await login(parsed.data, request);
    const fallback = landingPathFor(session.roles, session.organizationId);
    const target = parsed.data.redirectTo && parsed.data.redirectTo !== "/" ? safeRedirect(parsed.data.redirectTo, fallback) : fallback;
    return redirect(target, { headers: { "Set-Cookie": session.setCookie } });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return data<ActionFormState>(
      { formError: error.key, formErrorParams: error.options.params, values: parsed.values },
      { status: error.status },
    );
  }
}

export default function Login() {
  const t = useT();
  const locale = useLocale();
  const { sessionEnded } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const form = useSchemaForm(loginSchema, actionData);
  // The lockout time is shown in the reader's own language and time zone.
  const state: ActionFormState | undefined = actionData?.formErrorParams?.lockedUntil
    ? { ...actionData, formErrorParams: { time: formatDateTime(locale, String(actionData.formErrorParams.lockedUntil)) } }
    : actionData;
  return (
    <div className="mx-auto mt-10 max-w-sm rounded border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="mb-6 text-xl font-semibold">{t("login.title")}</h1>
      {sessionEnded && !actionData ? (
        <div className="mb-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="session-ended">
          {t("session.ended")}
        </div>
      ) : null}
      <FormError state={state} />
      <Form method="post" noValidate onSubmit={form.onSubmit}>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <TextField name="email" type="email" label={t("login.email")} autoComplete="username" defaultValue={form.value("email")} errors={form.errors.email} required />
        <TextField name="password" type="password" label={t("login.password")} autoComplete="current-password" errors={form.errors.password} required />
        <SubmitButton>{t("login.submit")}</SubmitButton>
      </Form>
      <p className="mt-6 text-xs text-slate-500">{t("login.demoHint")}</p>
    </div>
  );
}
