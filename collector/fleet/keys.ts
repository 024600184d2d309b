// Ed25519 helpers over raw 32-byte public keys (base64), the form agents send and the store keeps.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

// DER prefix of an SPKI-wrapped Ed25519 public key; the 32 raw key bytes follow it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject>();

export function publicKeyFromRaw(rawB64: string): KeyObject {
  let key = keyCache.get(rawB64);
  if (!key) {
    const raw = Buffer.from(rawB64, 'base64');
    if (raw.length !== 32) throw new Error('Ed25519 public key must be 32 bytes');
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (keyCache.size > 200_000) keyCache.clear();
    keyCache.set(rawB64, key);
  }
  return key;
}

export function rawPublicKey(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}

export function verifyEd25519(publicKeyB64: string, message: Buffer, signatureB64: string): boolean {
  try {
    const sig = Buffer.from(signatureB64, 'base64');
    if (sig.length !== 64) return false;
    return verify(null, message, publicKeyFromRaw(publicKeyB64), sig);
  } catch {
    return false;
  }
}
