// The background passes over the agents table (liveness timers, per-level offline timers) read a range of rowids
// per turn and at most a batch of candidates per step: every candidate must still be visited once per pass.
import { describe, expect, it } from 'vitest';
import { nextRowid, rowidPass } from '../../collector/rowid-pass.js';

/** A table of rowids 1..n (some missing, as after deletions) with candidates the step must visit. */
function table(n: number, isCandidate: (rowid: number) => boolean) {
  return Array.from({ length: n }, (_, i) => i + 1).filter((r) => r % 7 !== 0 && isCandidate(r));
}

describe('rowid pass', () => {
  it('visits every candidate once, a batch per step and a range per turn of the event loop', async () => {
    const candidates = table(200, (r) => r % 3 !== 0);
    const visited: number[] = [];
    let steps = 0;
    // Other work queued on the event loop when the pass starts runs after its first step, not after its last.
    let stepsWhenOtherWorkRan = -1;
    setImmediate(() => (stepsWhenOtherWorkRan = steps));
    await rowidPass(
      200,
      50,
      (from, to) => {
        steps++;
        const rows = candidates.filter((r) => r >= from && r < to).slice(0, 4).map((rowid) => ({ rowid }));
        visited.push(...rows.map((r) => r.rowid));
        return nextRowid(rows, 4, to);
      },
      () => false,
    );
    expect(visited).toEqual(candidates);
    expect(steps).toBeGreaterThan(Math.ceil(candidates.length / 4) - 1);
    expect(stepsWhenOtherWorkRan).toBe(1);
  });

  it('stops when asked, and passes a step failure to its caller', async () => {
    let steps = 0;
    await rowidPass(1000, 10, (_from, to) => (steps++, to), () => steps >= 3);
    expect(steps).toBe(3);
    await expect(rowidPass(1000, 10, () => { throw new Error('disk I/O error'); }, () => false)).rejects.toThrow('disk I/O error');
  });

  it('continues after the last row of a full batch, else at the end of the range', () => {
    expect(nextRowid([{ rowid: 5 }, { rowid: 9 }], 2, 100)).toBe(10);
    expect(nextRowid([{ rowid: 5 }], 2, 100)).toBe(100);
    expect(nextRowid([], 2, 100)).toBe(100);
  });
});
