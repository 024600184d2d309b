// Each agent row counts its active (not resolved) alerts, and of those the liveness and clock-skew ones, kept by
// SQLite triggers; a heartbeat's alert rules skip the active-alert query when the second count is zero. So the
// counts must follow every change of an alert, or a report would fail to clear a liveness alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../collector/config/load.js';
import { createLogger, startCollector, type RunningCollector } from '../../collector/server.js';
import Database from 'better-sqlite3';
import { applyMigrations, databasePath, openDatabase } from '../../collector/store/database.js';
import { migrations } from '../../collector/store/migrations.js';
import { AgentRepository } from '../../collector/store/agents.js';
import { enrollDirect } from '../helpers/enroll.js';
import { postSigned } from '../helpers/signed-requests.js';
import { ApiClient } from '../helpers/api.js';

let c: RunningCollector;
beforeAll(async () => {
  c = await startCollector(loadConfig({ dataDir: join(mkdtempSync(join(tmpdir(), 'soclite-active-count-')), 'data'), host: '127.0.0.1', port: 0 }, {}), createLogger('silent'));
});
afterAll(async () => c?.close());

const counted = (agentId: string) => c.store.agents.get(agentId)!.activeAlerts;
const actual = (agentId: string) => c.store.db.prepare(`SELECT COUNT(*) FROM alerts WHERE agent_id = ? AND status <> 'resolved'`).pluck().get(agentId) as number;
const clearable = (agentId: string) => c.store.agents.get(agentId)!.clearableAlerts;
const actualClearable = (agentId: string) =>
  c.store.db
    .prepare(`SELECT COUNT(*) FROM alerts WHERE agent_id = ? AND status <> 'resolved' AND kind IN ('heartbeat_lost', 'agent_offline', 'agent_missing', 'clock_skew')`)
    .pluck()
    .get(agentId) as number;

describe('active alert count on the agent row', () => {
  it('follows alerts raised by silence and cleared by the next heartbeat', async () => {
    const a = enrollDirect(c, 'count-a');
    const b = enrollDirect(c, 'count-b');
    expect(counted(a.id)).toBe(0);
    // 1000 s of silence: late, then offline, each with its alert.
    c.service.checkLiveness(Date.now() + 1000 * 1000);
    expect(actual(a.id)).toBeGreaterThan(0);
    expect(counted(a.id)).toBe(actual(a.id));
    expect(counted(b.id)).toBe(actual(b.id));

    expect(clearable(a.id)).toBe(actualClearable(a.id));
    expect(actualClearable(a.id)).toBeGreaterThan(0);
    // An active alert a heartbeat does not clear (as most machines of a real fleet have: an exposed service):
    // the heartbeat must still find and clear the liveness alerts beside it.
    insertAlert('al-other', a.id, 'exposed_service', 'open');
    expect([counted(a.id), clearable(a.id)]).toEqual([actual(a.id), actualClearable(a.id)]);

    const hb = await postSigned(c.url, a.id, a.privateKey, 1, JSON.stringify({ kind: 'heartbeat', seq: 1, postureHash: null }));
    expect(hb.status).toBe(200);
    expect(actual(a.id)).toBe(1); // the heartbeat cleared every liveness alert, not the other one
    expect(actualClearable(a.id)).toBe(0);
    expect([counted(a.id), clearable(a.id)]).toEqual([1, 0]);
    c.store.db.prepare('DELETE FROM alerts WHERE id = ?').run('al-other');
    expect(counted(a.id)).toBe(0);
    expect(counted(b.id)).toBe(actual(b.id)); // the other agent's alerts are untouched

    // The agents list shows the count, so IT staff see which machines have alerts waiting.
    const api = await new ApiClient(c.url).login('admin', c.adminPassword!);
    const res = await api.get<{ items: { id: string; activeAlerts: number }[] }>('/api/v1/agents?limit=100');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const list = res.body.items;
    const shown = new Map(list.map((x) => [x.id, x.activeAlerts]));
    expect(actual(b.id)).toBeGreaterThan(0);
    expect([shown.get(a.id), shown.get(b.id)]).toEqual([0, actual(b.id)]);
  });

  it('follows every status change, a move to another agent and a delete', () => {
    const a = enrollDirect(c, 'count-c');
    const b = enrollDirect(c, 'count-d');
    insertAlert('al-1', a.id, 'k', 'open');
    expect([counted(a.id), counted(b.id)]).toEqual([1, 0]);
    const setStatus = c.store.db.prepare('UPDATE alerts SET status = ? WHERE id = ?');
    setStatus.run('acknowledged', 'al-1');
    expect(counted(a.id)).toBe(1);
    setStatus.run('suppressed', 'al-1');
    expect(counted(a.id)).toBe(1);
    setStatus.run('resolved', 'al-1');
    expect(counted(a.id)).toBe(0);
    setStatus.run('open', 'al-1');
    expect(counted(a.id)).toBe(1);
    c.store.db.prepare('UPDATE alerts SET agent_id = ? WHERE id = ?').run(b.id, 'al-1');
    expect([counted(a.id), counted(b.id)]).toEqual([0, 1]);
    c.store.db.prepare('DELETE FROM alerts WHERE id = ?').run('al-1');
    expect([counted(a.id), counted(b.id)]).toEqual([0, 0]);
  });

  it('counts liveness and clock-skew alerts apart, through status, kind and agent changes and deletes', () => {
    const a = enrollDirect(c, 'count-e');
    const b = enrollDirect(c, 'count-f');
    const both = () => [clearable(a.id), clearable(b.id), counted(a.id), counted(b.id)];
    insertAlert('al-2', a.id, 'clock_skew', 'open');
    insertAlert('al-3', a.id, 'exposed_service', 'open');
    expect(both()).toEqual([1, 0, 2, 0]);
    const set = (column: 'status' | 'kind' | 'agent_id', value: string, id: string) => c.store.db.prepare(`UPDATE alerts SET ${column} = ? WHERE id = ?`).run(value, id);
    set('status', 'acknowledged', 'al-2');
    expect(both()).toEqual([1, 0, 2, 0]);
    set('status', 'resolved', 'al-2');
    expect(both()).toEqual([0, 0, 1, 0]);
    set('status', 'open', 'al-2');
    set('kind', 'exposed_service', 'al-3');
    expect(both()).toEqual([1, 0, 2, 0]);
    set('kind', 'agent_missing', 'al-3');
    expect(both()).toEqual([2, 0, 2, 0]);
    set('kind', 'control_failed', 'al-3');
    expect(both()).toEqual([1, 0, 2, 0]);
    set('agent_id', b.id, 'al-2');
    expect(both()).toEqual([0, 1, 1, 1]);
    c.store.db.prepare('DELETE FROM alerts WHERE id IN (?, ?)').run('al-2', 'al-3');
    expect(both()).toEqual([0, 0, 0, 0]);
  });

  it('is counted for alerts that existed before the upgrade', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-mig22-'));
    const before = new Database(databasePath(dir));
    applyMigrations(before, migrations.filter((m) => m.version !== 22 && m.version !== 23));
    before.prepare("INSERT INTO units (id, name, created_at) VALUES ('u1', 'Unit', '2026-01-01T00:00:00Z')").run();
    const agent = before.prepare(
      `INSERT INTO agents (id, unit_id, public_key, hostname, hardware_id, platform, agent_version, enrolled_at, state_since)
       VALUES (?, 'u1', ?, ?, ?, 'linux', '1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
    );
    for (const id of ['agt_a', 'agt_b', 'agt_c']) agent.run(id, 'key-' + id, id, 'hw-' + id);
    const alert = before.prepare(
      `INSERT INTO alerts (id, agent_id, unit_id, kind, dedup_key, severity, status, title_vi, title_en, details_json, level, occurrences,
         first_seen_at, last_seen_at, created_at, updated_at, step) VALUES (?, ?, 'u1', ?, ?, 'low', ?, 't', 't', '{}', 1, 1, 'x', 'x', 'x', 'x', 1)`,
    );
    alert.run('1', 'agt_a', 'k', 'one', 'open');
    alert.run('2', 'agt_a', 'k', 'two', 'suppressed');
    alert.run('3', 'agt_a', 'k', 'three', 'resolved');
    alert.run('4', 'agt_b', 'k', 'one', 'acknowledged');
    alert.run('5', 'agt_b', 'agent_offline', '', 'open');
    alert.run('6', 'agt_c', 'clock_skew', '', 'resolved');
    before.close();
    const db = openDatabase(dir);
    const agents = new AgentRepository(db);
    expect(['agt_a', 'agt_b', 'agt_c'].map((id) => agents.get(id)!.activeAlerts)).toEqual([2, 2, 0]);
    expect(['agt_a', 'agt_b', 'agt_c'].map((id) => agents.get(id)!.clearableAlerts)).toEqual([0, 1, 0]);
    db.close();
  });
});

function insertAlert(id: string, agentId: string, kind: string, status: string): void {
  const now = new Date().toISOString();
  c.store.db
    .prepare(
      `INSERT INTO alerts (id, agent_id, unit_id, kind, dedup_key, severity, status, title_vi, title_en, details_json, level, occurrences,
         first_seen_at, last_seen_at, created_at, updated_at, step) VALUES (?, ?, 'default', ?, ?, 'low', ?, 't', 't', '{}', 1, 1, ?, ?, ?, ?, 1)`,
    )
    .run(id, agentId, kind, 'x', status, now, now, now, now);
}
