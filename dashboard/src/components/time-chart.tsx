// Line chart over time with uPlot (small, canvas-based, fast with many points). Series labels are passed in
// already translated; values are numbers only. The same numbers are also in a visually hidden table: a canvas
// says nothing to a screen reader, and the table is what a reader (or a test) can check against the API.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TimeSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

/** A calendar day (YYYY-MM-DD, as the trend API gives it) at local midnight, in seconds for uPlot's x axis. */
export function dayToSeconds(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, (m ?? 1) - 1, d ?? 1).getTime() / 1000;
}

export function TimeChart(p: { times: number[]; series: TimeSeries[]; xLabel: string; height?: number; testId?: string; days?: string[] }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const height = p.height ?? 180;
  // Redraw when any number or label changes (today's point is rewritten during the day at the same x).
  const key = JSON.stringify([p.xLabel, p.times, p.series.map((s) => [s.label, s.values])]);

  useEffect(() => {
    const host = el.current;
    if (!host) return;
    const width = Math.max(200, host.clientWidth);
    const daily = p.days !== undefined;
    const opts: uPlot.Options = {
      width,
      height,
      // room on the right so the last date label is not cut off
      padding: [8, 36, 0, 4],
      // Daily points get half a day of room on each side, from the data itself: for a single point uPlot would
      // otherwise stretch the axis over years and draw the point at its left edge.
      scales: { x: daily && p.times.length ? { time: true, range: () => [p.times[0]! - 43_200, p.times[p.times.length - 1]! + 43_200] } : { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      // Daily data: ticks on whole days, labelled as dates, never as hours.
      axes: [daily ? { space: 60, incrs: [86400, 7 * 86400, 30 * 86400, 365 * 86400], values: '{YYYY}-{MM}-{DD}' } : {}, { size: 40 }],
      legend: { show: true },
      series: [
        daily ? { label: p.xLabel, value: '{YYYY}-{MM}-{DD}' } : { label: p.xLabel },
        ...p.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: p.times.length < 40, size: 6 } })),
      ],
    };
    const data = [p.times, ...p.series.map((s) => s.values)] as uPlot.AlignedData;
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, host);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, host.clientWidth), height }));
    ro.observe(host);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [key]);

  return (
    <div class="chart-wrap" data-testid={p.testId} data-points={p.times.length}>
      <div ref={el} class="chart" />
      <table class="sr-only chart-data">
        <thead>
          <tr>
            <th>{p.xLabel}</th>
            {p.series.map((s) => (
              <th>{s.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.times.map((x, i) => (
            <tr data-x={p.days?.[i] ?? String(x)}>
              <th>{p.days?.[i] ?? new Date(x * 1000).toISOString()}</th>
              {p.series.map((s) => (
                <td>{s.values[i] ?? ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
