// The liveness sweep moves a whole silent fleet in bounded batches (so a network outage does not hold the
// event loop for minutes), and never blames agents for the collector's own downtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../collector/config/load.js';
import { createLogger, startCollector, type RunningCollector } from '../../collector/server.js';
import { enrollDirect } from '../helpers/enroll.js';

let c: RunningCollector;
const ids: string[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'soclite-sweep-'));
  c = await startCollector(loadConfig({ dataDir: join(dir, 'data'), port: 0 }, {}), createLogger('silent'));
  for (let i = 0; i < 5; i++) ids.push(enrollDirect(c, `h${i}`).id);
});

afterAll(async () => {
  await c?.close();
});

describe('liveness sweep', () => {
  it('moves at most `limit` agents per call until the whole silent fleet is done', () => {
    const later = Date.now() + 1000 * 1000; // 1000 s of silence: offline (default 900 s)
    expect(c.service.checkLiveness(later, 2)).toBe(2);
    expect(c.service.checkLiveness(later, 2)).toBe(2);
    expect(c.service.checkLiveness(later, 2)).toBe(1);
    expect(c.service.checkLiveness(later, 2)).toBe(0);
    expect(ids.map((id) => c.store.agents.get(id)!.state)).toEqual(['offline', 'offline', 'offline', 'offline', 'offline']);
  });

  it('goes through the table a range of rows per turn of the event loop, and skips agents that reported meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-sweep-pass-'));
    const own = await startCollector(loadConfig({ dataDir: join(dir, 'data'), port: 0 }, {}), createLogger('silent'));
    try {
      const agents = Array.from({ length: 7 }, (_, i) => enrollDirect(own, `p${i}`).id);
      // Silent for 200 s, counted from before this collector started watching: due to go late.
      const silentSince = new Date(Date.now() - 200_000).toISOString();
      own.store.db.prepare('UPDATE agents SET last_seen_at = ?').run(silentSince);
      (own.service as unknown as { startedAtMs: number }).startedAtMs = Date.now() - 400_000;
      // Between the pass's turns, the last agent is heard from: it must stay online.
      setImmediate(() => own.store.db.prepare('UPDATE agents SET last_seen_at = ? WHERE id = ?').run(new Date().toISOString(), agents[6]));
      const changed = await own.service.runLivenessPass(2);
      expect(changed).toBe(6);
      expect(agents.map((id) => own.store.agents.get(id)!.state)).toEqual(['late', 'late', 'late', 'late', 'late', 'late', 'online']);
      expect(await own.service.runLivenessPass(2)).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('counts an online agent’s silence from the collector’s start, not from before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-sweep-restart-'));
    const cfg = loadConfig({ dataDir: join(dir, 'data'), port: 0 }, {});
    const first = await startCollector(cfg, createLogger('silent'));
    const { id: agentId } = enrollDirect(first, 'r');
    // The agent was last heard two hours ago, then the collector was down until now.
    first.store.db.prepare('UPDATE agents SET last_seen_at = ? WHERE id = ?').run(new Date(Date.now() - 7200_000).toISOString(), agentId);
    await first.close();
    const second = await startCollector(cfg, createLogger('silent'));
    try {
      expect(second.service.checkLiveness(Date.now())).toBe(0);
      expect(second.store.agents.get(agentId)!.state).toBe('online');
      // Still silent lateAfterSec (180 s) after the restart: now it is late.
      expect(second.service.checkLiveness(Date.now() + 200_000)).toBe(1);
      expect(second.store.agents.get(agentId)!.state).toBe('late');
    } finally {
      await second.close();
    }
  });
});
