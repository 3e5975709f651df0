import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { FormError } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Badge, Card, PageTitle, Table, cell } from "~/components/page";
import { Pager } from "~/components/pager";
import { UserError } from "~/domain/errors";
import { formatRate, parseRate, type Fen } from "~/domain/money";
import { requirePermission } from "~/infra/auth.server";
import { formatCny, type MessageKey } from "~/infra/i18n";
import { comparePricingRuns, pricingRunChoices } from "~/services/pricing/pricing.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:manage");
  const url = new URL(request.url);
  const a = url.searchParams.get("a") ?? "";
  const b = url.searchParams.get("b") ?? "";
  const onlyChanged = url.searchParams.get("changed") === "1";
  const page = Number(url.searchParams.get("page") ?? "1") || 1;
  const choices = await pricingRunChoices(user);
  if (!a || !b) return { a, b, onlyChanged, choices, comparison: null, error: null };
  try {
    return { a, b, onlyChanged, choices, comparison: await comparePricingRuns(user, a, b, { page, onlyChanged }), error: null };
  } catch (error) {
    if (error instanceof UserError) return { a, b, onlyChanged, choices, comparison: null, error: error.key };
    throw error;
  }
}

type Comparison = NonNullable<Awaited<ReturnType<typeof loader>>["comparison"]>;

const percent = (ratio: string | null) => (ratio === null ? "—" : formatRate(parseRate(ratio), true));

function Signed({ fen }: { fen: Fen | null }) {
  const locale = useLocale();
  if (fen === null) return <span className="text-slate-400">—</span>;
  const tone = fen > 0n ? "text-green-700" : fen < 0n ? "text-red-700" : "text-slate-500";
  return <span className={`whitespace-nowrap ${tone}`}>{fen > 0n ? "+" : ""}{formatCny(locale, fen)}</span>;
}

function Side({ price }: { price: Comparison["rows"][number]["a"] }) {
  const t = useT();
  const locale = useLocale();
  if (!price) return <td className={`${cell} text-slate-400`} colSpan={4}>{t("pricing.compare.notInRun")}</td>;
  return (
    <>
      <td className={`${cell} text-right whitespace-nowrap`}>{formatCny(locale, price.claim)}</td>
      <td className={`${cell} whitespace-nowrap`}>{t(`pricing.band.${price.band}` as MessageKey)}</td>
      <td className={cell}>{percent(price.ratio)}</td>
      <td className={`${cell} text-right whitespace-nowrap`}>
        {formatCny(locale, price.price)}
        {price.overridden ? <div><Badge tone="amber">{t("pricing.compare.overridden")}</Badge></div> : null}
      </td>
    </>
  );
}

export default function ComparePricingRuns() {
  const t = useT();
  const locale = useLocale();
  const { a, b, onlyChanged, choices, comparison, error } = useLoaderData<typeof loader>();
  const input = "rounded border border-slate-300 bg-white px-3 py-2 text-sm";
  return (
    <>
      <PageTitle actions={<Link to="/pricing" className="text-sm text-blue-700 hover:underline">{t("pricing.backToRuns")}</Link>}>
        {t("pricing.compare.title")}
      </PageTitle>
      <Card>
        <Form method="get" className="flex flex-wrap items-end gap-3" data-testid="compare-form">
          {(["a", "b"] as const).map((side) => (
            <div key={side}>
              <label htmlFor={`compare-${side}`} className="mb-1 block text-sm font-medium text-slate-700">{t(`pricing.compare.${side}`)}</label>
              <select id={`compare-${side}`} name={side} defaultValue={side === "a" ? a : b} className={input}>
                <option value="">—</option>
                {choices.map((c) => <option key={c.id} value={c.number}>#{c.number} · {c.pricingDate} · {t("pricing.loanCount")} {c.loanCount}</option>)}
              </select>
            </div>
          ))}
          <label className="flex items-center gap-2 pb-2 text-sm">
            <input type="checkbox" name="changed" value="1" defaultChecked={onlyChanged} />
            {t("pricing.compare.onlyChanged")}
          </label>
          <button type="submit" className="rounded border border-slate-300 bg-white px-4 py-2 text-sm">{t("pricing.compare.submit")}</button>
        </Form>
      </Card>
      <FormError state={error ? { formError: error } : undefined} />
      {!comparison ? (
        error ? null : <p className="text-sm text-slate-500">{t("pricing.compare.pick")}</p>
      ) : (
        <>
          <Card testId="compare-summary">
            <ul className="mb-4 space-y-1 text-sm" data-testid="compare-settings">
              <li>
                {comparison.settingsChanged
                  ? t("pricing.compare.settingsChanged", { a: comparison.a.run.settingsVersion, b: comparison.b.run.settingsVersion })
                  : t("pricing.compare.sameSettings", { version: comparison.a.run.settingsVersion })}
              </li>
              {comparison.claimBasisChanged ? (
                <li>{t("pricing.compare.claimBasisChanged", { a: t(`pricing.claimBasis.${comparison.a.run.claimBasis}` as MessageKey), b: t(`pricing.claimBasis.${comparison.b.run.claimBasis}` as MessageKey) })}</li>
              ) : null}
              <li>{t("pricing.compare.summary", comparison.summary)}</li>
            </ul>
            {comparison.ratioChanges.length ? (
              <>
                <h3 className="mb-2 text-sm font-semibold">{t("pricing.compare.ratioChanges")}</h3>
                <Table testId="ratio-changes" head={[t("pricing.col.difficulty"), t("pricing.col.band"), t("pricing.compare.a"), t("pricing.compare.b")]}>
                  {comparison.ratioChanges.map((c) => (
                    <tr key={`${c.difficulty}-${c.band}`}>
                      <td className={cell}>{t(`pricing.difficulty.${c.difficulty}`)}</td>
                      <td className={cell}>{t(`pricing.band.${c.band}`)}</td>
                      <td className={cell}>{percent(c.a)}</td>
                      <td className={cell}>{percent(c.b)}</td>
                    </tr>
                  ))}
                </Table>
              </>
            ) : null}
            <Table testId="compare-totals" head={["", `${t("pricing.compare.a")} #${comparison.a.run.number}`, `${t("pricing.compare.b")} #${comparison.b.run.number}`, t("pricing.compare.difference")]}>
              <tr>
                <td className={cell}>{t("pricing.totalClaim")}</td>
                <td className={cell}>{formatCny(locale, comparison.a.totals.claim)}</td>
                <td className={cell}>{formatCny(locale, comparison.b.totals.claim)}</td>
                <td className={cell}><Signed fen={comparison.difference.claim} /></td>
              </tr>
              <tr>
                <td className={cell}>{t("pricing.totalEffectivePrice")}</td>
                <td className={cell}>{formatCny(locale, comparison.a.totals.price)}</td>
                <td className={cell}>{formatCny(locale, comparison.b.totals.price)}</td>
                <td className={cell}><Signed fen={comparison.difference.price} /></td>
              </tr>
              <tr>
                <td className={cell}>{t("pricing.compare.commonDifference")}</td>
                <td className={cell} />
                <td className={cell} />
                <td className={cell}><Signed fen={comparison.difference.common} /></td>
              </tr>
            </Table>
          </Card>
          <Card>
            <Table
              testId="compare-rows"
              head={[
                t("pricing.col.loan"),
                `A ${t("pricing.col.claim")}`, `A ${t("pricing.col.band")}`, `A ${t("pricing.col.ratio")}`, `A ${t("pricing.col.effectivePrice")}`,
                `B ${t("pricing.col.claim")}`, `B ${t("pricing.col.band")}`, `B ${t("pricing.col.ratio")}`, `B ${t("pricing.col.effectivePrice")}`,
                t("pricing.compare.difference"),
              ]}
            >
              {comparison.rows.map((r) => (
                <tr key={r.loanId} data-testid="compare-row" data-loan-number={r.loanNumber}>
                  <td className={cell}><Link to={`/loans/${encodeURIComponent(r.loanNumber)}`} className="text-blue-700 hover:underline">{r.loanNumber}</Link></td>
                  <Side price={r.a} />
                  <Side price={r.b} />
                  <td className={`${cell} text-right`}><Signed fen={r.difference} /></td>
                </tr>
              ))}
            </Table>
            <Pager page={comparison.page} pages={comparison.pages} total={comparison.total} />
          </Card>
        </>
      )}
    </>
  );
}
