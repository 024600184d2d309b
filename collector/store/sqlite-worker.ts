// A worker thread with a connection of its own to the collector's database (the checkpointer, the page warmer).
// The worker loads better-sqlite3 from the path resolved here, so it gets the same native build whether the
// collector runs from source (tsx) or compiled; `main` is written as worker-source.ts asks.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { workerSource } from '../worker-source.js';
import type { Db } from './database.js';

/** Starts `main` on a worker; its workerData holds `file` (the database), `sqliteModule` and `data`. */
export function sqliteWorker(main: () => void, name: string, db: Db, data: Record<string, unknown> = {}): Worker {
  const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Worker(workerSource(main), { eval: true, name, workerData: { ...data, file: db.name, sqliteModule } });
}
