// A stored posture evaluated later: the signature age comes from the update time as of the evaluation.
import { describe, expect, it } from 'vitest';
import { postureAsOf } from '../../collector/policy/current-facts.js';
import type { Posture } from '../../protocol/index.js';

const base = (products: object[]) =>
  ({ agent: { id: 'agt_x', version: '1', seq: 1, collectedAt: '2026-11-01T00:00:00.000Z' }, host: { hostname: 'h' }, av: { status: 'protected', reasons: [], products } }) as unknown as Posture;

describe('postureAsOf', () => {
  it('recomputes each age from its update time, in tenths of an hour, and leaves the rest as sent', () => {
    const p = base([
      { name: 'ClamAV', vendor: 'Cisco Talos', kind: 'av', signatureAgeHours: 10, signaturesUpdatedAt: '2026-10-31T14:00:00.000Z', source: 's' },
      { name: 'Old agent', vendor: 'v', kind: 'av', signatureAgeHours: 5, source: 's' },
    ]);
    const later = postureAsOf(p, new Date('2026-11-30T14:15:00.000Z'));
    expect(later.av!.products.map((x) => x.signatureAgeHours)).toEqual([720.3, 5]);
    // The stored document is not changed.
    expect(p.av!.products[0]!.signatureAgeHours).toBe(10);
    expect(later.host).toBe(p.host);
  });

  it('takes an update time ahead of the collector’s clock as age 0, and keeps the sent age when the time is unreadable', () => {
    const p = base([
      { name: 'A', vendor: 'v', kind: 'av', signatureAgeHours: 1, signaturesUpdatedAt: '2026-12-01T00:00:00.000Z', source: 's' },
      { name: 'B', vendor: 'v', kind: 'av', signatureAgeHours: 3, signaturesUpdatedAt: 'not a time', source: 's' },
    ]);
    expect(postureAsOf(p, new Date('2026-11-30T00:00:00.000Z')).av!.products.map((x) => x.signatureAgeHours)).toEqual([0, 3]);
  });

  it('returns the posture itself when no product has an update time', () => {
    const p = base([{ name: 'A', vendor: 'v', kind: 'av', signatureAgeHours: 1, source: 's' }]);
    expect(postureAsOf(p, new Date())).toBe(p);
    const none = { ...p, av: undefined } as Posture;
    expect(postureAsOf(none, new Date())).toBe(none);
  });
});
