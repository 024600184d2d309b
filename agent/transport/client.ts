// HTTP client of the agent: enrollment and signed reports. Every report request is signed over method, path,
// agent id, sequence, timestamp and body hash (protocol/signing.ts).
import { Agent as UndiciAgent, fetch as undiciFetch } from 'undici';
import {
  HEADER_AGENT,
  HEADER_SEQ,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  enrollProofMessage,
  requestSigningMessage,
  sha256Hex,
} from '../../protocol/signing.js';
import type { EnrollRequest, EnrollResponse, ReportAck } from '../../protocol/index.js';
import type { KeyObject } from 'node:crypto';
import { signWith } from './identity.js';

export class CollectorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly lastSeq?: number,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  serverUrl: string;
  caPem?: string;
  timeoutMs?: number;
}

function dispatcher(o: ClientOptions) {
  // With a pinned CA, only certificates issued by it are accepted; the system store is not consulted.
  return o.caPem ? new UndiciAgent({ connect: { ca: o.caPem, rejectUnauthorized: true } }) : undefined;
}

async function post(o: ClientOptions, path: string, body: string, headers: Record<string, string>) {
  const res = await undiciFetch(new URL(path, o.serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    dispatcher: dispatcher(o),
    signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* non-JSON error pages are reported by status below */
  }
  if (!res.ok) {
    throw new CollectorError(res.status, String(json.code ?? 'http_' + res.status), String(json.message ?? text.slice(0, 200)), typeof json.lastSeq === 'number' ? json.lastSeq : undefined);
  }
  return json;
}

export async function enroll(
  o: ClientOptions,
  req: Omit<EnrollRequest, 'proof'>,
  privateKey: KeyObject,
): Promise<EnrollResponse> {
  const proof = signWith(privateKey, enrollProofMessage(req.token, req.publicKey));
  return (await post(o, '/api/v1/enroll', JSON.stringify({ ...req, proof }), {})) as unknown as EnrollResponse;
}

export async function sendSigned(
  o: ClientOptions,
  agentId: string,
  privateKey: KeyObject,
  seq: number,
  body: string,
  now = Date.now(),
): Promise<ReportAck> {
  const path = `/api/v1/agents/${agentId}/reports`;
  const signature = signWith(privateKey, requestSigningMessage({ method: 'POST', path, agentId, seq, timestamp: now, bodySha256: sha256Hex(body) }));
  return (await post(o, path, body, {
    [HEADER_AGENT]: agentId,
    [HEADER_SEQ]: String(seq),
    [HEADER_TIMESTAMP]: String(now),
    [HEADER_SIGNATURE]: signature,
  })) as unknown as ReportAck;
}
