// Session keys: both sides derive the same 32-byte HMAC key from an X25519 exchange, so the key never travels.
// The agent's X25519 key reaches the collector inside an Ed25519-signed request, which binds it to the agent;
// without either X25519 private key nobody else can derive the key. A change here is a protocol version change
// (the "soclite-session-v1" info), never a silent edit.
import { createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { sessionKeyInfo } from './signing.js';

// DER prefix of an SPKI-wrapped X25519 public key; the 32 raw key bytes follow it.
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface X25519KeyPair {
  privateKey: KeyObject;
  /** The 32 raw public key bytes, base64 (what travels). */
  publicKeyB64: string;
}

export function newX25519KeyPair(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKeyB64: der.subarray(der.length - 32).toString('base64') };
}

/** Throws an Error saying what is wrong when the text is not 32 raw bytes of base64 forming an X25519 key. */
export function x25519PublicKeyFromRaw(rawB64: string): KeyObject {
  const raw = Buffer.from(rawB64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== rawB64) throw new Error('x25519PublicKey must be 32 raw bytes, base64');
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/**
 * X25519 shared secret -> HKDF-SHA256 with salt = the session id's UTF-8 bytes and info =
 * "soclite-session-v1\n<agentId>" -> 32-byte key. Throws when the peer key is a low-order point (the shared
 * secret would be all zeros: node refuses it).
 */
export function deriveSessionKey(ownPrivate: KeyObject, peerPublicB64: string, sessionId: string, agentId: string): Buffer {
  const shared = diffieHellman({ privateKey: ownPrivate, publicKey: x25519PublicKeyFromRaw(peerPublicB64) });
  if (shared.every((b) => b === 0)) throw new Error('x25519PublicKey is a low-order point');
  return Buffer.from(hkdfSync('sha256', shared, Buffer.from(sessionId, 'utf8'), sessionKeyInfo(agentId), 32));
}

/** base64 HMAC-SHA256 of the request signing text (protocol/signing.ts requestSigningText) under the session key. */
export function sessionMac(key: Buffer, signingText: string): string {
  return createHmac('sha256', key).update(signingText, 'utf8').digest('base64');
}

// The MAC a request carries is decoded into this one buffer: a Buffer.from per request drew on Node's shared
// 8 KB pool, and refilling that pool was 2.6 % of a session heartbeat's time on the collector (profiled).
// One more byte than a MAC, so a longer value shows as too long instead of being cut to fit.
const givenMac = Buffer.alloc(33);

/** Constant-time check of a base64 MAC; false for anything that does not decode to 32 bytes. */
export function sessionMacMatches(key: Buffer, signingText: string, macB64: string): boolean {
  if (givenMac.write(macB64, 'base64') !== 32) return false;
  return timingSafeEqual(givenMac.subarray(0, 32), createHmac('sha256', key).update(signingText, 'utf8').digest());
}
