// Migration 5 moves each agent's latest posture document out of the agents row into agent_postures: a
// database written by the previous version keeps every posture, and reads see the same documents.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, openDatabase, databasePath } from '../../../collector/store/database.js';
import { migrations } from '../../../collector/store/migrations.js';
import { AgentRepository } from '../../../collector/store/agents.js';

describe('migration 5: posture documents in their own table', () => {
  it('carries every stored posture over and drops the column from agents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-mig5-'));
    const before = new Database(databasePath(dir));
    applyMigrations(before, migrations.filter((m) => m.version < 5));
    before.prepare("INSERT INTO units (id, name, created_at) VALUES ('u1', 'Unit', '2026-01-01T00:00:00Z')").run();
    const insert = before.prepare(
      `INSERT INTO agents (id, unit_id, public_key, hostname, hardware_id, platform, agent_version, enrolled_at, state_since, posture_hash, posture_json)
       VALUES (?, 'u1', ?, ?, ?, 'linux', '1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?)`,
    );
    insert.run('agt_a', 'key-a', 'a', 'hw-a', 'h1', JSON.stringify({ av: { status: 'protected' } }));
    insert.run('agt_b', 'key-b', 'b', 'hw-b', null, null); // never sent a posture
    before.close();

    const db = openDatabase(dir);
    const columns = (db.prepare("SELECT name FROM pragma_table_info('agents')").all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('posture_json');
    expect(db.prepare('SELECT agent_id, posture_json FROM agent_postures').all()).toEqual([{ agent_id: 'agt_a', posture_json: '{"av":{"status":"protected"}}' }]);
    const agents = new AgentRepository(db);
    expect(agents.getWithPosture('agt_a')!.posture).toEqual({ av: { status: 'protected' } });
    expect(agents.getWithPosture('agt_b')!.posture).toBeNull();
    // A new posture replaces the document in place.
    agents.savePosture('agt_a', 7, 'h2', JSON.stringify({ av: { status: 'degraded' } }), '2026-01-02T00:00:00Z', true);
    expect(agents.getWithPosture('agt_a')!.posture).toEqual({ av: { status: 'degraded' } });
    expect(agents.get('agt_a')!.postureHash).toBe('h2');
    expect((db.prepare('SELECT COUNT(*) AS n FROM agent_postures').get() as { n: number }).n).toBe(1);
    db.close();
  });
});
