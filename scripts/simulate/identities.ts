// The simulated fleet's identities, cached in one file (mode 0600) so a second run against the same collector
// reuses its enrolled agents instead of enrolling 100,000 new ones: agent id, Ed25519 private key (PKCS#8 DER,
// base64) and the last sequence number each agent used. Session keys are never cached: like the collector,
// which forgets them on restart, a new run opens new sessions.
import type { SimSession } from './transport.js';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SimIdentity {
  index: number;
  agentId: string | null;
  privateKey: KeyObject;
  publicKeyB64: string;
  lastSeq: number;
  /** The agent's current session with the collector, when it has one (memory only). */
  session: SimSession | null;
}

interface StoredIdentity {
  index: number;
  agentId: string;
  key: string;
  pub: string;
  seq: number;
}

interface CacheFile {
  format: 'soclite-simulate-identities-v1';
  server: string;
  seed: string;
  agents: StoredIdentity[];
}

export function newIdentity(index: number): SimIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { index, agentId: null, privateKey, publicKeyB64: der.subarray(der.length - 32).toString('base64'), lastSeq: 0, session: null };
}

/**
 * Reads the cache for this collector and seed. A cache made for another server or seed is refused with a
 * message rather than silently reused: its agents do not exist on that collector. `only` picks the indices wanted.
 */
export function loadIdentities(file: string, server: string, seed: string, only: (index: number) => boolean = () => true): Map<number, SimIdentity> {
  const out = new Map<number, SimIdentity>();
  if (!existsSync(file)) return out;
  let parsed: CacheFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
  } catch (err) {
    throw new Error(`identity cache ${file} is not valid JSON (${(err as Error).message}); delete it to enroll afresh`);
  }
  if (parsed.format !== 'soclite-simulate-identities-v1' || !Array.isArray(parsed.agents)) {
    throw new Error(`identity cache ${file} is not a soclite simulate identity file`);
  }
  if (parsed.server !== server || parsed.seed !== seed) {
    throw new Error(
      `identity cache ${file} belongs to server ${parsed.server} with seed "${parsed.seed}", not ${server} with seed "${seed}"; use another --identity-file or delete it`,
    );
  }
  for (const a of parsed.agents) {
    if (!Number.isInteger(a.index) || typeof a.agentId !== 'string' || typeof a.key !== 'string' || !Number.isInteger(a.seq)) {
      throw new Error(`identity cache ${file} has a malformed entry (index ${String(a.index)})`);
    }
    // Decoding a key costs ~0.5 ms: a slice of the fleet (fleet-group.ts) decodes only its own agents' keys.
    if (!only(a.index)) continue;
    const privateKey = createPrivateKey({ key: Buffer.from(a.key, 'base64'), format: 'der', type: 'pkcs8' });
    out.set(a.index, { index: a.index, agentId: a.agentId, privateKey, publicKeyB64: a.pub, lastSeq: a.seq, session: null });
  }
  return out;
}

/** Writes the enrolled identities (write to a temporary file, then rename: a crash never leaves half a file). */
export function saveIdentities(file: string, server: string, seed: string, identities: Iterable<SimIdentity>): void {
  const agents: StoredIdentity[] = [];
  for (const id of identities) {
    if (!id.agentId) continue;
    agents.push({
      index: id.index,
      agentId: id.agentId,
      key: id.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      pub: id.publicKeyB64,
      seq: id.lastSeq,
    });
  }
  agents.sort((a, b) => a.index - b.index);
  const body: CacheFile = { format: 'soclite-simulate-identities-v1', server, seed, agents };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
  renameSync(tmp, file);
}
