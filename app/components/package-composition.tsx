import { enumLabel } from "~/components/loan-book";
import type { PackageQuality } from "~/domain/bundling";
import { overdueBuckets } from "~/domain/bundling";
import { collaterals, difficulties } from "~/domain/loan";
import { formatCny, type MessageKey, type Translate } from "~/infra/i18n";
import { StackedBar, chartColors, otherColor, type ChartCategory, type ChartLabels } from "./charts";
import { useLocale, useT } from "./i18n";

/** How many regions get a colour of their own; the rest are summed as "other regions". */
const regionColours = 8;

export interface PackageCompositionProps {
  /**
   * One stacked bar per entry in each of the four charts, in this order. `label` is the row's name
   * ("包 1", "PKG-2026-0001"); `quality` is the package's quality (its mixes and regions are charted).
   */
  packages: readonly { label: string; quality: PackageQuality }[];
}

/**
 * The composition of one or many packages by value (price): difficulty, region, overdue length and
 * collateral, as 100% stacked bars (one bar per package) with legends and hidden tables.
 */
export function PackageComposition({ packages }: PackageCompositionProps) {
  const t = useT();
  const locale = useLocale();
  const format = (v: number) => formatCny(locale, BigInt(Math.round(v)));
  const labels: ChartLabels = {
    row: t("packageBuilder.chart.package"),
    category: t("packageBuilder.chart.category"),
    value: t("packageBuilder.chart.value"),
    share: t("packageBuilder.chart.share"),
  };
  const charts = compositionCharts(t, packages);
  return (
    <div className="grid gap-6 md:grid-cols-2" data-testid="package-composition-charts">
      {charts.map((c) => (
        <StackedBar key={c.key} testId={`composition-${c.key}`} title={c.title} rows={c.rows} categories={c.categories} format={format} labels={labels} />
      ))}
    </div>
  );
}

type Mix = Partial<Record<string, bigint>>;

const colourOf = (i: number) => chartColors[i % chartColors.length]!;

function mixRows(packages: PackageCompositionProps["packages"], pick: (q: PackageQuality) => Mix) {
  return packages.map((p) => ({
    label: p.label,
    segments: Object.entries(pick(p.quality)).map(([key, value]) => ({ key, value: Number(value ?? 0n) })),
  }));
}

/** The four charts' data (exported for tests and for pages that lay the charts out themselves). */
export function compositionCharts(t: Translate, packages: PackageCompositionProps["packages"]) {
  const enumCategories = (group: string, values: readonly string[]): ChartCategory[] =>
    values.map((v, i) => ({ key: v, label: enumLabel(t, group, v), color: colourOf(i) }));

  // Regions: the largest (over every package shown) get their own colour, the rest are "other".
  const regionTotals = new Map<string, bigint>();
  for (const p of packages) for (const r of p.quality.regions) regionTotals.set(r.region, (regionTotals.get(r.region) ?? 0n) + r.total);
  const ranked = [...regionTotals.entries()].sort((a, b) => (a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1] > b[1] ? -1 : 1)).map(([r]) => r);
  const own = ranked.length > regionColours + 1 ? ranked.slice(0, regionColours) : ranked;
  const ownSet = new Set(own);
  const otherKey = "__other__";
  const regionCategories: ChartCategory[] = own.map((r, i) => ({ key: r, label: r, color: colourOf(i) }));
  if (own.length < ranked.length) regionCategories.push({ key: otherKey, label: t("packageBuilder.chart.otherRegions", { count: ranked.length - own.length }), color: otherColor });

  return [
    {
      key: "difficulty",
      title: t("packageBuilder.chart.difficulty"),
      categories: enumCategories("difficulty", difficulties),
      rows: mixRows(packages, (q) => q.difficultyMix),
    },
    {
      key: "region",
      title: t("packageBuilder.chart.region"),
      categories: regionCategories,
      rows: packages.map((p) => ({
        label: p.label,
        segments: p.quality.regions.map((r) => ({ key: ownSet.has(r.region) ? r.region : otherKey, value: Number(r.total) })),
      })),
    },
    {
      key: "overdue",
      title: t("packageBuilder.chart.overdue"),
      categories: overdueBuckets.map((b, i) => ({ key: b, label: t(`packages.overdue.${b}` as MessageKey), color: colourOf(i) })),
      rows: mixRows(packages, (q) => q.overdueMix),
    },
    {
      key: "collateral",
      title: t("packageBuilder.chart.collateral"),
      categories: enumCategories("collateral", collaterals),
      rows: mixRows(packages, (q) => q.collateralMix),
    },
  ];
}
