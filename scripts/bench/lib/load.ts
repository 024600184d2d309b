// Sends a list of pre-built (already signed) requests with a fixed number in flight over keep-alive
// connections, and measures throughput and per-request latency. Signing happens before the clock starts, so
// the load generator's own cost is HTTP only, the same for the collector and the bare server.
import { Pool } from 'undici';
import { LatencyHistogram } from '../../simulate/latency.js';
import type { SignedBody } from '../../simulate/transport.js';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: Record<string, number>;
}

/**
 * Runs the rounds one after the other (an agent's next sequence number is only sent after its previous
 * request was answered, as a real agent does); within a round, `concurrency` requests are in flight.
 */
export async function runLoad(url: string, rounds: SignedBody[][], concurrency: number): Promise<LoadResult> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const h = new LatencyHistogram();
  const errors: Record<string, number> = {};
  let requests: SignedBody[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const t0 = performance.now();
      const res = await pool.request({ method: 'POST', path: r.path, headers: { 'content-type': 'application/json', ...r.headers }, body: r.body });
      const text = await res.body.text();
      h.record(performance.now() - t0);
      if (res.statusCode !== 200) {
        let code = `http_${res.statusCode}`;
        try {
          code = String((JSON.parse(text) as { code?: string }).code ?? code);
        } catch {
          /* keep the status code */
        }
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  };
  let total = 0;
  for (const round of rounds) {
    requests = round;
    next = 0;
    total += round.length;
    await Promise.all(Array.from({ length: Math.min(concurrency, round.length) }, worker));
  }
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return { requests: total, seconds, perSec: total / seconds, p50Ms: h.percentile(50), p99Ms: h.percentile(99), errors };
}
