// The simulator speaks sessions like the agent: it opens one per virtual agent, re-opens when the collector has
// forgotten them (a restart), and with sessions off signs every report with Ed25519.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../collector/config/load.js';
import { startCollector, type RunningCollector } from '../../collector/server.js';
import { AgentSessions } from '../../collector/fleet/sessions.js';
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { DEFAULTS, Fleet } from '../../scripts/simulate/fleet.js';

let c: RunningCollector;
beforeAll(async () => {
  c = await startCollector(loadConfig({ dataDir: join(mkdtempSync(join(tmpdir(), 'soclite-simsess-')), 'data'), host: '127.0.0.1', port: 0 }, {}), pino({ level: 'silent' }));
});
afterAll(async () => c?.close());

const N = 5;
function fleet(sessions: boolean, seed: string): Fleet {
  const token = createEnrollmentToken(c.store, { unitId: 'default', maxUses: N, createdBy: 'test' }).token;
  return new Fleet({ ...DEFAULTS, server: c.url, token, agents: N, seed, heartbeatSec: 0.1, postureEverySec: 3600, rampSec: 0, offlineProbability: 0, changeProbability: 0, eventProbability: 0, sessions, log: () => {} });
}

/** Waits for a condition of the fleet's progress (no timing is asserted; the bound only ends a hung test). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const giveUp = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > giveUp) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('simulated fleet sessions', () => {
  it('opens a session per agent, and re-opens them all after the collector forgets them', async () => {
    const f = fleet(true, 'sim-sessions-on');
    await f.enroll();
    f.start();
    try {
      await until(() => f.stats.accepted.heartbeat >= 2 * N, 'heartbeats under sessions');
      expect(f.stats.sessionsOpened).toBe(N);
      // What a collector restart does to sessions: they are gone.
      c.service.sessions = new AgentSessions();
      const before = f.stats.accepted.heartbeat;
      await until(() => f.stats.sessionsReopened >= N && f.stats.accepted.heartbeat >= before + 2 * N, 'heartbeats after re-opening');
    } finally {
      await f.stop();
    }
    expect(f.stats.sessionsOpened).toBe(2 * N);
    expect(f.stats.errors).toEqual({});
    for (const id of f.identitiesInOrder()) expect(c.store.agents.get(id.agentId!)!.lastSeq).toBe(id.lastSeq);
  });

  it('with sessions off signs every report with Ed25519 and opens none', async () => {
    const f = fleet(false, 'sim-sessions-off');
    await f.enroll();
    f.start();
    try {
      await until(() => f.stats.accepted.heartbeat >= 2 * N, 'Ed25519-signed heartbeats');
    } finally {
      await f.stop();
    }
    expect(f.stats.sessionsOpened).toBe(0);
    expect(f.stats.errors).toEqual({});
  });
});
