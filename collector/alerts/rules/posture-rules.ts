// Rules over a changed posture: AV/EDR protection, signature age, exposed risky services. They compare the
// posture with the alerts already active for the agent: a condition newly present raises, a condition gone
// clears, a condition that persists does nothing. A section the agent could not collect (absent) decides
// nothing either way: unknown is neither a new problem nor proof that the old one is gone.
import type { AvProduct, Posture } from '../../../protocol/index.js';
import type { RiskyPort } from '../config.js';
import type { ActiveKeys, AlertDecision } from '../types.js';
import { clip, keysOf } from './text.js';

export interface PostureRuleContext {
  /** The machine's effective security level (cấp độ). */
  level: number;
  /** Signature age limit for this level, hours. */
  maxSignatureAgeHours: number;
  /** Lowest level at which a machine without any AV/EDR product raises av_missing. */
  avRequiredFromLevel: number;
  riskyPorts: readonly RiskyPort[];
  active: ActiveKeys;
  at: string;
}

/** The AV kinds are mutually exclusive per machine: at most one describes the current protection state. */
export const AV_KINDS = ['av_unprotected', 'av_degraded', 'av_unknown', 'av_missing'] as const;

function clearOthers(ctx: PostureRuleContext, kinds: readonly string[], keep: string | null, reason: string): AlertDecision[] {
  const out: AlertDecision[] = [];
  for (const kind of kinds) {
    if (kind === keep) continue;
    for (const key of keysOf(ctx.active, kind)) out.push({ op: 'clear', kind, key, reason, at: ctx.at });
  }
  return out;
}

const productList = (products: readonly AvProduct[]) => clip(products.map((p) => `${p.vendor} ${p.name}`.trim()).join(', ') || '-', 1000);

export function avProtectionRule(posture: Posture, ctx: PostureRuleContext): AlertDecision[] {
  const av = posture.av;
  if (!av) return [];
  const reasons = clip(av.reasons.join('; ') || '-', 1000);
  let kind: (typeof AV_KINDS)[number] | null = null;
  if (av.products.length === 0) kind = ctx.level >= ctx.avRequiredFromLevel ? 'av_missing' : null;
  else if (av.status === 'unprotected') kind = 'av_unprotected';
  else if (av.status === 'degraded') kind = 'av_degraded';
  else if (av.status === 'unknown') kind = 'av_unknown';
  const out = clearOthers(ctx, AV_KINDS, kind, kind ? `protection is now ${av.status}` : 'protection restored');
  if (kind && !keysOf(ctx.active, kind).has('')) {
    const details = { status: av.status, reasons, products: productList(av.products), level: ctx.level };
    const titles: Record<(typeof AV_KINDS)[number], { vi: string; en: string; severity: 'critical' | 'high' | 'medium' }> = {
      av_missing: { vi: 'Không có phần mềm phòng chống mã độc', en: 'No anti-malware/EDR product installed', severity: 'high' },
      av_unprotected: { vi: 'Phần mềm phòng chống mã độc bị tắt', en: 'Anti-malware protection is off', severity: 'high' },
      av_degraded: { vi: 'Bảo vệ chống mã độc bị suy giảm', en: 'Anti-malware protection is degraded', severity: 'medium' },
      av_unknown: { vi: 'Không xác định được trạng thái phòng chống mã độc', en: 'Anti-malware protection state is unknown', severity: 'medium' },
    };
    const t = titles[kind];
    out.push({ op: 'raise', kind, key: '', severity: t.severity, title: { vi: t.vi, en: t.en }, details, at: ctx.at });
  }
  return out;
}

/** One alert per product whose signatures are older than the level allows (or that says it is out of date). */
export function signatureAgeRule(posture: Posture, ctx: PostureRuleContext): AlertDecision[] {
  const av = posture.av;
  if (!av) return [];
  const outdated = new Map<string, AvProduct>();
  for (const p of av.products) {
    const tooOld = p.signatureAgeHours !== undefined && p.signatureAgeHours > ctx.maxSignatureAgeHours;
    if (tooOld || p.upToDate === false) outdated.set(clip(`${p.vendor}/${p.name}`, 200), p);
  }
  const out: AlertDecision[] = [];
  const active = keysOf(ctx.active, 'signatures_outdated');
  for (const key of active) {
    if (!outdated.has(key)) out.push({ op: 'clear', kind: 'signatures_outdated', key, reason: 'signatures current again', at: ctx.at });
  }
  for (const [key, p] of outdated) {
    if (active.has(key)) continue;
    const age = p.signatureAgeHours;
    out.push({
      op: 'raise',
      kind: 'signatures_outdated',
      key,
      severity: 'medium',
      title: {
        vi: clip(`Mẫu nhận diện mã độc đã cũ: ${p.name}`),
        en: clip(`Anti-malware signatures out of date: ${p.name}`),
      },
      details: {
        product: clip(p.name, 200),
        vendor: clip(p.vendor, 200),
        ...(age !== undefined ? { signatureAgeHours: age } : {}),
        ...(p.signatureVersion ? { signatureVersion: clip(p.signatureVersion, 128) } : {}),
        ...(p.upToDate !== undefined ? { upToDate: p.upToDate } : {}),
        maxSignatureAgeHours: ctx.maxSignatureAgeHours,
        level: ctx.level,
      },
      at: ctx.at,
    });
  }
  return out;
}

/** True for addresses only this machine can reach. Anything unparsable counts as reachable (unknown is not safe). */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (a === 'localhost' || a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** A risky service (RDP, SMB, databases...) listening on a non-loopback address; one alert per proto/port. */
export function exposedServiceRule(posture: Posture, ctx: PostureRuleContext): AlertDecision[] {
  const net = posture.network;
  if (!net) return [];
  const risky = new Map(ctx.riskyPorts.map((r) => [`${r.proto ?? 'tcp'}/${r.port}`, r]));
  const exposed = new Map<string, { name: string; addresses: Set<string>; processes: Set<string> }>();
  for (const s of net.listening) {
    const key = `${s.proto}/${s.port}`;
    const r = risky.get(key);
    if (!r || isLoopbackAddress(s.address)) continue;
    const e = exposed.get(key) ?? { name: r.name, addresses: new Set(), processes: new Set() };
    e.addresses.add(s.address);
    if (s.process) e.processes.add(s.process);
    exposed.set(key, e);
  }
  const out: AlertDecision[] = [];
  const active = keysOf(ctx.active, 'exposed_service');
  for (const key of active) {
    if (!exposed.has(key)) out.push({ op: 'clear', kind: 'exposed_service', key, reason: 'service no longer listening on a reachable address', at: ctx.at });
  }
  for (const [key, e] of exposed) {
    if (active.has(key)) continue;
    const [proto, port] = key.split('/') as [string, string];
    out.push({
      op: 'raise',
      kind: 'exposed_service',
      key,
      severity: 'high',
      title: { vi: `Dịch vụ rủi ro ${e.name} mở ra mạng (${key})`, en: `Risky service ${e.name} exposed to the network (${key})` },
      details: {
        service: e.name,
        proto,
        port: Number(port),
        addresses: clip([...e.addresses].join(', '), 1000),
        ...(e.processes.size ? { process: clip([...e.processes].join(', '), 500) } : {}),
      },
      at: ctx.at,
    });
  }
  return out;
}

export function postureRules(posture: Posture, ctx: PostureRuleContext): AlertDecision[] {
  return [...avProtectionRule(posture, ctx), ...signatureAgeRule(posture, ctx), ...exposedServiceRule(posture, ctx)];
}
