// HTTP for many virtual agents over a few keep-alive connections (undici Pool): signed reports exactly as
// agent/transport/client.ts builds them (Ed25519 per report, or an HMAC under a session key), session openings,
// and enrollment with proof of key possession.
import { sign, type KeyObject } from 'node:crypto';
import { Pool } from 'undici';
import {
  HEADER_AGENT,
  HEADER_SEQ,
  HEADER_SESSION,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  deriveSessionKey,
  enrollProofMessage,
  newX25519KeyPair,
  requestSigningMessage,
  requestSigningText,
  sessionMac,
  sha256Hex,
} from '../../protocol/index.js';

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
}

export interface PoolOptions {
  connections: number;
  /** Source address for the connections (loopback tests spread agents over 127.0.0.0/8 like a real LAN). */
  localAddress?: string;
}

export function makePool(serverUrl: string, o: PoolOptions): Pool {
  return new Pool(new URL(serverUrl).origin, {
    connections: o.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
  });
}

export async function postJson(pool: Pool, path: string, body: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.body.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { raw: text.slice(0, 200) };
  }
  return { status: res.statusCode, body: parsed };
}

export interface SignedBody {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** Signs one report body as the agent does: method, path, agent id, seq, timestamp and the body's SHA-256. */
export function signReport(agentId: string, key: KeyObject, seq: number, body: string, timestamp = Date.now()): SignedBody {
  return signRequest(`/api/v1/agents/${agentId}/reports`, agentId, key, seq, body, timestamp);
}

function signRequest(path: string, agentId: string, key: KeyObject, seq: number, body: string, timestamp: number): SignedBody {
  const msg = requestSigningMessage({ method: 'POST', path, agentId, seq, timestamp, bodySha256: sha256Hex(body) });
  return withAuthHeaders(path, body, agentId, seq, timestamp, { [HEADER_SIGNATURE]: sign(null, msg, key).toString('base64') });
}

/** The signed-request headers every agent request carries, plus how it is authenticated. */
function withAuthHeaders(path: string, body: string, agentId: string, seq: number, timestamp: number, auth: Record<string, string>): SignedBody {
  return { path, body, headers: { [HEADER_AGENT]: agentId, [HEADER_SEQ]: String(seq), [HEADER_TIMESTAMP]: String(timestamp), ...auth } };
}

/** A session agreed with the collector (see protocol/session-key.ts); memory only, like the collector's side. */
export interface SimSession {
  id: string;
  key: Buffer;
  expiresAtMs: number;
}

/** Authenticates one report body with a session: the same signed text, an HMAC instead of an Ed25519 signature. */
export function macReport(agentId: string, session: SimSession, seq: number, body: string, timestamp = Date.now()): SignedBody {
  const path = `/api/v1/agents/${agentId}/reports`;
  const text = requestSigningText({ method: 'POST', path, agentId, seq, timestamp, bodySha256: sha256Hex(body) });
  return withAuthHeaders(path, body, agentId, seq, timestamp, { [HEADER_SESSION]: session.id, [HEADER_SIGNATURE]: sessionMac(session.key, text) });
}

/**
 * Opens a session for one agent (POST /agents/:id/sessions, Ed25519-signed; `seq` is not consumed). Resolves
 * with the session, or with the collector's refusal (404 from a collector without sessions).
 */
export async function openSession(pool: Pool, agentId: string, key: KeyObject, seq: number): Promise<{ session: SimSession } | { refused: HttpResult }> {
  const own = newX25519KeyPair();
  const body = JSON.stringify({ x25519PublicKey: own.publicKeyB64 });
  const signed = signRequest(`/api/v1/agents/${agentId}/sessions`, agentId, key, seq, body, Date.now());
  const res = await postJson(pool, signed.path, signed.body, signed.headers);
  if (res.status !== 200) return { refused: res };
  const sessionId = String(res.body.sessionId);
  return {
    session: { id: sessionId, key: deriveSessionKey(own.privateKey, String(res.body.x25519PublicKey), sessionId, agentId), expiresAtMs: Date.parse(String(res.body.expiresAt)) },
  };
}

export function enrollBody(token: string, key: KeyObject, publicKeyB64: string, machine: { hostname: string; hardwareId: string; platform: string }): string {
  const proof = sign(null, enrollProofMessage(token, publicKeyB64), key).toString('base64');
  return JSON.stringify({ token, publicKey: publicKeyB64, proof, agentVersion: '0.1.0-sim', ...machine });
}
