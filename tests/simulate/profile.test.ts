// The simulated machines: the same seed gives the same fleet, every posture passes the collector's own report
// validation, and the mix has the shape the benchmarks claim (mostly Windows, a protected majority, a tail).
import { describe, expect, it } from 'vitest';
import { postureHash } from '../../protocol/index.js';
import { validateReport } from '../../collector/http/report-validator.js';
import { buildPosture, evolve, machineProfile, malwareEvent } from '../../scripts/simulate/profile.js';
import { Rng } from '../../scripts/simulate/rng.js';
import { LatencyHistogram } from '../../scripts/simulate/latency.js';
import { jitter, nextDue } from '../../agent/timing.js';

const NOW = Date.UTC(2026, 2, 1);

describe('simulated machine profiles', () => {
  it('are a function of (seed, index) only', () => {
    expect(machineProfile('s1', 7)).toEqual(machineProfile('s1', 7));
    expect(machineProfile('s1', 7).profile.hostname).not.toBe(machineProfile('s2', 7).profile.hostname);
  });

  it('build postures the collector accepts, for every platform and after state changes', () => {
    const platforms = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const { profile, state } = machineProfile('valid', i);
      const rng = Rng.from('t', i);
      for (let step = 0; step < 5; step++) {
        evolve(profile, state, rng, 1, NOW);
        const posture = buildPosture(profile, state, 'agt_simulatedagent000001', 10 + step, NOW, rng);
        const res = validateReport({ kind: 'posture', seq: 10 + step, postureHash: postureHash(posture), posture });
        expect('error' in res ? res.error.message : 'ok', `${profile.hostname} step ${step}`).toBe('ok');
      }
      const ev = validateReport({ kind: 'events', seq: 1, events: [malwareEvent(profile, 0, NOW, rng)] });
      expect('error' in ev ? ev.error.message : 'ok').toBe('ok');
      platforms.add(profile.platform);
    }
    expect([...platforms].sort()).toEqual(['darwin', 'linux', 'windows']);
  });

  it('keep the posture hash when nothing changed and change it when the state does', () => {
    const { profile, state } = machineProfile('hash', 1);
    const a = buildPosture(profile, state, 'agt_simulatedagent000001', 1, NOW, Rng.from('a'));
    const b = buildPosture(profile, state, 'agt_simulatedagent000001', 2, NOW + 60_000, Rng.from('b'));
    expect(postureHash(a)).toBe(postureHash(b)); // per-scan fields (seq, times, pids, health) are not state
    state.pendingSecurity += 3;
    expect(postureHash(buildPosture(profile, state, 'agt_simulatedagent000001', 3, NOW, Rng.from('c')))).not.toBe(postureHash(a));
  });

  it('give a realistic mix over 2,000 machines', () => {
    const n = 2000;
    const count = (f: (i: number) => boolean) => Array.from({ length: n }, (_, i) => i).filter(f).length / n;
    const fleet = Array.from({ length: n }, (_, i) => machineProfile('mix', i));
    const windows = count((i) => fleet[i]!.profile.platform === 'windows');
    expect(windows).toBeGreaterThan(0.6);
    expect(windows).toBeLessThan(0.85);
    const status = (i: number) => buildPosture(fleet[i]!.profile, fleet[i]!.state, 'agt_simulatedagent000001', 1, NOW, Rng.from(i)).av!.status;
    const protectedShare = count((i) => status(i) === 'protected');
    expect(protectedShare).toBeGreaterThan(0.5);
    expect(protectedShare).toBeLessThan(0.95);
    expect(count((i) => status(i) === 'unprotected')).toBeGreaterThan(0.02);
    expect(count((i) => fleet[i]!.state.pendingSecurity > 0)).toBeGreaterThan(0.2);
  });
});

describe('latency histogram', () => {
  it('gives percentiles within its 2 % resolution', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms
    expect(h.percentile(50)).toBeGreaterThanOrEqual(50);
    expect(h.percentile(50)).toBeLessThanOrEqual(51.1);
    expect(h.percentile(99)).toBeGreaterThanOrEqual(99);
    expect(h.percentile(99)).toBeLessThanOrEqual(100);
    expect(new LatencyHistogram().percentile(50)).toBeNaN();
  });
});

describe('simulated agent timers', () => {
  it('jitter each interval by ±10 % with the real agent\'s rule, so agents put in step by a backlog drift apart', () => {
    const rng = Rng.from('jitter', 1);
    const draws = Array.from({ length: 2000 }, () => jitter(60_000, () => rng.next()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(54_000);
    expect(Math.max(...draws)).toBeLessThanOrEqual(66_000);
    // Spread over the whole range, not a constant: the lowest and highest tenths are both reached.
    expect(draws.some((d) => d < 55_200)).toBe(true);
    expect(draws.some((d) => d > 64_800)).toBe(true);
    // Two agents that start in step are seconds apart after a few intervals.
    const [a, b] = [Rng.from('jitter', 2), Rng.from('jitter', 3)];
    let ta = 0;
    let tb = 0;
    for (let i = 0; i < 5; i++) {
      ta += jitter(60_000, () => a.next());
      tb += jitter(60_000, () => b.next());
    }
    expect(Math.abs(ta - tb)).toBeGreaterThan(1000);
  });

  it('keep their rhythm when held up: the next report is due an interval after the last was due, not after it went', () => {
    const fixed = () => 0.5; // no jitter: exactly one interval
    // Two agents 20 s apart in their minute, both held up until t = 50 s (a restart storm): they stay 20 s apart.
    const a = nextDue(10_000, 60_000, 50_000, fixed);
    const b = nextDue(30_000, 60_000, 50_000, fixed);
    expect([a, b]).toEqual([70_000, 90_000]);
    // Anchored on the send time instead, both would be due at 110 s, in step for good.
    // Held up longer than an interval: the missed ones are skipped (the agent's outbox keeps one heartbeat),
    // and the rhythm continues from where it was.
    expect(nextDue(10_000, 60_000, 200_000, fixed)).toBe(250_000);
    // Jittered, each step stays within ±10 % of an interval from the last due time.
    const rng = Rng.from('due', 1);
    let due = 0;
    for (let i = 0; i < 500; i++) {
      const next = nextDue(due, 60_000, due + 1000, () => rng.next());
      expect(next - due).toBeGreaterThanOrEqual(54_000);
      expect(next - due).toBeLessThanOrEqual(66_000);
      due = next;
    }
  });
});
