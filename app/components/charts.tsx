import { useId } from "react";

/**
 * Hand-written SVG charts (no chart library): `StackedBar`, one horizontal 100% stacked bar per row,
 * and `Donut`. Both are accessible: every bar / the donut is an SVG with role="img" and a <title>
 * naming each category's share, and a visually hidden (sr-only) table holds the numbers.
 *
 * The components know no language: the caller passes the words (`title`, `labels`) already
 * translated, so the charts also render outside the Remix router (tests, static markup).
 */

export interface ChartCategory {
  key: string;
  label: string;
  /** a hex colour; see `chartColors` */
  color: string;
}

export interface ChartSegment {
  key: string;
  /** any non-negative number (amounts are passed as numbers of fen) */
  value: number;
}

/** Column headings of the visually hidden table. */
export interface ChartLabels {
  /** heading of the rows' column ("Package") */
  row: string;
  /** heading of the categories' column ("Category") */
  category: string;
  value: string;
  share: string;
}

/** Tailwind palette (600 / 500 shades), ordered so that neighbours are easy to tell apart. */
export const chartColors = [
  "#2563eb", // blue-600
  "#f59e0b", // amber-500
  "#059669", // emerald-600
  "#e11d48", // rose-600
  "#7c3aed", // violet-600
  "#0891b2", // cyan-600
  "#ea580c", // orange-600
  "#65a30d", // lime-600
  "#db2777", // pink-600
  "#4f46e5", // indigo-600
  "#0d9488", // teal-600
  "#ca8a04", // yellow-600
] as const;

/** The colour of "other" / "none" segments: slate-400. */
export const otherColor = "#94a3b8";
const emptyColor = "#e2e8f0"; // slate-200

/** A share 0..1 as a percentage with one decimal: 0.3125 → "31.3%". */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return "—";
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * Each category's value, share of the row's total and x offset/width in a 0..100 box (a zero row has
 * none). Segments of the same key add up; negative values and keys without a category are ignored.
 */
export function stackSegments(segments: readonly ChartSegment[], categories: readonly ChartCategory[]) {
  const known = new Set(categories.map((c) => c.key));
  const byKey = new Map<string, number>();
  for (const s of segments) if (known.has(s.key)) byKey.set(s.key, (byKey.get(s.key) ?? 0) + Math.max(0, s.value));
  const total = [...byKey.values()].reduce((a, b) => a + b, 0);
  let x = 0;
  return {
    total,
    parts: categories.map((c) => {
      const value = byKey.get(c.key) ?? 0;
      const share = total > 0 ? value / total : 0;
      const part = { category: c, value, share, x, width: share * 100 };
      x += part.width;
      return part;
    }),
  };
}

function Legend({ categories }: { categories: readonly ChartCategory[] }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" data-testid="chart-legend">
      {categories.map((c) => (
        <li key={c.key} className="flex items-center gap-1" data-legend-key={c.key}>
          <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ backgroundColor: c.color }} />
          {c.label}
        </li>
      ))}
    </ul>
  );
}

const defaultFormat = (v: number) => String(v);

export interface StackedBarProps {
  rows: readonly { label: string; segments: readonly ChartSegment[] }[];
  categories: readonly ChartCategory[];
  /** formats a segment's value in the titles and the hidden table (default: the plain number) */
  format?: (value: number) => string;
  /** the chart's heading (also the hidden table's caption) */
  title: string;
  labels: ChartLabels;
  testId?: string;
}

/** Horizontal 100% stacked bars, one per row, with a legend. */
export function StackedBar({ rows, categories, format = defaultFormat, title, labels, testId }: StackedBarProps) {
  const id = useId();
  return (
    <figure className="min-w-0" data-testid={testId ?? "stacked-bar"}>
      <figcaption className="mb-2 text-sm font-medium text-slate-700">{title}</figcaption>
      <div className="grid grid-cols-[minmax(3rem,max-content)_1fr] items-center gap-x-3 gap-y-1.5">
        {rows.map((row, i) => {
          const { total, parts } = stackSegments(row.segments, categories);
          const visible = parts.filter((p) => p.width > 0);
          const description = total > 0 ? visible.map((p) => `${p.category.label} ${formatShare(p.share)}`).join(", ") : "—";
          return (
            <div key={`${row.label}-${i}`} className="contents" data-testid="chart-row">
              <span className="truncate text-xs text-slate-600" title={row.label}>{row.label}</span>
              <svg
                role="img"
                aria-labelledby={`${id}-t${i}`}
                viewBox="0 0 100 10"
                preserveAspectRatio="none"
                className="block h-4 w-full overflow-hidden rounded-sm"
              >
                <title id={`${id}-t${i}`}>{`${title} · ${row.label}: ${description}`}</title>
                {total > 0 ? (
                  visible.map((p) => (
                    <rect
                      key={p.category.key}
                      x={round(p.x)}
                      y={0}
                      width={round(p.width)}
                      height={10}
                      fill={p.category.color}
                      data-segment={p.category.key}
                    >
                      <title>{`${p.category.label}: ${format(p.value)} (${formatShare(p.share)})`}</title>
                    </rect>
                  ))
                ) : (
                  <rect x={0} y={0} width={100} height={10} fill={emptyColor} data-segment="" />
                )}
              </svg>
            </div>
          );
        })}
      </div>
      <Legend categories={categories} />
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{labels.row}</th>
            <th scope="col">{labels.category}</th>
            <th scope="col">{labels.value}</th>
            <th scope="col">{labels.share}</th>
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((row, i) =>
            stackSegments(row.segments, categories).parts.map((p) => (
              <tr key={`${i}-${p.category.key}`}>
                <th scope="row">{row.label}</th>
                <td>{p.category.label}</td>
                <td>{format(p.value)}</td>
                <td>{formatShare(p.share)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </figure>
  );
}

export interface DonutProps {
  segments: readonly ChartSegment[];
  categories: readonly ChartCategory[];
  format?: (value: number) => string;
  title: string;
  /** `row` is unused by the donut */
  labels: Omit<ChartLabels, "row"> & { row?: string };
  /** diameter in CSS pixels (default 120) */
  size?: number;
  testId?: string;
}

/** A ring of the categories' shares, with a legend. */
export function Donut({ segments, categories, format = defaultFormat, title, labels, size = 120, testId }: DonutProps) {
  const id = useId();
  const { total, parts } = stackSegments(segments, categories);
  const visible = parts.filter((p) => p.width > 0);
  // r = 100 / (2π): the circumference is 100, so a dash of `width` is exactly that share.
  const r = 15.915494309189533;
  const description = total > 0 ? visible.map((p) => `${p.category.label} ${formatShare(p.share)}`).join(", ") : "—";
  return (
    <figure className="inline-block" data-testid={testId ?? "donut"}>
      <figcaption className="mb-2 text-sm font-medium text-slate-700">{title}</figcaption>
      <svg role="img" aria-labelledby={`${id}-t`} viewBox="0 0 42 42" width={size} height={size}>
        <title id={`${id}-t`}>{`${title}: ${description}`}</title>
        <circle cx={21} cy={21} r={r} fill="none" stroke={emptyColor} strokeWidth={6} />
        {visible.map((p) => (
          <circle
            key={p.category.key}
            cx={21}
            cy={21}
            r={r}
            fill="none"
            stroke={p.category.color}
            strokeWidth={6}
            strokeDasharray={`${round(p.width)} ${round(100 - p.width)}`}
            // start at 12 o'clock and go clockwise
            strokeDashoffset={round(25 - p.x)}
            data-segment={p.category.key}
          >
            <title>{`${p.category.label}: ${format(p.value)} (${formatShare(p.share)})`}</title>
          </circle>
        ))}
      </svg>
      <Legend categories={categories} />
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{labels.category}</th>
            <th scope="col">{labels.value}</th>
            <th scope="col">{labels.share}</th>
          </tr>
        </thead>
        <tbody>
          {parts.map((p) => (
            <tr key={p.category.key}>
              <th scope="row">{p.category.label}</th>
              <td>{format(p.value)}</td>
              <td>{formatShare(p.share)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
