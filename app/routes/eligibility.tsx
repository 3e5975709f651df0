import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "~/components/i18n";
import { Card, PageTitle } from "~/components/page";
import { requirePermission } from "~/infra/auth.server";
import { formatDate } from "~/infra/i18n";
import { eligibilityOf } from "~/services/identity/organizations.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requirePermission(request, "eligibility:view-own");
  const { result, termEnd, termMonths, user } = await eligibilityOf(viewer.id);
  return {
    result,
    termEnd,
    termMonths,
    position: user.position,
    licenceValidUntil: user.organization.licenceValidUntil,
    bannedUntil: user.organization.bannedUntil,
    isAgency: user.organization.kind === "AGENCY",
  };
}

export default function EligibilityPage() {
  const t = useT();
  const locale = useLocale();
  const e = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle>{t("eligibility.title")}</PageTitle>
      <Card testId="eligibility">
        {e.result.eligible ? (
          <p className="text-green-800" data-testid="eligible">{t("eligibility.eligible")}</p>
        ) : (
          <div data-testid="not-eligible">
            <p className="text-red-800">{t("eligibility.notEligible")}</p>
            <ul className="mt-2 list-inside list-disc text-sm">
              {e.result.reasons.map((reason) => (
                <li key={reason} data-testid={`reason-${reason}`}>
                  {t(`eligibility.reason.${reason}`, {
                    position: e.position ?? "",
                    date: formatDate(locale, reason === "agency_banned" ? e.bannedUntil : e.licenceValidUntil),
                  })}
                </li>
              ))}
            </ul>
          </div>
        )}
        {e.isAgency ? (
          <p className="mt-4 text-sm text-slate-500">
            {t("eligibility.termEnd", { months: e.termMonths, date: formatDate(locale, e.termEnd) })}
          </p>
        ) : null}
      </Card>
    </>
  );
}
