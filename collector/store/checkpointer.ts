// Copies the WAL back into the database file from a worker thread, so the collector's event loop never does.
// With SQLite's default (the committing connection checkpoints every 1,000 pages, and fsyncs), a 100,000-agent
// fleet made every few group commits stall on copying ~4 MB and an fsync. Here the writer only appends to the
// WAL; a second connection on another thread runs a PASSIVE checkpoint (never waits for, never blocks, the
// writer) every second. If it ever falls behind, the writer's own auto-checkpoint at a much larger WAL is the
// safety net, so the WAL stays bounded either way.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './database.js';

/** The writer checkpoints by itself only past this many WAL pages (64 MiB at 4 KiB pages). */
const SAFETY_NET_PAGES = 16_384;

/** The worker's program, evaluated from source (no imports: the module path comes in workerData). */
function checkpointerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const Database = require(workerData.sqliteModule as string) as typeof import('better-sqlite3');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const db = new Database(workerData.file as string);
  db.pragma('busy_timeout = 1000');
  const timer = setInterval(() => {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      parentPort!.postMessage({ ok: true, walPages: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 });
    } catch (err) {
      parentPort!.postMessage({ ok: false, error: String((err as Error).message ?? err) });
    }
  }, workerData.everyMs as number);
  parentPort!.on('message', (m: string) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    db.close();
    parentPort!.close();
  });
}

export interface CheckpointStats {
  /** Pages in the WAL at the last checkpoint, and how many of them were copied back. */
  walPages: number;
  checkpointed: number;
  failures: number;
  lastError: string | null;
}

export class BackgroundCheckpointer {
  readonly stats: CheckpointStats = { walPages: 0, checkpointed: 0, failures: 0, lastError: null };
  private readonly worker: Worker;
  private stopped = false;

  constructor(db: Db, file: string, everyMs = 1000, onError: (message: string) => void = () => {}) {
    db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(`(${checkpointerMain.toString()})()`, { eval: true, name: 'soclite-wal-checkpointer', workerData: { file, everyMs, sqliteModule } });
    this.worker.on('message', (m: { ok: true; walPages: number; checkpointed: number } | { ok: false; error: string }) => {
      if (m.ok) {
        this.stats.walPages = m.walPages;
        this.stats.checkpointed = m.checkpointed;
      } else {
        this.stats.failures++;
        this.stats.lastError = m.error;
        onError(m.error);
      }
    });
    this.worker.on('error', (err) => onError(`checkpoint worker failed: ${err.message}; the writer's auto-checkpoint takes over`));
    // After the listeners (a 'message' listener refs the worker): it never keeps the process alive by itself.
    this.worker.unref();
  }

  /** Stops the worker and closes its connection (the writer's close then checkpoints what is left). */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
