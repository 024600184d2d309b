// Canonical JSON (sorted keys, no whitespace) so agent and collector hash the same posture to the same value.
import type { Posture } from './posture.js';
import { sha256Hex } from './signing.js';

// Both functions below are self-contained (no outside references) on purpose: the collector's report worker
// (collector/fleet/signature-verifier.ts) evaluates their source text to hash postures off the event loop.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v === undefined ? null : v)).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

/**
 * Hash of what the posture says about the machine. The per-scan measurements (seq, times, the agent's own
 * RSS/CPU), process ids and a signature age whose update time is also sent change every scan without the
 * machine's state changing, so they are left out: an unchanged machine keeps its hash and costs the collector
 * one comparison. (Before the age was left out, a Linux or macOS machine with ClamAV or Defender sent a new
 * posture every scan, its age having grown by a tenth of an hour: every one evaluated and stored again.)
 */
export function postureHash(p: Posture): string {
  return sha256Hex(canonicalJson(stablePostureView(p)));
}

/** The part of a posture its hash covers (see postureHash). */
export function stablePostureView(p: Posture): unknown {
  return {
    ...p,
    agent: { id: p.agent.id, version: p.agent.version, probeErrors: p.agent.probeErrors },
    network: p.network && {
      ...p.network,
      listening: p.network.listening.map((s) => ({ ...s, pid: undefined })),
    },
    host: { ...p.host, health: undefined },
    av: p.av && {
      ...p.av,
      products: p.av.products.map((x) => (x.signaturesUpdatedAt === undefined ? x : { ...x, signatureAgeHours: undefined })),
    },
  };
}
