// The agents table of the dashboard and API: server-side filters, sorting and paging, so the page stays fluid
// with 100,000 machines. Filters that look into postures or findings use EXISTS sub-queries on indexed tables.
import type { Db } from './database.js';
import { placeholders } from './sql.js';
import type { AgentRecord, LivenessState } from '../fleet/types.js';

export const AGENT_SORT_KEYS = ['hostname', 'lastSeenAt', 'state', 'platform', 'unit', 'enrolledAt'] as const;
export type AgentSortKey = (typeof AGENT_SORT_KEYS)[number];

const SORT_COLUMN: Record<AgentSortKey, string> = {
  hostname: 'a.hostname',
  lastSeenAt: 'a.last_seen_at',
  state: 'a.state',
  platform: 'a.platform',
  unit: 'a.unit_id',
  enrolledAt: 'a.enrolled_at',
};

export interface AgentListFilter {
  unitIds: string[];
  state?: LivenessState;
  search?: string;
  platform?: string;
  avStatus?: 'protected' | 'degraded' | 'unprotected' | 'unknown';
  level?: number;
  systemId?: string;
  failingControl?: string;
  sort?: AgentSortKey;
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const EFFECTIVE_LEVEL = `COALESCE((SELECT MAX(s.level) FROM agent_systems x JOIN information_systems s ON s.id = x.system_id WHERE x.agent_id = a.id),
  (SELECT u.default_level FROM units u WHERE u.id = a.unit_id))`;

type Row = Record<string, unknown>;

export function listAgents(db: Db, f: AgentListFilter, toAgent: (r: Row) => AgentRecord): { total: number; items: (AgentRecord & { level: number; avStatus: string })[] } {
  // A scope holding every unit (the province's admin) needs no unit test: every agent's unit is a row of units
  // (foreign key), so the answer is the same, and without it the default order reads the hostname index and
  // stops after one page instead of sorting the whole fleet.
  const inScope = new Set(f.unitIds);
  const everyUnit = f.unitIds.length > 0 && (db.prepare('SELECT id FROM units').pluck().all() as string[]).every((u) => inScope.has(u));
  const where: string[] = everyUnit ? [] : [`a.unit_id IN (${placeholders(f.unitIds.length)})`];
  const params: unknown[] = everyUnit ? [] : [...f.unitIds];
  if (f.state) {
    where.push('a.state = ?');
    params.push(f.state);
  }
  if (f.search) {
    where.push("(a.hostname LIKE ? ESCAPE '\\' OR a.id = ?)");
    params.push('%' + f.search.replace(/[\\%_]/g, (c) => '\\' + c) + '%', f.search);
  }
  if (f.platform) {
    where.push('a.platform = ?');
    params.push(f.platform);
  }
  if (f.avStatus) {
    // No posture, or a posture without an av section, is "unknown" — never counted as protected.
    where.push(f.avStatus === 'unknown' ? "COALESCE(json_extract(p.posture_json, '$.av.status'), 'unknown') = 'unknown'" : "json_extract(p.posture_json, '$.av.status') = ?");
    if (f.avStatus !== 'unknown') params.push(f.avStatus);
  }
  if (f.level !== undefined) {
    where.push(`${EFFECTIVE_LEVEL} = ?`);
    params.push(f.level);
  }
  if (f.systemId) {
    where.push('EXISTS (SELECT 1 FROM agent_systems x WHERE x.agent_id = a.id AND x.system_id = ?)');
    params.push(f.systemId);
  }
  if (f.failingControl) {
    where.push("EXISTS (SELECT 1 FROM findings fd WHERE fd.agent_id = a.id AND fd.control_id = ? AND fd.status = 'fail')");
    params.push(f.failingControl);
  }
  const clause = where.length ? 'WHERE ' + where.join(' AND ') : '';
  // The posture documents live in their own table; joined only when a filter or the page needs them.
  const postures = 'LEFT JOIN agent_postures p ON p.agent_id = a.id';
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM agents a ${f.avStatus ? postures : ''} ${clause}`).get(...params) as { n: number }).n;
  const order = `${SORT_COLUMN[f.sort ?? 'hostname']} ${f.order === 'desc' ? 'DESC' : 'ASC'}, a.id`;
  const rows = db
    .prepare(
      `SELECT a.id, a.unit_id, a.public_key, a.hostname, a.hardware_id, a.platform, a.agent_version, a.enrolled_at, a.last_seq,
              a.last_seen_at, a.last_report_kind, a.state, a.state_since, a.state_reason, a.posture_hash, a.posture_at,
              a.clock_skew_ms, a.seq_gaps, a.retired_at, a.active_alerts, a.clearable_alerts,
              ${EFFECTIVE_LEVEL} AS level, COALESCE(json_extract(p.posture_json, '$.av.status'), 'unknown') AS av_status
       FROM agents a ${postures} ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
    )
    .all(...params, f.limit, f.offset) as Row[];
  return { total, items: rows.map((r) => ({ ...toAgent(r), level: r.level as number, avStatus: r.av_status as string })) };
}
