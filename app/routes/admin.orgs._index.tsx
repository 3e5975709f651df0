import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useT } from "~/components/i18n";
import { LicenceBadge } from "~/components/organization-view";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { requirePermission } from "~/infra/auth.server";
import { organizationDirectory } from "~/services/identity/organizations.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "orgs:manage");
  return { ...(await organizationDirectory()), now: new Date() };
}

export default function AdminOrganizations() {
  const t = useT();
  const { bank, agencies, now } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle actions={<Link to="/admin/orgs/new" className="rounded bg-blue-700 px-4 py-2 text-sm text-white">{t("orgs.new")}</Link>}>
        {t("orgs.title")}
      </PageTitle>
      <Card>
        <Table testId="orgs-table" head={[t("orgs.name"), t("orgs.kind"), t("orgs.licenceValidUntil"), t("orgs.members"), ""]}>
          {[...bank, ...agencies].map((o) => (
            <tr key={o.id}>
              <td className={cell}><Link to={`/orgs/${o.id}`} className="text-blue-700 hover:underline">{o.name}</Link></td>
              <td className={cell}><Badge>{t(`orgKind.${o.kind}` as "orgKind.BANK")}</Badge></td>
              <td className={cell}>{o.kind === "AGENCY" ? <LicenceBadge validUntil={o.licenceValidUntil} bannedUntil={o.bannedUntil} now={now} /> : `${o.branches.length} ${t("orgs.branches")}`}</td>
              <td className={cell}>{o._count.users}</td>
              <td className={cell}><Link to={`/admin/orgs/${o.id}`} className="text-blue-700 hover:underline">{t("orgs.edit")}</Link></td>
            </tr>
          ))}
        </Table>
      </Card>
    </>
  );
}
