// The ingest benchmark's pre-built requests are ones the collector accepts, both ways of authenticating: every
// phase sent in order to a real collector (a handful of agents, no measurement), in turns as the benchmark sends
// them, is answered 200.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../collector/config/load.js';
import { startCollector, type RunningCollector } from '../../collector/server.js';
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { DEFAULTS, Fleet } from '../../scripts/simulate/fleet.js';
import { buildPhases, inTurns } from '../../scripts/bench/lib/ingest-phases.js';
import { addLoadResults, runLoad } from '../../scripts/bench/lib/load.js';
import { HEADER_SESSION } from '../../protocol/index.js';

let c: RunningCollector;
beforeAll(async () => {
  c = await startCollector(loadConfig({ dataDir: join(mkdtempSync(join(tmpdir(), 'soclite-phases-')), 'data'), host: '127.0.0.1', port: 0 }, {}), pino({ level: 'silent' }));
});
afterAll(async () => c?.close());

it('every phase, Ed25519-signed and session-MAC’d, is accepted in order', async () => {
  const N = 4;
  const token = createEnrollmentToken(c.store, { unitId: 'default', maxUses: N, createdBy: 'test' }).token;
  const fleet = new Fleet({ ...DEFAULTS, server: c.url, token, agents: N, seed: 'bench-phases', rampSec: 0, log: () => {} });
  await fleet.enroll();
  await fleet.openSessions();
  expect(fleet.stats.sessionsOpened).toBe(N);
  const phases = buildPhases(fleet.identitiesInOrder(), 'bench-phases', { unchangedRounds: 2, heartbeatRounds: 2 });
  expect(phases.map((p) => [p.name, p.auth])).toEqual([
    ['posture, first (every finding new), session MAC', 'session'],
    ['posture, changed (evaluated), session MAC', 'session'],
    ['posture, unchanged (hash only)', 'ed25519'],
    ['heartbeat', 'ed25519'],
    ['posture, unchanged (hash only), session MAC', 'session'],
    ['heartbeat, session MAC', 'session'],
  ]);
  for (const p of phases) {
    for (const r of p.rounds.flat()) expect(r.headers[HEADER_SESSION] !== undefined).toBe(p.auth === 'session');
    // In turns, as bench:ingest sends them (a turn to each server): the turns add up to the whole phase.
    const turns = inTurns(p.rounds, 5);
    expect(turns.length).toBe(Math.min(5, p.rounds.length));
    expect(turns.flat()).toEqual(p.rounds);
    const runs = [];
    for (const t of turns) runs.push(await runLoad(c.url, t, 2));
    const res = runs.reduce(addLoadResults);
    expect(res.errors, p.name).toEqual({});
    expect(res.requests).toBe(N * p.rounds.length);
    expect(res.latency.toJSON().count).toBe(res.requests);
  }
  await fleet.stop();
  for (const id of fleet.identitiesInOrder()) expect(c.store.agents.get(id.agentId!)).toMatchObject({ lastSeq: 2 + 2 * 2 * 2, seqGaps: 0 });
});
