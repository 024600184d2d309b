// A simulated fleet split over processes: every slice runs its own agents against the real collector, the
// group's statistics add theirs up, and the sequence numbers the slices used are what the group saves, so the
// next run continues after them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../collector/config/load.js';
import { startCollector, type RunningCollector } from '../../collector/server.js';
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { DEFAULTS } from '../../scripts/simulate/fleet.js';
import { FleetGroup } from '../../scripts/simulate/fleet-group.js';
import { loadIdentities } from '../../scripts/simulate/identities.js';

let c: RunningCollector;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'soclite-simgroup-'));
  c = await startCollector(loadConfig({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0 }, {}), pino({ level: 'silent' }));
});
afterAll(async () => c?.close());

const N = 7;

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const giveUp = Date.now() + 60_000; // ends a hung test; no timing is asserted
  while (!(await cond())) {
    if (Date.now() > giveUp) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('fleet group', () => {
  it('runs each agent in exactly one slice, adds up their statistics and saves the sequence numbers they used', async () => {
    const token = createEnrollmentToken(c.store, { unitId: 'default', maxUses: N, createdBy: 'test' }).token;
    const identityFile = join(dir, 'identities.json');
    const options = { ...DEFAULTS, server: c.url, token, agents: N, seed: 'sim-group', heartbeatSec: 0.2, postureEverySec: 3600, rampSec: 0, offlineProbability: 0, changeProbability: 0, eventProbability: 0, identityFile, log: () => {} };
    const group = new FleetGroup(options, 3);
    expect(await group.enroll()).toEqual({ reused: 0, enrolled: N });
    await group.start();
    expect(group.pids).toHaveLength(3);
    try {
      // Every agent, not a total: a slice whose process started late (a loaded machine) has sent less, and the
      // others' heartbeats alone reached the total before it had sent one.
      const reported = c.store.db.prepare('SELECT COUNT(*) FROM agents WHERE last_seq > 1').pluck();
      await until(async () => {
        await group.refresh();
        return group.stats.accepted.heartbeat >= 3 * N && reported.get() === N;
      }, 'heartbeats from every agent of every slice');
    } finally {
      await group.stop();
    }
    const stats = group.stats;
    expect(stats.errors).toEqual({});
    expect(stats.sent.heartbeat + stats.sent.posture).toBe(stats.accepted.heartbeat + stats.accepted.posture);
    expect(stats.latency.heartbeat.count).toBe(stats.sent.heartbeat);
    // Every agent reported (each slice ran its own share), and the saved sequence is the collector's.
    const saved = [...loadIdentities(identityFile, c.url, 'sim-group').values()];
    expect(saved).toHaveLength(N);
    for (const id of saved) {
      const row = c.store.agents.get(id.agentId!)!;
      expect(row.lastSeq).toBeGreaterThan(1);
      expect(id.lastSeq).toBe(row.lastSeq);
    }
  });
});
