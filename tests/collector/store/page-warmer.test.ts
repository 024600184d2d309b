// The page warmer (store/page-warmer.ts) reads, off the event loop, the rows a changed posture's commit touches.
// Its queries name tables, indexes and key orders of the schema: these tests fail when a migration moves them,
// instead of the warmer silently reading the wrong pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../../collector/config/load.js';
import { startCollector, type RunningCollector } from '../../../collector/server.js';
import { PageWarmer } from '../../../collector/store/page-warmer.js';
import { postureHash, type Report } from '../../../protocol/index.js';
import { buildPosture, machineProfile } from '../../../scripts/simulate/profile.js';
import { Rng } from '../../../scripts/simulate/rng.js';
import { enrollDirect, type EnrolledTestAgent } from '../../helpers/enroll.js';
import { postSigned } from '../../helpers/signed-requests.js';

let c: RunningCollector;
beforeAll(async () => {
  c = await startCollector(loadConfig({ dataDir: join(mkdtempSync(join(tmpdir(), 'soclite-warmer-')), 'data'), host: '127.0.0.1', port: 0 }, {}), pino({ level: 'silent' }));
});
afterAll(async () => c?.close());

/** Sends a posture of this agent (the seq-th simulated machine) over HTTP, signed as the agent; throws if refused. */
async function postureReport(a: EnrolledTestAgent, seq: number): Promise<void> {
  const m = machineProfile('page-warmer', seq);
  const posture = buildPosture(m.profile, m.state, a.id, 1, Date.now(), Rng.from('page-warmer', seq));
  const report: Report = { kind: 'posture', seq, postureHash: postureHash(posture), posture };
  const res = await postSigned(c.url, a.id, a.privateKey, seq, JSON.stringify(report));
  if (res.status !== 200) throw new Error(`posture ${seq} refused: ${JSON.stringify(res.body)}`);
}

describe('page warmer', () => {
  it("reads every finding of the agent, each through its exact index entry, its ledger, posture and history", async () => {
    const a = enrollDirect(c, 'warmer-a');
    await postureReport(a, 1);
    await postureReport(a, 2);
    const findings = c.store.db.prepare('SELECT count(*) FROM findings WHERE agent_id = ?').pluck().get(a.id) as number;
    const ledger = c.store.db.prepare('SELECT count(*) FROM findings_ledger WHERE agent_id = ?').pluck().get(a.id) as number;
    expect(findings).toBeGreaterThan(10);
    const warmer = new PageWarmer(c.store.db);
    try {
      expect(await warmer.warm(a.id)).toEqual({ findings, findingIndexEntries: findings, ledgerEntries: ledger, postureDocument: 1, historyEntries: 2 });
      // Another agent's rows are not read for this one.
      const b = enrollDirect(c, 'warmer-b');
      expect(await warmer.warm(b.id)).toEqual({ findings: 0, findingIndexEntries: 0, ledgerEntries: 0, postureDocument: 0, historyEntries: 0 });
    } finally {
      warmer.stop();
    }
  });

  it('refuses to warm once stopped, so the commit reads for itself', async () => {
    const warmer = new PageWarmer(c.store.db);
    warmer.stop();
    expect(warmer.stopped).toBe(true);
    await expect(warmer.warm('agt_x')).rejects.toThrow(/page warmer stopped/);
  });
});
