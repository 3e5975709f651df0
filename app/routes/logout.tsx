import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { endSessionCookie, readSessionId, redirectWithToast } from "~/infra/session.server";
import { logout } from "~/services/identity/account.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  await logout(await readSessionId(request));
  return redirectWithToast("/login", { kind: "info", key: "logout.done" }, { "Set-Cookie": await endSessionCookie() });
}
