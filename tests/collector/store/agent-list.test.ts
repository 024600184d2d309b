// The agents page over a real SQLite file: scoping by unit must hold whether or not the caller sees every unit
// (a full scope skips the unit test so the default order can read the hostname index), and the first page in
// the default order must not sort the whole fleet (at 100,000 agents that sort cost 170-300 ms).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../collector/store/index.js';
import { enrollAgent } from '../../../collector/fleet/enrollment.js';
import { createEnrollmentToken } from '../../../collector/fleet/tokens.js';
import { newKeyPair, signWith } from '../../../agent/transport/identity.js';
import { enrollProofMessage } from '../../../protocol/index.js';

const store = openStore(mkdtempSync(join(tmpdir(), 'soclite-agent-list-')));
afterAll(() => store.close());

const settings = { heartbeatSec: 60, scanSec: 300, maxClockSkewSec: 300 };
function enroll(hostname: string, unitId: string): string {
  const t = createEnrollmentToken(store, { unitId, maxUses: 1, createdBy: 'test' });
  const keys = newKeyPair();
  const proof = signWith(keys.privateKey, enrollProofMessage(t.token, keys.publicKeyB64));
  return enrollAgent(store, { token: t.token, publicKey: keys.publicKeyB64, proof, agentVersion: 't', hostname, hardwareId: 'hw-' + hostname, platform: 'linux' }, settings).agentId;
}

store.units.create({ id: 'so-a', name: 'Sở A', parentId: null, defaultLevel: 2 });
store.units.create({ id: 'so-b', name: 'Sở B', parentId: null, defaultLevel: 3 });
const names = ['kt-07', 'vp-01', 'kt-02', 'vp-09', 'tc-05', 'kt-11', 'vp-03'];
names.forEach((h, i) => enroll(h, i % 2 ? 'so-b' : 'so-a'));
enroll('default-01', 'default');
const allUnits = store.units.list().map((u) => u.id);

const page = (unitIds: string[], extra: { limit?: number; offset?: number; order?: 'asc' | 'desc'; search?: string } = {}) =>
  store.listAgents({ unitIds, limit: extra.limit ?? 100, offset: extra.offset ?? 0, order: extra.order, search: extra.search });

describe('agent list', () => {
  it('lists every unit in hostname order for a full scope, paged, both directions', () => {
    const all = page(allUnits);
    expect(all.total).toBe(8);
    expect(all.items.map((a) => a.hostname)).toEqual([...names, 'default-01'].sort());
    expect(page(allUnits, { limit: 3, offset: 2 }).items.map((a) => a.hostname)).toEqual([...names, 'default-01'].sort().slice(2, 5));
    expect(page(allUnits, { order: 'desc', limit: 2 }).items.map((a) => a.hostname)).toEqual(['vp-09', 'vp-03']);
    expect(page(allUnits, { search: 'kt' }).items.map((a) => a.hostname)).toEqual(['kt-02', 'kt-07', 'kt-11']);
  });

  it('keeps a partial scope to its units, and an empty scope sees nothing', () => {
    const a = page(['so-a']);
    expect(a.items.every((x) => x.unitId === 'so-a')).toBe(true);
    expect(a.items.map((x) => x.hostname)).toEqual(['kt-02', 'kt-07', 'tc-05', 'vp-03']);
    expect(page(['so-b', 'default']).total).toBe(4);
    expect(page([])).toEqual({ total: 0, items: [] });
  });

  it('reads the first page of a full scope from the hostname index instead of sorting the fleet', () => {
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN SELECT a.id FROM agents a LEFT JOIN agent_postures p ON p.agent_id = a.id ORDER BY a.hostname ASC, a.id LIMIT 100`)
      .all() as { detail: string }[];
    const details = plan.map((r) => r.detail).join('\n');
    expect(details).toContain('agents_hostname');
    expect(details).not.toContain('TEMP B-TREE');
  });
});
