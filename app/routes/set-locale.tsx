import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getUser } from "~/infra/auth.server";
import { parseForm } from "~/infra/forms";
import { safeRedirect } from "~/infra/redirect";
import { serializeLocaleCookie } from "~/infra/session.server";
import { setLocale } from "~/services/identity/account.server";
import { localeSchema } from "~/services/identity/schemas";

export async function loader() {
  return redirect("/");
}

/** Switch the language: remembered on the user (every device) and in a cookie (the login page). */
export async function action({ request }: ActionFunctionArgs) {
  const parsed = parseForm(localeSchema, await request.formData());
  if (!parsed.ok) throw new Response("Bad locale", { status: 400 });
  const user = await getUser(request);
  if (user) await setLocale(user.id, parsed.data.locale);
  return redirect(safeRedirect(parsed.data.redirectTo), {
    headers: { "Set-Cookie": await serializeLocaleCookie(parsed.data.locale) },
  });
}
