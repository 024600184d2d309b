// Facts that depend on when they are read. An agent that knows when its AV signatures were updated sends that
// time, and its posture hash leaves the growing age out (protocol/canonical.ts): an unchanged machine sends no
// new posture, so the stored one can be hours old when it is evaluated again (compliance/reevaluation-pass.ts).
// The age is therefore taken from the update time at evaluation, never from the stored document alone.
import { signatureAgeHours, type Posture } from '../../protocol/index.js';

/** The posture as of `now`: each AV product's signature age from its update time, where the agent sent one. */
export function postureAsOf(posture: Posture, now: Date): Posture {
  const products = posture.av?.products;
  if (!products?.some((p) => p.signaturesUpdatedAt !== undefined)) return posture;
  return {
    ...posture,
    av: {
      ...posture.av!,
      products: products.map((p) => {
        const at = p.signaturesUpdatedAt === undefined ? NaN : Date.parse(p.signaturesUpdatedAt);
        // An unreadable time leaves what the agent measured; a time ahead of the collector's clock is age 0.
        if (Number.isNaN(at)) return p;
        return { ...p, signatureAgeHours: signatureAgeHours(at, now.getTime()) };
      }),
    },
  };
}
