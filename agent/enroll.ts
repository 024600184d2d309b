// Enrollment on the agent side: read the token from a file (never argv: other users can read a process's
// arguments), make a key pair, register the public key, store identity and private key with 0600.
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { enroll } from './transport/client.js';
import { ensureStateDir, hasIdentity, newKeyPair, saveIdentity, type AgentIdentity } from './transport/identity.js';
import { readHostInventory } from './probes/inventory/host.js';
import { ProbeErrors } from './probes/probe-errors.js';

export interface EnrollOptions {
  serverUrl: string;
  tokenFile: string;
  stateDir: string;
  version: string;
  caFile?: string;
  force?: boolean;
}

export class EnrollError extends Error {}

export function readTokenFile(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new EnrollError(`cannot read token file ${path}: ${(err as Error).message}`);
  }
  if (!st.isFile()) throw new EnrollError(`token file ${path} is not a regular file`);
  if (st.size > 4096) throw new EnrollError(`token file ${path} is too large to be a token`);
  const token = readFileSync(path, 'utf8').trim();
  if (!/^slt_[A-Za-z0-9_-]{20,}$/.test(token)) throw new EnrollError(`token file ${path} does not contain an enrollment token (slt_...)`);
  return token;
}

/** The CA to pin: one or more PEM certificates, nothing else (a private key here would be a mistake to refuse). */
export function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EnrollError(`cannot read CA file ${path}: ${(err as Error).message}`);
  }
  if (text.length > 256 * 1024 || !/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text)) {
    throw new EnrollError(`CA file ${path} does not hold a PEM certificate`);
  }
  if (/PRIVATE KEY-----/.test(text)) throw new EnrollError(`CA file ${path} contains a private key; give the CA certificate (ca.crt) only`);
  return text;
}

export async function enrollAgent(o: EnrollOptions): Promise<AgentIdentity> {
  if (hasIdentity(o.stateDir) && !o.force) {
    throw new EnrollError(`${o.stateDir} already holds an enrolled agent; pass --force to enroll again with a new key`);
  }
  let url: URL;
  try {
    url = new URL(o.serverUrl);
  } catch {
    throw new EnrollError(`--server must be a URL such as https://collector:8443, got "${o.serverUrl}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EnrollError('--server must be http:// or https://');
  const token = readTokenFile(o.tokenFile);
  const caPem = o.caFile ? readCaFile(o.caFile) : undefined;
  // A pinned CA only means something over TLS: refuse to store one for a plain-HTTP collector.
  if (caPem && url.protocol !== 'https:') throw new EnrollError('--ca-file pins the collector certificate and needs an https:// --server');
  const inv = await readHostInventory(new ProbeErrors());
  const keys = newKeyPair();
  const res = await enroll(
    { serverUrl: url.origin, caPem },
    {
      token,
      publicKey: keys.publicKeyB64,
      agentVersion: o.version,
      hostname: inv.host.hostname || os.hostname(),
      hardwareId: inv.host.hardwareId || 'unknown',
      platform: inv.host.os.platform,
    },
    keys.privateKey,
  );
  const identity: AgentIdentity = {
    agentId: res.agentId,
    serverUrl: url.origin,
    unit: res.unit,
    publicKey: keys.publicKeyB64,
    settings: res.settings,
    enrolledAt: res.collectorTime,
    ...(caPem ? { caPem } : {}),
  };
  ensureStateDir(o.stateDir);
  saveIdentity(o.stateDir, identity, keys.privatePem);
  return identity;
}
