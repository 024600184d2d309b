// Builds signed agent requests by hand so tests can also send what a real agent never would: replays,
// forged signatures, stale timestamps, malformed bodies.
import type { KeyObject } from 'node:crypto';
import { HEADER_AGENT, HEADER_SEQ, HEADER_SIGNATURE, HEADER_TIMESTAMP, requestSigningMessage, sha256Hex } from '../../protocol/index.js';
import { signWith } from '../../agent/transport/identity.js';

export interface RawResult {
  status: number;
  body: Record<string, unknown>;
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
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      [HEADER_AGENT]: agentId,
      [HEADER_SEQ]: String(seq),
      [HEADER_TIMESTAMP]: String(timestamp),
      [HEADER_SIGNATURE]: signature,
    },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed };
}
