// A simulated fleet spread over a few processes (fleet-child.ts), each running every count-th agent: one
// process of 100,000 virtual agents spent a fifth of its time in garbage collection, with pauses up to
// 180 ms that the benchmark then counted as the collector's latency. The group enrolls the agents (in this
// process), starts the slices, merges their statistics, and saves every slice's sequence numbers at the end.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Fleet, FleetStats, type FleetOptions } from './fleet.js';
import { LatencyHistogram } from './latency.js';
import type { ChildSnapshot, FromChild, ToChild } from './fleet-child.js';

interface Child {
  proc: ChildProcess;
  snap: ChildSnapshot | undefined;
  lastSequences: [number, number][] | undefined;
  /** Answers awaited: the message type that settles each. */
  waiting: { until: FromChild['type']; resolve: () => void }[];
  stopped: boolean;
}

/** The slice runs from TypeScript source: under tsx already (the benchmarks), or loads it (a test runner). */
function childExecArgv(): string[] {
  const own = process.execArgv.filter((a) => !a.startsWith('--inspect') && !a.startsWith('--cpu-prof'));
  return own.some((a) => a.includes('tsx')) ? own : [...own, '--import', 'tsx'];
}

const KINDS = ['heartbeat', 'posture', 'events', 'goodbye', 'enroll'] as const;

export class FleetGroup {
  /** Enrolls every agent and saves the identities; never runs agents itself. */
  private readonly enroller: Fleet;
  private readonly children: Child[] = [];
  private failure: string | undefined;

  constructor(
    private readonly o: FleetOptions,
    readonly processes: number,
  ) {
    if (!Number.isInteger(processes) || processes < 1) throw new Error(`--processes must be a positive integer, got ${processes}`);
    this.enroller = new Fleet(o);
  }

  enroll(): Promise<{ reused: number; enrolled: number }> {
    return this.enroller.enroll();
  }

  /** Starts one process per slice; resolves when every slice runs. */
  async start(): Promise<void> {
    const { log: _log, ...options } = this.o;
    const file = fileURLToPath(new URL('./fleet-child.ts', import.meta.url));
    await Promise.all(
      Array.from(
        { length: this.processes },
        (_, k) =>
          new Promise<void>((resolve, reject) => {
            const proc = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: childExecArgv() });
            const child: Child = { proc, snap: undefined, lastSequences: undefined, waiting: [], stopped: false };
            this.children.push(child);
            proc.on('message', (m: FromChild) => {
              if (m.type === 'ready') resolve();
              else if (m.type === 'log') this.o.log(`[${k}] ${m.line}`);
              else if (m.type === 'failed') {
                this.failure = `simulator process ${k} failed: ${m.message}`;
                reject(new Error(this.failure));
              } else {
                if (m.type === 'snapshot' || m.type === 'stopped') child.snap = m.snapshot;
                if (m.type === 'stopped') child.lastSequences = m.lastSequences;
                const settled = child.waiting.filter((w) => w.until === m.type);
                child.waiting = child.waiting.filter((w) => w.until !== m.type);
                for (const w of settled) w.resolve();
              }
            });
            proc.on('exit', (code) => {
              child.stopped = true;
              for (const w of child.waiting.splice(0)) w.resolve();
              if (code !== 0 && !this.failure) this.failure = `simulator process ${k} exited with code ${code}`;
              reject(new Error(this.failure ?? `simulator process ${k} exited before it was ready`));
            });
            // The options describe the whole fleet: each slice gets its share of connections and requests in flight.
            const share = (n: number) => Math.max(1, Math.ceil(n / this.processes));
            const sliceOptions = { ...options, connections: share(options.connections), maxInflight: share(options.maxInflight), slice: { index: k, count: this.processes } };
            proc.send({ type: 'run', options: sliceOptions } satisfies ToChild);
          }),
      ),
    );
  }

  /** Sends to every slice and waits for each one's answer (or its exit). */
  private async ask(m: ToChild, until: FromChild['type']): Promise<void> {
    if (this.failure) throw new Error(this.failure);
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.stopped) return resolve();
            c.waiting.push({ until, resolve });
            c.proc.send(m);
          }),
      ),
    );
  }

  /** Starts latency measurement afresh in every slice (benchmarks leave the warm-up out). */
  resetLatency(): Promise<void> {
    return this.ask({ type: 'resetLatency' }, 'resetDone');
  }

  /** Fresh statistics from every slice (they also arrive every second by themselves). */
  refresh(): Promise<void> {
    return this.ask({ type: 'snapshot' }, 'snapshot');
  }

  /** The merged statistics of the slices, as of their latest snapshots. */
  get stats(): FleetStats {
    const s = new FleetStats();
    for (const c of this.children) {
      const snap = c.snap;
      if (!snap) continue;
      for (const k of KINDS) {
        s.sent[k] += snap.sent[k] ?? 0;
        s.accepted[k] += snap.accepted[k] ?? 0;
        s.latency[k].merge(LatencyHistogram.fromJSON(snap.latency[k]));
      }
      for (const [code, n] of Object.entries(snap.errors)) s.errors[code] = (s.errors[code] ?? 0) + n;
      s.window.merge(LatencyHistogram.fromJSON(snap.window));
      s.postureChanges += snap.counters.postureChanges;
      s.wentOffline += snap.counters.wentOffline;
      s.needPosture += snap.counters.needPosture;
      s.seqResynced += snap.counters.seqResynced;
      s.sessionsOpened += snap.counters.sessionsOpened;
      s.sessionsReopened += snap.counters.sessionsReopened;
    }
    return s;
  }

  /** The p99 of the reports answered since the last call, then a new window (for periodic status lines). */
  takeWindowP99(): number {
    const p99 = this.stats.window.percentile(99);
    for (const c of this.children) {
      if (c.snap) c.snap.window = new LatencyHistogram().toJSON();
      if (!c.stopped) c.proc.send({ type: 'resetWindow' } satisfies ToChild);
    }
    return p99;
  }

  /** Agents due but waiting for a free request slot, over all slices. */
  get queued(): number {
    return this.children.reduce((n, c) => n + (c.snap?.queued ?? 0), 0);
  }

  /** The slices' process ids (for their CPU time). */
  get pids(): number[] {
    return this.children.map((c) => c.proc.pid!).filter((p) => p !== undefined);
  }

  /** The worst event-loop delay of any slice since the last resetLatency. */
  get loopDelay(): { p99Ms: number; maxMs: number } {
    const snaps = this.children.map((c) => c.snap).filter((s) => s !== undefined);
    return { p99Ms: Math.max(...snaps.map((s) => s.loop.p99Ms)), maxMs: Math.max(...snaps.map((s) => s.loop.maxMs)) };
  }

  /** Stops every slice, then saves the identities with the sequence numbers the slices used. */
  async stop(o: { goodbye?: boolean } = {}): Promise<void> {
    const exited = this.children.map((c) => new Promise((r) => (c.proc.exitCode !== null ? r(null) : c.proc.once('exit', r))));
    await this.ask({ type: 'stop', goodbye: o.goodbye ?? false }, 'stopped').catch(() => {});
    const kill = setTimeout(() => this.children.forEach((c) => c.proc.kill('SIGKILL')), 60_000);
    await Promise.all(exited);
    clearTimeout(kill);
    this.children.forEach((c, k) => {
      if (c.lastSequences) this.enroller.adoptSequences(c.lastSequences);
      else this.o.log(`slice ${k} stopped without handing back its sequence numbers: the next run resynchronises its agents (one refused report each)`);
    });
    await this.enroller.stop();
  }
}
