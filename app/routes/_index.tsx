import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useT } from "~/components/i18n";
import { Badge, Card, PageTitle } from "~/components/page";
import { permissionsOf } from "~/domain/access";
import { requireUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const branch = user.branchId ? await prisma.branch.findUnique({ where: { id: user.branchId } }) : null;
  return {
    displayName: user.displayName,
    roles: user.roles,
    organizationName: user.organizationName,
    branch: branch && `${branch.name}（${branch.region}）`,
    permissions: permissionsOf(user.roles),
  };
}

export default function Home() {
  const t = useT();
  const home = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle>{t("home.welcome", { name: home.displayName })}</PageTitle>
      <div className="grid gap-6 md:grid-cols-2">
        <Card title={t("home.yourRoles")} testId="home-roles">
          <div className="flex flex-wrap gap-2">
            {home.roles.map((r) => (
              <Badge key={r} tone="blue">{t(`role.${r}` as Parameters<typeof t>[0])}</Badge>
            ))}
          </div>
          <dl className="mt-4 text-sm">
            <dt className="text-slate-500">{t("home.yourOrg")}</dt>
            <dd>{home.organizationName}</dd>
            {home.branch ? (
              <>
                <dt className="mt-2 text-slate-500">{t("home.branch")}</dt>
                <dd>{home.branch}</dd>
              </>
            ) : null}
          </dl>
        </Card>
        <Card title={t("home.yourPermissions")} testId="home-permissions">
          <ul className="list-inside list-disc text-sm">
            {home.permissions.map((p) => (
              <li key={p}>{t(`perm.${p}`)}</li>
            ))}
          </ul>
        </Card>
      </div>
    </>
  );
}
