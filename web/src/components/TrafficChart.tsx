// Traffic (requests with 4xx / 5xx rates) and latency charts over the 7-day hourly or
// 90-day daily windows the server keeps.
import { useMemo, useState } from 'preact/hooks';
import type { Series, Traffic } from '../api';
import type { PlotSpec } from '../charts/plot';
import { compact, exact, full, pct } from '../format';
import { Chart } from './Chart';

type Window = 'hourly' | 'daily';

const COLORS = { requests: '#3d71d9', c4xx: '#e69500', c5xx: '#d63c3c', mean: '#3d71d9', max: '#8a63d2' };

/**
 * The window from its first request on (at least `min` buckets), so one day of traffic in a
 * 7-day window is not squeezed into the right edge. `trimmed` tells whether anything was cut.
 */
function fromFirstRequest(s: Series, min: number): { s: Series; trimmed: boolean } {
  const first = s.requests.findIndex((v) => v > 0);
  const from = first < 0 ? 0 : Math.max(0, Math.min(first, s.requests.length - min));
  if (from === 0) return { s, trimmed: false };
  const cut = <T,>(a: T[] | undefined) => a?.slice(from);
  return {
    trimmed: true,
    s: {
      start: new Date(Date.parse(s.start) + from * s.step_ms).toISOString(),
      step_ms: s.step_ms,
      requests: s.requests.slice(from),
      client_errors: s.client_errors.slice(from),
      server_errors: s.server_errors.slice(from),
      latency_mean_ms: cut(s.latency_mean_ms),
      latency_max_ms: cut(s.latency_max_ms),
    },
  };
}

function xs(s: Series): number[] {
  const start = Date.parse(s.start) / 1000;
  const step = s.step_ms / 1000;
  return s.requests.map((_, i) => start + i * step);
}

function rate(part: number[], whole: number[]): Array<number | null> {
  return part.map((p, i) => (whole[i] ? (100 * p) / whole[i]! : null));
}

/** A chart of some of a series' values over its time buckets. */
function seriesSpec(s: Series, height: number, series: PlotSpec['series']): PlotSpec {
  return { x: xs(s), stepSeconds: s.step_ms / 1000, height, series };
}

export function trafficSpec(s: Series, height = 200): PlotSpec {
  return seriesSpec(s, height, [
    { label: 'Requests', values: s.requests, color: COLORS.requests, unit: 'count', kind: 'bars' },
    { label: '4xx rate', values: rate(s.client_errors, s.requests), color: COLORS.c4xx, unit: 'percent', kind: 'line' },
    { label: '5xx rate', values: rate(s.server_errors, s.requests), color: COLORS.c5xx, unit: 'percent', kind: 'line' },
  ]);
}

export function latencySpec(s: Series, height = 180): PlotSpec {
  return seriesSpec(s, height, [
    { label: 'Mean latency', values: s.latency_mean_ms ?? [], color: COLORS.mean, unit: 'ms', kind: 'line' },
    { label: 'Max latency', values: s.latency_max_ms ?? [], color: COLORS.max, unit: 'ms', kind: 'line' },
  ]);
}

function sum(a: number[]): number {
  let t = 0;
  for (const v of a) t += v;
  return t;
}

function WindowToggle({ value, onChange, name }: { value: Window; onChange: (w: Window) => void; name: string }) {
  return (
    <div class="segmented" role="radiogroup" aria-label={`${name} window`}>
      {(['hourly', 'daily'] as const).map((w) => (
        <button
          type="button"
          role="radio"
          aria-checked={value === w}
          class={value === w ? 'active' : ''}
          onClick={() => onChange(w)}
          data-testid={`${name}-window-${w}`}
        >
          {w === 'hourly' ? '7 d · hourly' : '90 d · daily'}
        </button>
      ))}
    </div>
  );
}

/** Picks the window that has traffic: hourly unless it is all zeros and daily is not. */
function initialWindow(t: Traffic | null | undefined): Window {
  if (!t) return 'hourly';
  return sum(t.hourly.requests) === 0 && sum(t.daily.requests) > 0 ? 'daily' : 'hourly';
}

export function TrafficPanel({
  traffic,
  testid = 'traffic-chart',
  title = 'Traffic',
  note,
}: {
  traffic: Traffic | null | undefined;
  testid?: string;
  title?: string;
  note?: string;
}) {
  const [win, setWin] = useState<Window>(() => initialWindow(traffic));
  const s = traffic?.[win];
  const shown = useMemo(() => (s ? fromFirstRequest(s, win === 'hourly' ? 24 : 14) : null), [s]);
  const spec = useMemo(() => (shown ? trafficSpec(shown.s) : null), [shown]);
  const total = s ? sum(s.requests) : 0;
  const c4 = s ? sum(s.client_errors) : 0;
  const c5 = s ? sum(s.server_errors) : 0;
  return (
    <section class="panel" data-testid={testid} aria-label={title}>
      <header class="panel-head">
        <h2>{title}</h2>
        {s && (
          <span class="panel-sub" title={`${exact(s.start)} onwards`}>
            {full(total)} requests · 4xx {pct(c4, total)} · 5xx {pct(c5, total)}
            {shown?.trimmed && ' · from the first request'}
          </span>
        )}
        <div class="panel-actions">{traffic && <WindowToggle value={win} onChange={setWin} name="traffic" />}</div>
      </header>
      <div class="panel-body">
        {!traffic ? (
          <div class="empty">{note ?? 'No traffic history kept.'}</div>
        ) : total === 0 ? (
          <div class="empty">
            No requests in these {win === 'hourly' ? '7 days' : '90 days'}.{' '}
            {win === 'hourly' && sum(traffic.daily.requests) > 0 && (
              <button type="button" class="linkish" onClick={() => setWin('daily')}>
                Show 90 days
              </button>
            )}
          </div>
        ) : (
          spec && <Chart spec={spec} label={`${title}: ${compact(total)} requests`} />
        )}
      </div>
    </section>
  );
}

export function LatencyPanel({ traffic, testid = 'latency-chart' }: { traffic: Traffic | null | undefined; testid?: string }) {
  const [win, setWin] = useState<Window>(() => initialWindow(traffic));
  const s = traffic?.[win];
  const shown = useMemo(() => (s ? fromFirstRequest(s, win === 'hourly' ? 24 : 14) : null), [s]);
  const spec = useMemo(() => (shown ? latencySpec(shown.s) : null), [shown]);
  const any = !!s?.latency_mean_ms?.some((v) => v !== null);
  return (
    <section class="panel" data-testid={testid} aria-label="Latency">
      <header class="panel-head">
        <h2>Latency</h2>
        <div class="panel-actions">{traffic && <WindowToggle value={win} onChange={setWin} name="latency" />}</div>
      </header>
      <div class="panel-body">
        {!traffic ? (
          <div class="empty">No latency history kept for this endpoint.</div>
        ) : !any ? (
          <div class="empty">No request in this window logged its latency.</div>
        ) : (
          spec && <Chart spec={spec} label="Latency over time" />
        )}
      </div>
    </section>
  );
}
