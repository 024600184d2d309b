import { describe, expect, it } from 'vitest';
import { diffHashes } from '../../agent/watch/integrity-diff.js';
import { clamavDetectionEvents } from '../../agent/watch/detections.js';

describe('integrity diff', () => {
  it('names created, modified and deleted files with their hashes', () => {
    expect(diffHashes({ a: 'x', b: 'y', c: 'z' }, { a: 'x', b: 'y2', c: null, d: 'w' })).toEqual([
      { path: 'b', change: 'modified', oldSha256: 'y', newSha256: 'y2' },
      { path: 'c', change: 'deleted', oldSha256: 'z' },
      { path: 'd', change: 'created', newSha256: 'w' },
    ]);
  });
  it('a path absent from the current reading is not a deletion (it was not looked at)', () => {
    expect(diffHashes({ a: 'x' }, {})).toEqual([]);
  });
});

describe('ClamAV detection events', () => {
  const lines = [
    { text: 'Sun Nov 22 01:47:00 2026 -> /home/u/eicar.com: Eicar-Signature FOUND', offset: 0 },
    { text: 'Sun Nov 22 01:47:01 2026 -> /home/u/ok.txt: OK', offset: 70 },
    { text: '/tmp/x: y: Win.Test.EICAR_HDB-1 FOUND', offset: 120 },
  ];
  it('makes one event per FOUND line with the path (even containing ": ") and signature', () => {
    const ev = clamavDetectionEvents(lines, '/var/log/clamav/clamav.log', 7);
    expect(ev.map((e) => [e.data.path, e.data.signature])).toEqual([
      ['/home/u/eicar.com', 'Eicar-Signature'],
      ['/tmp/x: y', 'Win.Test.EICAR_HDB-1'],
    ]);
    expect(ev[0]!.at).toBe(new Date('Sun Nov 22 01:47:00 2026').toISOString());
  });
  it('gives the same id to the same line at the same place, and a new id to the same text logged again', () => {
    const a = clamavDetectionEvents(lines, '/l', 7);
    expect(clamavDetectionEvents(lines, '/l', 7).map((e) => e.id)).toEqual(a.map((e) => e.id));
    const later = clamavDetectionEvents([{ ...lines[0]!, offset: 500 }], '/l', 7);
    expect(later[0]!.id).not.toBe(a[0]!.id);
    expect(a[0]!.id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});
