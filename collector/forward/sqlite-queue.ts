// ForwardQueue on SQLite (better-sqlite3). The schema is exported as FORWARD_QUEUE_MIGRATION so the store's
// migration runner owns when it is applied; `ensureSchema` applies it directly for standalone use and tests.
// Durability comes from the database's own settings: the store runs WAL; a crash of the process (SIGKILL)
// never loses a committed row; for power loss use synchronous=FULL.
import type { Database, Statement } from 'better-sqlite3';
import type { EnqueueOptions, EnqueueResult, ForwardQueue, QueuedEvent } from './queue.js';
import type { ForwardEvent } from './types.js';

export const FORWARD_QUEUE_MIGRATION = `
CREATE TABLE IF NOT EXISTS forward_outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  destination     TEXT    NOT NULL,
  event_id        TEXT    NOT NULL,
  event_json      TEXT    NOT NULL,
  enqueued_at     INTEGER NOT NULL,           -- epoch ms
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,           -- epoch ms; backoff survives restarts
  claimed_until   INTEGER,                    -- epoch ms lease while a sender holds the row
  last_error      TEXT,
  UNIQUE (destination, event_id)
);
CREATE INDEX IF NOT EXISTS forward_outbox_fifo ON forward_outbox (destination, id);
-- Per-destination row count kept by triggers: depth checks on every enqueue must not scan a large queue.
CREATE TABLE IF NOT EXISTS forward_outbox_depth (
  destination TEXT PRIMARY KEY,
  depth       INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS forward_outbox_depth_ins AFTER INSERT ON forward_outbox BEGIN
  INSERT INTO forward_outbox_depth (destination, depth) VALUES (NEW.destination, 1)
    ON CONFLICT (destination) DO UPDATE SET depth = depth + 1;
END;
CREATE TRIGGER IF NOT EXISTS forward_outbox_depth_del AFTER DELETE ON forward_outbox BEGIN
  UPDATE forward_outbox_depth SET depth = depth - 1 WHERE destination = OLD.destination;
END;
`;

interface Row {
  id: number;
  destination: string;
  event_json: string;
  attempts: number;
  enqueued_at: number;
}

export class SqliteForwardQueue implements ForwardQueue {
  private readonly insert: Statement<[string, string, string, number, number]>;
  private readonly depthStmt: Statement<[string], { depth: number }>;
  private readonly dropOldest: Statement<[string, number]>;
  private readonly claimSelect: Statement<[string, number, number, number], Row>;
  private readonly claimUpdate: Statement<[number, string]>;
  private readonly deliveredStmt: Statement<[string]>;
  private readonly failedStmt: Statement<[number, string, string]>;
  private readonly releaseStmt: Statement<[]>;
  private readonly oldestStmt: Statement<[string], { enqueued_at: number }>;
  private readonly nextDueStmt: Statement<[string], { due: number | null }>;
  private readonly claimTx: (destination: string, max: number, now: number, leaseUntil: number) => Row[];

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO forward_outbox (destination, event_id, event_json, enqueued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.depthStmt = db.prepare('SELECT depth FROM forward_outbox_depth WHERE destination = ?');
    this.dropOldest = db.prepare(
      'DELETE FROM forward_outbox WHERE id IN (SELECT id FROM forward_outbox WHERE destination = ? ORDER BY id LIMIT ?)',
    );
    this.claimSelect = db.prepare(
      `SELECT id, destination, event_json, attempts, enqueued_at FROM forward_outbox
       WHERE destination = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
       ORDER BY id LIMIT ?`,
    );
    this.claimUpdate = db.prepare('UPDATE forward_outbox SET claimed_until = ? WHERE id IN (SELECT value FROM json_each(?))');
    this.deliveredStmt = db.prepare('DELETE FROM forward_outbox WHERE id IN (SELECT value FROM json_each(?))');
    this.failedStmt = db.prepare(
      `UPDATE forward_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_until = NULL
       WHERE id IN (SELECT value FROM json_each(?))`,
    );
    this.releaseStmt = db.prepare('UPDATE forward_outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL');
    this.oldestStmt = db.prepare('SELECT enqueued_at FROM forward_outbox WHERE destination = ? ORDER BY id LIMIT 1');
    this.nextDueStmt = db.prepare(
      'SELECT MIN(next_attempt_at) AS due FROM forward_outbox WHERE destination = ? AND claimed_until IS NULL',
    );
    this.claimTx = db.transaction((destination: string, max: number, now: number, leaseUntil: number) => {
      const rows = this.claimSelect.all(destination, now, now, max);
      if (rows.length > 0) this.claimUpdate.run(leaseUntil, JSON.stringify(rows.map((r) => r.id)));
      return rows;
    });
  }

  /** Create the tables if absent (same SQL the store's migrations apply). */
  static ensureSchema(db: Database): void {
    db.exec(FORWARD_QUEUE_MIGRATION);
  }

  enqueue(destination: string, event: ForwardEvent, now: number, opts: EnqueueOptions): EnqueueResult {
    if (!Number.isInteger(opts.maxQueue) || opts.maxQueue < 1) throw new RangeError(`maxQueue must be a positive integer, got ${opts.maxQueue}`);
    if (opts.overflow === 'drop_newest' && this.depth(destination) >= opts.maxQueue) return { inserted: false, dropped: 1 };
    const inserted = this.insert.run(destination, event.eventId, JSON.stringify(event), now, now).changes === 1;
    // Insert first, then trim: a duplicate event id (already queued) must not cost an older row its place.
    const excess = this.depth(destination) - opts.maxQueue;
    const dropped = excess > 0 ? this.dropOldest.run(destination, excess).changes : 0;
    return { inserted, dropped };
  }

  claim(destination: string, max: number, now: number, leaseUntil: number): QueuedEvent[] {
    return this.claimTx(destination, max, now, leaseUntil).map((r) => ({
      id: r.id,
      destination: r.destination,
      event: JSON.parse(r.event_json) as ForwardEvent,
      attempts: r.attempts,
      enqueuedAt: r.enqueued_at,
    }));
  }

  markDelivered(ids: readonly number[]): void {
    if (ids.length > 0) this.deliveredStmt.run(JSON.stringify(ids));
  }

  markFailed(ids: readonly number[], nextAttemptAt: number, error: string): void {
    if (ids.length > 0) this.failedStmt.run(nextAttemptAt, error.slice(0, 1000), JSON.stringify(ids));
  }

  releaseClaims(): void {
    this.releaseStmt.run();
  }

  depth(destination: string): number {
    return this.depthStmt.get(destination)?.depth ?? 0;
  }

  oldestEnqueuedAt(destination: string): number | null {
    return this.oldestStmt.get(destination)?.enqueued_at ?? null;
  }

  nextDueAt(destination: string): number | null {
    return this.nextDueStmt.get(destination)?.due ?? null;
  }
}
