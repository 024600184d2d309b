// Compliance arithmetic: unknown never counts as a pass; met fully / partly / not met per control.
import { describe, expect, it } from 'vitest';
import { COVERAGE_LABELS, controlCoverage, countsByControl, scoreByAgent, scoreByLevel, scoreFindings } from '../../collector/compliance/scoring.js';
import { evaluatePosture, type Finding } from '../../collector/policy/index.js';
import { attestationSets, fixtureNow, posture, shippedSet } from './helpers.js';

const f = (controlId: string, status: Finding['status'], severity: Finding['severity'] = 'medium'): Finding => ({
  controlId,
  pack: 'p',
  status,
  observed: {},
  expected: '',
  severity,
});

describe('scoring', () => {
  it('scores pass / applicable, with unknown in the denominator and n/a out of it', () => {
    const s = scoreFindings([f('a', 'pass'), f('b', 'fail'), f('c', 'unknown'), f('d', 'not_applicable')]);
    expect(s).toMatchObject({ pass: 1, fail: 1, unknown: 1, notApplicable: 1, applicable: 3 });
    expect(s.score).toBeCloseTo(1 / 3);
    expect(scoreFindings([f('a', 'not_applicable')]).score).toBeNull();
  });

  it('weights by severity', () => {
    const s = scoreFindings([f('a', 'pass', 'critical'), f('b', 'fail', 'low')]);
    expect(s.weightedScore).toBeCloseTo(4 / 5);
    expect(s.score).toBeCloseTo(1 / 2);
  });

  it('verdict per control across machines', () => {
    expect(controlCoverage({ pass: 3, fail: 0, unknown: 0, notApplicable: 2 })).toBe('met');
    expect(controlCoverage({ pass: 2, fail: 1, unknown: 0, notApplicable: 0 })).toBe('partly');
    expect(controlCoverage({ pass: 2, fail: 0, unknown: 1, notApplicable: 0 })).toBe('partly');
    expect(controlCoverage({ pass: 0, fail: 0, unknown: 4, notApplicable: 0 })).toBe('not_met');
    expect(controlCoverage({ pass: 0, fail: 0, unknown: 0, notApplicable: 4 })).toBe('not_applicable');
    expect(COVERAGE_LABELS.met.vi).toBe('Đáp ứng đầy đủ');
    expect(COVERAGE_LABELS.partly.vi).toBe('Đáp ứng một phần');
    expect(COVERAGE_LABELS.not_met.vi).toBe('Chưa đáp ứng');
  });

  it('over real findings of a good and a weak machine at level 3', () => {
    const opts = { level: 3, now: fixtureNow, attestations: attestationSets.valid, packs: ['vn-nd85-tt12'] };
    const byAgent = new Map([
      ['good', evaluatePosture(shippedSet(), posture('windows-workstation-compliant.json'), opts)],
      ['weak', evaluatePosture(shippedSet(), posture('windows-workstation-weak.json'), opts)],
    ]);
    const agents = scoreByAgent(byAgent);
    expect(agents.good?.score).toBe(1);
    expect(agents.weak?.pass).toBe(4); // the four attestation-backed controls
    const controls = countsByControl(byAgent);
    expect(controls.find((c) => c.controlId === 'vn.firewall.enabled')).toMatchObject({ pass: 1, fail: 1, coverage: 'partly' });
    expect(controls.find((c) => c.controlId === 'vn.mgmt.incident-drill')).toMatchObject({ pass: 2, coverage: 'met' });
    const levels = scoreByLevel([
      { agentId: 'good', level: 3, findings: byAgent.get('good') as Finding[] },
      { agentId: 'weak', level: 3, findings: byAgent.get('weak') as Finding[] },
    ]);
    expect(levels[3]).toMatchObject({ agents: 2, agentsCompliant: 1 });
  });
});
