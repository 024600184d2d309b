// The overview's counts equal what the stored posture documents say, for the caller's units and without retired
// agents, after every kind of write (enrollment, new posture, liveness change, retirement), in the same
// transaction as that write: never a stale answer, never a change that was rolled back.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../collector/store/database.js';
import { AgentRepository } from '../../../collector/store/agents.js';
import { retireAgent } from '../../../collector/store/agent-retirement.js';
import { OverviewRepository } from '../../../collector/store/overview.js';
import { AT, RISKY, UNITS, agentId, overviewFromDocuments, savePosture, seedFleet, seedUnitsAndToken } from './overview-fixture.js';

function setup() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'soclite-overview-')));
  const repo = new OverviewRepository(db);
  seedUnitsAndToken(db);
  seedFleet(db, 120);
  return { db, repo, agents: new AgentRepository(db) };
}

describe('overview counts', () => {
  it('equal the counts from the posture documents, per scope', () => {
    const { db, repo } = setup();
    const all = repo.counts(UNITS, RISKY);
    expect(all).toEqual(overviewFromDocuments(db, UNITS, RISKY));
    // The fleet exercises every branch: agents without posture, unknown exposure, risky services.
    expect(all.total).toBe(120);
    expect(all.withoutPosture).toBe(14);
    expect(all.exposure.unknown).toBeGreaterThan(all.withoutPosture);
    expect(all.exposure.machinesWithRiskyServices).toBeGreaterThan(0);
    expect(all.exposure.byService.length).toBeGreaterThan(1);
    expect(repo.counts(['u2'], RISKY)).toEqual(overviewFromDocuments(db, ['u2'], RISKY));
    expect(repo.counts(['u1', 'u3'], RISKY.slice(0, 3))).toEqual(overviewFromDocuments(db, ['u1', 'u3'], RISKY.slice(0, 3)));
    expect(repo.counts([], RISKY).total).toBe(0);
  });

  it('follow new postures, liveness changes and retirement at once', () => {
    const { db, repo, agents } = setup();
    db.transaction(() => {
      for (let i = 0; i < 120; i += 4) savePosture(agents, i, 1); // also the first posture of some
      for (let i = 1; i < 120; i += 10) agents.setState(agentId(i), 'offline', 'silent', AT);
      for (let i = 2; i < 120; i += 15) retireAgent(db, agentId(i), 'gone', AT);
      // A report's bookkeeping (every heartbeat) changes nothing the overview shows.
      agents.accept({ agentId: agentId(3), seq: 99, kind: 'heartbeat', receivedAt: AT, clockSkewMs: 0, gap: 0, bodySha256: 'x' });
    })();
    const after = repo.counts(UNITS, RISKY);
    expect(after).toEqual(overviewFromDocuments(db, UNITS, RISKY));
    expect(after.byState.offline).toBe(12);
    expect(after.byState.retired).toBeUndefined();
    expect(after.total).toBe(120 - 8);
  });

  it('never show a write that was rolled back', () => {
    const { db, repo, agents } = setup();
    const before = repo.counts(UNITS, RISKY);
    expect(() =>
      db.transaction(() => {
        for (let i = 0; i < 120; i += 3) savePosture(agents, i, 2);
        agents.setState(agentId(1), 'missing', 'silent', AT);
        throw new Error('report refused');
      })(),
    ).toThrow('report refused');
    expect(repo.counts(UNITS, RISKY)).toEqual(before);
  });

  it('count an agent that exposes a risky service once, however many it exposes', () => {
    const { db, repo, agents } = setup();
    const doc = (ports: number[]) =>
      JSON.stringify({ host: { os: { name: 'X' } }, network: { listening: ports.map((port) => ({ proto: 'tcp', address: '0.0.0.0', port, exposed: true })) } });
    db.prepare('DELETE FROM agent_postures').run();
    agents.savePosture(agentId(0), 5, 'a', doc([445, 3389, 445, 8080]), AT, false);
    agents.savePosture(agentId(1), 5, 'b', doc([8080]), AT, false);
    agents.savePosture(agentId(2), 5, 'c', doc([]), AT, false);
    const c = repo.counts(UNITS, RISKY);
    expect(c.withoutPosture).toBe(117);
    expect(c.exposure.machinesWithRiskyServices).toBe(1);
    expect(c.exposure.byService).toEqual([
      { port: 445, service: 'SMB', machines: 1 },
      { port: 3389, service: 'RDP', machines: 1 },
    ]);
    expect(c).toEqual(overviewFromDocuments(db, UNITS, RISKY));
  });

  it('follow an agent that moves to another unit, in both units’ scopes', () => {
    const { db, repo, agents } = setup();
    savePosture(agents, 7, 4);
    const from = db.prepare('SELECT unit_id FROM agents WHERE id = ?').pluck().get(agentId(7)) as string;
    const to = UNITS.find((u) => u !== from)!;
    const counts = () => [[from], [to], UNITS].map((scope) => repo.counts(scope, RISKY).total);
    const [fromBefore, toBefore, allBefore] = counts();
    db.prepare('UPDATE agents SET unit_id = ? WHERE id = ?').run(to, agentId(7));
    expect(counts()).toEqual([fromBefore! - 1, toBefore! + 1, allBefore]);
    for (const scope of [[from], [to], UNITS]) expect(repo.counts(scope, RISKY)).toEqual(overviewFromDocuments(db, scope, RISKY));
  });

  it('refuse to count when a trigger that keeps them current is gone', () => {
    const { db } = setup();
    db.exec('DROP TRIGGER overview_agent_updated');
    expect(() => new OverviewRepository(db)).toThrow(/overview triggers missing \(overview_agent_updated\)/);
  });
});
