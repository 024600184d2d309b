// Migration 702 upgrades a database written by the previous version (facts table 701, filled after ingest and
// possibly stale or missing for some agents): every agent gets its row, the counts equal what the documents
// say, and the triggers keep them so from then on. Migration 703 counts a version-702 database's rows into the
// kept counts, which then follow every change.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, openDatabase } from '../../../collector/store/database.js';
import { AgentRepository } from '../../../collector/store/agents.js';
import { OVERVIEW_AGENTS_MIGRATION, OVERVIEW_FACTS_MIGRATION } from '../../../collector/store/overview-schema.js';
import { OverviewRepository } from '../../../collector/store/overview.js';
import { AT, RISKY, UNITS, agentId, overviewFromDocuments, savePosture, seedFleet, seedUnitsAndToken } from './overview-fixture.js';

// How version 701 extracted facts after ingest (copied from it: the upgrade must read what it wrote).
const EXTRACT_701 = `
  INSERT OR REPLACE INTO agent_posture_facts
    (agent_id, posture_hash, av_status, pending_security, reboot_required, listening_known, exposed_ports, os_name)
  SELECT a.id, a.posture_hash,
    json_extract(p.posture_json, '$.av.status'),
    json_extract(p.posture_json, '$.patches.pendingSecurity'),
    json_extract(p.posture_json, '$.patches.rebootRequired'),
    json_type(p.posture_json, '$.network.listening') = 'array',
    ',' || COALESCE((SELECT group_concat(port, ',') FROM (
      SELECT DISTINCT json_extract(j.value, '$.port') AS port FROM json_each(p.posture_json, '$.network.listening') j
      WHERE json_extract(j.value, '$.exposed') = 1 ORDER BY port)), '') || ',',
    json_extract(p.posture_json, '$.host.os.name')
  FROM agents a JOIN agent_postures p ON p.agent_id = a.id WHERE a.id = ?`;

describe('migration 702: the overview’s narrow table', () => {
  it('backfills every agent from a version-701 database, current facts or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-overview-mig-'));
    const before = openDatabase(dir);
    applyMigrations(before, [OVERVIEW_FACTS_MIGRATION]);
    seedUnitsAndToken(before);
    seedFleet(before, 90);
    const agents = new AgentRepository(before);
    const extract = before.prepare(EXTRACT_701);
    for (let i = 0; i < 90; i++) {
      if (i % 5 === 4) continue; // some never extracted
      try {
        extract.run(agentId(i));
      } catch {
        // 701 could not extract a posture without a listening list (listening_known NOT NULL): none left.
      }
    }
    // Some postures changed after their facts were extracted: those facts are stale and must not be copied.
    for (let i = 1; i < 90; i += 6) savePosture(agents, i, 1);
    agents.setState(agentId(2), 'offline', 'silent', AT);
    before.close();

    const db = openDatabase(dir);
    const repo = new OverviewRepository(db);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'agent_posture_facts'").get()).toBeUndefined();
    expect((db.prepare('SELECT COUNT(*) AS n FROM overview_agents').get() as { n: number }).n).toBe(90);
    const c = repo.counts(UNITS, RISKY);
    expect(c).toEqual(overviewFromDocuments(db, UNITS, RISKY));
    expect(c.byState).toEqual({ online: 89, offline: 1 });
    expect(c.withoutPosture).toBe(10);

    // From now on the triggers keep it current.
    const after = new AgentRepository(db);
    for (let i = 0; i < 90; i += 7) savePosture(after, i, 2);
    after.setState(agentId(3), 'late', 'silent', AT);
    expect(repo.counts(UNITS, RISKY)).toEqual(overviewFromDocuments(db, UNITS, RISKY));
    db.close();
  });
});

describe('migration 703: counts kept per unit and group', () => {
  it('counts a version-702 database, then follows every change', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-overview-mig703-'));
    const before = openDatabase(dir);
    applyMigrations(before, [OVERVIEW_FACTS_MIGRATION, OVERVIEW_AGENTS_MIGRATION]);
    seedUnitsAndToken(before);
    seedFleet(before, 75);
    const agents = new AgentRepository(before);
    for (let i = 0; i < 75; i += 4) savePosture(agents, i, 1);
    agents.setState(agentId(5), 'missing', 'silent', AT);
    before.close();

    const db = openDatabase(dir);
    const repo = new OverviewRepository(db);
    for (const scope of [UNITS, ['u1'], ['u2', 'u3']]) expect(repo.counts(scope, RISKY)).toEqual(overviewFromDocuments(db, scope, RISKY));
    expect(repo.counts(UNITS, RISKY).byState).toEqual({ online: 74, missing: 1 });
    // The scans' covering indexes are gone: nothing reads overview_agents in bulk now.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('overview_agents_counts', 'overview_agents_ports')").all()).toEqual([]);

    const after = new AgentRepository(db);
    for (let i = 1; i < 75; i += 5) savePosture(after, i, 3);
    after.setState(agentId(5), 'online', 'report received', AT);
    for (const scope of [UNITS, ['u3']]) expect(repo.counts(scope, RISKY)).toEqual(overviewFromDocuments(db, scope, RISKY));
    db.close();
  });
});
