// A time-series chart (uPlot, imported on first use so it stays out of the main bundle).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PlotSpec } from '../charts/plot';

type PlotModule = typeof import('../charts/plot');
let plotModule: Promise<PlotModule> | undefined;
function loadPlot(): Promise<PlotModule> {
  plotModule ??= import('../charts/plot');
  return plotModule;
}

export function Chart({ spec, testid, label }: { spec: PlotSpec; testid?: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | undefined;
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    loadPlot().then(
      (m) => {
        if (cancelled) return;
        el.textContent = '';
        plot = m.makePlot(el, spec, Math.max(el.clientWidth, 200));
        observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(el.clientWidth, 200), height: spec.height }));
        observer.observe(el);
      },
      () => setFailed(true),
    );
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [spec]);
  return (
    <div class="chart" data-testid={testid} role="img" aria-label={label}>
      {failed ? <div class="empty">The chart could not be loaded.</div> : <div ref={ref} style={{ minHeight: `${spec.height + 30}px` }} />}
    </div>
  );
}
