// Controls an agent cannot observe (training, drills, periodic assessment, backup restore tests) are backed by
// attestations an authorised user recorded. Pass only with a valid, unexpired one; fail when the only ones
// there have expired (or are older than the pack allows); unknown when there is none at all.
import type { Attestation, AttestationKind, CheckResult, CompiledCheck, EvalEnv } from './types.js';

const DAY_MS = 86_400_000;

// The same attestation objects are checked for every control and every posture of a unit: parse them once.
const parsedCache = new WeakMap<Attestation, { from: number; until: number } | null>();
function parse(a: Attestation): { from: number; until: number } | null {
  let p = parsedCache.get(a);
  if (p === undefined) {
    const from = typeof a.validFrom === 'string' ? Date.parse(a.validFrom) : NaN;
    const until = typeof a.validUntil === 'string' ? Date.parse(a.validUntil) : NaN;
    const ok = !Number.isNaN(from) && !Number.isNaN(until) && until > from && typeof a.documentSha256 === 'string' && /^[0-9a-f]{64}$/.test(a.documentSha256);
    p = ok ? { from, until } : null;
    parsedCache.set(a, p);
  }
  return p;
}

export function compileAttestation(kind: AttestationKind, maxAgeDays: number | undefined): CompiledCheck {
  const expected =
    `a valid attestation of kind "${kind}"` + (maxAgeDays !== undefined ? ` issued within the last ${maxAgeDays} day(s)` : '');
  return {
    expected,
    needsPosture: false,
    evaluate: (env: EvalEnv): CheckResult => {
      let best: { a: Attestation; until: number } | undefined;
      let expired: { a: Attestation; until: number } | undefined;
      let notYetValid = 0;
      let malformed = 0;
      for (const a of env.attestations) {
        if (a.kind !== kind) continue;
        if (a.controlIds && !a.controlIds.includes(env.controlId)) continue;
        const parsed = parse(a);
        if (!parsed) {
          malformed++;
          continue;
        }
        const from = parsed.from;
        let until = parsed.until;
        // The pack may cap how long one document counts, whatever validity the recorder typed in.
        if (maxAgeDays !== undefined) until = Math.min(until, from + maxAgeDays * DAY_MS);
        if (from > env.now) {
          notYetValid++;
        } else if (until > env.now) {
          if (!best || until > best.until) best = { a, until };
        } else if (!expired || until > expired.until) {
          expired = { a, until };
        }
      }
      const summary = (x: { a: Attestation; until: number }) => ({
        id: x.a.id,
        documentSha256: x.a.documentSha256,
        validFrom: x.a.validFrom,
        validUntil: x.until === parse(x.a)?.until ? x.a.validUntil : new Date(x.until).toISOString(),
      });
      if (best) return { status: 'pass', observed: { attestation: summary(best) } };
      if (expired) {
        return {
          status: 'fail',
          reason: `the latest "${kind}" attestation (${expired.a.id}) expired on ${new Date(expired.until).toISOString()}`,
          observed: { attestation: summary(expired) },
        };
      }
      const extra = [notYetValid ? `${notYetValid} not yet valid` : '', malformed ? `${malformed} malformed, ignored` : ''].filter(Boolean).join(', ');
      return {
        status: 'unknown',
        reason: `no "${kind}" attestation recorded for this machine${extra ? ` (${extra})` : ''}`,
        observed: { attestation: null },
      };
    },
  };
}
