// Alerts, their history and notes. At most one active (not resolved) alert per (agent, kind, key): a partial
// unique index holds that even if two writers race. The forwarder's outbox migration is listed here too
// because alerts and outbox rows commit in one transaction over the same database.
import { FORWARD_QUEUE_MIGRATION } from '../forward/sqlite-queue.js';
import { REPORT_CLEARED_KINDS, type Alert, type AlertHistoryEntry, type AlertNote, type AlertStatus } from '../alerts/types.js';
import type { Severity } from '../forward/types.js';
import type { Db } from './database.js';
import type { Migration } from './migrations.js';

export const ALERT_MIGRATIONS: Migration[] = [
  { version: 20, name: 'forwarder outbox', sql: FORWARD_QUEUE_MIGRATION },
  {
    version: 21,
    name: 'alerts, alert history, alert notes',
    sql: `
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id),
        unit_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        dedup_key TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'suppressed', 'resolved')),
        title_vi TEXT NOT NULL,
        title_en TEXT NOT NULL,
        details_json TEXT NOT NULL,
        level INTEGER NOT NULL,
        occurrences INTEGER NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        assignee TEXT,
        acknowledged_at TEXT,
        acknowledged_by TEXT,
        resolved_at TEXT,
        resolved_by TEXT,
        resolution TEXT,
        suppressed_until TEXT,
        suppress_reason TEXT,
        step INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX alerts_active_key ON alerts(agent_id, kind, dedup_key) WHERE status <> 'resolved';
      CREATE INDEX alerts_agent_status ON alerts(agent_id, status);
      CREATE INDEX alerts_unit_created ON alerts(unit_id, created_at);
      CREATE INDEX alerts_status_created ON alerts(status, created_at);
      CREATE INDEX alerts_suppressed ON alerts(suppressed_until) WHERE status = 'suppressed';
      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL REFERENCES alerts(id),
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        details_json TEXT NOT NULL
      );
      CREATE INDEX alert_history_alert ON alert_history(alert_id, id);
      CREATE TABLE alert_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL REFERENCES alerts(id),
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL
      );
      CREATE INDEX alert_notes_alert ON alert_notes(alert_id, id);
    `,
  },
  {
    version: 22,
    name: 'count of each agent\'s active alerts, kept by triggers',
    // Every report's alert rules ask which alerts of its agent are active (to clear liveness and clock-skew
    // alerts): a query per heartbeat, 6.6 % of a heartbeat's event-loop time in bench:ingest, nearly always
    // answering "none". The agent row, read anyway, now says how many there are; triggers keep the count
    // inside the statement that changes an alert, whoever writes it.
    sql: `
      ALTER TABLE agents ADD COLUMN active_alerts INTEGER NOT NULL DEFAULT 0;
      UPDATE agents SET active_alerts = (SELECT COUNT(*) FROM alerts WHERE alerts.agent_id = agents.id AND alerts.status <> 'resolved');
      CREATE TRIGGER alerts_active_count_insert AFTER INSERT ON alerts WHEN NEW.status <> 'resolved'
      BEGIN UPDATE agents SET active_alerts = active_alerts + 1 WHERE id = NEW.agent_id; END;
      CREATE TRIGGER alerts_active_count_update AFTER UPDATE OF status, agent_id ON alerts
        WHEN (OLD.status <> 'resolved') OR (NEW.status <> 'resolved')
      BEGIN
        UPDATE agents SET active_alerts = active_alerts - 1 WHERE id = OLD.agent_id AND OLD.status <> 'resolved';
        UPDATE agents SET active_alerts = active_alerts + 1 WHERE id = NEW.agent_id AND NEW.status <> 'resolved';
      END;
      CREATE TRIGGER alerts_active_count_delete AFTER DELETE ON alerts WHEN OLD.status <> 'resolved'
      BEGIN UPDATE agents SET active_alerts = active_alerts - 1 WHERE id = OLD.agent_id; END;
    `,
  },
  {
    version: 23,
    name: "count of each agent's active liveness and clock-skew alerts, kept by triggers",
    // Nine agents in ten of the 100,000-agent benchmark had some active alert (an exposed service, a failed
    // control), so the count of version 22 rarely spared a heartbeat the active-alert query (10 µs of SQLite
    // per heartbeat, 7 % of the collector's event loop). A heartbeat only needs the kinds it may clear.
    sql: (() => {
      const kinds = REPORT_CLEARED_KINDS.map((k) => `'${k}'`).join(', ');
      const counts = (row: 'NEW' | 'OLD' | 'alerts') => `${row}.status <> 'resolved' AND ${row}.kind IN (${kinds})`;
      return `
      ALTER TABLE agents ADD COLUMN clearable_alerts INTEGER NOT NULL DEFAULT 0;
      UPDATE agents SET clearable_alerts = (SELECT COUNT(*) FROM alerts WHERE alerts.agent_id = agents.id AND ${counts('alerts')});
      CREATE TRIGGER alerts_clearable_count_insert AFTER INSERT ON alerts WHEN ${counts('NEW')}
      BEGIN UPDATE agents SET clearable_alerts = clearable_alerts + 1 WHERE id = NEW.agent_id; END;
      CREATE TRIGGER alerts_clearable_count_update AFTER UPDATE OF status, agent_id, kind ON alerts
        WHEN (${counts('OLD')}) OR (${counts('NEW')})
      BEGIN
        UPDATE agents SET clearable_alerts = clearable_alerts - 1 WHERE id = OLD.agent_id AND ${counts('OLD')};
        UPDATE agents SET clearable_alerts = clearable_alerts + 1 WHERE id = NEW.agent_id AND ${counts('NEW')};
      END;
      CREATE TRIGGER alerts_clearable_count_delete AFTER DELETE ON alerts WHEN ${counts('OLD')}
      BEGIN UPDATE agents SET clearable_alerts = clearable_alerts - 1 WHERE id = OLD.agent_id; END;
    `;
    })(),
  },
];

interface AlertRow {
  id: string;
  agent_id: string;
  unit_id: string;
  kind: string;
  dedup_key: string;
  severity: string;
  status: string;
  title_vi: string;
  title_en: string;
  details_json: string;
  level: number;
  occurrences: number;
  first_seen_at: string;
  last_seen_at: string;
  created_at: string;
  updated_at: string;
  assignee: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  suppressed_until: string | null;
  suppress_reason: string | null;
  step: number;
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  agentId: r.agent_id,
  unitId: r.unit_id,
  kind: r.kind,
  key: r.dedup_key,
  severity: r.severity as Severity,
  status: r.status as AlertStatus,
  title: { vi: r.title_vi, en: r.title_en },
  details: JSON.parse(r.details_json) as Alert['details'],
  level: r.level,
  occurrences: r.occurrences,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  assignee: r.assignee,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
  resolution: r.resolution,
  suppressedUntil: r.suppressed_until,
  suppressReason: r.suppress_reason,
  step: r.step,
});

const params = (a: Alert) => ({
  id: a.id,
  agent_id: a.agentId,
  unit_id: a.unitId,
  kind: a.kind,
  dedup_key: a.key,
  severity: a.severity,
  status: a.status,
  title_vi: a.title.vi,
  title_en: a.title.en,
  details_json: JSON.stringify(a.details),
  level: a.level,
  occurrences: a.occurrences,
  first_seen_at: a.firstSeenAt,
  last_seen_at: a.lastSeenAt,
  created_at: a.createdAt,
  updated_at: a.updatedAt,
  assignee: a.assignee,
  acknowledged_at: a.acknowledgedAt,
  acknowledged_by: a.acknowledgedBy,
  resolved_at: a.resolvedAt,
  resolved_by: a.resolvedBy,
  resolution: a.resolution,
  suppressed_until: a.suppressedUntil,
  suppress_reason: a.suppressReason,
  step: a.step,
});

export interface AlertListQuery {
  unitIds: string[];
  status?: AlertStatus[];
  severity?: Severity[];
  kind?: string[];
  agentId?: string;
  limit: number;
  offset: number;
}

const COLUMNS = [
  'id', 'agent_id', 'unit_id', 'kind', 'dedup_key', 'severity', 'status', 'title_vi', 'title_en', 'details_json', 'level',
  'occurrences', 'first_seen_at', 'last_seen_at', 'created_at', 'updated_at', 'assignee', 'acknowledged_at', 'acknowledged_by',
  'resolved_at', 'resolved_by', 'resolution', 'suppressed_until', 'suppress_reason', 'step',
] as const;

export class AlertRepository {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      insert: db.prepare(`INSERT INTO alerts (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`),
      update: db.prepare(`UPDATE alerts SET ${COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`),
      get: db.prepare('SELECT * FROM alerts WHERE id = ?'),
      // Only the keys, from the partial unique index (covering: no table read); the rules run this for every
      // report. Named, because without it the planner picks alerts_agent_status and reads each row (3x slower
      // at 100,000 agents with 200,000 active alerts, measured).
      activeKeys: db.prepare(`SELECT kind, dedup_key FROM alerts INDEXED BY alerts_active_key WHERE agent_id = ? AND status <> 'resolved'`),
      activeByKey: db.prepare(`SELECT * FROM alerts WHERE agent_id = ? AND kind = ? AND dedup_key = ? AND status <> 'resolved'`),
      expired: db.prepare(`SELECT * FROM alerts WHERE status = 'suppressed' AND suppressed_until <= ? LIMIT 1000`),
      history: db.prepare('INSERT INTO alert_history (alert_id, at, action, actor, from_status, to_status, details_json) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      historyOf: db.prepare('SELECT at, action, actor, from_status, to_status, details_json FROM alert_history WHERE alert_id = ? ORDER BY id'),
      note: db.prepare('INSERT INTO alert_notes (alert_id, at, author, text) VALUES (?, ?, ?, ?)'),
      notesOf: db.prepare('SELECT at, author, text FROM alert_notes WHERE alert_id = ? ORDER BY id'),
    };
  }

  insert(a: Alert): void {
    this.s.insert.run(params(a));
  }

  update(a: Alert): void {
    this.s.update.run(params(a));
  }

  get(id: string): Alert | undefined {
    const r = this.s.get.get(id) as AlertRow | undefined;
    return r && toAlert(r);
  }

  /** Kind and deduplication key of every alert of the agent that is not resolved. */
  activeKeysOf(agentId: string): { kind: string; dedup_key: string }[] {
    return this.s.activeKeys.all(agentId) as { kind: string; dedup_key: string }[];
  }

  activeByKey(agentId: string, kind: string, key: string): Alert | undefined {
    const r = this.s.activeByKey.get(agentId, kind, key) as AlertRow | undefined;
    return r && toAlert(r);
  }

  suppressionsExpiredBy(at: string): Alert[] {
    return (this.s.expired.all(at) as AlertRow[]).map(toAlert);
  }

  addHistory(alertId: string, e: AlertHistoryEntry): void {
    this.s.history.run(alertId, e.at, e.action, e.actor, e.fromStatus, e.toStatus, JSON.stringify(e.details));
  }

  history(alertId: string): AlertHistoryEntry[] {
    return (this.s.historyOf.all(alertId) as { at: string; action: string; actor: string; from_status: string | null; to_status: string; details_json: string }[]).map((r) => ({
      at: r.at,
      action: r.action,
      actor: r.actor,
      fromStatus: r.from_status as AlertStatus | null,
      toStatus: r.to_status as AlertStatus,
      details: JSON.parse(r.details_json) as Record<string, unknown>,
    }));
  }

  addNote(alertId: string, n: AlertNote): void {
    this.s.note.run(alertId, n.at, n.author, n.text);
  }

  notes(alertId: string): AlertNote[] {
    return this.s.notesOf.all(alertId) as AlertNote[];
  }

  /** Newest first, within the given units. An empty unit list means nothing is visible. */
  list(q: AlertListQuery): { total: number; items: Alert[] } {
    if (q.unitIds.length === 0) return { total: 0, items: [] };
    const where = ['unit_id IN (SELECT value FROM json_each(@units))'];
    const args: Record<string, unknown> = { units: JSON.stringify(q.unitIds), limit: q.limit, offset: q.offset };
    const inList = (col: string, name: string, values?: readonly string[]) => {
      if (!values || values.length === 0) return;
      where.push(`${col} IN (SELECT value FROM json_each(@${name}))`);
      args[name] = JSON.stringify(values);
    };
    inList('status', 'status', q.status);
    inList('severity', 'severity', q.severity);
    inList('kind', 'kind', q.kind);
    if (q.agentId) {
      where.push('agent_id = @agent');
      args.agent = q.agentId;
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM alerts WHERE ${w}`).get(args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM alerts WHERE ${w} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`).all(args) as AlertRow[];
    return { total, items: rows.map(toAlert) };
  }
}
