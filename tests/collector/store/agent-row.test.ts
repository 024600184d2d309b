// The agent row every report reads (AgentRepository.get) is read as an array and mapped by position: a column
// added to or moved in LIST_COLUMNS without the mapper would hand ingest the wrong field. Compared here, field
// by field, with the mapping by column name, for a row whose every column holds a value no other has.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../collector/store/database.js';
import { AgentRepository, toAgent, type AgentRow } from '../../../collector/store/agents.js';

describe('agent row read by position', () => {
  it('gives the same record as the mapping by column name, for every field', () => {
    const db = openDatabase(mkdtempSync(join(tmpdir(), 'soclite-agent-row-')));
    db.prepare("INSERT INTO units (id, name, created_at) VALUES ('u1', 'Unit', '2026-01-01T00:00:00Z')").run();
    const agents = new AgentRepository(db);
    db.prepare(
      `INSERT INTO agents (id, unit_id, public_key, hostname, hardware_id, platform, agent_version, enrolled_at, state_since)
       VALUES ('agt_a', 'u1', 'key-a', 'host-a', 'hw-a', 'linux', '1.2.3', '2026-01-01T00:00:01Z', '2026-01-01T00:00:00Z')`,
    ).run();
    db.prepare(
      `UPDATE agents SET last_seq = 41, last_seen_at = '2026-01-02T00:00:02Z', last_report_kind = 'heartbeat', state = 'late',
         state_since = '2026-01-03T00:00:03Z', state_reason = 'silent', posture_hash = 'ph', posture_at = '2026-01-04T00:00:04Z',
         clock_skew_ms = -77, seq_gaps = 5, retired_at = '2026-01-05T00:00:05Z', active_alerts = 3, clearable_alerts = 2 WHERE id = 'agt_a'`,
    ).run();
    const byName = toAgent(db.prepare('SELECT * FROM agents WHERE id = ?').get('agt_a') as AgentRow);
    const values = Object.values(byName);
    expect(new Set(values).size).toBe(values.length); // distinct: a swapped pair of fields cannot go unseen
    expect(agents.get('agt_a')).toEqual(byName);
    expect(agents.get('agt_missing')).toBeUndefined();
    db.close();
  });
});
