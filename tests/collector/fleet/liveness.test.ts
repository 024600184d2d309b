import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nextLivenessState, type LivenessTimers } from '../../../collector/fleet/liveness.js';

const t: LivenessTimers = { lateAfterSec: 180, offlineAfterSec: 900, missingAfterSec: 7 * 86400 };
const at = (secondsAgo: number, now: number) => new Date(now - secondsAgo * 1000).toISOString();
const now = Date.parse('2026-11-22T10:00:00Z');

describe('liveness state machine', () => {
  it.each([
    [10, 'online', null],
    [200, 'online', 'late'],
    [1000, 'late', 'offline'],
    [1000, 'online', 'offline'],
    [8 * 86400, 'offline', 'missing'],
    [200, 'late', null],
  ] as const)('silent %i s in state %s -> %s', (silent, from, to) => {
    const r = nextLivenessState(from, at(silent, now), now, t);
    expect(r?.state ?? null).toBe(to);
    if (r) expect(r.reason).toMatch(new RegExp(`no report for ${silent} s without a goodbye`));
  });

  it('leaves stopped and retired agents alone however long they are silent', () => {
    expect(nextLivenessState('stopped', at(1e6, now), now, t)).toBeNull();
    expect(nextLivenessState('retired', at(1e6, now), now, t)).toBeNull();
  });

  it('is monotonic: more silence never gives a livelier state', () => {
    const rank = { online: 0, late: 1, offline: 2, missing: 3 } as Record<string, number>;
    fc.assert(
      fc.property(fc.nat(10 * 86400), fc.nat(10 * 86400), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const s = (x: number) => nextLivenessState('online', at(x, now), now, t)?.state ?? 'online';
        return rank[s(lo)]! <= rank[s(hi)]!;
      }),
    );
  });

  it('does not blame an online agent for time the collector itself was down', () => {
    // Last report 2 h ago, collector restarted 60 s ago: within lateAfterSec of the restart it stays online...
    expect(nextLivenessState('online', at(7200, now), now, t, now - 60_000)).toBeNull();
    // ...and is judged late once it stays silent for lateAfterSec after the restart.
    expect(nextLivenessState('online', at(7200, now), now, t, now - 200_000)?.state).toBe('late');
    // An agent that was already offline keeps counting from its last report (missing after 7 days).
    expect(nextLivenessState('offline', at(8 * 86400, now), now, t, now - 60_000)?.state).toBe('missing');
    expect(nextLivenessState('late', at(1000, now), now, t, now - 60_000)?.state).toBe('offline');
  });
});
