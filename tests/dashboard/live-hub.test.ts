// The live hub: per-connection sequence numbers without holes, unit scoping, coalescing, and a resync
// instead of a flood.
import { describe, expect, it } from 'vitest';
import { LiveHub, type LiveMessage } from '../../collector/live/hub.js';
import { changedResource, type Delta } from '../../collector/live/deltas.js';

function fakeClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimer: (t: unknown) => {
      const i = timers.indexOf(t as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        due.fn();
      }
    },
  };
}

const delta = (agentId: string): Delta => ({ type: 'agent.posture', agentId, hostname: 'h', at: 't' });

describe('LiveHub', () => {
  it('sends each viewer only its units, numbered 1, 2, 3 without holes', () => {
    const clock = fakeClock();
    const hub = new LiveHub({ minIntervalMs: 1000, gatherMs: 50, maxBatch: 100, ...clock });
    const a: LiveMessage[] = [];
    const b: LiveMessage[] = [];
    hub.add({ canSee: (u) => u === 'unit-a', send: (m) => a.push(m) });
    hub.add({ canSee: (u) => u === 'unit-b', send: (m) => b.push(m) });
    hub.publish({ unitId: 'unit-a', delta: delta('x') });
    hub.publish({ unitId: 'unit-b', delta: delta('y') });
    clock.advance(60);
    hub.publish({ unitId: 'unit-a', delta: delta('z') });
    hub.publish({ unitId: null, delta: { type: 'changed', resource: 'alerts', at: 't' } });
    clock.advance(2000);
    expect(a.map((m) => m.seq)).toEqual([1, 2]);
    expect(a.flatMap((m) => m.deltas!.map((d) => ('agentId' in d ? d.agentId : d.type)))).toEqual(['x', 'z', 'changed']);
    expect(b.map((m) => m.seq)).toEqual([1, 2]);
    expect(b.flatMap((m) => m.deltas!.map((d) => ('agentId' in d ? d.agentId : d.type)))).toEqual(['y', 'changed']);
  });

  it('coalesces: at most one message per interval, and a resync when too much piled up', () => {
    const clock = fakeClock();
    const hub = new LiveHub({ minIntervalMs: 1000, gatherMs: 50, maxBatch: 10, ...clock });
    const got: { at: number; m: LiveMessage }[] = [];
    hub.add({ canSee: () => true, send: (m) => got.push({ at: clock.now(), m }) });
    for (let i = 0; i < 5; i++) hub.publish({ unitId: 'u', delta: delta(String(i)) });
    clock.advance(100);
    for (let i = 0; i < 50; i++) {
      hub.publish({ unitId: 'u', delta: delta(String(i)) });
      clock.advance(10);
    }
    clock.advance(3000);
    expect(got[0]!.m.deltas).toHaveLength(5);
    for (let i = 1; i < got.length; i++) expect(got[i]!.at - got[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    expect(got.some((g) => g.m.resync)).toBe(true);
    expect(got.map((g) => g.m.seq)).toEqual(got.map((_, i) => i + 1));
  });

  it('names the resource of successful API changes, never logins or agent traffic', () => {
    expect(changedResource('POST', '/api/v1/alerts/al_1/acknowledge', 200)).toBe('alerts');
    expect(changedResource('POST', '/api/v1/tokens', 201)).toBe('tokens');
    expect(changedResource('POST', '/api/v1/tokens', 403)).toBeNull();
    expect(changedResource('GET', '/api/v1/alerts', 200)).toBeNull();
    expect(changedResource('POST', '/api/v1/session', 200)).toBeNull();
    expect(changedResource('POST', '/api/v1/agents/agt_x/reports', 200)).toBeNull();
    expect(changedResource('POST', '/api/v1/enroll', 200)).toBeNull();
  });
});
