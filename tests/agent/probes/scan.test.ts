// A real scan of this machine: the result must satisfy the shared Posture schema, and its cost figures must
// be measured (non-zero) rather than filled in.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { Posture } from '../../../protocol/posture.js';
import { scanPosture, scanPostureDetailed } from '../../../agent/scan.js';
import { canonicalJson, stablePostureView } from '../../../protocol/canonical.js';

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
    // store. The other test files change this machine meanwhile (loopback servers, clamd and rsyslog started and
    // stopped), so: three scans, and a section counts as moving only if it differs between both pairs of
    // consecutive scans. Listening sockets are left out (loopback servers come and go all the time), and so is a
    // section whose probe failed or ran out of time in any scan (the suite loads both cores).
    const scans: Posture[] = [];
    for (let seq = 1; seq <= 3; seq++) {
      if (seq > 1) await new Promise((r) => setTimeout(r, 1500));
      scans.push(await scanPosture({ agentId: 'agent-test', version: '0.0.0-test', seq }));
    }
    const failed = new Set(scans.flatMap((p) => p.agent.probeErrors.map((e) => e.probe.split('.')[0]!)));
    const view = (p: Posture) => {
      const v = stablePostureView({ ...p, network: p.network && { ...p.network, listening: [] } }) as Record<string, unknown>;
      const { agent: _agent, ...sections } = v;
      return Object.fromEntries(Object.entries(sections).filter(([k]) => !failed.has(k)).map(([k, x]) => [k, canonicalJson(x)]));
    };
    const [a, b, c] = scans.map(view) as [Record<string, string>, Record<string, string>, Record<string, string>];
    const differs = (x: Record<string, string>, y: Record<string, string>) => new Set(Object.keys({ ...x, ...y }).filter((k) => x[k] !== y[k]));
    const [first, second] = [differs(a, b), differs(b, c)];
    const moving = [...first].filter((k) => second.has(k));
    expect(moving, moving.map((k) => `${k}:\n  ${a[k]}\n  ${b[k]}\n  ${c[k]}`).join('\n')).toEqual([]);
    expect(scans[2]!.agent.collectedAt).not.toBe(scans[0]!.agent.collectedAt);
  });

  it('reports what each probe cost', async () => {
    const { posture, costs } = await scanPostureDetailed({ agentId: 'agent-test', version: '0.0.0-test', seq: 8 });
    expect(costs.map((c) => c.probe).sort()).toEqual(['av', 'hardening', 'health', 'inventory', 'network', 'patches', 'processes']);
    for (const c of costs) expect(c.ms).toBeGreaterThanOrEqual(0);
    // a probe that did not finish is always explained in probeErrors
    for (const c of costs.filter((x) => !x.ok)) expect(posture.agent.probeErrors.some((e) => e.probe === c.probe)).toBe(true);
  });
});
