// WAL checkpoints on a worker thread with its own connection. By default the connection that commits copies
// the WAL back into the database file every 1,000 pages, with an fsync, inside whichever report's commit
// crossed the mark: at 100,000 agents the event loop spent about a seventh of its time waiting on the disk
// there, and those waits were the latency tail. Here a worker copies committed pages in the background
// (PASSIVE: it never blocks the writer or readers) and, once everything is copied and the WAL has grown past
// `restartAtPages`, asks SQLite to start the WAL over (RESTART), without waiting: if the writer or a reader on
// an older snapshot is busy it simply tries again next time. The writer's own automatic checkpoint is off
// while the worker runs and comes back if the worker ever stops.
import type { Worker } from 'node:worker_threads';
import { sqliteWorker } from './sqlite-worker.js';
import type { Db } from './database.js';

export interface CheckpointerOptions {
  /** How often the worker checkpoints. */
  everyMs?: number;
  /**
   * WAL size (pages) from which a fully copied WAL is started over. The restart holds the write lock while it
   * copies what was committed since the pass before it and syncs the file (18-79 ms measured at 100,000 agents,
   * with the writer's BEGIN sleeping in SQLite's busy handler meanwhile), so it should be rare: the default is the
   * WAL size the writer trims back to after a restart (journal_size_limit, 64 MiB): every ~9 s at 100,000 agents,
   * where 16 MiB made it every ~3 s. A small fleet never reaches it: its writer restarts a fully copied WAL itself.
   */
  restartAtPages?: number;
  /** Told when the worker stops unexpectedly (the writer checkpoints by itself again from then on). */
  onLost?: (err: unknown) => void;
}

export interface CheckpointStats {
  /** Pages in the WAL and how many of them are copied into the database, after the last pass. */
  walPages: number;
  copiedPages: number;
  passes: number;
  restarts: number;
}

/** 64 MiB of 4 KiB pages: the same size as the WAL's journal_size_limit (store/database.ts). */
const DEFAULT_RESTART_AT_PAGES = 16384;

/** SQLite's default automatic checkpoint (pages); what the writer goes back to without the worker. */
export const DEFAULT_AUTOCHECKPOINT = 1000;

function checkpointerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const Database = require(workerData.sqliteModule as string) as typeof import('better-sqlite3');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const db = new Database(workerData.file as string, { fileMustExist: true });
  // Never wait for a lock: waiting here would hold the writer on the event loop behind us.
  db.pragma('busy_timeout = 0');
  const stats = { walPages: 0, copiedPages: 0, passes: 0, restarts: 0 };
  const pass = () => {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      stats.passes++;
      stats.walPages = r!.log;
      stats.copiedPages = r!.checkpointed;
      if (r!.log >= (workerData.restartAtPages as number) && r!.checkpointed === r!.log) {
        const [x] = db.pragma('wal_checkpoint(RESTART)') as { busy: number; log: number; checkpointed: number }[];
        if (x!.busy === 0) stats.restarts++;
      }
    } catch {
      // SQLITE_BUSY and the like: the next pass tries again.
    }
    parentPort!.postMessage(stats);
  };
  const timer = setInterval(pass, workerData.everyMs as number);
  parentPort!.on('message', (m: 'stop') => {
    if (m !== 'stop') return;
    clearInterval(timer);
    db.close();
    parentPort!.close();
  });
}

export class Checkpointer {
  private readonly worker: Worker;
  private stopping = false;
  private latest: CheckpointStats = { walPages: 0, copiedPages: 0, passes: 0, restarts: 0 };

  constructor(
    private readonly db: Db,
    o: CheckpointerOptions = {},
  ) {
    this.worker = sqliteWorker(checkpointerMain, 'soclite-checkpointer', db, {
      everyMs: o.everyMs ?? 1000,
      restartAtPages: o.restartAtPages ?? DEFAULT_RESTART_AT_PAGES,
    });
    db.pragma('wal_autocheckpoint = 0');
    this.worker.on('message', (s: CheckpointStats) => (this.latest = s));
    const lost = (err: unknown) => {
      if (this.stopping) return;
      this.stopping = true;
      if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
      o.onLost?.(err);
    };
    this.worker.on('error', lost);
    this.worker.on('exit', (code) => lost(new Error(`checkpointer exited with code ${code}`)));
    this.worker.unref();
  }

  /** Stopped on purpose or lost: the writer checkpoints by itself. */
  get stopped(): boolean {
    return this.stopping;
  }

  get stats(): CheckpointStats {
    return this.latest;
  }

  /** Stops the worker; the writer checkpoints by itself again. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    this.worker.postMessage('stop');
  }
}
