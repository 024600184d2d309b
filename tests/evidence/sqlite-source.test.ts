// SqliteEvidenceSource over a real store filled through the repositories: the state "as of" an instant comes from
// the ledger whenever a machine was evaluated after it, the current rows otherwise; machines are limited to the
// unit subtree and level; history holds the period's transitions of the level's controls only.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEvidenceSource } from '../../collector/evidence/sqlite-source.js';
import type { EvidenceFinding, EvidenceScope } from '../../collector/evidence/source.js';
import { defaultPolicyDir, evaluatePosture, loadPolicySet, type PolicySet } from '../../collector/policy/index.js';
import { openStore, type Store } from '../../collector/store/index.js';
import type { Posture } from '../../protocol/index.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const T1 = new Date('2026-02-01T08:00:00.000Z');
const T2 = new Date('2026-03-01T08:00:00.000Z');
const T3 = new Date('2026-04-01T08:00:00.000Z');
const at = (d: Date, ms: number) => new Date(d.getTime() + ms);
const FIREWALL = 'vn.firewall.enabled';

let dir: string;
let store: Store;
let policy: PolicySet;
let source: SqliteEvidenceSource;
let good: Posture;
let broken: Posture;

function addAgent(id: string, unitId: string): void {
  store.agents.insert({ id, unitId, publicKey: `pk-${id}`, hostname: `host-${id}`, hardwareId: `hw-${id}`, platform: 'linux', agentVersion: 't', enrolledAt: T1.toISOString(), tokenId: null as unknown as string });
}

function evaluate(id: string, posture: Posture, when: Date): void {
  store.transaction(() => {
    const level = store.compliance.effectiveLevel(id)!;
    store.compliance.applyEvaluation(id, level, evaluatePosture(policy, posture, { level, now: when, attestations: [] }), when.toISOString());
  });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const firewallOf = async (scope: EvidenceScope, agentId = 'agt_a'): Promise<EvidenceFinding | undefined> =>
  (await collect(source.findings(scope))).find((f) => f.agentId === agentId && f.controlId === FIREWALL);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'soclite-sqlite-source-'));
  store = openStore(dir);
  policy = loadPolicySet(defaultPolicyDir());
  source = new SqliteEvidenceSource(store, policy);
  good = JSON.parse(await readFile(path.join(repoRoot, 'tests/fixtures/postures/linux-server-compliant.json'), 'utf8')) as Posture;
  broken = { ...good, network: { ...good.network!, firewall: { ...good.network!.firewall!, enabled: false } } };
  store.units.create({ id: 'north', name: 'Bắc', parentId: 'default', defaultLevel: 3 });
  store.units.create({ id: 'north-x', name: 'Bắc X', parentId: 'north', defaultLevel: 3 });
  store.units.create({ id: 'south', name: 'Nam', parentId: 'default', defaultLevel: 3 });
  for (const [id, unit] of [['agt_a', 'north'], ['agt_b', 'north-x'], ['agt_c', 'south'], ['agt_d', 'default']] as const) addAgent(id, unit);
  // agt_a: passes at T1, breaks at T2, evaluated again (still failing) at T3.
  evaluate('agt_a', good, T1);
  evaluate('agt_a', broken, T2);
  evaluate('agt_a', broken, T3);
  evaluate('agt_b', good, T1);
  evaluate('agt_c', broken, T1);
  evaluate('agt_d', good, T1); // level 1 (the default unit's level): not a level-3 machine
});

afterAll(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteEvidenceSource', () => {
  it('reports the state as of an instant between evaluations from the ledger', async () => {
    const before = await firewallOf({ level: 3, to: at(T2, -1) });
    expect(before).toMatchObject({ status: 'pass', since: T1, lastEvaluatedAt: T1 });
    // After the break but before the next evaluation: the current row (evaluated at T3) must not be used.
    const between = await firewallOf({ level: 3, to: at(T3, -1) });
    expect(between).toMatchObject({ status: 'fail', since: T2 });
    expect(between!.observed).toContain('false');
  });

  it('reports the current rows when nothing was evaluated after the instant', async () => {
    const now = await firewallOf({ level: 3, to: new Date() });
    expect(now).toMatchObject({ status: 'fail', since: T2, lastEvaluatedAt: T3 });
  });

  it('has no result for a machine before its first evaluation (the exporter counts it unknown)', async () => {
    expect(await firewallOf({ level: 3, to: at(T1, -1) })).toBeUndefined();
  });

  it('yields findings grouped in machines() order, for the level’s machine-assessed controls only', async () => {
    const scope = { level: 3, to: new Date() };
    const machines = (await collect(source.machines(scope))).map((m) => m.id);
    expect(machines).toEqual(['agt_a', 'agt_b', 'agt_c']);
    expect(await source.machineCount(scope)).toBe(3);
    const findings = await collect(source.findings(scope));
    const order = findings.map((f) => f.agentId).filter((id, i, all) => all[i - 1] !== id);
    expect(order).toEqual(machines);
    const controls = new Map((await source.controls(scope)).map((c) => [c.id, c]));
    for (const f of findings) expect(controls.get(f.controlId)?.assessedBy, f.controlId).toBe('machine');
    expect(new Set(findings.filter((f) => f.agentId === 'agt_a').map((f) => f.controlId)).size).toBe([...controls.values()].filter((c) => c.assessedBy === 'machine').length);
  });

  it('limits machines to the unit subtree', async () => {
    const north = (await collect(source.machines({ level: 3, unit: 'north', to: new Date() }))).map((m) => m.id);
    expect(north).toEqual(['agt_a', 'agt_b']);
    const meta = await source.metadata({ level: 3, unit: 'north', to: new Date() });
    expect(meta.units.map((u) => u.id).sort()).toEqual(['north', 'north-x']);
    await expect(source.metadata({ level: 3, unit: 'nowhere', to: new Date() })).rejects.toThrow(/unit "nowhere" does not exist/);
  });

  it('lists the transitions of a period in time order, level controls only', async () => {
    const moves = await collect(source.history({ level: 3, from: at(T1, 1), to: T3 }));
    expect(moves.map((m) => [m.agentId, m.controlId, m.from, m.to])).toEqual([['agt_a', FIREWALL, 'pass', 'fail']]);
    const all = await collect(source.history({ level: 3, to: T3 }));
    const ids = new Set((await source.controls({ level: 3, to: T3 })).map((c) => c.id));
    expect(all.length).toBeGreaterThan(3);
    for (const m of all) expect(ids.has(m.controlId), m.controlId).toBe(true);
    for (let i = 1; i < all.length; i++) expect(all[i]!.at.getTime()).toBeGreaterThanOrEqual(all[i - 1]!.at.getTime());
  });
});
