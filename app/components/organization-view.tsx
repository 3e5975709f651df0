import { useLocale, useT } from "./i18n";
import { Badge, Table, cell } from "./page";
import { formatDate } from "~/infra/i18n";

export function LicenceBadge({ validUntil, bannedUntil, now }: { validUntil: Date | string | null; bannedUntil?: Date | string | null; now: Date | string }) {
  const t = useT();
  const locale = useLocale();
  const today = new Date(now).getTime();
  return (
    <span className="flex flex-wrap gap-1">
      {!validUntil || new Date(validUntil).getTime() < today ? (
        <Badge tone="red">{t("orgs.licenceExpired")}</Badge>
      ) : (
        <Badge tone="green">{t("orgs.licenceValid")} · {formatDate(locale, validUntil)}</Badge>
      )}
      {bannedUntil && new Date(bannedUntil).getTime() > today ? (
        <Badge tone="amber">{t("orgs.banned")} · {formatDate(locale, bannedUntil)}</Badge>
      ) : null}
    </span>
  );
}

export function BranchTable({ branches }: { branches: { id: string; code: string; name: string; region: string }[] }) {
  const t = useT();
  return (
    <Table head={[t("orgs.branchCode"), t("orgs.branchName"), t("orgs.region")]}>
      {branches.map((b) => (
        <tr key={b.id}>
          <td className={cell}>{b.code}</td>
          <td className={cell}>{b.name}</td>
          <td className={cell}>{b.region}</td>
        </tr>
      ))}
    </Table>
  );
}
