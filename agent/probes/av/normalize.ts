// Turns the products a source found into one verdict: protected | degraded | unprotected | unknown, with the
// reasons a person needs to act. Rules, in order:
// - protected: at least one product able to stop malware (kind av or av+edr) is running, its real-time
//   protection is on and its signatures are current (or it is a sensor with no signatures), and not passive;
// - degraded: something is running but no product meets the above (e.g. stale signatures, real-time off,
//   only a monitoring EDR such as Wazuh);
// - unprotected: products are installed but none runs, or none is found;
// - unknown: the source could not look (the caller passes `couldNotLook`).
// Microsoft Defender passive beside another active AV is how Windows and MDE are meant to work: it is noted,
// not counted against the host.
import type { AvProduct, AvSection, AvStatus } from '../../../protocol/posture.js';

export interface ProductFacts extends AvProduct {
  /** no local signature database: protection is the running sensor itself */
  sensor?: boolean;
  /** problems the source itself observed (e.g. "reduced functionality mode") */
  issues?: string[];
}

function problems(p: ProductFacts): string[] {
  const out: string[] = [...(p.issues ?? [])];
  if (p.running === false) out.push('not running');
  if (p.running === undefined) out.push('running state unknown');
  if (p.realtime === false && !p.passive) out.push('real-time protection off');
  if (p.realtime === undefined && !p.sensor) out.push('real-time protection state unknown');
  // With the update time known, the reason names it rather than the age: an age in hours would make a machine
  // whose signatures stay out of date send a changed posture every hour (protocol/canonical.ts).
  if (p.upToDate === false) {
    out.push(
      p.signaturesUpdatedAt !== undefined
        ? `signatures out of date (last updated ${p.signaturesUpdatedAt.slice(0, 16).replace('T', ' ')} UTC)`
        : p.signatureAgeHours !== undefined
          ? `signatures out of date (${Math.round(p.signatureAgeHours)} h old)`
          : 'signatures out of date',
    );
  }
  if (p.upToDate === undefined && !p.sensor) out.push('signature age unknown');
  return out;
}

function canBlock(p: ProductFacts): boolean {
  return p.kind === 'av' || p.kind === 'av+edr';
}

export function isActiveProtection(p: ProductFacts): boolean {
  return canBlock(p) && !p.passive && problems(p).length === 0;
}

const isDefender = (p: ProductFacts) => /defender/i.test(p.name) && /microsoft/i.test(p.vendor);

export function normalizeAv(products: ProductFacts[], couldNotLook: string[] = []): AvSection {
  const reasons: string[] = [];
  const active = products.filter(isActiveProtection);
  for (const p of products) {
    const issues = problems(p);
    if (p.passive) {
      const others = active.filter((o) => o !== p).map((o) => o.name);
      if (isDefender(p) && others.length) reasons.push(`${p.name}: passive mode beside ${others.join(', ')} (normal)`);
      else reasons.push(`${p.name}: passive mode and no other active antivirus`);
    }
    for (const i of issues) reasons.push(`${p.name}: ${i}`);
    if (!canBlock(p) && p.running) reasons.push(`${p.name}: monitoring/EDR only, does not block malware`);
  }
  let status: AvStatus;
  if (active.length) status = 'protected';
  else if (products.some((p) => p.running === true)) status = 'degraded';
  // Nothing runs. If any product's running state, or a whole source, could not be read we cannot say
  // "unprotected" either: unknown is not pass, and not fail.
  else if (products.some((p) => p.running === undefined) || couldNotLook.length) status = 'unknown';
  else if (products.length) status = 'unprotected';
  else {
    status = 'unprotected';
    reasons.push('no antivirus or EDR product found');
  }
  for (const c of couldNotLook) reasons.push(`could not check: ${c}`);
  return {
    status,
    reasons: reasons.slice(0, 64).map((r) => r.slice(0, 500)),
    products: products.slice(0, 32).map(toProtocol),
  };
}

function toProtocol(p: ProductFacts): AvProduct {
  const { sensor: _sensor, issues: _issues, ...rest } = p;
  return rest;
}
