// HTTP client of the agent: enrollment, session opening and signed reports. Every report request is signed over
// method, path, agent id, sequence, timestamp and body hash (protocol/signing.ts): with the agent's Ed25519 key,
// or with the HMAC key of a session (protocol/session-key.ts; report-sender.ts decides which).
// node:http/node:https rather than undici: the agent is long-lived and counted in megabytes, and undici's
// module graph alone cost ~9 MB of RSS (measured with process.memoryUsage() after each import), while node:https
// is already part of the Node binary.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  HEADER_AGENT,
  HEADER_SEQ,
  HEADER_SESSION,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  enrollProofMessage,
  requestSigningMessage,
  requestSigningText,
  sha256Hex,
} from '../../protocol/signing.js';
import { deriveSessionKey, newX25519KeyPair, sessionMac } from '../../protocol/session-key.js';
import type { EnrollRequest, EnrollResponse, ReportAck, SessionOpenResponse } from '../../protocol/index.js';
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

/** The collector could not be reached or did not answer (refused, reset, TLS refused, timed out); `cause` holds
 * the socket or TLS error with its code (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN ...). */
export class TransportError extends Error {}

export interface ClientOptions {
  serverUrl: string;
  caPem?: string;
  timeoutMs?: number;
}

/** Collector answers are small JSON documents; anything larger is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

// One keep-alive connection pool per (scheme, pinned CA): the long-lived agent reuses its connection for every
// heartbeat instead of a TLS handshake each time.
const agents = new Map<string, HttpAgent>();
function agentFor(https: boolean, caPem: string | undefined): HttpAgent {
  const key = `${https ? 'https' : 'http'}\n${caPem ?? ''}`;
  let a = agents.get(key);
  if (!a) {
    // With a pinned CA, only certificates issued by it are accepted; the system store is not consulted.
    a = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 4, ...(caPem ? { ca: caPem } : {}), rejectUnauthorized: true })
      : new HttpAgent({ keepAlive: true, maxSockets: 4 });
    agents.set(key, a);
  }
  return a;
}

function post(o: ClientOptions, path: string, body: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const url = new URL(path, o.serverUrl);
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return Promise.reject(new TransportError(`collector URL must be http:// or https://, not ${url.protocol}`));
  const timeoutMs = o.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: agentFor(https, o.caPem),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) return fail(new TransportError(`collector answer larger than ${MAX_RESPONSE_BYTES} bytes`));
          chunks.push(c);
        });
        res.on('error', (e) => fail(new TransportError(`collector answer broke off: ${e.message}`, { cause: e })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            const parsed: unknown = JSON.parse(text);
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
          } catch {
            /* non-JSON error pages are reported by status below */
          }
          if (status < 200 || status >= 300) {
            reject(new CollectorError(status, String(json.code ?? 'http_' + status), String(json.message ?? text.slice(0, 200)), typeof json.lastSeq === 'number' ? json.lastSeq : undefined));
            return;
          }
          resolve(json);
        });
      },
    );
    const timer = setTimeout(() => fail(new TransportError(`collector did not answer within ${timeoutMs} ms (timeout)`)), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => fail(new TransportError(`cannot reach the collector at ${url.origin}: ${e.code ? `${e.code} ` : ''}${e.message}`, { cause: e })));
    req.end(body);
  });
}

export async function enroll(
  o: ClientOptions,
  req: Omit<EnrollRequest, 'proof'>,
  privateKey: KeyObject,
): Promise<EnrollResponse> {
  const proof = signWith(privateKey, enrollProofMessage(req.token, req.publicKey));
  return (await post(o, '/api/v1/enroll', JSON.stringify({ ...req, proof }), {})) as unknown as EnrollResponse;
}

/** Headers of an Ed25519-signed request to `path`. */
function ed25519Headers(agentId: string, privateKey: KeyObject, path: string, seq: number, body: string, now: number): Record<string, string> {
  const signature = signWith(privateKey, requestSigningMessage({ method: 'POST', path, agentId, seq, timestamp: now, bodySha256: sha256Hex(body) }));
  return { [HEADER_AGENT]: agentId, [HEADER_SEQ]: String(seq), [HEADER_TIMESTAMP]: String(now), [HEADER_SIGNATURE]: signature };
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
  return (await post(o, path, body, ed25519Headers(agentId, privateKey, path, seq, body, now))) as unknown as ReportAck;
}

/** A session agreed with the collector: its id and the HMAC key both sides derived (the key never travelled). */
export interface AgentSession {
  id: string;
  key: Buffer;
  /** The collector's expiry (its clock). */
  expiresAtMs: number;
}

/**
 * Opens a session: an Ed25519-signed request carrying a fresh X25519 public key. `seq` is not consumed by the
 * collector (nothing is stored); the agent sends the sequence of its next report.
 */
export async function openSession(o: ClientOptions, agentId: string, privateKey: KeyObject, seq: number, now = Date.now()): Promise<AgentSession> {
  const path = `/api/v1/agents/${agentId}/sessions`;
  const own = newX25519KeyPair();
  const body = JSON.stringify({ x25519PublicKey: own.publicKeyB64 });
  const res = (await post(o, path, body, ed25519Headers(agentId, privateKey, path, seq, body, now))) as unknown as SessionOpenResponse;
  if (typeof res.sessionId !== 'string' || typeof res.x25519PublicKey !== 'string' || typeof res.expiresAt !== 'string') {
    throw new CollectorError(502, 'bad_session_answer', 'collector answered the session opening without sessionId, x25519PublicKey and expiresAt');
  }
  return { id: res.sessionId, key: deriveSessionKey(own.privateKey, res.x25519PublicKey, res.sessionId, agentId), expiresAtMs: Date.parse(res.expiresAt) };
}

/** Sends a report authenticated with a session's HMAC over the same text an Ed25519 signature would cover. */
export async function sendWithSession(o: ClientOptions, agentId: string, session: AgentSession, seq: number, body: string, now = Date.now()): Promise<ReportAck> {
  const path = `/api/v1/agents/${agentId}/reports`;
  const mac = sessionMac(session.key, requestSigningText({ method: 'POST', path, agentId, seq, timestamp: now, bodySha256: sha256Hex(body) }));
  return (await post(o, path, body, {
    [HEADER_AGENT]: agentId,
    [HEADER_SEQ]: String(seq),
    [HEADER_TIMESTAMP]: String(now),
    [HEADER_SESSION]: session.id,
    [HEADER_SIGNATURE]: mac,
  })) as unknown as ReportAck;
}
