// Builds signed agent requests by hand so tests can also send what a real agent never would: replays,
// forged signatures, stale timestamps, malformed bodies.
import type { KeyObject } from 'node:crypto';
import { request } from 'node:http';
import { HEADER_AGENT, HEADER_SEQ, HEADER_SIGNATURE, HEADER_TIMESTAMP, requestSigningMessage, sha256Hex } from '../../protocol/index.js';
import { signWith } from '../../agent/transport/identity.js';

export interface RawResult {
  status: number;
  body: Record<string, unknown>;
}

/** The signed-request headers every agent request carries, plus how it is authenticated (signature or session + MAC). */
export function agentHeaders(agentId: string, seq: number, timestamp: number, auth: Record<string, string>): Record<string, string> {
  return { [HEADER_AGENT]: agentId, [HEADER_SEQ]: String(seq), [HEADER_TIMESTAMP]: String(timestamp), ...auth };
}

/** The status and the JSON body (or { raw } when it is not JSON) of a collector answer. */
export function rawResult(status: number, text: string): RawResult {
  try {
    return { status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status, body: { raw: text } };
  }
}

export async function postSigned(
  baseUrl: string,
  agentId: string,
  key: KeyObject,
  seq: number,
  body: string,
  opts: { timestamp?: number; signatureOverride?: string; contentType?: string } = {},
): Promise<RawResult> {
  const path = `/api/v1/agents/${agentId}/reports`;
  const timestamp = opts.timestamp ?? Date.now();
  const signature =
    opts.signatureOverride ?? signWith(key, requestSigningMessage({ method: 'POST', path, agentId, seq, timestamp, bodySha256: sha256Hex(body) }));
  const res = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': opts.contentType ?? 'application/json', ...agentHeaders(agentId, seq, timestamp, { [HEADER_SIGNATURE]: signature }) },
    body,
  });
  return rawResult(res.status, await res.text());
}

/**
 * Announces a signed report of `body` (content-length, signature over its hash) but sends only the headers:
 * the collector must refuse a body over its limit from the announced length alone, before reading it. (Sending
 * the bytes makes the test racy: fastify answers 413 and closes the connection at once, and a socket closed
 * with unread data is reset, so the client may never see the answer.)
 */
export function announceSigned(baseUrl: string, agentId: string, key: KeyObject, seq: number, body: string): Promise<RawResult> {
  const path = `/api/v1/agents/${agentId}/reports`;
  const timestamp = Date.now();
  const signature = signWith(key, requestSigningMessage({ method: 'POST', path, agentId, seq, timestamp, bodySha256: sha256Hex(body) }));
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...agentHeaders(agentId, seq, timestamp, { [HEADER_SIGNATURE]: signature }) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        resolve(rawResult(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
