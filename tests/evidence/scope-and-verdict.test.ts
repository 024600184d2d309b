import { describe, expect, it } from 'vitest';
import { controlVerdict, emptyTally } from '../../collector/evidence/control-status.js';
import { oscalString, oscalToken, uuidV5 } from '../../collector/evidence/oscal.js';
import { ScopeError, parseEvidenceScope } from '../../collector/evidence/scope.js';
import type { Attestation, EvidenceControl } from '../../collector/evidence/source.js';

const now = new Date('2025-05-01T12:00:00Z');

describe('evidence scope', () => {
  it('reads a period with whole UTC days and an as-of date', () => {
    const p = parseEvidenceScope({ level: '3', unit: 'van-phong', from: '2025-01-01', to: '2025-03-31' }, now);
    expect(p).toEqual({ level: 3, unit: 'van-phong', from: new Date('2025-01-01T00:00:00.000Z'), to: new Date('2025-03-31T23:59:59.999Z') });
    expect(parseEvidenceScope({ level: 2, asOf: '2025-04-10T16:30:00+07:00' }, now).to).toEqual(new Date('2025-04-10T09:30:00Z'));
    expect(parseEvidenceScope({ level: 1 }, now)).toEqual({ level: 1, to: now });
  });

  it('refuses what it cannot read unambiguously', () => {
    expect(() => parseEvidenceScope({ level: '6' }, now)).toThrow(ScopeError);
    expect(() => parseEvidenceScope({ level: '3', from: '2025-01-01' }, now)).toThrow(/go together/);
    expect(() => parseEvidenceScope({ level: '3', asOf: '2025-02-30' }, now)).toThrow(/calendar date/);
    expect(() => parseEvidenceScope({ level: '3', asOf: '2025-02-01T10:00:00' }, now)).toThrow(/offset/);
    expect(() => parseEvidenceScope({ level: '3', from: '2025-03-01', to: '2025-02-01' }, now)).toThrow(/after/);
    expect(() => parseEvidenceScope({ level: '3', unit: ' ' }, now)).toThrow(/empty/);
  });
});

const control = (assessedBy: 'machine' | 'attestation'): EvidenceControl => ({
  id: 'c1', title: { vi: 'a', en: 'a' }, remediation: { vi: 'b', en: 'b' }, severity: 'low', references: [], assessedBy,
});
const scope = { level: 3, to: now };
const tally = (pass: number, fail: number, unknown: number, na = 0) => ({ ...emptyTally(), pass, fail, unknown, not_applicable: na });

describe('control verdicts', () => {
  it('never counts unknown as pass', () => {
    expect(controlVerdict(control('machine'), tally(5, 0, 0), [], scope)).toBe('met_fully');
    expect(controlVerdict(control('machine'), tally(5, 0, 1), [], scope)).toBe('met_partly');
    expect(controlVerdict(control('machine'), tally(0, 0, 3), [], scope)).toBe('not_met');
    expect(controlVerdict(control('machine'), tally(0, 2, 0), [], scope)).toBe('not_met');
    expect(controlVerdict(control('machine'), tally(0, 0, 0, 4), [], scope)).toBe('not_applicable');
    expect(controlVerdict(control('machine'), tally(0, 0, 0), [], scope)).toBe('not_met');
  });

  it('meets an organisational control only with an attestation valid at the end of the period', () => {
    const a: Attestation = {
      id: 'a', controlId: 'c1', documentTitle: 'd', documentSha256: 'b'.repeat(64), attestedBy: 'x',
      validFrom: new Date('2025-01-01T00:00:00Z'), validTo: new Date('2025-04-30T00:00:00Z'),
    };
    expect(controlVerdict(control('attestation'), tally(0, 0, 0), [a], scope)).toBe('not_met');
    expect(controlVerdict(control('attestation'), tally(0, 0, 0), [{ ...a, validTo: null }], scope)).toBe('met_fully');
    // An attestation does not outweigh a failing machine.
    expect(controlVerdict(control('machine'), tally(1, 1, 0), [{ ...a, validTo: null }], scope)).toBe('met_partly');
  });
});

describe('OSCAL value rules', () => {
  it('makes NCName tokens, non-empty trimmed strings and v5 uuids', () => {
    expect(oscalToken('vn.l3.av')).toBe('vn.l3.av');
    expect(oscalToken('8.2')).toBe('c-8.2');
    expect(oscalToken('a b/c')).toBe('a_b_c');
    expect(oscalString('  a\n\tb  ')).toBe('a b');
    expect(oscalString('')).toBe('(empty)');
    expect(oscalString('x'.repeat(10), '-', 5)).toBe('xxxx…');
    expect(uuidV5('machine:a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5('machine:a')).toBe(uuidV5('machine:a'));
    // Known answer (RFC 4122 DNS namespace, "www.example.com").
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});
