// HTTP for many virtual agents over a few keep-alive connections (undici Pool): signed reports exactly as
// agent/transport/client.ts builds them, and enrollment with proof of key possession.
import { sign, type KeyObject } from 'node:crypto';
import { Pool } from 'undici';
import {
  HEADER_AGENT,
  HEADER_SEQ,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  enrollProofMessage,
  requestSigningMessage,
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
  const path = `/api/v1/agents/${agentId}/reports`;
  const msg = requestSigningMessage({ method: 'POST', path, agentId, seq, timestamp, bodySha256: sha256Hex(body) });
  return {
    path,
    body,
    headers: {
      [HEADER_AGENT]: agentId,
      [HEADER_SEQ]: String(seq),
      [HEADER_TIMESTAMP]: String(timestamp),
      [HEADER_SIGNATURE]: sign(null, msg, key).toString('base64'),
    },
  };
}

export function enrollBody(token: string, key: KeyObject, publicKeyB64: string, machine: { hostname: string; hardwareId: string; platform: string }): string {
  const proof = sign(null, enrollProofMessage(token, publicKeyB64), key).toString('base64');
  return JSON.stringify({ token, publicKey: publicKeyB64, proof, agentVersion: '0.1.0-sim', ...machine });
}
