// Reads, on a worker thread, the database pages a changed posture's commit is about to touch, so that the commit
// on the event loop finds them in the operating system's file cache. A changed posture rewrites the agent's
// findings (and their index entries), its posture document and its history: pages spread over gigabytes at
// 100,000 agents. When they are not cached, each one is a random read from the disk inside the commit, and the
// event loop waits: in the 100,000-agent benchmark the main thread sat in pread() for 80 ms to 5.7 s per page,
// holding every heartbeat behind it (BENCHMARKS.md, ninth session). Read here first, the wait happens off the
// event loop; the commit then reads the same pages from memory. Only an optimisation: a failed or lost warmer
// leaves commits exactly as they were.
import type { Worker } from 'node:worker_threads';
import { sqliteWorker } from './sqlite-worker.js';
import type { Db } from './database.js';

/** What one warm-up read, per data area: a test checks every query still runs against the current schema. */
export interface WarmedRows {
  findings: number;
  findingIndexEntries: number;
  ledgerEntries: number;
  postureDocument: number;
  historyEntries: number;
}

function pageWarmerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const Database = require(workerData.sqliteModule as string) as typeof import('better-sqlite3');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const db = new Database(workerData.file as string, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  // Its own cache stays small: the point is the OS cache, which the collector's connection shares.
  db.pragma('cache_size = -2048');
  // The same rows the commit reads or rewrites (store/compliance.ts applyEvaluation, store/agents.ts savePosture),
  // through the same indexes. Index entries are visited by their exact keys (control, status, rowid): a count
  // over a key prefix would read every agent's entries.
  const q = {
    findings: db.prepare('SELECT rowid AS id, control_id, status, observed_json FROM findings WHERE agent_id = ?'),
    byControlStatus: db.prepare('SELECT 1 FROM findings INDEXED BY findings_control_status WHERE control_id = ? AND status = ? AND rowid = ?').pluck(),
    byStatus: db.prepare('SELECT count(*) FROM findings INDEXED BY findings_status WHERE status = ? AND rowid BETWEEN ? AND ?').pluck(),
    ledger: db.prepare('SELECT count(*) FROM findings_ledger INDEXED BY findings_ledger_agent_control WHERE agent_id = ?').pluck(),
    posture: db.prepare('SELECT length(CAST(posture_json AS BLOB)) FROM agent_postures WHERE agent_id = ?').pluck(),
    history: db.prepare('SELECT count(*) FROM posture_history WHERE agent_id = ?').pluck(),
  };
  const warm = (agentId: string) => {
    const rows = q.findings.all(agentId) as { id: number; control_id: string; status: string }[];
    let findingIndexEntries = 0;
    const byStatus = new Map<string, [number, number]>();
    for (const r of rows) {
      findingIndexEntries += (q.byControlStatus.get(r.control_id, r.status, r.id) as number | undefined) ?? 0;
      const range = byStatus.get(r.status);
      byStatus.set(r.status, range ? [Math.min(range[0], r.id), Math.max(range[1], r.id)] : [r.id, r.id]);
    }
    for (const [status, [lo, hi]] of byStatus) q.byStatus.get(status, lo, hi);
    return {
      findings: rows.length,
      findingIndexEntries,
      ledgerEntries: q.ledger.get(agentId) as number,
      // length() of the text as a blob reads the whole value, overflow pages included: an upsert frees them.
      postureDocument: ((q.posture.get(agentId) as number | undefined) ?? 0) > 0 ? 1 : 0,
      historyEntries: q.history.get(agentId) as number,
    };
  };
  parentPort!.on('message', (m: { id: number; agentId: string } | 'stop') => {
    if (m === 'stop') {
      db.close();
      parentPort!.close();
      return;
    }
    try {
      parentPort!.postMessage({ id: m.id, rows: warm(m.agentId) });
    } catch (err) {
      parentPort!.postMessage({ id: m.id, error: String((err as Error)?.message ?? err) });
    }
  });
}

export class PageWarmer {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: WarmedRows) => void; reject: (e: Error) => void }>();
  private stopping = false;

  constructor(
    db: Db,
    /** Told once when the worker stops unexpectedly; commits go on without warming. */
    private readonly onLost?: (err: unknown) => void,
  ) {
    this.worker = sqliteWorker(pageWarmerMain, 'soclite-page-warmer', db);
    this.worker.on('message', (m: { id: number; rows?: WarmedRows; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.rows) w.resolve(m.rows);
      else w.reject(new Error(`warming pages failed: ${m.error}`));
    });
    const lost = (err: unknown) => {
      if (this.stopping) return;
      this.stopping = true;
      this.failAll(new Error('page warmer stopped'));
      this.onLost?.(err);
    };
    this.worker.on('error', lost);
    this.worker.on('exit', (code) => lost(new Error(`page warmer exited with code ${code}`)));
    this.worker.unref();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Reads the pages a changed posture of this agent will touch. Rejects if the warmer cannot (it is only an optimisation). */
  warm(agentId: string): Promise<WarmedRows> {
    if (this.stopping) return Promise.reject(new Error('page warmer stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, agentId });
    });
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.failAll(new Error('page warmer stopped'));
    this.worker.postMessage('stop');
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
