// uPlot, loaded lazily (its own chunk) by components/Chart.tsx.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { compact, exact, ms } from '../format';

export type Unit = 'count' | 'percent' | 'ms';

export interface PlotSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  unit: Unit;
  kind: 'bars' | 'line';
}

export interface PlotSpec {
  /** Unix seconds, one per bucket. */
  x: number[];
  stepSeconds: number;
  series: PlotSeries[];
  height: number;
}

function fmt(unit: Unit, v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (unit === 'percent') return `${v.toFixed(v < 10 ? 1 : 0)}%`;
  if (unit === 'ms') return ms(v);
  return compact(v);
}

export function makePlot(el: HTMLElement, spec: PlotSpec, width: number): uPlot {
  const units = [...new Set(spec.series.map((s) => s.unit))];
  const left = units[0] ?? 'count';
  const right = units[1];
  const bars = uPlot.paths.bars!({ size: [0.8, 40], align: 1 });
  const daily = spec.stepSeconds >= 86400;
  const opts: uPlot.Options = {
    // Times are shown in UTC, like every time in the dashboard.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    width,
    height: spec.height,
    padding: [8, 8, 0, 0],
    cursor: { drag: { x: true, y: false }, points: { size: 6 } },
    legend: { show: true, live: true },
    scales: {
      x: { time: true },
      [left]: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      ...(right ? { [right]: { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.08 : 1] } } : {}),
    },
    axes: [
      {
        stroke: '#5c6573',
        grid: { stroke: '#eef0f3', width: 1 },
        ticks: { stroke: '#d5d9e0', width: 1 },
        font: '11px system-ui, sans-serif',
        space: 60,
      },
      {
        scale: left,
        stroke: '#5c6573',
        grid: { stroke: '#eef0f3', width: 1 },
        ticks: { show: false },
        font: '11px system-ui, sans-serif',
        size: 52,
        values: (_u, splits) => splits.map((v) => fmt(left, v)),
      },
      ...(right
        ? [
            {
              scale: right,
              side: 1 as const,
              stroke: '#5c6573',
              grid: { show: false },
              ticks: { show: false },
              font: '11px system-ui, sans-serif',
              size: 52,
              values: (_u: uPlot, splits: number[]) => splits.map((v) => fmt(right, v)),
            },
          ]
        : []),
    ],
    series: [
      {
        label: 'Time (UTC)',
        value: (_u, v) => (v === null ? '–' : daily ? exact(v * 1000).slice(0, 10) : exact(v * 1000).slice(0, 16)),
      },
      ...spec.series.map((s) => ({
        label: s.label,
        scale: s.unit,
        stroke: s.color,
        width: s.kind === 'bars' ? 0 : 1.5,
        fill: s.kind === 'bars' ? s.color + 'b0' : undefined,
        paths: s.kind === 'bars' ? bars : undefined,
        points: { show: false },
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => fmt(s.unit, v),
      })),
    ],
  };
  return new uPlot(opts, [spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData, el);
}
