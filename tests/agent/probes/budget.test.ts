// Per-probe budgets: a probe over its budget is abandoned and reported in agent.probeErrors with its cost
// recorded; a failing probe is reported with its reason; neither stops the scan.
import { describe, expect, it } from 'vitest';
import { runWithBudget, type ProbeCost } from '../../../agent/probes/budget.js';
import { ProbeErrors } from '../../../agent/probes/probe-errors.js';
import { scanPosture, lastProbeCosts } from '../../../agent/scan.js';
import { fakeHost } from './fake-host.js';

describe('runWithBudget', () => {
  it('returns the result within budget and records the cost', async () => {
    const errors = new ProbeErrors();
    const costs: ProbeCost[] = [];
    expect(await runWithBudget('quick', 1000, errors, costs, async () => 42)).toBe(42);
    expect(errors.list).toEqual([]);
    expect(costs).toEqual([{ probe: 'quick', ms: expect.any(Number), ok: true }]);
  });

  it('abandons a probe over budget and says so', async () => {
    const errors = new ProbeErrors();
    const costs: ProbeCost[] = [];
    const never = new Promise<number>(() => undefined);
    expect(await runWithBudget('slow', 20, errors, costs, () => never)).toBeUndefined();
    expect(errors.list).toEqual([{ probe: 'slow', error: 'probe exceeded its budget of 20 ms and was abandoned' }]);
    expect(costs[0]).toMatchObject({ probe: 'slow', ok: false });
  });

  it('reports a failing probe with its reason', async () => {
    const errors = new ProbeErrors();
    await runWithBudget('broken', 1000, errors, [], async () => {
      throw new Error('permission denied reading /proc/net/tcp');
    });
    expect(errors.list).toEqual([{ probe: 'broken', error: 'permission denied reading /proc/net/tcp' }]);
  });
});

describe('scanPosture with a hung source', () => {
  it('a Windows collector that never answers is reported as over budget; the posture is still produced', async () => {
    const host = fakeHost({ commands: { ['powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File C:\\x.ps1']: () => new Promise(() => undefined) } });
    const p = await scanPosture({ agentId: 'a', version: 'v', seq: 1, platform: 'win32', host, windowsScript: 'C:\\x.ps1', budgets: { windows: 50 } });
    expect(p.agent.probeErrors).toContainEqual({ probe: 'windows', error: 'probe exceeded its budget of 50 ms and was abandoned' });
    expect(p.av).toBeUndefined();
    expect(lastProbeCosts.find((c) => c.probe === 'windows')).toMatchObject({ ok: false });
  });
});

describe('ProbeErrors bound', () => {
  it('keeps the protocol bound of 256 and counts what it left out in the last entry', () => {
    const errors = new ProbeErrors();
    for (let i = 0; i < 300; i++) errors.add(`p${i}`, `e${i}`);
    expect(errors.list).toHaveLength(256);
    expect(errors.list[254]).toEqual({ probe: 'p254', error: 'e254' });
    expect(errors.list[255]).toEqual({ probe: 'agent.probeErrors', error: '45 more probe errors omitted (list bounded to 256)' });
  });
});
