// Whole-table reads on a worker thread with its own read-only connection: the daily compliance-trend
// aggregates (store/compliance-trend.ts) and the /compliance summaries scan every current finding — seconds at
// 100,000 agents — and on the event loop they held every report and API answer that long (a /compliance call
// took 14 s and timed out 512 agent requests in the 100,000-agent benchmark). Each query runs in its own read
// transaction (one WAL snapshot); the worker never writes.
import { BACKGROUND_NICE, lowerThreadPriority } from '../worker-priority.js';
import { Worker } from 'node:worker_threads';
import { workerSource } from '../worker-source.js';
import { createRequire } from 'node:module';
import { TREND_AGENTS_SQL, TREND_CONTROLS_SQL, type TrendAgentRow, type TrendControlRow, type TrendDay } from './compliance-trend.js';

type Request = { id: number; queries: { sql: string; params: unknown[] }[] };

function readWorkerMain(helpers: { lowerThreadPriority: typeof lowerThreadPriority }): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  // Fleet-wide aggregates take seconds at 100,000 agents: below the event loop's priority (worker-priority.ts).
  // Not Linux: normal priority, as before.
  helpers.lowerThreadPriority(workerData.nice as number);
  const Database = require(workerData.sqliteModule as string) as typeof import('better-sqlite3');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const db = new Database(workerData.file as string, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const statements = new Map<string, import('better-sqlite3').Statement>();
  const prepared = (sql: string) => {
    let st = statements.get(sql);
    if (!st) statements.set(sql, (st = db.prepare(sql)));
    return st;
  };
  const read = db.transaction((qs: Request['queries']) => qs.map((q) => prepared(q.sql).all(...q.params)));
  parentPort!.on('message', (m: Request | 'stop') => {
    if (m === 'stop') {
      db.close();
      parentPort!.close();
      return;
    }
    try {
      parentPort!.postMessage({ id: m.id, results: read(m.queries) });
    } catch (err) {
      parentPort!.postMessage({ id: m.id, error: String((err as Error).message ?? err) });
    }
  });
}

export class ReadWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (rows: unknown[][]) => void; reject: (e: Error) => void }>();
  private closed = false;
  private exited = false;

  constructor(file: string) {
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(workerSource(readWorkerMain, { lowerThreadPriority }), { eval: true, name: 'soclite-read-worker', workerData: { file, sqliteModule, nice: BACKGROUND_NICE } });
    this.worker.on('message', (m: { id: number; results?: unknown[][]; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.results) p?.resolve(m.results);
      else p?.reject(new Error(m.error ?? 'read query failed'));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', () => {
      this.exited = true;
      this.failAll(new Error('read worker exited'));
    });
    // After the listeners (a 'message' listener refs the worker): idle, it keeps nothing alive.
    this.worker.unref();
  }

  /** Runs the queries in one read transaction on the worker's connection; resolves with each one's rows. */
  query(queries: { sql: string; params: unknown[] }[]): Promise<unknown[][]> {
    if (this.closed) return Promise.reject(new Error('read worker closed'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, queries });
    });
  }

  /** Today's compliance-trend aggregates as of one consistent snapshot. */
  async trendDay(): Promise<TrendDay> {
    const [controls, agents] = await this.query([
      { sql: TREND_CONTROLS_SQL, params: [] },
      { sql: TREND_AGENTS_SQL, params: [] },
    ]);
    return { controls: controls as TrendControlRow[], agents: agents as TrendAgentRow[] };
  }

  private failAll(err: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.failAll(new Error('read worker closed'));
    this.worker.postMessage('stop');
    const t = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(t);
  }
}
