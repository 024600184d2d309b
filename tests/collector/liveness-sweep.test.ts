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
