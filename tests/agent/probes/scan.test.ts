// A real scan of this machine: the result must satisfy the shared Posture schema, and its cost figures must
// be measured (non-zero) rather than filled in.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { Posture } from '../../../protocol/posture.js';
import { scanPosture, scanPostureDetailed } from '../../../agent/scan.js';
import { postureHash } from '../../../protocol/canonical.js';

describe('scanPosture on this Linux host', () => {
  it('returns a schema-valid posture with measured cost and an explained gap for every missing section', async () => {
    const p = await scanPosture({ agentId: 'agent-test', version: '0.0.0-test', seq: 7 });
    // ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
    const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const valid = ajv.validate(Posture, p);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(p.agent).toMatchObject({ id: 'agent-test', version: '0.0.0-test', seq: 7 });
    expect(p.agent.scanMs).toBeGreaterThan(0);
    expect(p.agent.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(p.host.hardwareId).toMatch(/^[0-9a-f]{64}$/);
    // the raw machine id must never leave the host
    const { readFileSync } = await import('node:fs');
    const raw = readFileSync('/etc/machine-id', 'utf8').trim();
    expect(JSON.stringify(p)).not.toContain(raw);
    for (const section of ['av', 'patches', 'network', 'hardening'] as const) {
      if (!p[section]) expect(p.agent.probeErrors.some((e) => e.probe.startsWith(section))).toBe(true);
    }
    expect(p.network?.listening.length).toBeGreaterThanOrEqual(0);
    expect(['protected', 'degraded', 'unprotected', 'unknown']).toContain(p.av?.status);
  });

  it('gives an unchanged machine the same posture hash on the next scan', async () => {
    // The agent sends a posture only when this hash changes; a field that moves on every scan (a boot time to the
    // millisecond did) makes every scan of every machine a changed posture for the collector to evaluate and
    // store. Listening sockets are left out here: the other test files open and close loopback servers meanwhile.
    const stableHash = (p: Posture) => postureHash({ ...p, network: p.network && { ...p.network, listening: [] } });
    const first = await scanPosture({ agentId: 'agent-test', version: '0.0.0-test', seq: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    const second = await scanPosture({ agentId: 'agent-test', version: '0.0.0-test', seq: 2 });
    expect(second.agent.collectedAt).not.toBe(first.agent.collectedAt);
    expect(stableHash(second)).toBe(stableHash(first));
  });

  it('reports what each probe cost', async () => {
    const { posture, costs } = await scanPostureDetailed({ agentId: 'agent-test', version: '0.0.0-test', seq: 8 });
    expect(costs.map((c) => c.probe).sort()).toEqual(['av', 'hardening', 'health', 'inventory', 'network', 'patches', 'processes']);
    for (const c of costs) expect(c.ms).toBeGreaterThanOrEqual(0);
    // a probe that did not finish is always explained in probeErrors
    for (const c of costs.filter((x) => !x.ok)) expect(posture.agent.probeErrors.some((e) => e.probe === c.probe)).toBe(true);
  });
});
