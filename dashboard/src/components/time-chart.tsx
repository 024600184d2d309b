// Line chart over time with uPlot (small, canvas-based, fast with many points). Series labels are passed in
// already translated; values are numbers only.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TimeSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

export function TimeChart(p: { times: number[]; series: TimeSeries[]; height?: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const host = el.current;
    if (!host) return;
    const width = Math.max(200, host.clientWidth);
    const opts: uPlot.Options = {
      width,
      height: p.height ?? 180,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{}, { size: 40 }],
      legend: { show: true },
      series: [{}, ...p.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: p.times.length < 30 } }))],
    };
    const data = [p.times, ...p.series.map((s) => s.values)] as uPlot.AlignedData;
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, host);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, host.clientWidth), height: p.height ?? 180 }));
    ro.observe(host);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [p.series.map((s) => s.label).join('|'), p.times.length, p.times[p.times.length - 1]]);

  return <div ref={el} class="chart" data-testid={p.testId} />;
}
