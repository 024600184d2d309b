// Sends a list of pre-built (already signed) requests with a fixed number in flight over keep-alive
// connections, and measures throughput and per-request latency. Signing and HTTP framing happen before the
// clock starts, and the sockets speak HTTP/1.1 directly (a prepared byte string out, status line and
// Content-Length in), so the generator's own cost per request is a few microseconds and the same for the
// collector and the bare server: what is measured is the server.
import net from 'node:net';
import { LatencyHistogram } from '../../simulate/latency.js';
import type { SignedBody } from '../../simulate/transport.js';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: Record<string, number>;
  /** CPU seconds this generator process used during the run (user + system). */
  generatorCpuSec: number;
  /** Every request's latency, so runs can be added up (see addLoadResults). */
  latency: LatencyHistogram;
}

/** Two runs as one: requests, time and CPU added, latencies merged. */
export function addLoadResults(a: LoadResult, b: LoadResult): LoadResult {
  const latency = new LatencyHistogram();
  latency.merge(a.latency);
  latency.merge(b.latency);
  const errors = { ...a.errors };
  for (const [k, n] of Object.entries(b.errors)) errors[k] = (errors[k] ?? 0) + n;
  const requests = a.requests + b.requests;
  const seconds = a.seconds + b.seconds;
  return { requests, seconds, perSec: requests / seconds, p50Ms: latency.percentile(50), p99Ms: latency.percentile(99), errors, generatorCpuSec: a.generatorCpuSec + b.generatorCpuSec, latency };
}

/** The exact bytes of one request: request line, headers, body. */
export function frameRequest(host: string, r: SignedBody): Buffer {
  const body = Buffer.from(r.body, 'utf8');
  const head = [`POST ${r.path} HTTP/1.1`, `host: ${host}`, 'content-type: application/json', `content-length: ${body.length}`, 'connection: keep-alive'];
  for (const [k, v] of Object.entries(r.headers)) head.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** One keep-alive connection with at most one request in flight (as an agent sends). */
class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((r: { status: number; body: string }) => void) | null = null;
  private failed: ((e: Error) => void) | null = null;
  private readonly socket: net.Socket;

  constructor(port: number, host: string) {
    this.socket = net.connect({ port, host, noDelay: true });
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e) => this.failed?.(e));
    this.socket.on('close', () => this.failed?.(new Error('connection closed by the server')));
  }

  send(bytes: Buffer): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.socket.write(bytes);
    });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!m) throw new Error(`response without content-length: ${head.slice(0, 200)}`);
    const total = end + 4 + Number(m[1]);
    if (this.buf.length < total) return;
    const status = Number(head.slice(9, 12));
    const body = this.buf.toString('utf8', end + 4, total);
    this.buf = this.buf.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    this.failed = null;
    w?.({ status, body });
  }

  close(): void {
    this.failed = null;
    this.socket.destroy();
  }
}

/**
 * Runs the rounds one after the other (an agent's next sequence number is only sent after its previous
 * request was answered, as a real agent does); within a round, `concurrency` requests are in flight.
 */
export async function runLoad(url: string, rounds: SignedBody[][], concurrency: number): Promise<LoadResult> {
  const u = new URL(url);
  const port = Number(u.port);
  const framed = rounds.map((round) => round.map((r) => frameRequest(u.host, r)));
  const conns = Array.from({ length: concurrency }, () => new Connection(port, u.hostname));
  const h = new LatencyHistogram();
  const errors: Record<string, number> = {};
  let requests: Buffer[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const worker = async (conn: Connection) => {
    while (next < requests.length) {
      const bytes = requests[next++]!;
      const t0 = performance.now();
      const res = await conn.send(bytes);
      h.record(performance.now() - t0);
      if (res.status !== 200) {
        let code = `http_${res.status}`;
        try {
          code = String((JSON.parse(res.body) as { code?: string }).code ?? code);
        } catch {
          /* keep the status code */
        }
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  };
  let total = 0;
  for (const round of framed) {
    requests = round;
    next = 0;
    total += round.length;
    await Promise.all(conns.slice(0, Math.min(concurrency, round.length)).map(worker));
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  for (const c of conns) c.close();
  return { requests: total, seconds, perSec: total / seconds, p50Ms: h.percentile(50), p99Ms: h.percentile(99), errors, generatorCpuSec: (cpu.user + cpu.system) / 1e6, latency: h };
}
