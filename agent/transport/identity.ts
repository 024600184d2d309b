// The agent's identity on disk: an Ed25519 key pair made at enrollment (private key 0600, never sent) and the
// enrollment result (agent id, collector URL, unit, settings).
import { generateKeyPairSync, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentSettings } from '../../protocol/index.js';
import { writeFileDurable } from './durable-file.js';

export interface AgentIdentity {
  agentId: string;
  serverUrl: string;
  unit: string;
  publicKey: string;
  settings: AgentSettings;
  enrolledAt: string;
  /** PEM of the CA the collector's TLS certificate must chain to (pinned at enrollment). */
  caPem?: string;
}

export interface LoadedIdentity extends AgentIdentity {
  privateKey: KeyObject;
}

const IDENTITY_FILE = 'identity.json';
const KEY_FILE = 'agent-key.pem';

export function ensureStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
}

export function newKeyPair(): { privateKey: KeyObject; publicKeyB64: string; privatePem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey,
    publicKeyB64: der.subarray(der.length - 32).toString('base64'),
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

export function saveIdentity(stateDir: string, id: AgentIdentity, privatePem: string): void {
  ensureStateDir(stateDir);
  writeFileDurable(join(stateDir, KEY_FILE), privatePem, 0o600);
  writeFileDurable(join(stateDir, IDENTITY_FILE), JSON.stringify(id, null, 2), 0o600);
}

export function hasIdentity(stateDir: string): boolean {
  return existsSync(join(stateDir, IDENTITY_FILE)) && existsSync(join(stateDir, KEY_FILE));
}

export function loadIdentity(stateDir: string): LoadedIdentity {
  const keyPath = join(stateDir, KEY_FILE);
  const mode = statSync(keyPath).mode & 0o777;
  if (mode & 0o077) throw new Error(`${keyPath} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  const id = JSON.parse(readFileSync(join(stateDir, IDENTITY_FILE), 'utf8')) as AgentIdentity;
  return { ...id, privateKey: createPrivateKey(readFileSync(keyPath)) };
}

export function signWith(privateKey: KeyObject, message: Buffer): string {
  return sign(null, message, privateKey).toString('base64');
}
