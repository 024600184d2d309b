// Every control in the shipped packs must be proven by fixtures: at least one fixture posture on which it
// passes and one on which it fails. The table is built from the packs themselves, so a new control that no
// fixture exercises fails here by name. Compliant fixtures must pass everything that applies to them, weak ones
// must fail everything that applies: a check that passes a weak machine (or fails a good one) is caught too.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { evaluatePosture, type Finding } from '../../collector/policy/index.js';
import { Posture } from '../../protocol/posture.js';
import { attestationSets, fixtureNow, manifest, posture, shippedSet } from './helpers.js';

const set = shippedSet();
const levels = [1, 2, 3, 4, 5];

type Run = { fixture: string; expect: string; attestations: keyof typeof attestationSets; level: number; findings: Finding[] };
const runs: Run[] = [];
for (const p of manifest.postures) {
  const doc = posture(p.file);
  for (const attestations of ['none', 'valid', 'expired'] as const) {
    for (const level of levels) {
      runs.push({
        fixture: p.file,
        expect: p.expect,
        attestations,
        level,
        findings: evaluatePosture(set, doc, { level, now: fixtureNow, attestations: attestationSets[attestations] }),
      });
    }
  }
}

describe('fixture postures', () => {
  it.each(manifest.postures.map((p) => p.file))('%s is a valid posture under protocol/posture.ts', (file) => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    const validate = ajv.compile(Posture);
    const ok = validate(posture(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

describe('every shipped control has a passing and a failing fixture', () => {
  it('the packs define controls', () => {
    expect(set.controls.length).toBeGreaterThan(40);
    expect(Object.keys(set.packs).sort()).toEqual(['cis-v8', 'vn-nd85-tt12']);
  });

  it.each(set.controls.map((c) => c.id))('%s', (id) => {
    const statuses = runs.flatMap((r) => r.findings.filter((f) => f.controlId === id).map((f) => ({ status: f.status, run: r })));
    const pass = statuses.find((s) => s.status === 'pass');
    const fail = statuses.find((s) => s.status === 'fail');
    expect(pass, `no fixture posture makes ${id} pass`).toBeDefined();
    expect(fail, `no fixture posture makes ${id} fail`).toBeDefined();
  });
});

describe('compliant fixtures pass and weak fixtures fail every applicable control', () => {
  const compliant = runs.filter((r) => r.expect === 'compliant' && r.attestations === 'valid');
  const weak = runs.filter((r) => r.expect === 'weak' && r.attestations === 'expired');

  it.each(compliant.map((r) => [r.fixture, r.level, r] as const))('%s at level %i: no fail, no unknown', (_f, _l, r) => {
    const bad = r.findings.filter((f) => f.status === 'fail' || f.status === 'unknown').map((f) => `${f.controlId}: ${f.reason}`);
    expect(bad).toEqual([]);
    expect(r.findings.some((f) => f.status === 'pass')).toBe(true);
  });

  it.each(weak.map((r) => [r.fixture, r.level, r] as const))('%s at level %i: nothing passes', (_f, _l, r) => {
    const passing = r.findings.filter((f) => f.status === 'pass').map((f) => f.controlId);
    expect(passing).toEqual([]);
    expect(r.findings.filter((f) => f.status === 'fail').length).toBeGreaterThan(10);
  });

  it('findings carry observed and expected values for evidence', () => {
    const r = weak.find((x) => x.fixture.startsWith('windows') && x.level === 3) as Run;
    const lock = r.findings.find((f) => f.controlId === 'vn.session.screen-lock') as Finding;
    expect(lock.observed).toEqual({ 'hardening.screenLock.enabled': false, 'hardening.screenLock.timeoutSec': 3600 });
    expect(lock.expected).toBe('(hardening.screenLock.enabled = true) AND (hardening.screenLock.timeoutSec ≤ 900)');
    const telnet = r.findings.find((f) => f.controlId === 'vn.services.insecure-protocols') as Finding;
    expect(telnet.observed['network.listening']).toEqual({ count: 5, matching: [{ exposed: true, port: 23 }] });
    expect(telnet.reason).toContain('"port":23');
  });
});
