import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useT } from "~/components/i18n";
import { BranchTable, LicenceBadge } from "~/components/organization-view";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { requirePermission } from "~/infra/auth.server";
import { organizationDirectory } from "~/services/identity/organizations.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "orgs:view-all");
  return { ...(await organizationDirectory()), now: new Date() };
}

export default function Directory() {
  const t = useT();
  const { bank, agencies, now } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle>{t("orgs.directory")}</PageTitle>
      {bank.map((org) => (
        <Card key={org.id} title={<Link to={`/orgs/${org.id}`} className="hover:underline">{org.name}</Link>} testId="bank-branches">
          <BranchTable branches={org.branches} />
        </Card>
      ))}
      <Card title={t("orgs.agencies")} testId="agencies">
        <Table head={[t("orgs.name"), t("orgs.licenceNumber"), t("orgs.licenceValidUntil"), t("orgs.legalRepresentative"), t("orgs.members")]}>
          {agencies.map((a) => (
            <tr key={a.id}>
              <td className={cell}>
                <Link to={`/orgs/${a.id}`} className="text-blue-700 hover:underline">{a.name}</Link>
              </td>
              <td className={cell}>{a.licenceNumber ?? "—"}</td>
              <td className={cell}><LicenceBadge validUntil={a.licenceValidUntil} bannedUntil={a.bannedUntil} now={now} /></td>
              <td className={cell}>{a.legalRepresentative ?? "—"}</td>
              <td className={cell}>{a._count.users}</td>
            </tr>
          ))}
        </Table>
      </Card>
    </>
  );
}
