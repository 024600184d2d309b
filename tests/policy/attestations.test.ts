// Attestation-backed controls: pass only with a valid, unexpired attestation; fail when expired (or older than
// the pack allows); unknown when none. They need no posture.
import { describe, expect, it } from 'vitest';
import { evaluatePosture, type Attestation, type Finding } from '../../collector/policy/index.js';
import { fixtureNow, shippedSet } from './helpers.js';

const sha = 'ab'.repeat(32);
const att = (over: Partial<Attestation>): Attestation => ({
  id: 'a1',
  kind: 'drill',
  documentSha256: sha,
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2027-01-01T00:00:00Z',
  ...over,
});
const drill = (attestations: Attestation[], level = 3): Finding =>
  evaluatePosture(shippedSet(), undefined, { level, now: fixtureNow, attestations, packs: ['vn-nd85-tt12'] }).find(
    (f) => f.controlId === 'vn.mgmt.incident-drill',
  ) as Finding;

describe('attestation-backed controls', () => {
  it('pass with a valid attestation, even without a posture', () => {
    const f = drill([att({})]);
    expect(f.status).toBe('pass');
    expect(f.observed).toEqual({ attestation: { id: 'a1', documentSha256: sha, validFrom: '2026-01-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' } });
  });

  it('fail when the only attestation has expired, naming when', () => {
    const f = drill([att({ validFrom: '2024-01-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' })]);
    expect(f.status).toBe('fail');
    // The pack's 365-day cap ends it before its own validUntil (2024 is a leap year).
    expect(f.reason).toBe('the latest "drill" attestation (a1) expired on 2024-12-31T00:00:00.000Z');
  });

  it('fail when older than the pack allows, whatever validity was typed in', () => {
    const f = drill([att({ validFrom: '2024-06-01T00:00:00Z', validUntil: '2030-01-01T00:00:00Z' })]);
    expect(f.status).toBe('fail');
    expect(f.reason).toContain('expired on 2025-06-01');
  });

  it('unknown when none, when only future or malformed ones exist, or when they cover other controls or kinds', () => {
    expect(drill([]).status).toBe('unknown');
    expect(drill([]).reason).toBe('no "drill" attestation recorded for this machine');
    expect(drill([att({ validFrom: '2026-06-01T00:00:00Z' })]).reason).toContain('1 not yet valid');
    expect(drill([att({ documentSha256: 'not-a-hash' })]).reason).toContain('1 malformed, ignored');
    expect(drill([att({ kind: 'training' })]).status).toBe('unknown');
    expect(drill([att({ controlIds: ['cis.17.7'] })]).status).toBe('unknown');
    expect(drill([att({ controlIds: ['vn.mgmt.incident-drill'] })]).status).toBe('pass');
  });

  it('a valid attestation beats an expired one', () => {
    expect(drill([att({ id: 'old', validFrom: '2024-01-01T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' }), att({ id: 'new' })]).status).toBe('pass');
  });

  it('not_applicable below the level that requires it; posture-based controls stay unknown without a posture', () => {
    expect(drill([att({})], 1).status).toBe('not_applicable');
    const all = evaluatePosture(shippedSet(), undefined, { level: 3, now: fixtureNow });
    const fw = all.find((f) => f.controlId === 'vn.firewall.enabled') as Finding;
    expect(fw.status).toBe('unknown');
    expect(all.filter((f) => f.status === 'pass')).toEqual([]);
  });
});

describe('attestation validity shorter than the cap', () => {
  it('expires at its own validUntil', () => {
    const f = drill([att({ validFrom: '2025-06-01T00:00:00Z', validUntil: '2025-09-01T00:00:00Z' })]);
    expect(f.status).toBe('fail');
    expect(f.reason).toBe('the latest "drill" attestation (a1) expired on 2025-09-01T00:00:00.000Z');
  });
});
