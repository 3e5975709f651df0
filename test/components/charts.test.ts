import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Donut, StackedBar, formatShare, stackSegments, type ChartCategory } from "~/components/charts";
import { compositionCharts } from "~/components/package-composition";
import type { PackageQuality } from "~/domain/bundling";
import { translator } from "~/infra/i18n";

const categories: ChartCategory[] = [
  { key: "recoverable", label: "有收回潜力", color: "#2563eb" },
  { key: "hard", label: "收回难度大", color: "#f59e0b" },
  { key: "none", label: "其他", color: "#94a3b8" },
];
const labels = { row: "包", category: "类别", value: "金额", share: "占比" };
const yuan = (v: number) => `¥${(v / 100).toFixed(2)}`;

/** [segment key, width] of every <rect> in one bar's markup. */
function rects(svg: string): [string, number][] {
  return [...svg.matchAll(/<rect[^>]*?width="([\d.]+)"[^>]*?data-segment="([^"]*)"/g)].map((m) => [m[2]!, Number(m[1])]);
}

function bars(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

function hiddenTable(html: string): string[][] {
  const table = /<table class="sr-only">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(table)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!));
}

describe("StackedBar", () => {
  const rows = [
    { label: "包 1", segments: [{ key: "recoverable", value: 70_000 }, { key: "hard", value: 30_000 }] },
    { label: "包 2", segments: [{ key: "recoverable", value: 1 }, { key: "hard", value: 2 }, { key: "none", value: 0 }] },
    { label: "包 3", segments: [] },
  ];
  const html = renderToStaticMarkup(createElement(StackedBar, { rows, categories, format: yuan, title: "清收难度", labels }));

  it("draws one accessible bar per row whose segment widths add up to the whole bar", () => {
    const svgs = bars(html);
    expect(svgs).toHaveLength(3);
    for (const svg of svgs) {
      expect(svg).toContain('role="img"');
      expect(svg).toMatch(/<title id="[^"]+">清收难度 · 包 \d/);
    }
    const first = rects(svgs[0]!);
    expect(first).toEqual([["recoverable", 70], ["hard", 30]]);
    const second = rects(svgs[1]!);
    expect(second.map(([k]) => k)).toEqual(["recoverable", "hard"]); // a zero segment is not drawn
    expect(second.reduce((sum, [, w]) => sum + w, 0)).toBeCloseTo(100, 2);
    // a row with nothing is an empty grey bar, not a division by zero
    expect(rects(svgs[2]!)).toEqual([["", 100]]);
  });

  it("titles each bar and segment with the shares (one decimal)", () => {
    expect(html).toContain("清收难度 · 包 1: 有收回潜力 70.0%, 收回难度大 30.0%");
    expect(html).toContain("收回难度大: ¥300.00 (30.0%)");
    expect(html).toContain("有收回潜力 33.3%, 收回难度大 66.7%");
  });

  it("has a legend with every category and its colour", () => {
    const legend = /data-testid="chart-legend">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
    expect([...legend.matchAll(/data-legend-key="(\w+)"/g)].map((m) => m[1])).toEqual(["recoverable", "hard", "none"]);
    expect(legend).toContain("有收回潜力");
    expect(legend).toContain("background-color:#f59e0b");
  });

  it("holds the numbers in a visually hidden table", () => {
    expect(html).toContain("<caption>清收难度</caption>");
    const table = hiddenTable(html);
    expect(table).toHaveLength(9); // 3 rows × 3 categories
    expect(table[0]).toEqual(["包 1", "有收回潜力", "¥700.00", "70.0%"]);
    expect(table[1]).toEqual(["包 1", "收回难度大", "¥300.00", "30.0%"]);
    expect(table[2]).toEqual(["包 1", "其他", "¥0.00", "0.0%"]);
    expect(table[4]).toEqual(["包 2", "收回难度大", "¥0.02", "66.7%"]);
    expect(table[8]).toEqual(["包 3", "其他", "¥0.00", "0.0%"]);
  });
});

describe("Donut", () => {
  const html = renderToStaticMarkup(
    createElement(Donut, { segments: [{ key: "recoverable", value: 1 }, { key: "hard", value: 3 }], categories, title: "难度", labels }),
  );

  it("draws arcs whose lengths add up to the circle", () => {
    const arcs = [...html.matchAll(/stroke-dasharray="([\d.]+) ([\d.]+)"[^>]*?data-segment="(\w+)"/g)].map((m) => [m[3], Number(m[1]), Number(m[2])]);
    expect(arcs).toEqual([["recoverable", 25, 75], ["hard", 75, 25]]);
    expect(html).toContain('role="img"');
    expect(html).toContain("难度: 有收回潜力 25.0%, 收回难度大 75.0%");
  });

  it("lists the numbers in a hidden table and the categories in the legend", () => {
    const table = hiddenTable(html);
    expect(table.map((r) => r[0])).toEqual(["有收回潜力", "收回难度大", "其他"]);
    expect(table[1]).toEqual(["收回难度大", "3", "75.0%"]);
    expect(html).toContain('data-legend-key="none"');
  });
});

describe("helpers", () => {
  it("stacks segments in category order, summing repeats and ignoring negatives", () => {
    const { total, parts } = stackSegments([{ key: "hard", value: 1 }, { key: "hard", value: 1 }, { key: "recoverable", value: -5 }, { key: "x", value: 2 }], categories);
    expect(total).toBe(2); // "x" has no category: a 100% bar leaves it out
    expect(parts.map((p) => [p.category.key, p.value, p.x, p.width])).toEqual([["recoverable", 0, 0, 0], ["hard", 2, 0, 100], ["none", 0, 100, 0]]);
  });

  it("formats shares with one decimal", () => {
    expect(formatShare(0.3125)).toBe("31.3%");
    expect(formatShare(0)).toBe("0.0%");
    expect(formatShare(-0.0531)).toBe("-5.3%");
  });
});

describe("compositionCharts (the four charts of PackageComposition)", () => {
  const quality = (regions: [string, bigint][]): PackageQuality => ({
    total: regions.reduce((s, [, v]) => s + v, 0n),
    loanCount: regions.length,
    deviation: 0,
    hardShare: 0.25,
    hardShareDeviation: 0,
    regions: regions.map(([region, total]) => ({ region, total })),
    collateralMix: { unsecured: 100n, guarantee: 0n, mortgage: 300n, pledge: 0n },
    overdueMix: { under1y: 0n, "1to2y": 400n, "2to5y": 0n, over5y: 0n },
    difficultyMix: { recoverable: 300n, hard: 100n },
    largestLoan: null,
    violations: [],
  });
  const t = translator("zh-CN");

  it("charts difficulty, region, overdue and collateral by value, one row per package", () => {
    const charts = compositionCharts(t, [{ label: "包 1", quality: quality([["城关区", 400n]]) }, { label: "余量包", quality: quality([["河西县", 400n]]) }]);
    expect(charts.map((c) => c.key)).toEqual(["difficulty", "region", "overdue", "collateral"]);
    expect(charts.map((c) => c.title)).toEqual(["清收难度", "地区", "逾期时长", "担保方式"]);
    const difficulty = charts[0]!;
    expect(difficulty.categories.map((c) => c.label)).toEqual(["有收回潜力", "收回难度大"]);
    expect(difficulty.rows[0]).toEqual({ label: "包 1", segments: [{ key: "recoverable", value: 300 }, { key: "hard", value: 100 }] });
    expect(charts[1]!.rows.map((r) => r.segments)).toEqual([[{ key: "城关区", value: 400 }], [{ key: "河西县", value: 400 }]]);
    expect(charts[2]!.categories.map((c) => c.key)).toEqual(["under1y", "1to2y", "2to5y", "over5y"]);
  });

  it("gives the largest regions a colour each and sums the rest as other regions", () => {
    const many = Array.from({ length: 12 }, (_, i): [string, bigint] => [`地区${String(i).padStart(2, "0")}`, BigInt(1000 - i)]);
    const region = compositionCharts(t, [{ label: "包 1", quality: quality(many) }])[1]!;
    expect(region.categories).toHaveLength(9);
    expect(region.categories[8]!.label).toBe("其他 4 个地区");
    const other = region.rows[0]!.segments.filter((s) => s.key === region.categories[8]!.key);
    expect(other.reduce((sum, s) => sum + s.value, 0)).toBe(992 + 991 + 990 + 989);
    const { parts } = stackSegments(region.rows[0]!.segments, region.categories);
    expect(parts.reduce((sum, p) => sum + p.width, 0)).toBeCloseTo(100, 6);
  });
});
