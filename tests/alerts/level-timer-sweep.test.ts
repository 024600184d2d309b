// Per-level offline timers (alerts.offlineAfterSecByLevel): the sweep raises agent_offline for an agent silent
// past its level's limit, and only for it. The sweep reads just the silent agents in SQL (at 100,000 agents,
// reading every row each few seconds held the event loop), so this checks it still finds the right ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../collector/config/load.js';
import { createLogger, startCollector, type RunningCollector } from '../../collector/server.js';
import { AlertRepository } from '../../collector/store/alerts.js';
import { enrollDirect } from '../helpers/enroll.js';

let c: RunningCollector;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'soclite-level-sweep-'));
  const config = loadConfig({ dataDir: join(dir, 'data'), port: 0 }, {});
  // Level 1 agents (the default level) are offline after 60 s; the fleet-wide timers stay far away.
  config.alerts.offlineAfterSecByLevel = { '1': 60 };
  config.alerts.sweepSec = 0.1;
  c = await startCollector(config, createLogger('silent'));
});

afterAll(async () => {
  await c?.close();
});

const openOffline = (agentId: string) =>
  new AlertRepository(c.store.db).list({ unitIds: ['default'], kind: ['agent_offline'], status: ['open'], agentId, limit: 10, offset: 0 }).items;

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('level offline timer sweep', () => {
  it('raises agent_offline for the agent silent past its level limit, not for the others', async () => {
    const silent = enrollDirect(c, 'silent-host');
    const recent = enrollDirect(c, 'recent-host');
    const edge = enrollDirect(c, 'edge-host');
    const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    const setLastSeen = c.store.db.prepare('UPDATE agents SET last_seen_at = ? WHERE id = ?');
    setLastSeen.run(ago(120), silent.id); // two minutes: past the 60 s limit
    setLastSeen.run(ago(5), recent.id);
    setLastSeen.run(ago(40), edge.id); // silent, but not for long enough

    const raised = await waitFor('agent_offline for the silent agent', () => openOffline(silent.id)[0]);
    expect(raised.severity).toBe('high');
    expect(JSON.stringify(raised.details)).toContain('level 1 limit 60 s');
    // Several sweeps later the others still have none, and the silent one has a single open alert.
    await new Promise((r) => setTimeout(r, 500));
    expect(openOffline(recent.id)).toEqual([]);
    expect(openOffline(edge.id)).toEqual([]);
    expect(openOffline(silent.id)).toHaveLength(1);
  });

  // The sweep checks at most 25 candidates per turn of the event loop: the rest of a range waits for the next turn.
  it('reaches every silent agent when more are silent than one turn checks, and raises each once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => enrollDirect(c, `outage-${i}`).id);
    const setLastSeen = c.store.db.prepare('UPDATE agents SET last_seen_at = ? WHERE id = ?');
    for (const id of ids) setLastSeen.run(new Date(Date.now() - 300_000).toISOString(), id);
    await waitFor('agent_offline for all 30', () => (ids.every((id) => openOffline(id).length > 0) ? true : undefined));
    await new Promise((r) => setTimeout(r, 500)); // several more sweeps
    expect(ids.map((id) => openOffline(id).length)).toEqual(ids.map(() => 1));
  });
});
