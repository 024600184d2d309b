// Reads the collector's own Prometheus metrics around a benchmark window, so a latency tail seen by the
// simulated agents can be split into time inside the collector (request received -> committed), event-loop
// stalls and garbage collection, versus queueing in the simulator that shares the machine.

export type Samples = Map<string, number>;

/** Parses the text exposition format into "name{labels}" -> value. */
export function parseProm(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) out.set(line.slice(0, sp), v);
  }
  return out;
}

export async function scrape(baseUrl: string): Promise<Samples> {
  const res = await fetch(new URL('/metrics', baseUrl));
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return parseProm(await res.text());
}

/**
 * The q-quantile of a histogram's observations between two scrapes, as the upper bound of the bucket it falls
 * in (Prometheus buckets: an upper bound, not an interpolation). null when nothing was observed.
 */
export function histogramQuantile(before: Samples, after: Samples, name: string, labels: string, q: number): { le: number; count: number } | null {
  const prefix = `${name}_bucket{`;
  const buckets: { le: number; n: number }[] = [];
  for (const [k, v] of after) {
    if (!k.startsWith(prefix) || !k.includes(labels)) continue;
    const le = /le="([^"]+)"/.exec(k)?.[1];
    if (!le) continue;
    buckets.push({ le: le === '+Inf' ? Infinity : Number(le), n: v - (before.get(k) ?? 0) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.n ?? 0;
  if (!total) return null;
  const target = q * total;
  return { le: buckets.find((b) => b.n >= target)!.le, count: total };
}

/** Sum and count growth of a histogram (all label sets whose key contains `labels`) between two scrapes. */
export function histogramDelta(before: Samples, after: Samples, name: string, labels = ''): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const [k, v] of after) {
    if (!k.includes(labels)) continue;
    if (k.startsWith(`${name}_sum`)) sum += v - (before.get(k) ?? 0);
    else if (k.startsWith(`${name}_count`)) count += v - (before.get(k) ?? 0);
  }
  return { sum, count };
}
