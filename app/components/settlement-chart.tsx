/**
 * Recovered vs task over time: a hand-written SVG line chart (no chart library) of the cumulative
 * verified recoveries per month against the contract's task (a dashed horizontal line). Accessible: the
 * SVG has role="img" and a <title>, and a visually hidden table holds the numbers. Knows no language:
 * the caller passes the words and the money formatter.
 */
import { chartColors } from "./charts";

export interface RecoveredPoint {
  month: string;
  /** cumulative fen */
  recovered: bigint;
}

export interface RecoveredVsTaskProps {
  points: readonly RecoveredPoint[];
  task: bigint;
  format: (fen: bigint) => string;
  labels: { title: string; recovered: string; task: string; month: string; empty: string };
  testId?: string;
}

const width = 640;
const height = 220;
const pad = { left: 12, right: 12, top: 16, bottom: 28 };

/** x/y positions in the SVG box for each point and the task line (pure: exported for tests). */
export function chartGeometry(points: readonly RecoveredPoint[], task: bigint) {
  const max = points.reduce((m, p) => (p.recovered > m ? p.recovered : m), task > 0n ? task : 1n);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const y = (fen: bigint) => pad.top + plotH - (Number(fen) / Number(max)) * plotH;
  const x = (i: number) => pad.left + (points.length <= 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  return {
    points: points.map((p, i) => ({ month: p.month, x: x(i), y: y(p.recovered) })),
    taskY: y(task),
    baseY: pad.top + plotH,
  };
}

export function RecoveredVsTask({ points, task, format, labels, testId }: RecoveredVsTaskProps) {
  if (points.length === 0) {
    return <p className="text-sm text-slate-500" data-testid={testId}>{labels.empty}</p>;
  }
  const g = chartGeometry(points, task);
  const last = points[points.length - 1]!;
  const path = g.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  const summary = `${labels.title}: ${labels.recovered} ${format(last.recovered)} / ${labels.task} ${format(task)}`;
  const step = Math.max(1, Math.ceil(points.length / 8));
  return (
    <figure data-testid={testId} data-points={points.length} data-last={last.recovered.toString()} data-task={task.toString()}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} className="h-auto w-full max-w-2xl">
        <title>{summary}</title>
        <line x1={pad.left} x2={width - pad.right} y1={g.baseY} y2={g.baseY} stroke="#cbd5e1" />
        <line x1={pad.left} x2={width - pad.right} y1={g.taskY} y2={g.taskY} stroke={chartColors[1]} strokeDasharray="6 4" strokeWidth={2} />
        <path d={path} fill="none" stroke={chartColors[0]} strokeWidth={2.5} />
        {g.points.map((p) => (
          <circle key={p.month} cx={p.x} cy={p.y} r={3} fill={chartColors[0]} />
        ))}
        {g.points.map((p, i) =>
          i % step === 0 || i === g.points.length - 1 ? (
            <text key={`t-${p.month}`} x={p.x} y={height - 8} fontSize={11} textAnchor="middle" fill="#64748b">{p.month}</text>
          ) : null,
        )}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-4 text-xs text-slate-600">
        <span><span className="mr-1 inline-block h-2 w-4 align-middle" style={{ background: chartColors[0] }} />{labels.recovered}: {format(last.recovered)}</span>
        <span><span className="mr-1 inline-block h-0.5 w-4 align-middle" style={{ background: chartColors[1] }} />{labels.task}: {format(task)}</span>
      </figcaption>
      <table className="sr-only">
        <thead>
          <tr>
            <th>{labels.month}</th>
            <th>{labels.recovered}</th>
            <th>{labels.task}</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.month}>
              <td>{p.month}</td>
              <td>{format(p.recovered)}</td>
              <td>{format(task)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
