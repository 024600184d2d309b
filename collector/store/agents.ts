// Agents, their latest posture, posture history, events and liveness transitions. Statements are prepared
// once per repository: ingest runs them thousands of times a second.
import type { Db } from './database.js';
import type { AgentRecord, AgentWithPosture, LivenessState } from '../fleet/types.js';
import type { AgentEvent, Posture } from '../../protocol/index.js';

export interface AgentRow {
  id: string;
  unit_id: string;
  public_key: string;
  hostname: string;
  hardware_id: string;
  platform: string;
  agent_version: string;
  enrolled_at: string;
  last_seq: number;
  last_seen_at: string | null;
  last_report_kind: string | null;
  state: string;
  state_since: string;
  state_reason: string;
  posture_hash: string | null;
  posture_json?: string | null;
  posture_at: string | null;
  clock_skew_ms: number;
  seq_gaps: number;
  retired_at: string | null;
  active_alerts: number;
  clearable_alerts: number;
}

export const toAgent = (r: AgentRow): AgentRecord => ({
  id: r.id,
  unitId: r.unit_id,
  publicKey: r.public_key,
  hostname: r.hostname,
  hardwareId: r.hardware_id,
  platform: r.platform,
  agentVersion: r.agent_version,
  enrolledAt: r.enrolled_at,
  lastSeq: r.last_seq,
  lastSeenAt: r.last_seen_at,
  lastReportKind: r.last_report_kind,
  state: r.state as LivenessState,
  stateSince: r.state_since,
  stateReason: r.state_reason,
  postureHash: r.posture_hash,
  postureAt: r.posture_at,
  clockSkewMs: r.clock_skew_ms,
  seqGaps: r.seq_gaps,
  retiredAt: r.retired_at,
  activeAlerts: r.active_alerts,
  clearableAlerts: r.clearable_alerts,
});

const LIST_COLUMNS = `id, unit_id, public_key, hostname, hardware_id, platform, agent_version, enrolled_at, last_seq,
  last_seen_at, last_report_kind, state, state_since, state_reason, posture_hash, posture_at, clock_skew_ms, seq_gaps, retired_at, active_alerts, clearable_alerts`;

/**
 * toAgent for a row read as an array (a raw statement) of LIST_COLUMNS in their order. Every report reads its
 * agent's row (request-auth.ts, checkSequence): better-sqlite3 builds a row object by setting its 21 keys one
 * by one, which took half of that read (2.8 of 5.8 µs); an array and one object literal do not.
 */
const toAgentFromColumns = (c: unknown[]): AgentRecord => ({
  id: c[0] as string,
  unitId: c[1] as string,
  publicKey: c[2] as string,
  hostname: c[3] as string,
  hardwareId: c[4] as string,
  platform: c[5] as string,
  agentVersion: c[6] as string,
  enrolledAt: c[7] as string,
  lastSeq: c[8] as number,
  lastSeenAt: c[9] as string | null,
  lastReportKind: c[10] as string | null,
  state: c[11] as LivenessState,
  stateSince: c[12] as string,
  stateReason: c[13] as string,
  postureHash: c[14] as string | null,
  postureAt: c[15] as string | null,
  clockSkewMs: c[16] as number,
  seqGaps: c[17] as number,
  retiredAt: c[18] as string | null,
  activeAlerts: c[19] as number,
  clearableAlerts: c[20] as number,
});

/** What enrollment knows of a new agent: its identity fields, plus the token it enrolled with. */
export type NewAgent = Pick<AgentRecord, 'id' | 'unitId' | 'publicKey' | 'hostname' | 'hardwareId' | 'platform' | 'agentVersion' | 'enrolledAt'> & {
  tokenId: string;
};

export interface AcceptedReport {
  agentId: string;
  seq: number;
  kind: string;
  receivedAt: string;
  clockSkewMs: number;
  gap: number;
  bodySha256: string;
}

/** Known agent keys kept in memory (about 150 bytes each). */
const MAX_KNOWN_KEYS = 250_000;

export class AgentRepository {
  private readonly stmts;
  private readonly knownKeys = new Map<string, string>();

  constructor(private readonly db: Db) {
    this.stmts = {
      get: db.prepare(`SELECT ${LIST_COLUMNS} FROM agents WHERE id = ?`).raw(true),
      signingKey: db.prepare('SELECT public_key, retired_at FROM agents WHERE id = ?'),
      getWithPosture: db.prepare(`SELECT ${LIST_COLUMNS}, (SELECT posture_json FROM agent_postures WHERE agent_id = agents.id) AS posture_json FROM agents WHERE id = ?`),
      accept: db.prepare(
        `UPDATE agents SET last_seq = @seq, last_body_sha256 = @bodySha256, last_seen_at = @receivedAt, last_report_kind = @kind,
           clock_skew_ms = @clockSkewMs, seq_gaps = seq_gaps + @gap WHERE id = @agentId AND last_seq < @seq`,
      ),
      setPosture: db.prepare('UPDATE agents SET posture_hash = ?, posture_at = ? WHERE id = ?'),
      setPostureDocument: db.prepare(
        'INSERT INTO agent_postures (agent_id, posture_json) VALUES (?, ?) ON CONFLICT (agent_id) DO UPDATE SET posture_json = excluded.posture_json',
      ),
      touchPosture: db.prepare('UPDATE agents SET posture_at = ? WHERE id = ?'),
      postureHash: db.prepare('SELECT posture_hash FROM agents WHERE id = ?').pluck(),
      history: db.prepare(
        'INSERT INTO posture_history (agent_id, seq, posture_hash, posture_json, received_at) VALUES (?, ?, ?, ?, ?)',
      ),
      event: db.prepare(
        `INSERT OR IGNORE INTO agent_events (agent_id, event_id, seq, type, occurred_at, received_at, data_json)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      setState: db.prepare('UPDATE agents SET state = ?, state_since = ?, state_reason = ? WHERE id = ?'),
      stateHistory: db.prepare('INSERT INTO agent_state_history (agent_id, state, reason, at) VALUES (?, ?, ?, ?)'),
      byHardware: db.prepare(`SELECT ${LIST_COLUMNS} FROM agents WHERE hardware_id = ? AND retired_at IS NULL`),
      countByState: db.prepare('SELECT state, COUNT(*) AS n FROM agents GROUP BY state'),
      // One range of rowids at a time (see dueForLiveness). An agent whose agent_offline alert is already open
      // is left out in SQL (through the partial index of active alerts), so a long outage is not re-read in
      // JavaScript every sweep.
      silentWithoutOfflineAlert: db.prepare(
        `SELECT rowid, id, state, last_seen_at FROM agents
         WHERE rowid >= @from AND rowid < @to AND state IN ('online', 'late') AND last_seen_at IS NOT NULL AND last_seen_at <= @cutoff
           AND (clearable_alerts = 0 OR NOT EXISTS (SELECT 1 FROM alerts l WHERE l.agent_id = agents.id AND l.kind = 'agent_offline'
                                                   AND l.dedup_key = '' AND l.status <> 'resolved'))
         ORDER BY rowid
         LIMIT @limit`,
      ),
      // Only agents whose silence already crosses their state's next timer: with 100,000 agents the timer then
      // materialises the few that must change, not every silent row every few seconds (an outage can leave
      // tens of thousands late, and re-reading all of them per batch held the event loop for seconds).
      // One range of rowids at a time: the test runs on every row (no index on last_seen_at, which every
      // heartbeat changes: it would double the pages each commit writes), and a whole-table pass at 100,000
      // agents held the event loop for 85-345 ms every 5 s (profiled in bench:steady).
      dueForLiveness: db.prepare(
        `SELECT rowid, id, state, last_seen_at, state_since FROM agents
         WHERE rowid >= @from AND rowid < @to AND last_seen_at IS NOT NULL AND (
           (state = 'online' AND @onlineMayLapse = 1 AND last_seen_at <= @lateCutoff) OR
           (state = 'late' AND last_seen_at <= @offlineCutoff) OR
           (state = 'offline' AND last_seen_at <= @missingCutoff))
         ORDER BY rowid
         LIMIT @limit`,
      ),
      maxRowid: db.prepare('SELECT COALESCE(MAX(rowid), 0) FROM agents').pluck(),
    };
  }

  insert(a: NewAgent): void {
    this.db
      .prepare(
        `INSERT INTO agents (id, unit_id, public_key, hostname, hardware_id, platform, agent_version, enrolled_at,
           enrolled_token_id, last_seen_at, state, state_since, state_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'online', ?, 'enrolled')`,
      )
      .run(a.id, a.unitId, a.publicKey, a.hostname, a.hardwareId, a.platform, a.agentVersion, a.enrolledAt, a.tokenId, a.enrolledAt, a.enrolledAt);
    this.stmts.stateHistory.run(a.id, 'online', 'enrolled', a.enrolledAt);
  }

  /** The hash of the agent's stored posture (null before its first); undefined for an unknown agent. */
  postureHashOf(id: string): string | null | undefined {
    return this.stmts.postureHash.get(id) as string | null | undefined;
  }

  get(id: string): AgentRecord | undefined {
    const row = this.stmts.get.get(id) as unknown[] | undefined;
    return row && toAgentFromColumns(row);
  }

  /**
   * Just what checking a request signature needs: the agent's public key and whether it was retired. A key
   * never changes (re-enrolling makes a new agent), so the keys of live agents are remembered and
   * knownPublicKey() answers later requests without reading a row.
   */
  signingKey(id: string): { publicKey: string; retiredAt: string | null } | undefined {
    const row = this.stmts.signingKey.get(id) as { public_key: string; retired_at: string | null } | undefined;
    if (!row) return undefined;
    if (!row.retired_at) {
      if (this.knownKeys.size >= MAX_KNOWN_KEYS) this.knownKeys.clear();
      this.knownKeys.set(id, row.public_key);
    }
    return { publicKey: row.public_key, retiredAt: row.retired_at };
  }

  /** The key signingKey() saw for a live agent (retirement is checked later, against the committed row). */
  knownPublicKey(id: string): string | undefined {
    return this.knownKeys.get(id);
  }

  getWithPosture(id: string): AgentWithPosture | undefined {
    const row = this.stmts.getWithPosture.get(id) as AgentRow | undefined;
    if (!row) return undefined;
    return { ...toAgent(row), posture: row.posture_json ? (JSON.parse(row.posture_json) as Posture) : null };
  }

  findActiveByHardwareId(hardwareId: string): AgentRecord[] {
    return (this.stmts.byHardware.all(hardwareId) as AgentRow[]).map(toAgent);
  }

  /**
   * Records that a report was accepted. Guarded by last_seq < seq inside the UPDATE so two concurrent copies
   * of one request cannot both be accepted; returns false for the loser.
   */
  accept(r: AcceptedReport): boolean {
    return this.stmts.accept.run(r).changes === 1;
  }

  savePosture(agentId: string, seq: number, hash: string, postureJson: string, at: string, changed: boolean): void {
    this.stmts.setPosture.run(hash, at, agentId);
    this.stmts.setPostureDocument.run(agentId, postureJson);
    if (changed) this.stmts.history.run(agentId, seq, hash, postureJson, at);
  }

  /** A posture whose hash did not change rewrites nothing but its time: the stored document already says it. */
  touchPosture(agentId: string, at: string): void {
    this.stmts.touchPosture.run(at, agentId);
  }

  /** Inserts events once each: a resent event with the same id is ignored. Returns how many were new. */
  saveEvents(agentId: string, seq: number, events: AgentEvent[], receivedAt: string): number {
    let added = 0;
    for (const e of events) {
      added += this.stmts.event.run(agentId, e.id, seq, e.type, e.at, receivedAt, JSON.stringify(e.data)).changes;
    }
    return added;
  }

  setState(agentId: string, state: LivenessState, reason: string, at: string): void {
    this.stmts.setState.run(state, at, reason, agentId);
    this.stmts.stateHistory.run(agentId, state, reason, at);
  }

  countByState(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.stmts.countByState.all() as { state: string; n: number }[]) out[r.state] = r.n;
    return out;
  }


  /**
   * Up to `limit` online or late agents with rowids in [fromRowid, toRowid), last heard at or before `cutoffIso`,
   * without an open agent_offline alert: the candidates of the per-level offline timers, in rowid order.
   */
  silentWithoutOfflineAlert(
    cutoffIso: string,
    range: { fromRowid: number; toRowid: number; limit: number },
  ): { rowid: number; id: string; state: LivenessState; lastSeenAt: string | null }[] {
    const rows = this.stmts.silentWithoutOfflineAlert.all({ cutoff: cutoffIso, from: range.fromRowid, to: range.toRowid, limit: range.limit }) as {
      rowid: number;
      id: string;
      state: string;
      last_seen_at: string | null;
    }[];
    return rows.map((r) => ({ rowid: r.rowid, id: r.id, state: r.state as LivenessState, lastSeenAt: r.last_seen_at }));
  }

  /**
   * Up to `limit` agents with rowids in [fromRowid, toRowid) whose silence crosses the next timer of their state
   * (the caller's pure state machine makes the decision), in rowid order. An online agent's silence counts from
   * `watchingSince` at the earliest (the collector's start), so none qualifies until the collector has watched
   * for lateAfterSec.
   */
  dueForLiveness(
    now: number,
    t: { lateAfterSec: number; offlineAfterSec: number; missingAfterSec: number },
    watchingSince: number,
    range: { fromRowid: number; toRowid: number; limit: number },
  ): { rowid: number; id: string; state: LivenessState; lastSeenAt: string | null; stateSince: string }[] {
    const cutoff = (sec: number) => new Date(now - sec * 1000).toISOString();
    const rows = this.stmts.dueForLiveness.all({
      onlineMayLapse: watchingSince <= now - t.lateAfterSec * 1000 ? 1 : 0,
      lateCutoff: cutoff(t.lateAfterSec),
      offlineCutoff: cutoff(t.offlineAfterSec),
      missingCutoff: cutoff(t.missingAfterSec),
      from: range.fromRowid,
      to: range.toRowid,
      limit: Number.isFinite(range.limit) ? range.limit : -1,
    }) as { rowid: number; id: string; state: string; last_seen_at: string | null; state_since: string }[];
    return rows.map((r) => ({ rowid: r.rowid, id: r.id, state: r.state as LivenessState, lastSeenAt: r.last_seen_at, stateSince: r.state_since }));
  }

  /** The highest rowid in the agents table (0 when empty): where a liveness pass ends. */
  maxRowid(): number {
    return this.stmts.maxRowid.get() as number;
  }

  events(agentId: string, limit = 100): { eventId: string; type: string; occurredAt: string; receivedAt: string; data: unknown }[] {
    return (
      this.db
        .prepare('SELECT event_id, type, occurred_at, received_at, data_json FROM agent_events WHERE agent_id = ? ORDER BY received_at DESC LIMIT ?')
        .all(agentId, limit) as { event_id: string; type: string; occurred_at: string; received_at: string; data_json: string }[]
    ).map((r) => ({ eventId: r.event_id, type: r.type, occurredAt: r.occurred_at, receivedAt: r.received_at, data: JSON.parse(r.data_json) }));
  }

  stateHistory(agentId: string, limit = 100): { state: string; reason: string; at: string }[] {
    return this.db
      .prepare('SELECT state, reason, at FROM agent_state_history WHERE agent_id = ? ORDER BY id DESC LIMIT ?')
      .all(agentId, limit) as { state: string; reason: string; at: string }[];
  }

  lastBodySha256(agentId: string): string | null {
    return (this.db.prepare('SELECT last_body_sha256 AS h FROM agents WHERE id = ?').get(agentId) as { h: string | null } | undefined)?.h ?? null;
  }

  postureHistoryCount(agentId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM posture_history WHERE agent_id = ?').get(agentId) as { n: number }).n;
  }
}
