// The exact bytes an agent signs. Both sides build them with these functions; a change here is a protocol
// version change (the "soclite-v1" prefix), never a silent edit.
import crypto from 'node:crypto';

export const HEADER_AGENT = 'x-soclite-agent';
export const HEADER_SEQ = 'x-soclite-seq';
export const HEADER_TIMESTAMP = 'x-soclite-timestamp';
export const HEADER_SIGNATURE = 'x-soclite-signature';
/**
 * Present on a session-authenticated request: HEADER_SIGNATURE then holds base64 HMAC-SHA256 under the
 * session key over the same requestSigningText, instead of an Ed25519 signature.
 */
export const HEADER_SESSION = 'x-soclite-session';

// One-shot crypto.hash costs a third of createHash on a report body, and every report hashes one. Node 20
// releases before 20.12 lack it (read from the default export: a named import would fail to link there).
const oneShotHash = crypto.hash as typeof crypto.hash | undefined;

export function sha256Hex(data: string | Uint8Array): string {
  return oneShotHash ? oneShotHash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

export interface SignedFields {
  method: string;
  path: string;
  agentId: string;
  seq: number;
  /** Milliseconds since the epoch, as sent in the header. */
  timestamp: number;
  bodySha256: string;
}

export function requestSigningMessage(f: SignedFields): Buffer {
  return Buffer.from(requestSigningText(f), 'utf8');
}

/** The signed message as text (its UTF-8 bytes are what is signed): cheap to hand to a worker thread. */
export function requestSigningText(f: SignedFields): string {
  return ['soclite-v1', f.method.toUpperCase(), f.path, f.agentId, String(f.seq), String(f.timestamp), f.bodySha256].join('\n');
}

export function enrollProofMessage(token: string, publicKeyB64: string): Buffer {
  return Buffer.from(['soclite-enroll-v1', sha256Hex(token), publicKeyB64].join('\n'), 'utf8');
}

/** HKDF info of a session key: binds the key to the protocol version and to the agent it was agreed with. */
export function sessionKeyInfo(agentId: string): string {
  return `soclite-session-v1\n${agentId}`;
}
