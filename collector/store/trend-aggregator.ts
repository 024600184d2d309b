// Computes the daily compliance aggregates (store/compliance-trend.ts) on a worker thread with its own read
// connection: they scan every current finding, ~6 s at 100,000 agents, which on the event loop held every
// report and API answer for that long once a minute while findings changed. The worker only reads (one WAL
// snapshot); the collector writes the few hundred result rows itself.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { TREND_AGENTS_SQL, TREND_CONTROLS_SQL, type TrendDay } from './compliance-trend.js';

function aggregatorMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const Database = require(workerData.sqliteModule as string) as typeof import('better-sqlite3');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const db = new Database(workerData.file as string, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const controls = db.prepare(workerData.controlsSql as string);
  const agents = db.prepare(workerData.agentsSql as string);
  const read = db.transaction(() => ({ controls: controls.all(), agents: agents.all() }));
  parentPort!.on('message', (m: { id: number } | 'stop') => {
    if (m === 'stop') {
      db.close();
      parentPort!.close();
      return;
    }
    try {
      parentPort!.postMessage({ id: m.id, day: read() });
    } catch (err) {
      parentPort!.postMessage({ id: m.id, error: String((err as Error).message ?? err) });
    }
  });
}

export class TrendAggregator {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (d: TrendDay) => void; reject: (e: Error) => void }>();
  private closed = false;
  private exited = false;

  constructor(file: string) {
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(`(${aggregatorMain.toString()})()`, {
      eval: true,
      name: 'soclite-trend-aggregator',
      workerData: { file, sqliteModule, controlsSql: TREND_CONTROLS_SQL, agentsSql: TREND_AGENTS_SQL },
    });
    this.worker.on('message', (m: { id: number; day?: TrendDay; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.day) p?.resolve(m.day);
      else p?.reject(new Error(m.error ?? 'trend aggregation failed'));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', () => {
      this.exited = true;
      this.failAll(new Error('trend aggregation worker exited'));
    });
    this.worker.unref();
  }

  /** Today's aggregates as of a consistent snapshot of the database. */
  compute(): Promise<TrendDay> {
    if (this.closed) return Promise.reject(new Error('trend aggregator closed'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id });
    });
  }

  private failAll(err: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.failAll(new Error('trend aggregator closed'));
    this.worker.postMessage('stop');
    const t = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(t);
  }
}
