// The signature controls of both packs: the product's own verdict wins; without one, the signature age decides,
// both ways. ("upToDate = true" on a product that has no verdict is unknown, so written as the only test of the
// verdict it kept the whole check unknown for old signatures instead of failing it.)
import { describe, expect, it } from 'vitest';
import { evaluatePosture } from '../../collector/policy/index.js';
import type { Posture } from '../../protocol/posture.js';
import { fixtureNow, posture, shippedSet } from './helpers.js';

const set = shippedSet();
const CONTROLS = ['vn.malware.signatures', 'cis.10.2'];

function withClam(product: Record<string, unknown>): Posture {
  const p = posture('linux-server-compliant.json');
  return { ...p, av: { ...p.av!, products: [{ name: 'ClamAV', vendor: 'Cisco Talos', kind: 'av', running: true, realtime: true, source: 'test', ...product }] } } as Posture;
}

const statuses = (p: Posture) =>
  Object.fromEntries(evaluatePosture(set, p, { level: 3, now: fixtureNow, attestations: [] }).filter((f) => CONTROLS.includes(f.controlId)).map((f) => [f.controlId, f.status]));

describe('signature age controls', () => {
  it('exist under these ids in the shipped packs', () => {
    for (const id of CONTROLS) expect(set.byId[id], id).toBeDefined();
  });

  it.each([
    ['no verdict, fresh signatures', { signatureAgeHours: 10 }, 'pass'],
    ['no verdict, old signatures', { signatureAgeHours: 500 }, 'fail'],
    ['its own verdict: up to date, whatever the age', { upToDate: true, signatureAgeHours: 500 }, 'pass'],
    ['its own verdict: out of date, whatever the age', { upToDate: false, signatureAgeHours: 1 }, 'fail'],
    ['no verdict, no age', {}, 'unknown'],
  ])('%s: %s', (_what, product, expected) => {
    expect(statuses(withClam(product))).toEqual(Object.fromEntries(CONTROLS.map((id) => [id, expected])));
  });
});
