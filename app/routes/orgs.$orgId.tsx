import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useT } from "~/components/i18n";
import { BranchTable, LicenceBadge } from "~/components/organization-view";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { can } from "~/domain/access";
import { requireUser } from "~/infra/auth.server";
import { getOrganizationFor } from "~/services/identity/organizations.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const organization = await getOrganizationFor(viewer, params.orgId ?? "");
  return { organization, canEdit: can(viewer.roles, "orgs:manage"), now: new Date() };
}

export default function OrganizationPage() {
  const t = useT();
  const { organization: org, canEdit, now } = useLoaderData<typeof loader>();
  const details: [string, string | null][] = [
    [t("orgs.licenceNumber"), org.licenceNumber],
    [t("orgs.legalRepresentative"), org.legalRepresentative],
    [t("orgs.contactName"), org.contactName],
    [t("orgs.contactPhone"), org.contactPhone],
    [t("orgs.contactEmail"), org.contactEmail],
    [t("orgs.address"), org.address],
  ];
  return (
    <>
      <PageTitle actions={canEdit ? <Link to={`/admin/orgs/${org.id}`} className="text-sm text-blue-700 underline">{t("orgs.edit")}</Link> : null}>
        {org.name} <Badge>{t(`orgKind.${org.kind}` as "orgKind.BANK")}</Badge>
      </PageTitle>
      {org.kind === "AGENCY" ? (
        <Card testId="org-details">
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm md:grid-cols-2">
            {details.map(([label, value]) => (
              <div key={label}>
                <dt className="text-slate-500">{label}</dt>
                <dd>{value ?? "—"}</dd>
              </div>
            ))}
            <div>
              <dt className="text-slate-500">{t("orgs.licenceValidUntil")}</dt>
              <dd><LicenceBadge validUntil={org.licenceValidUntil} bannedUntil={org.bannedUntil} now={now} /></dd>
            </div>
          </dl>
        </Card>
      ) : (
        <Card title={t("orgs.branches")} testId="org-branches">
          <BranchTable branches={org.branches} />
        </Card>
      )}
      <Card title={t("orgs.members")} testId="org-members">
        <Table head={[t("users.displayName"), t("users.email"), t("users.position"), t("users.roles")]}>
          {org.users.map((u) => (
            <tr key={u.id}>
              <td className={cell}>{u.displayName} {u.disabledAt ? <Badge tone="red">{t("users.disabled")}</Badge> : null}</td>
              <td className={cell}>{u.email}</td>
              <td className={cell}>{u.position ?? "—"}</td>
              <td className={cell}>{u.roles.map((r) => t(`role.${r.role}` as "role.admin")).join("、")}</td>
            </tr>
          ))}
        </Table>
      </Card>
    </>
  );
}
