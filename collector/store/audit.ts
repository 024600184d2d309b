// The audit log's rows. Appending reads the chain head and writes the new row and head in one IMMEDIATE
// transaction, so two processes (the collector and a `soclite user` command) never fork the chain.
import type { Db } from './database.js';
import type { ChainedRecord } from '../audit/chain.js';

/** A stored record: the hashed content plus the chain links. */
export interface AuditRow extends ChainedRecord {
  prevHash: string;
  hash: string;
}

interface Row {
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  actor_role: string | null;
  ip: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  unit_ids: string;
  outcome: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** Rows are parsed leniently: verification must report a mangled row, not crash on it. */
function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const toRow = (r: Row): AuditRow & { raw: { unitIds: string; details: string } } => ({
  seq: r.seq,
  at: r.at,
  actorType: r.actor_type,
  actorId: r.actor_id,
  actorName: r.actor_name,
  actorRole: r.actor_role,
  ip: r.ip,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  unitIds: parseJson<string[]>(r.unit_ids, []),
  outcome: r.outcome,
  details: parseJson<Record<string, unknown>>(r.details, {}),
  prevHash: r.prev_hash,
  hash: r.hash,
  raw: { unitIds: r.unit_ids, details: r.details },
});

export type StoredAuditRow = ReturnType<typeof toRow>;

export interface AuditQuery {
  /** Only records concerning one of these units; records with no unit are then left out. */
  unitIds?: string[];
  action?: string;
  beforeSeq?: number;
  limit: number;
}

export class AuditRepository {
  /** Prepared once: alerts write audit records inside report commits, several per changed posture. */
  private readonly stmts;
  private readonly appendTx;

  constructor(private readonly db: Db) {
    this.stmts = {
      head: db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1'),
      insert: db.prepare(
        `INSERT INTO audit_log (seq, at, actor_type, actor_id, actor_name, actor_role, ip, action, target_type, target_id,
           unit_ids, outcome, details, prev_hash, hash)
         VALUES (@seq, @at, @actorType, @actorId, @actorName, @actorRole, @ip, @action, @targetType, @targetId,
           @unitIds, @outcome, @details, @prevHash, @hash)`,
      ),
      unit: db.prepare('INSERT OR IGNORE INTO audit_units (seq, unit_id) VALUES (?, ?)'),
      setHead: db.prepare('INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash'),
    };
    this.appendTx = db.transaction((build: (seq: number, prevHash: string | null) => AuditRow): AuditRow => {
      const head = this.stmts.head.get() as { seq: number; hash: string } | undefined;
      const row = build((head?.seq ?? 0) + 1, head?.hash ?? null);
      this.stmts.insert.run({ ...row, unitIds: JSON.stringify(row.unitIds), details: JSON.stringify(row.details) });
      for (const u of row.unitIds) this.stmts.unit.run(row.seq, u);
      this.stmts.setHead.run(row.seq, row.hash);
      return row;
    });
  }

  /** Appends one record: build() gets the next seq and the previous hash (null for the first) and returns the row. */
  append(build: (seq: number, prevHash: string | null) => AuditRow): AuditRow {
    // Inside another transaction this becomes a savepoint; on its own it takes the write lock up front.
    return this.db.inTransaction ? this.appendTx(build) : this.appendTx.immediate(build);
  }

  head(): { seq: number; hash: string } | undefined {
    return this.stmts.head.get() as { seq: number; hash: string } | undefined;
  }

  /** Every row in stored order (by seq), streamed so verifying a large log needs little memory. */
  *all(): Generator<StoredAuditRow> {
    for (const r of this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) yield toRow(r);
  }

  list(q: AuditQuery): StoredAuditRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.unitIds) {
      where.push(`seq IN (SELECT seq FROM audit_units WHERE unit_id IN (${q.unitIds.map(() => '?').join(',') || "''"}))`);
      params.push(...q.unitIds);
    }
    if (q.action) {
      where.push('action = ?');
      params.push(q.action);
    }
    if (q.beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(q.beforeSeq);
    }
    const clause = where.length ? 'WHERE ' + where.join(' AND ') : '';
    return (this.db.prepare(`SELECT * FROM audit_log ${clause} ORDER BY seq DESC LIMIT ?`).all(...params, q.limit) as Row[]).map(toRow);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  }
}
